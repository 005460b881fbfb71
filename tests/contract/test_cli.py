"""``greenstat contract-test`` as a user meets it: exit codes, report, JUnit XML, and no token anywhere."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from greenstat_ext.contract import _cli as cli_module
from greenstat_ext.contract._checks import ALL_CHECKS
from greenstat_ext.contract._cli import contract_test
from tests._servers import free_port, serve
from tests.contract.broken_servers import (
    BROKEN,
    BROKEN_ONE_OPERATION,
    ID_INSTANCE,
    ID_MESSAGE,
    OPERATIONS,
    TOKEN,
    UNLIMITED_CHECKS,
    app_for,
)
from tests.contract.test_runner import EXPECTED_CHECK, assert_retry_waits

app = typer.Typer()
app.command("contract-test")(contract_test)
app.command("noop")(lambda: None)  # a second command, so "contract-test" is a sub-command as in greenstat
runner = CliRunner()


def _args(url: str, *extra: str) -> list[str]:
    return ["contract-test", "--url", url, "--id-instance", str(ID_INSTANCE), "--token", TOKEN, *extra]


def test_the_correct_implementation_exits_0_and_writes_passing_junit(
    reference_url: str, tmp_path: Path
) -> None:
    junit = tmp_path / "contract.xml"
    result = runner.invoke(
        app,
        _args(
            reference_url,
            *("--max-examples", "2", "--seed", "1", "--junit", str(junit)),
            *("--checks", ",".join(UNLIMITED_CHECKS)),
        ),
    )

    assert result.exit_code == 0, result.output
    assert "PASSED" in result.stdout
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 - our own file
    assert suite is not None
    assert suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == int(suite.get("tests", "-1")) > 0


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_server_exits_1_names_the_check_and_never_shows_the_token(
    name: str, tmp_path: Path, retry_waits: list[float]
) -> None:
    junit = tmp_path / "contract.xml"
    with serve(app_for(BROKEN[name])) as url:
        args = _args(
            url, "--id-message", ID_MESSAGE, "--max-examples", "2", "--seed", "3", "--junit", str(junit)
        )
        result = runner.invoke(app, args)

    assert result.exit_code == 1, result.output
    assert_retry_waits(name, retry_waits)
    assert "FAILED" in result.stdout
    assert f"{EXPECTED_CHECK[name]}: " in result.stdout  # the heading of a failure panel
    assert TOKEN not in result.output
    xml_text = junit.read_text(encoding="utf-8")
    assert TOKEN not in xml_text
    failed = {
        case.get("name")
        for case in ET.fromstring(xml_text.encode()).iter("testcase")  # noqa: S314 - our own file
        if case.find("failure") is not None
    }
    assert EXPECTED_CHECK[name] in failed


def test_a_server_broken_in_one_operation_is_named_in_the_report(tmp_path: Path) -> None:
    broken, handler = BROKEN_ONE_OPERATION["one_operations_token_unchecked"]
    with serve(app_for(handler)) as url:
        result = runner.invoke(
            app, _args(url, "--max-examples", "3", "--seed", "3", "--checks", ",".join(UNLIMITED_CHECKS))
        )

    assert result.exit_code == 1, result.output
    assert "wrong_token_rejected: " in result.stdout
    assert f"operation: {broken}" in result.stdout
    for other in OPERATIONS:
        if other != broken:
            assert f"operation: {other}" not in result.stdout
    assert TOKEN not in result.output


def test_credentials_come_from_the_environment(reference_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_URL", reference_url)
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", TOKEN)
    checks = ",".join(UNLIMITED_CHECKS)
    result = runner.invoke(app, ["contract-test", "--max-examples", "2", "--seed", "0", "--checks", checks])

    assert result.exit_code == 0, result.output
    help_text = runner.invoke(app, ["contract-test", "--help"]).output
    assert "GREEN_API_TOKEN" in help_text
    assert TOKEN not in help_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["contract-test", "--url", "http://127.0.0.1:9"],
            "missing --id-instance (or GREEN_API_ID_INSTANCE)",
        ),
        (["contract-test"], "missing --url (or GREEN_API_URL), --id-instance"),
        (_args("http://127.0.0.1:9", "--max-examples", "0"), "--max-examples must be between 1 and"),
        (_args("http://127.0.0.1:9", "--checks", "bogus"), "unknown check 'bogus'"),
        (
            ["contract-test", "--url", "http://x", "--id-instance", "abc", "--token", "t"],
            "--id-instance must be",
        ),
        (_args("http://127.0.0.1:9", "--junit", "/no/such/dir/x.xml"), "--junit: directory"),
        (_args("http://127.0.0.1:9", "--skip-checks", "nope"), "--skip-checks: unknown check 'nope'"),
        (
            _args(
                "http://127.0.0.1:9",
                "--checks",
                "status_code_conformance",
                "--skip-checks",
                "status_code_conformance",
            ),
            "--skip-checks leaves no check to run",
        ),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, reference_url: str
) -> None:
    for name in ("GREEN_API_URL", "GREEN_API_ID_INSTANCE", "GREEN_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    args = [reference_url if arg == "http://127.0.0.1:9" else arg for arg in args]
    result = runner.invoke(app, args)

    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert TOKEN not in result.output


def test_an_unreachable_url_exits_2_without_traceback() -> None:
    result = runner.invoke(app, _args(f"http://127.0.0.1:{free_port()}"))

    assert result.exit_code == 2
    assert "cannot reach" in result.stderr
    assert "Traceback" not in result.output
    assert TOKEN not in result.output


def test_a_non_integer_max_examples_is_refused_by_the_parser(reference_url: str) -> None:
    result = runner.invoke(app, _args(reference_url, "--max-examples", "many"))

    assert result.exit_code == 2
    assert "--max-examples" in result.output


def test_skip_checks_runs_every_other_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the demo passes: all checks but the two that need a rate-limited implementation."""
    seen: dict[str, object] = {}

    def fake_run(*_args: object, **kwargs: object) -> None:
        seen.update(kwargs)
        raise KeyboardInterrupt  # stop there: the selection is what this test is about

    monkeypatch.setattr(cli_module, "run_contract_test", fake_run)
    skipped = "rate_limit_enforced,retry_after_conformance"
    result = runner.invoke(app, _args("http://127.0.0.1:9", "--skip-checks", skipped))
    assert seen["checks"] == [name for name in ALL_CHECKS if name not in skipped.split(",")]
    assert result.exit_code == 130


@pytest.mark.parametrize("allow_writes", [False, True])
def test_ctrl_c_is_exit_130_with_one_line(monkeypatch: pytest.MonkeyPatch, allow_writes: bool) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "run_contract_test", interrupted)
    extra = ("--allow-writes",) if allow_writes else ()
    result = runner.invoke(app, _args("http://127.0.0.1:9", *extra))
    assert result.exit_code == 130
    assert result.stderr.startswith("greenstat contract-test: interrupted before the end; no verdict")
    assert ("a status it posted may remain" in result.stderr) is allow_writes
    assert len(result.stderr.splitlines()) == 1
    assert TOKEN not in result.output
