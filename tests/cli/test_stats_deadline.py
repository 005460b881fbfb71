"""``greenstat stats`` against hostile servers: it ends near ``--timeout`` with one line, never hangs.

Each request's timeout is what is left of the command's ``--timeout`` (at most 30 s, at least 1 s), and a
request's timeout bounds the whole request, so a server dripping a byte a second cannot hold the command.
Real time is used (the server is really slow); the bounds are generous for a loaded machine.
"""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from greenstat_ext._cli import stats as stats_command
from greenstat_ext.cli import app
from tests._hostile import Handler, HostileServer, drip, drip_headers, endless_chunked, endless_continue

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
GENEROUS = 10.0

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stats_command, "_rate_limit", 0)


def _run(handler: Handler, *args: str) -> tuple[int, str, float]:
    env = {"GREEN_API_ID_INSTANCE": "1101000001", "GREEN_API_TOKEN": TOKEN}
    started = time.monotonic()
    with HostileServer(handler) as server:
        result = runner.invoke(app, ["stats", "X", "--api-url", server.base_url, *args], env=env)
    return result.exit_code, result.stderr, time.monotonic() - started


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param(lambda: drip(200, b"[" + b" " * 100 + b"]", interval=0.2), id="drip-body"),
        pytest.param(lambda: drip_headers(interval=0.2), id="drip-headers"),
        pytest.param(lambda: endless_continue(interval=0.2), id="endless-continue"),
    ],
)
@pytest.mark.parametrize("watch", [False, True], ids=["once", "watch"])
def test_the_command_ends_near_its_timeout(handler: object, watch: bool) -> None:
    args = ["--timeout", "2", *(["--watch", "--interval", "1"] if watch else [])]
    code, stderr, seconds = _run(handler(), *args)  # type: ignore[operator]
    assert seconds < GENEROUS
    assert code == stats_command.EXIT_USAGE  # a timeout: the API could not be reached in time
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Timeout" in lines[0]
    assert TOKEN not in stderr


def test_an_endless_body_is_one_line_and_exit_1() -> None:
    code, stderr, _ = _run(endless_chunked())
    assert code == stats_command.EXIT_API_ERROR
    assert "max_response_size" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert TOKEN not in stderr


def test_each_request_gets_what_is_left_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stats_command, "_clock", lambda: 100.0)
    assert stats_command.request_timeout(100.0 + 300) == stats_command.REQUEST_TIMEOUT
    assert stats_command.request_timeout(100.0 + 5) == 5.0
    assert stats_command.request_timeout(100.0 - 5) == stats_command.MIN_REQUEST_TIMEOUT
