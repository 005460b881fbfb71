"""``greenstat post text|media|voice`` and ``greenstat delete`` against the real mock.

What is checked: the printed ``idMessage`` is the one the journal (``get_outgoing_statuses``) lists, with what
was sent; ``--json``; ``--watch`` ends (the watch is ``stats``'s, so its fake-clock seams are used, and the
mock's clock runs fast); a delete, then a second one (400, exit 1); a flag the spec refuses names the flag
(exit 2, nothing sent); a write whose answer is lost after the mock acted exits 4, once, with no retry; and
the token never shows.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from greenstat_ext import GreenStat
from greenstat_ext._cli import stats as stats_command
from greenstat_ext._cli._common import EXIT_OUTCOME_UNKNOWN
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, FaultSettings, MockServer, MockSettings
from tests.cli._interruptible import INTERRUPTIBLE_MAIN

runner = CliRunner()
URL = "https://example.com/"
PARTICIPANTS = ("79001234567@c.us", "79001234568@c.us", "79001234569@c.us")
#: With this seed the first status posted to three recipients has all three read within ~20 s of mock time
#: (the mock's schedules are a function of the seed and the post's rank; scripts/demo.py uses it too).
WATCH_SEED = 14621


class FakeTime:
    """The watch's clock and sleep (``stats``' seams): sleeping advances the clock, instantly."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if self.now > 100_000:  # a poll loop that never ends fails, not hangs
            raise RuntimeError("--watch kept polling")
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
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


def _env(server: MockServer) -> dict[str, str | None]:
    return {
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }


def _outgoing(server: MockServer) -> dict[str, dict[str, object]]:
    """The journal as the client reads it: idMessage -> the item as the API sends it."""
    with GreenStat(
        id_instance=str(DEMO_ID_INSTANCE), api_token=DEMO_TOKEN, api_url=server.base_url, rate_limit=0
    ) as client:
        return {item.id_message: item.to_dict() for item in client.get_outgoing_statuses(minutes=60)}


def _no_token(*outputs: str) -> None:
    for output in outputs:
        assert DEMO_TOKEN not in output


def test_post_text_prints_the_id_the_journal_lists(mock: MockServer) -> None:
    args = ["post", "text", "Good morning!", "--background-color", "#228B22", "--font", "SERIF"]
    result = runner.invoke(
        app, [*args, "-p", PARTICIPANTS[0], "--participant", PARTICIPANTS[1]], env=_env(mock)
    )
    assert result.exit_code == 0, result.output
    id_message = result.stdout.strip()
    assert result.stdout == f"{id_message}\n"  # the id alone: ID=$(greenstat post text ...) works
    listed = _outgoing(mock)[id_message]
    assert listed["typeMessage"] == "extendedTextMessage"
    assert listed["textMessage"] == "Good morning!"
    assert listed["participants"] == list(PARTICIPANTS[:2])
    assert listed["extendedTextMessage"] == {
        "text": "Good morning!",
        "backgroundColor": "#228B22",
        "font": "SERIF",
    }
    _no_token(result.stdout, result.stderr)


def test_post_media_json(mock: MockServer) -> None:
    args = [
        "post",
        "media",
        URL + "horse.png",
        "--file-name",
        "horse.png",
        "--caption",
        "A horse",
    ]
    result = runner.invoke(app, [*args, "--json"], env=_env(mock))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["id_message"]
    listed = _outgoing(mock)[document["id_message"]]
    assert listed["typeMessage"] == "imageMessage"
    assert listed["caption"] == "A horse"
    assert listed["fileName"] == "horse.png"
    assert listed["participants"] == []  # no --participant: every contact
    _no_token(result.stdout, result.stderr)


def test_post_voice(mock: MockServer) -> None:
    args = [
        "post",
        "voice",
        URL + "voice.mp3",
        "--file-name",
        "voice.mp3",
        "-p",
        PARTICIPANTS[2],
    ]
    result = runner.invoke(app, args, env=_env(mock))
    assert result.exit_code == 0, result.output
    listed = _outgoing(mock)[result.stdout.strip()]
    assert listed["typeMessage"] == "audioMessage"
    assert listed["participants"] == [PARTICIPANTS[2]]


def _fast_mock() -> MockServer:
    """A mock whose clock runs 3 s further at every read: a posted status is read within a few polls."""
    ticks = itertools.count()
    lock = threading.Lock()

    def fast_clock() -> float:
        with lock:
            return 1_800_000_000.0 + 3.0 * next(ticks)

    return MockServer(MockSettings(rate_limit=0, seed=WATCH_SEED, clock=fast_clock))


def test_post_watch_follows_the_new_status_until_read() -> None:
    with _fast_mock() as server:
        participants = [arg for p in PARTICIPANTS for arg in ("-p", p)]
        args = ["post", "text", "Watched", *participants, "--watch", "--until", "read", "--interval", "1"]
        result = runner.invoke(app, [*args, "--timeout", "600"], env=_env(server))
        id_message = result.stdout.splitlines()[0]
        polls = server.stats.requests_for(id_message)
    assert result.exit_code == 0, result.output
    assert id_message.startswith("BAE5")  # the id comes first, before the progress
    assert "All 3 recipient(s) reached 'read'." in result.stdout
    assert f"greenstat post text: posted {id_message}; following its statistics" in result.stderr
    assert polls >= 2  # it polled the new status until its recipients moved on
    _no_token(result.stdout, result.stderr)


def test_post_watch_json_is_one_document() -> None:
    with _fast_mock() as server:
        args = ["post", "text", "Watched", "-p", PARTICIPANTS[0], "--watch", "--until", "delivered", "--json"]
        result = runner.invoke(app, [*args, "--interval", "1", "--timeout", "600"], env=_env(server))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # one JSON document on stdout, nothing else
    assert document["id_message"].startswith("BAE5")
    assert document["watch"] == {"until": "delivered", "reached": 1, "total": 1, "done": True}
    assert document["items"][0]["participant"] == PARTICIPANTS[0]


def test_post_watch_that_times_out_exits_1_after_posting(mock: MockServer) -> None:
    args = ["post", "text", "Slow", "-p", PARTICIPANTS[0], "--watch", "--interval", "1", "--timeout", "0"]
    result = runner.invoke(app, args, env=_env(mock))  # the mock's own clock: nobody reads it in 0 s
    assert result.exit_code == 1, result.output
    id_message = result.stdout.splitlines()[0]
    assert id_message in _outgoing(mock)  # posted all the same
    assert "greenstat post text: timed out after 0 s waiting for 'read'" in result.stderr


def test_delete_then_a_second_delete(mock: MockServer) -> None:
    posted = runner.invoke(app, ["post", "text", "Short-lived"], env=_env(mock))
    id_message = posted.stdout.strip()
    assert id_message in _outgoing(mock)
    first = runner.invoke(app, ["delete", id_message], env=_env(mock))
    assert first.exit_code == 0, first.output
    assert first.stdout == f"deleted {id_message}\n"
    assert id_message not in _outgoing(mock)
    second = runner.invoke(app, ["delete", id_message], env=_env(mock))
    assert second.exit_code == 1
    assert second.stderr.startswith("greenstat delete: error: HTTP 400 Bad Request: ID message notfound")
    assert "not a status this account posted" in second.stderr
    assert second.stderr.count("\n") == 1
    _no_token(first.stdout, first.stderr, second.stdout, second.stderr)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["post", "text", "x" * 1000], "MESSAGE: must be at most"),
        (["post", "text", ""], "MESSAGE: "),
        (["post", "text", "x", "--background-color", "green"], "--background-color: must be a colour"),
        (["post", "text", "x", "-p", PARTICIPANTS[0], "-p", "12345"], "--participant #2: "),
        (["post", "media", "ftp://example.com/a.png", "--file-name", "a.png"], "URL: "),
        (["post", "media", URL + "a.png", "--file-name", "noextension"], "--file-name: "),
        (["post", "media", URL + "a.png", "--file-name", "a.png", "--caption", "c" * 2000], "--caption: "),
        (["post", "voice", URL + "a.jpg", "--file-name", "a.jpg"], "--file-name: must be a file name ending"),
        (
            ["post", "voice", URL + "a.mp3", "--file-name", "a.mp3", "--background-color", "#12"],
            "--background-color: ",
        ),
        (["delete", "x" * 300], "ID_MESSAGE: must be at most"),
        (["post", "text", "x", "--until", "delivered"], "--until: only with --watch"),
        (["post", "text", "x", "--timeout", "60"], "--timeout: without --watch it bounds the one request"),
    ],
)
def test_a_value_the_spec_refuses_exits_2_naming_the_flag(
    mock: MockServer, args: list[str], flag: str
) -> None:
    before = sum(mock.stats.created.values())
    result = runner.invoke(app, args, env=_env(mock))
    assert result.exit_code == 2, result.output
    command = " ".join(args[:2]) if args[0] == "post" else "delete"
    assert result.stderr.startswith(f"greenstat {command}: error: {flag}")
    assert result.stderr.count("\n") == 1
    assert sum(mock.stats.created.values()) == before  # refused before any request
    _no_token(result.stdout, result.stderr)


def test_a_font_outside_the_spec_is_a_usage_error_listing_the_spec_fonts(mock: MockServer) -> None:
    result = runner.invoke(app, ["post", "text", "x", "--font", "COMIC_SANS"], env=_env(mock))
    assert result.exit_code == 2
    assert "--font" in result.stderr
    assert "SERIF" in result.stderr
    assert "OSWALD_HEAVY" in result.stderr


def test_missing_file_name_is_a_usage_error(mock: MockServer) -> None:
    result = runner.invoke(app, ["post", "voice", URL + "a.mp3"], env=_env(mock))
    assert result.exit_code == 2
    assert "--file-name" in result.stderr


@pytest.mark.parametrize("kind", ["500", "drop"])
def test_a_post_whose_answer_is_lost_after_the_mock_acted_exits_4_once(kind: str) -> None:
    faults = FaultSettings(rate=1.0, kinds={kind}, after=1.0)
    with MockServer(MockSettings(rate_limit=0, faults=faults)) as server:
        result = runner.invoke(app, ["post", "text", "Maybe"], env=_env(server))
        created = server.stats.created["sendTextStatus"]
        attempts = server.stats.faults_after
    assert result.exit_code == EXIT_OUTCOME_UNKNOWN == 4, result.output
    assert created == 1  # the mock did post it, and the CLI did not post it again
    assert sum(attempts.values()) == 1
    assert result.stdout == ""
    line = result.stderr
    assert line.startswith("greenstat post text: error: outcome unknown")
    # a 500: the answer is lost; a drop after the status line: a 200 that could not be read (likely done)
    assert ("may have been posted" if kind == "500" else "most likely done") in line
    assert "greenstat report" in line
    assert line.count("\n") == 1
    _no_token(result.stdout, result.stderr)


def test_a_delete_whose_answer_is_lost_exits_4() -> None:
    faults = FaultSettings(rate=1.0, kinds={"502"}, after=1.0)
    with MockServer(MockSettings(rate_limit=0, faults=faults)) as server:
        result = runner.invoke(app, ["delete", "BAE5F4886F6F2D05"], env=_env(server))
    assert result.exit_code == 4, result.output
    assert "may have been deleted" in result.stderr
    _no_token(result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args", [["post", "text", "--help"], ["post", "media", "--help"], ["delete", "--help"]]
)
def test_help_says_the_exit_codes_and_the_spec_limits(args: list[str]) -> None:
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "4 OUTCOME UNKNOWN" in text
    assert "greenstat report" in text
    if args[1] == "text":
        from greenstat_ext._spec import operation

        spec = operation("sendTextStatus")
        assert f"at most {spec.parameter('participants').max_items}" in text
        assert f"to {spec.parameter('message').max_length} characters" in text
        assert ", ".join(spec.parameter("font").enum or ()) in text


def test_ctrl_c_during_post_watch_exits_130_and_the_id_stays_printed() -> None:
    with MockServer(MockSettings(rate_limit=0)) as server:
        env = {**os.environ, **{k: v for k, v in _env(server).items() if v is not None}}
        command = INTERRUPTIBLE_MAIN
        args = ["post", "text", "Interrupted", "-p", PARTICIPANTS[0], "--watch", "--interval", "1"]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-c", command, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Into the watch: the status is posted and its statistics polled (no sleep "long enough": a busy
        # machine may take longer; the deadline is a guard against a hang only).
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            posted = [status.id_message for status in server.state.posted.outgoing()]
            if posted and server.stats.requests_for(posted[0]) >= 1:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
        listed = _outgoing(server)
    assert process.returncode == 130, stderr
    id_message = stdout.splitlines()[0]
    assert id_message in listed
    assert f"posted {id_message}" in stderr
    assert stderr.strip().endswith(f"interrupted; {id_message} is posted and stays")  # it was, for sure
    assert "Traceback" not in stdout + stderr
    _no_token(stdout, stderr)
