"""``greenstat stats`` against the real mock: output, --json, --watch, and every error path's exit code.

Why a fake clock for --watch: the command's poll interval cannot go below 1 s (the API's rate limit), so
the tests replace its sleep/clock seams (``_sleep``/``_clock``) and, for progress, give the mock a clock
that runs fast; no test waits on real time except the Ctrl-C one, which needs a real process.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext import GreenStat
from greenstat_ext._cli import stats as stats_command
from greenstat_ext.cli import app
from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_MESSAGES,
    DEMO_TOKEN,
    MessageStore,
    MockServer,
    MockSettings,
)
from tests.cli._interruptible import INTERRUPTIBLE_MAIN

PROGRESSING = "F7AEC1B7086ECDC7E6E45923F5EDB825"
FIXED_ITEMS = [
    StatusStatistic(participant="79000000001@c.us", timestamp=1_700_000_000, status=StatusValue.PENDING),
    StatusStatistic(participant="79000000002@c.us", timestamp=1_700_000_060, status=StatusValue.SENT),
    StatusStatistic(participant="79000000003@c.us", timestamp=1_700_000_120, status=StatusValue.DELIVERED),
    StatusStatistic(participant="79000000004@c.us", timestamp=1_700_000_180, status=StatusValue.READ),
    StatusStatistic(participant="79000000005@c.us", timestamp=1_700_000_240, status=StatusValue("played")),
]
STUCK_ITEMS = [
    StatusStatistic(participant="79000000009@c.us", timestamp=1_700_000_000, status=StatusValue.SENT)
]
LINK = "[link=file:///etc/passwd]click[/link]"
# Valid strings per the spec that Rich would parse as markup, and a terminal escape sequence.
MARKUP_ITEMS = [
    StatusStatistic(participant="[/]", timestamp=1_700_000_000, status=StatusValue("[/]")),
    StatusStatistic(participant=LINK, timestamp=1_700_000_001, status=StatusValue("[bold]x")),
    StatusStatistic(participant="\x1b[2Jwiped@c.us", timestamp=1_700_000_002, status=StatusValue.READ),
]
FAR_ITEMS = [  # the spec allows any integer; datetime stops at year 9999
    StatusStatistic(participant="79000000007@c.us", timestamp=99_999_999_999_999, status=StatusValue.READ)
]
DATA = {"FIXED": FIXED_ITEMS, "STUCK": STUCK_ITEMS, "MARKUP": MARKUP_ITEMS, "FAR": FAR_ITEMS}

runner = CliRunner()
#: Rich then takes CliRunner's output for a terminal: the table and page path (colour off, bold stays).
#: Without it, output is a pipe: plain rows (tests/cli/test_stats_output_modes.py).
TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1"}


class FakeTime:
    """The command's clock and sleep: sleeping advances the clock, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if len(self.slept) >= 10_000:  # a poll loop that never ends (e.g. a nan timeout) fails, not hangs
            raise RuntimeError("--watch kept polling")
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def fast_command(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(stats_command, "_rate_limit", 0)
    monkeypatch.setattr(stats_command, "_clock", fake.clock)
    monkeypatch.setattr(stats_command, "_sleep", fake.sleep)
    return fake


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0, data=DATA, seed=59)) as server:
        yield server


def _env(server: MockServer, **changes: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    env.update(changes)
    return env


def test_table_and_summary(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "FIXED"], env=_env(mock, **TERMINAL), terminal_width=200)
    assert result.exit_code == 0, result.output
    for item in FIXED_ITEMS:
        assert item.participant in result.stdout
    assert "2023-11-14 22:13:20" in result.stdout  # the first timestamp, UTC
    assert "2023-11-14T22:13:20Z" not in result.stdout  # each time once: no second (ISO-8601) column
    assert "played" in result.stdout
    assert (
        "5 recipient(s): pending 1, sent 1, delivered 1, read 1, played 1; read rate 20% "
        "(unknown status values from a newer API: played)"
    ) in " ".join(result.stdout.split())  # wrapped at a word on a narrow terminal
    assert DEMO_TOKEN not in result.output


def test_json_output_is_the_spec_json_plus_the_summary(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "FIXED", "--json"], env=_env(mock))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["id_message"] == "FIXED"
    assert document["items"] == [item.to_dict() for item in FIXED_ITEMS]
    assert document["summary"]["counts"] == {"pending": 1, "sent": 1, "delivered": 1, "read": 1, "played": 1}
    assert document["summary"]["read_rate"] == 0.2
    assert document["summary"]["unknown_statuses"] == ["played"]


def test_flags_win_over_the_environment(mock: MockServer) -> None:
    env = _env(mock, GREEN_API_URL=None, GREEN_API_ID_INSTANCE=None, GREEN_API_TOKEN=None)
    args = ["stats", "FIXED", "--json", "--api-url", mock.base_url, "--id-instance", str(DEMO_ID_INSTANCE)]
    result = runner.invoke(app, [*args, "--token", DEMO_TOKEN], env=env)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["items"]) == len(FIXED_ITEMS)


def test_watch_reaches_the_target(fast_command: FakeTime) -> None:
    ticks = itertools.count()
    lock = threading.Lock()
    # The demo status is re-posted on wall-clock cycles: start the fake clock at one re-post (all pending).
    start = MessageStore(seed=59, clock=lambda: 0.0).cycle_start(PROGRESSING, 1_800_000_000.0)
    start += DEMO_MESSAGES[PROGRESSING].period

    def fast_clock() -> float:  # every read of the mock's clock is 3 s later: the status progresses fast
        with lock:
            return start + 3.0 * next(ticks)

    with MockServer(MockSettings(rate_limit=0, seed=59, clock=fast_clock)) as server:
        args = [
            "stats",
            PROGRESSING,
            "--watch",
            "--until",
            "delivered",
            "--interval",
            "1",
            "--timeout",
            "600",
        ]
        result = runner.invoke(app, args, env=_env(server))
        polls = server.stats.requests_for(PROGRESSING)
    assert result.exit_code == 0, result.output
    assert "All 20 recipient(s) reached 'delivered'." in result.stdout
    # One meaning per word: the bar counts delivered *or read*, and says so beside the API's own counts.
    assert "delivered or read" in result.stdout
    assert polls >= 2  # it did poll until the status moved on
    assert fast_command.slept == [1.0] * (polls - 1)


def test_watch_times_out_with_exit_1(mock: MockServer, fast_command: FakeTime) -> None:
    args = ["stats", "STUCK", "--watch", "--until", "read", "--interval", "2", "--timeout", "5"]
    result = runner.invoke(app, args, env=_env(mock))
    assert result.exit_code == 1, result.output
    assert "timed out after 5 s waiting for 'read': 0/1" in result.stderr
    assert fast_command.slept == [2.0, 2.0, 1.0]


def test_watch_json_reports_the_final_state(mock: MockServer) -> None:
    args = ["stats", "STUCK", "--watch", "--json", "--until", "delivered", "--timeout", "3"]
    result = runner.invoke(app, args, env=_env(mock))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["watch"] == {
        "until": "delivered",
        "reached": 0,
        "total": 1,
        "done": False,
    }


def test_watch_does_not_count_an_empty_answer_as_done(mock: MockServer) -> None:
    args = ["stats", "NOBODY", "--watch", "--timeout", "2"]
    result = runner.invoke(app, args, env=_env(mock))
    assert result.exit_code == 1
    assert "no recipients yet (unknown or expired idMessage?)" in result.stderr


@pytest.mark.parametrize(
    ("settings", "env_changes", "expected"),
    [
        (MockSettings(rate_limit=0), {"GREEN_API_TOKEN": "WrongToken123"}, "HTTP 401 Unauthorized"),
        (MockSettings(rate_limit=0), {"GREEN_API_ID_INSTANCE": "1101000002"}, "HTTP 403 Forbidden"),
        (MockSettings(rate_limit=0, quota_exceeded=True), {}, "HTTP 466 Quota Exceeded"),
    ],
)
def test_api_errors_exit_1_with_one_line(
    settings: MockSettings, env_changes: dict[str, str], expected: str
) -> None:
    with MockServer(settings) as server:
        result = runner.invoke(app, ["stats", "FIXED"], env=_env(server, **env_changes))
    assert result.exit_code == 1
    assert result.stderr.startswith("greenstat stats: error: " + expected)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    for token in (DEMO_TOKEN, "WrongToken123"):
        assert token not in result.output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_url_exits_2() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    env = {"GREEN_API_URL": url, "GREEN_API_ID_INSTANCE": "1101000001", "GREEN_API_TOKEN": DEMO_TOKEN}
    result = runner.invoke(app, ["stats", "FIXED", "--max-retries", "0"], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"greenstat stats: error: cannot reach {url}: ConnectError")
    assert DEMO_TOKEN not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "env_changes", "expected"),
    [
        (["--frobnicate"], {}, "No such option: --frobnicate"),
        (["--interval", "0.5", "--watch"], {}, "--interval"),
        (["--until", "played", "--watch"], {}, "--until"),
        # Without --watch, what only --watch reads is refused, not ignored.
        (["--until", "delivered"], {}, "--until: only with --watch"),
        (["--interval", "5"], {}, "--interval: only with --watch"),
        (["--timeout", "120"], {}, "--timeout: without --watch it bounds the one request, at most 30 s"),
        ([], {"GREEN_API_TOKEN": None}, "missing credentials: set --token or GREEN_API_TOKEN"),
        (
            [],
            {"GREEN_API_TOKEN": None, "GREEN_API_ID_INSTANCE": None},
            "missing credentials: set --id-instance or GREEN_API_ID_INSTANCE and --token or GREEN_API_TOKEN",
        ),
        ([], {"GREEN_API_TOKEN": "not-a/valid token"}, "--token / GREEN_API_TOKEN: must be 1 to 128 ASCII"),
        ([], {"GREEN_API_ID_INSTANCE": "abc"}, "--id-instance / GREEN_API_ID_INSTANCE: must be digits only"),
        ([], {"GREEN_API_URL": "ftp://example.com"}, "--api-url / GREEN_API_URL: must be an http(s) URL"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    mock: MockServer, args: list[str], env_changes: dict[str, str | None], expected: str
) -> None:
    before = mock.stats.total
    result = runner.invoke(app, ["stats", "FIXED", *args], env=_env(mock, **env_changes))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert "not-a/valid token" not in result.output
    assert mock.stats.total == before  # refused before any request


def test_a_short_timeout_without_watch_bounds_the_request(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "FIXED", "--timeout", "10"], env=_env(mock))
    assert result.exit_code == 0, result.output


def test_an_oversized_id_message_exits_2(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "X" * 300], env=_env(mock))
    assert result.exit_code == 2
    assert "ID_MESSAGE: must be at most 256 characters (got 300)" in result.stderr


def test_help_documents_every_option_and_the_exit_codes() -> None:
    result = runner.invoke(app, ["stats", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--id-instance", "--token", "--api-url", "--json", "--watch", "--interval", "--until",
                   "--timeout", "--max-retries", "Exit codes", "130"):  # fmt: skip
        assert option in result.stdout


def test_ctrl_c_during_watch_exits_130_without_a_traceback() -> None:
    with MockServer(MockSettings(rate_limit=0, data=DATA)) as server:
        env = {**os.environ, **{k: v for k, v in _env(server).items() if v is not None}}
        command = INTERRUPTIBLE_MAIN
        args = ["stats", "STUCK", "--watch", "--interval", "1", "--timeout", "120"]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-c", command, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120  # a guard against a hang, not a speed requirement
        while server.stats.requests_for("STUCK") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    assert server.stats.requests_for("STUCK") >= 1
    assert process.returncode == 130, stderr
    assert stderr.strip().endswith("greenstat stats: interrupted")
    assert "Traceback" not in stdout + stderr
    assert DEMO_TOKEN not in stdout + stderr


def test_server_strings_that_look_like_markup_are_shown_as_sent(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "MARKUP"], env=_env(mock, COLUMNS="200"))

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert LINK in result.stdout  # shown literally, not turned into a hyperlink to a local file
    assert "[/]" in result.stdout
    assert "[bold]x" in result.stdout
    assert "(unknown status values from a newer API: [/], [bold]x)" in result.stdout
    assert "\x1b" not in result.stdout  # the escape sequence is shown escaped, not sent to the terminal
    assert "\\x1b[2Jwiped@c.us" in result.stdout


def test_watch_progress_shows_markup_like_statuses_as_text(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "MARKUP", "--watch", "--timeout", "2"], env=_env(mock))

    assert result.exit_code == 1, result.output
    assert "timed out after 2 s waiting for 'read': 1/3" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("id_message", ["[/]", LINK, "[bold"])
def test_an_id_message_that_looks_like_markup_is_shown_as_typed(mock: MockServer, id_message: str) -> None:
    result = runner.invoke(app, ["stats", id_message], env=_env(mock, **TERMINAL), terminal_width=300)

    assert result.exit_code == 0, result.output
    assert f"No recipients for {id_message}:" in result.stdout


def test_a_timestamp_beyond_datetime_is_shown_raw(mock: MockServer) -> None:
    result = runner.invoke(app, ["stats", "FAR"], env=_env(mock, **TERMINAL), terminal_width=200)

    assert result.exit_code == 0, result.output
    assert "99999999999999 (raw)" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--watch", "--timeout", "nan"], "--timeout: must be a finite number of seconds, got nan"),
        (["--watch", "--timeout", "inf"], "--timeout: must be a finite number of seconds, got inf"),
        (["--watch", "--interval", "inf"], "--interval: must be a finite number of seconds, got inf"),
        (["--watch", "--interval", "nan"], "--interval: must be a finite number of seconds, got nan"),
    ],
)
def test_non_finite_durations_exit_2_with_one_line(mock: MockServer, args: list[str], expected: str) -> None:
    before = mock.stats.total
    result = runner.invoke(app, ["stats", "STUCK", *args], env=_env(mock))

    assert result.exit_code == 2, result.output
    # greenstat's own check; typer 0.29 checks `min=` itself (with pydantic), nan refused there: a usage error
    # naming the flag. Either way one clear refusal before any request, never a traceback.
    flag = expected.partition(":")[0]
    assert result.stderr == f"greenstat stats: error: {expected}\n" or (
        result.stderr.startswith("Usage: greenstat stats ") and f"Invalid value for '{flag}'" in result.stderr
    )
    assert mock.stats.total == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["\udcff\udcfe"], "ID_MESSAGE: is not valid text"),  # what Python makes of argv bytes ff fe
        (["FIXED", "--token", "abc\udcff"], "--token / GREEN_API_TOKEN: is not valid text"),
        (["FIXED", "--api-url", "http://\udcff"], "--api-url / GREEN_API_URL: is not valid text"),
    ],
)
def test_undecodable_arguments_exit_2_with_one_line(mock: MockServer, args: list[str], expected: str) -> None:
    before = mock.stats.total
    result = runner.invoke(app, ["stats", *args], env=_env(mock))

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"greenstat stats: error: {expected}")
    assert result.stderr.count("\n") == 1
    assert "abc" not in result.stderr
    assert mock.stats.total == before


def test_an_unexpected_exception_is_one_redacted_line(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object, id_message: str) -> list[StatusStatistic]:
        raise RuntimeError(f"boom at /waInstance1/getStatusStatistic/{DEMO_TOKEN}\nand {DEMO_TOKEN} again")

    monkeypatch.setattr(GreenStat, "get_status_statistic", broken)
    result = runner.invoke(app, ["stats", "FIXED"], env=_env(mock))

    assert result.exit_code == 1
    assert result.stderr.startswith("greenstat stats: error: unexpected RuntimeError: boom at /waInstance1/")
    assert "this is a bug in greenstat; please report it" in result.stderr
    assert result.stderr.count("\n") == 1
    assert DEMO_TOKEN not in result.output
    assert "Traceback" not in result.output
