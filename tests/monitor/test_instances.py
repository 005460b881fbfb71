"""``greenstat monitor --instances FILE``: one process, several instances, each with its own client (its own
budget), one store and one outbox. Two real mocks on loopback (two instances, two tokens) on an accelerated
clock; a real ``greenstat monitor`` process; conditions waited for with a ceiling, never a fixed sleep."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenstat_ext import GreenStat
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_MESSAGES, MockServer, MockSettings
from greenstat_ext.monitor import Store

SPEED = 40.0
INSTANCES = ((1101000101, "a" * 50), (1101000202, "b" * 50))
AUDIENCE = [f"7955{n:07d}@c.us" for n in range(12)]
runner = CliRunner()


@pytest.fixture
def mocks() -> Iterator[list[MockServer]]:
    wall0, mono0 = time.time(), time.monotonic()

    def clock() -> float:
        return wall0 + SPEED * (time.monotonic() - mono0)

    with ExitStack() as stack:
        yield [
            stack.enter_context(
                MockServer(
                    MockSettings(
                        id_instance=id_instance,
                        token=token,
                        rate_limit=0,
                        clock=clock,
                        data={id_message: [] for id_message in DEMO_MESSAGES},
                    ),
                    log_level="warning",
                )
            )
            for id_instance, token in INSTANCES
        ]


def _wait(condition: Callable[[], bool], what: str, ceiling: float = 120.0) -> None:
    deadline = time.monotonic() + ceiling
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_one_process_watches_every_instance_of_the_file(mocks: list[MockServer], tmp_path: Path) -> None:
    listing = tmp_path / "instances.txt"
    lines = ["# id token url"]
    posted: dict[int, str] = {}
    for (id_instance, token), server in zip(INSTANCES, mocks, strict=True):
        lines.append(f"{id_instance} {token} {server.base_url}  # one of two")
        with GreenStat(id_instance=id_instance, api_token=token, api_url=server.base_url, rate_limit=0) as c:
            posted[id_instance] = c.send_text_status("hi", participants=AUDIENCE).id_message
    listing.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    db, out, log = tmp_path / "m.db", tmp_path / "events.jsonl", tmp_path / "monitor.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREEN_API_")}
    args = [
        "monitor",
        "--instances",
        str(listing),
        "--db",
        str(db),
        "--jsonl",
        str(out),
        "--discover-every",
        "1s",
    ]
    with log.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-c", "from greenstat_ext.cli import main; main()", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:

        def both_read() -> bool:
            if not out.exists():
                return False
            events = [json.loads(line) for line in out.read_text().splitlines() if line.endswith("}")]
            read = {e["instance"] for e in events if e["type"] == "recipient.read"}
            cycles = all(f"cycle: instance={i} " in log.read_text() for i in posted)
            return read == set(posted) and cycles

        _wait(both_read, "recipient.read events and a cycle's log line of both instances")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    events = [json.loads(line) for line in out.read_text().splitlines()]
    for id_instance, id_message in posted.items():
        mine = [e for e in events if e["instance"] == id_instance]
        assert {e["status"] for e in mine} == {id_message}  # each instance's own status, not the other's
    with Store(db, readonly=True) as store:
        assert {(row.instance_id, row.id_message) for row in store.statuses()} == set(posted.items())
    text = log.read_text()
    for id_instance, token in INSTANCES:
        assert f"cycle: instance={id_instance} " in text
        assert f"stopped: instance={id_instance} " in text
        for path in (db, out, log):
            assert token.encode() not in path.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "lists no instance"),
        ("# nothing\n\n", "lists no instance"),
        ("1101000101\n", "line 1: expected ID_INSTANCE TOKEN [API_URL], got 1 field(s)"),
        (f"1101000101 {'s' * 50}\nabc {'t' * 50}\n", "line 2: id_instance: must be digits only"),
        (f"1101000101 {'s' * 50}\n1101000101 {'u' * 50}\n", "line 2: instance 1101000101 is listed twice"),
        ("1101000101 short!token\n", "line 1:"),
    ],
)
def test_a_bad_instances_file_is_a_usage_error_naming_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    listing = tmp_path / "instances.txt"
    listing.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["monitor", "--instances", str(listing), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    for secret in ("s" * 50, "t" * 50, "u" * 50, "short!token"):
        assert secret not in result.output
    assert not (tmp_path / "m.db").exists()


def test_instances_and_credential_flags_do_not_mix(tmp_path: Path) -> None:
    listing = tmp_path / "instances.txt"
    listing.write_text(f"1101000101 {'s' * 50}\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["monitor", "--instances", str(listing), "--id-instance", "1101000101", "--db", str(tmp_path / "m")],
    )
    assert result.exit_code == 2
    assert "--instances lists the credentials: drop --id-instance" in result.stderr


def test_an_unreadable_or_huge_file_is_refused(tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["monitor", "--instances", str(tmp_path / "none"), "--db", str(tmp_path / "m")]
    )
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"#" * (1 << 20) + b"\n")
    result = runner.invoke(app, ["monitor", "--instances", str(huge), "--db", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "larger than" in result.stderr
