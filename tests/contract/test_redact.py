"""Token scrubbing: the Redactor itself, and servers that echo the token where the kit quotes them (a header,
an error body). No piece of it may reach the report, the JUnit XML or the Python result - not whole, not cut
in half by an excerpt. The servers are the smallest that reproduce each audit finding, run through the CLI
exactly as a user would (report on stdout, ``--junit`` file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from typer.testing import CliRunner

from greenstat_ext._redact import MASK, Redactor
from greenstat_ext.contract import ContractReport, Exchange, Violation, render_report, run_contract_test
from greenstat_ext.contract import write_junit as write_junit_file
from tests._servers import serve
from tests.contract.broken_servers import (
    ID_INSTANCE,
    ID_MESSAGE,
    ID_PARAMETER,
    POLLED,
    TOKEN,
    Handler,
    app_for,
    reference,
)
from tests.contract.test_cli import _args, app


def test_the_token_is_masked_wherever_it_appears() -> None:
    redact = Redactor("abc123SECRET")
    text = f"curl http://h/waInstance1/{POLLED}/abc123SECRET?{ID_PARAMETER}=x; token=abc123SECRET"

    assert redact(text) == f"curl http://h/waInstance1/{POLLED}/{MASK}?{ID_PARAMETER}=x; token={MASK}"


def test_any_token_segment_is_masked_and_the_repr_hides_the_token() -> None:
    redact = Redactor("abc123SECRET")

    assert redact(f"/waInstance1/{POLLED}/otherToken") == f"/waInstance1/{POLLED}/{MASK}"
    assert "abc123SECRET" not in repr(redact)


runner = CliRunner()
PREFIX = TOKEN[:6]  # any shown piece of the token this long is a leak


async def allow_header_echoes_the_token(request: Request) -> Response:
    if request.method != "GET":
        return PlainTextResponse("no", status_code=405, headers={"Allow": f"HEAD, {TOKEN}"})
    return await reference(request)


async def server_error_body_ends_with_the_token(request: Request) -> Response:
    if request.method == "GET":
        return PlainTextResponse("y" * 180 + TOKEN, status_code=500)
    return await reference(request)


def _run_cli(handler: Handler, checks: str, tmp_path: Path) -> tuple[str, str]:
    junit = tmp_path / "contract.xml"
    with serve(app_for(handler)) as url:
        result = runner.invoke(
            app, _args(url, "--max-examples", "1", "--seed", "2", "--checks", checks, "--junit", str(junit))
        )
    assert result.exit_code == 1, result.output
    return result.stdout, junit.read_text(encoding="utf-8")


def test_an_allow_header_holding_the_token_is_shown_masked(tmp_path: Path) -> None:
    stdout, xml = _run_cli(allow_header_echoes_the_token, "unsupported_method_rejected", tmp_path)

    for text in (stdout, xml):
        assert PREFIX not in text
        assert f"Received: 'HEAD, {MASK}'" in text


def test_a_body_whose_token_straddles_the_excerpt_cut_is_masked_whole(tmp_path: Path) -> None:
    stdout, xml = _run_cli(server_error_body_ends_with_the_token, "not_a_server_error", tmp_path)

    for text in (stdout, xml):
        assert PREFIX not in text
        assert "y" * 50 in text  # the excerpt itself is still shown
    with serve(app_for(server_error_body_ends_with_the_token)) as url:
        report = run_contract_test(
            url,
            ID_INSTANCE,
            TOKEN,
            id_message=ID_MESSAGE,
            max_examples=1,
            seed=2,
            checks=["not_a_server_error"],
        )
    excerpts = {v.exchange.body_excerpt for v in report.violations}
    assert "y" * 180 + MASK in excerpts


@pytest.mark.parametrize("size", [4, 10, len(TOKEN) - 1])
def test_a_partial_token_ending_at_the_cut_is_masked(size: int) -> None:
    redact = Redactor(TOKEN)
    # The cut splits a word: its kept end is masked, up to the longest token the spec allows (128
    # characters), since any of it may be a token's start (the shared rule, stricter than the kit's was).
    split = "y" * (200 - size) + TOKEN[:size] + "tail beyond the cut"
    # The cut falls after a word that is the token's start (a server truncated it): that word is masked.
    truncated = "y" * (199 - size) + " " + TOKEN[:size] + " tail beyond the cut"

    assert redact.excerpt(split, 200) == "y" * (200 - 128) + MASK + "…"
    assert redact.excerpt(truncated, 200) == "y" * (199 - size) + " " + MASK + "…"
    assert redact.excerpt("short", 200) == "short"
    assert redact.excerpt("y " * 150, 200) == "y " * 100 + "…"  # a cut between words masks nothing else


def test_the_writers_redact_every_string_even_one_the_runner_did_not(tmp_path: Path) -> None:
    """Structural: a message that forgot redaction is still masked by the report and the JUnit writer."""
    Redactor(TOKEN)  # a run registers its token, as run_contract_test does
    leaky = f"Received: {TOKEN}"
    exchange = Exchange("probe", "POST", f"/x/{TOKEN}", f"q={TOKEN}", 405, f"text/{TOKEN}", TOKEN)
    report = ContractReport(url=f"http://h/{TOKEN}", seed=1, checks=("unsupported_method_rejected",))
    report.check_failures["unsupported_method_rejected"] += 1
    report.violations.append(Violation("unsupported_method_rejected", leaky, leaky, exchange))
    console = Console(record=True, width=300)
    render_report(report, console)
    path = tmp_path / "j.xml"
    write_junit_file(report, path)

    shown = console.export_text()
    assert "Received" in shown
    assert PREFIX not in shown
    assert PREFIX not in path.read_text(encoding="utf-8")
