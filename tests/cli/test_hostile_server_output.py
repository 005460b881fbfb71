"""What the CLI prints when a hostile server answers (issue 19): the token it echoes is masked in every
output, ``--json`` is ASCII-safe for terminal controls, and one odd journal item does not sink the report.

The server is a raw-socket one on loopback (``tests/_hostile.py``) that answers the journal and the
statistics with whatever the test scripts: a well-behaved mock would not echo the token.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from greenstat_ext._cli import report as report_command
from greenstat_ext._cli import stats as stats_command
from greenstat_ext.cli import app
from tests._hostile import HostileServer, head, read_request

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
ID_INSTANCE = "1101000001"
NOW = 1_700_000_000
#: C1 CSI, DEL, a right-to-left override and a first-strong isolate: raw, each can rewrite a terminal line.
CONTROLS = "\u009b31m\x7f\u202e\u2068"
LONG_ID = "A" * 300
#: A status whose own statistics answer breaks the spec.
BROKEN = "BAE5B40CE0000000"

runner = CliRunner()


def _outgoing(id_message: str) -> dict[str, Any]:
    return {
        "type": "outgoing",
        "idMessage": id_message,
        "timestamp": NOW - 60,
        "statusMessage": "read",
        "sendByApi": True,
        "typeMessage": "extendedTextMessage",
        "chatId": "70000000001@c.us",
    }


class Echoing:
    """Answers the journal with ``journal``, every statistic with ``recipients`` and a send with the token as
    the new status's ``idMessage``."""

    def __init__(self, journal: list[dict[str, Any]], recipients: list[dict[str, Any]]) -> None:
        self.journal = json.dumps(journal).encode()
        self.recipients = json.dumps(recipients).encode()

    def __call__(self, conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            request = read_request(conn)
            if not request:
                return
            path = request.split(b" ", 2)[1]
            if b"/getOutgoingStatuses/" in path:
                body = self.journal
            elif b"/sendTextStatus/" in path:
                body = json.dumps({"idMessage": TOKEN}).encode()  # the new status's id: the token
            elif BROKEN.encode() in path:
                body = b'{"participant": "not a list"}'  # this one status's answer breaks the spec
            else:
                body = self.recipients
            headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
            conn.sendall(head(200, headers) + body)


@pytest.fixture(autouse=True)
def _no_pacing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(report_command, "_rate_limit", 0)
    monkeypatch.setattr(report_command, "_now", lambda: float(NOW))
    monkeypatch.setattr(stats_command, "_rate_limit", 0)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def echoing() -> Iterator[HostileServer]:
    recipients = [
        {"participant": TOKEN, "timestamp": NOW - 30, "status": "read"},
        {"participant": f"7900{CONTROLS}@c.us", "timestamp": NOW - 20, "status": f"seen{CONTROLS}"},
    ]
    journal = [_outgoing(TOKEN), _outgoing("BAE5F4886F6F2D05")]
    with HostileServer(Echoing(journal, recipients)) as server:
        yield server


def _env(server: HostileServer) -> dict[str, str | None]:
    return {
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": ID_INSTANCE,
        "GREEN_API_TOKEN": TOKEN,
        "GREENSTAT_MOCK_TOKEN": None,
    }


def _invoke(server: HostileServer, *args: str) -> Result:
    return runner.invoke(app, list(args), env=_env(server), terminal_width=200)


def _assert_no_token(result: Result, *files: Path) -> None:
    shown = result.stdout + result.stderr + "".join(f.read_text(encoding="utf-8") for f in files)
    assert TOKEN not in shown
    assert TOKEN[:12] not in shown


# --- 4. the token the server echoes is masked in every output ------------------------------------------


@pytest.mark.parametrize("mode", [[], ["--all"], ["--json"]])
def test_stats_masks_an_echoed_token_in_every_mode(echoing: HostileServer, mode: list[str]) -> None:
    result = _invoke(echoing, "stats", "BAE5F4886F6F2D05", *mode)
    assert result.exit_code == 0, result.output
    _assert_no_token(result)
    if mode == ["--json"]:
        document = json.loads(result.stdout)
        assert document["items"][0]["participant"] == "***"


def test_stats_watch_masks_an_echoed_token(echoing: HostileServer) -> None:
    for mode in ([], ["--json"]):
        result = _invoke(echoing, "stats", "BAE5F4886F6F2D05", "--watch", "--timeout", "0", *mode)
        assert result.exit_code == 1, result.output  # not every recipient has read it: timed out at once
        _assert_no_token(result)
        if mode:
            assert json.loads(result.stdout)["items"][0]["participant"] == "***"


@pytest.mark.parametrize("mode", [[], ["--json"], ["--watch", "--timeout", "0"]])
def test_post_masks_a_token_echoed_as_the_new_id(echoing: HostileServer, mode: list[str]) -> None:
    result = _invoke(echoing, "post", "text", "Hello", *mode)
    assert result.exit_code == (1 if "--watch" in mode else 0), result.output
    _assert_no_token(result)
    if mode == ["--json"]:
        assert json.loads(result.stdout) == {"id_message": "***"}
    elif not mode:
        assert result.stdout == "***\n"


@pytest.mark.parametrize("mode", [[], ["--csv"], ["--json"]])
def test_report_masks_an_echoed_token_in_every_output(echoing: HostileServer, mode: list[str]) -> None:
    page = Path("report.html")
    result = _invoke(echoing, "report", "--minutes", "60", "--html", str(page), *mode)
    assert result.exit_code == 0, result.output
    _assert_no_token(result, page)
    if mode == ["--csv"]:
        ids = [row[0] for row in csv.reader(io.StringIO(result.stdout))]
        assert "***" in ids


# --- 6. --json is ASCII-safe for terminal controls, the data unchanged -----------------------------------


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if c not in "\n" and not c.isprintable()]


def test_stats_json_escapes_c1_del_and_bidi_controls(echoing: HostileServer) -> None:
    result = _invoke(echoing, "stats", "BAE5F4886F6F2D05", "--json")
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.stdout) == []
    document = json.loads(result.stdout)
    assert document["items"][1]["participant"] == f"7900{CONTROLS}@c.us"  # the data, unchanged
    assert document["items"][1]["status"] == f"seen{CONTROLS}"


def test_report_json_escapes_c1_del_and_bidi_controls() -> None:
    journal = [_outgoing(f"BAE5{CONTROLS}")]
    recipients = [{"participant": "79001234567@c.us", "timestamp": NOW - 30, "status": "read"}]
    with HostileServer(Echoing(journal, recipients)) as server:
        result = _invoke(server, "report", "--minutes", "60", "--json")
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.stdout) == []
    assert json.loads(result.stdout)["statuses"][0]["id_message"] == f"BAE5{CONTROLS}"


# --- 7. one odd journal item: the rest is reported, the item named, exit 1 -------------------------------


@pytest.mark.parametrize("mode", [[], ["--json"], ["--csv"]])
def test_report_survives_a_journal_id_longer_than_the_statistics_bound(mode: list[str]) -> None:
    journal = [_outgoing("BAE5F4886F6F2D05"), _outgoing(LONG_ID), _outgoing("3EB0C767D097B7C7C030")]
    recipients = [{"participant": "79001234567@c.us", "timestamp": NOW - 30, "status": "read"}]
    with HostileServer(Echoing(journal, recipients)) as server:
        result = _invoke(server, "report", "--minutes", "60", *mode)
    assert result.exit_code == 1, result.output
    assert "BAE5F4886F6F2D05" in result.stdout
    assert "3EB0C767D097B7C7C030" in result.stdout
    assert LONG_ID not in result.stdout  # not reported: its statistic cannot be asked for
    assert "AAAAAAAA" in result.stderr  # named (shortened)
    assert "256" in result.stderr
    assert "Usage" not in result.stderr
    if mode == ["--json"]:
        ids = [row["id_message"] for row in json.loads(result.stdout)["statuses"]]
        assert ids == ["BAE5F4886F6F2D05", "3EB0C767D097B7C7C030"]


def test_report_survives_one_statuss_answer_that_breaks_the_spec() -> None:
    journal = [_outgoing("BAE5F4886F6F2D05"), _outgoing(BROKEN), _outgoing("3EB0C767D097B7C7C030")]
    recipients = [{"participant": "79001234567@c.us", "timestamp": NOW - 30, "status": "read"}]
    with HostileServer(Echoing(journal, recipients)) as server:
        result = _invoke(server, "report", "--minutes", "60", "--json")
    assert result.exit_code == 1, result.output
    ids = [row["id_message"] for row in json.loads(result.stdout)["statuses"]]
    assert ids == ["BAE5F4886F6F2D05", "3EB0C767D097B7C7C030"]
    [line] = result.stderr.splitlines()
    assert BROKEN in line
    assert "breaks the spec" in line or "Expected `array`" in line, line
