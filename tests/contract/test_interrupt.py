"""Ctrl-C during a contract run: it stops sending, deletes what it posted, prints what was judged so far and
exits 130, like every other greenstat command.

How Ctrl-C is simulated: Python delivers SIGINT as a ``KeyboardInterrupt`` in the main thread, wherever it
is. The tests raise one there at two places: while the main thread waits for the operations' threads (in
``Thread.join``), and in the phase after them (the lifecycle of what the writes posted). The server is the
reference mock under uvicorn, rate limits off (the pacing is not what these tests are about).
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from greenstat_ext.contract import ContractInterrupted, run_contract_test
from greenstat_ext.contract._cli import contract_test
from greenstat_ext.contract._runner import _Run
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import mid_cycle_clock

ID_MESSAGE = "BAE5F4886F6F2D05"
app = typer.Typer()
app.command("contract-test")(contract_test)
app.command("noop")(lambda: None)
runner = CliRunner()


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with MockServer(MockSettings(rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE))) as mock:
        yield mock.base_url


def _interrupted(*args: object) -> None:
    raise KeyboardInterrupt


def _interrupt_after_the_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Run, "_lifecycle", _interrupted)


def test_ctrl_c_after_a_post_hands_back_the_report_and_deletes_what_was_posted(
    mock_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C right after the first send posted its status, before the run follows it (and deletes it).
    monkeypatch.setattr(_Run, "_follow", _interrupted)
    with pytest.raises(ContractInterrupted) as caught:
        run_contract_test(
            mock_url, DEMO_ID_INSTANCE, DEMO_TOKEN, id_message=ID_MESSAGE, max_examples=1, seed=3,
            allow_writes=True, write_wait=0.5, poll_interval=0.1, checks=["posted_status_lifecycle"],
        )  # fmt: skip

    report = caught.value.report
    assert isinstance(caught.value, KeyboardInterrupt)  # a caller that does not catch it stops as on Ctrl-C
    assert report.interrupted
    assert report.cases > 0  # what was judged until then is in it
    assert report.posted == 1
    assert report.undeleted == []  # every status the run posted was deleted on the way out
    assert report.phases["cleanup"] == 1
    assert any("interrupted (Ctrl-C)" in item.reason for item in report.inconclusive)
    assert set(report.phases) == {"credentials", "writes", "cleanup"}  # after Ctrl-C only the delete


def test_ctrl_c_while_the_operations_run_stops_their_threads(
    mock_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_join = threading.Thread.join
    joins = 0

    def join(self: threading.Thread, timeout: float | None = None) -> None:
        nonlocal joins
        if self.name.startswith("contract-") and threading.current_thread() is threading.main_thread():
            joins += 1
            if joins == 1:  # at once: every operation's thread is running, none has finished
                raise KeyboardInterrupt
        real_join(self, timeout)

    monkeypatch.setattr(threading.Thread, "join", join)
    with pytest.raises(ContractInterrupted) as caught:
        run_contract_test(
            mock_url, DEMO_ID_INSTANCE, DEMO_TOKEN, id_message=ID_MESSAGE, max_examples=20, seed=3
        )

    report = caught.value.report
    assert report.interrupted
    # stopped well before the run's end (~430 requests with three reads, more with each read added): the
    # threads stop at their next request, whatever the spec's number of operations
    assert 0 < report.cases < 300
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("contract-")]


def test_the_command_prints_what_was_judged_and_exits_130(
    mock_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _interrupt_after_the_operations(monkeypatch)
    junit = tmp_path / "contract.xml"
    args: list[Any] = ["contract-test", "--url", mock_url, "--id-instance", str(DEMO_ID_INSTANCE)]
    args += ["--id-message", ID_MESSAGE, "--max-examples", "1", "--seed", "3", "--junit", str(junit)]
    result = runner.invoke(app, args, env={"GREEN_API_TOKEN": DEMO_TOKEN})

    assert result.exit_code == 130, result.output
    assert "Operations" in result.stdout  # the report so far
    assert "the run was interrupted (Ctrl-C)" in " ".join(result.stdout.split())
    assert result.stderr.rstrip().endswith("greenstat contract-test: interrupted")
    assert DEMO_TOKEN not in result.output
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 - our own file
    assert suite is not None
    verdict = {prop.get("name"): prop.get("value") for prop in suite.iter("property")}["verdict"]
    assert verdict == "INCONCLUSIVE"  # what was judged, marked cut short
