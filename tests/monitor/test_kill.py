"""kill -9 of a real ``greenstat monitor`` process at random points, then a clean run and SIGTERM: every
transition reaches the (real, signature-verifying) receiver at least once, duplicates only with the same
id and payload, nothing invented, the token nowhere.

The mock runs on an accelerated clock (``SPEED`` times real time, injected into it) so its posted statuses
play out in seconds; the test waits for conditions (with a generous ceiling), never for a fixed time, and
the random kill points are drawn from a seeded generator. ``make test`` kills 3 times; ``make fuzz`` sets
``GREENSTAT_MONITOR_KILLS`` (20 or more) and a seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer
from greenstat_ext.monitor import Store

from ._receiver import SECRET, Receiver, decode_lines, receiver
from ._truth import schedule
from .conftest import quiet_settings, sync_client

SPEED = 40.0
KILLS = int(os.environ.get("GREENSTAT_MONITOR_KILLS", "3"))
SEED = int(os.environ.get("GREENSTAT_FUZZ_SEED", "23"))
AUDIENCE = [f"7911{n:07d}@c.us" for n in range(30)]


def _fast_clock() -> Callable[[], float]:
    wall0, mono0 = time.time(), time.monotonic()
    return lambda: wall0 + SPEED * (time.monotonic() - mono0)


@pytest.fixture
def fast_mock() -> Iterator[MockServer]:
    with MockServer(quiet_settings(_fast_clock()), log_level="warning") as server:
        yield server


def _start(server: MockServer, db: Path, out: Path, hook: Receiver, log: Path) -> subprocess.Popen[bytes]:
    code = "from greenstat_ext.cli import main; main()"
    args = ["monitor", "--db", str(db), "--jsonl", str(out), "--webhook", hook.url, "--discover-every", "1s"]
    env = {**os.environ, "GREEN_API_TOKEN": DEMO_TOKEN, "GREENSTAT_WEBHOOK_SECRET": SECRET,
           "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE), "GREEN_API_URL": server.base_url}  # fmt: skip
    with log.open("ab") as err:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL, stderr=err
        )


def _wait(condition: Callable[[], bool], what: str, ceiling: float = 120.0) -> None:
    deadline = time.monotonic() + ceiling
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_kill_9_loses_nothing_and_invents_nothing(fast_mock: MockServer, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db, out, log = tmp_path / "m.db", tmp_path / "events.jsonl", tmp_path / "monitor.log"
    with sync_client(fast_mock) as client:
        posted = [
            client.send_text_status("hi", participants=rng.sample(AUDIENCE, rng.randint(5, 30))).id_message
            for _ in range(3)
        ]
    truth = {id_message: schedule(fast_mock, id_message) for id_message in posted}
    wanted = {(i, s.participant) for i, steps in truth.items() for s in steps if s.read != float("inf")}
    with receiver() as hook:
        for _ in range(KILLS):
            process = _start(fast_mock, db, out, hook, log)
            time.sleep(rng.uniform(0.3, 2.5))  # a random point in its life: starting, polling, delivering
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        logged = log.stat().st_size if log.exists() else 0
        process = _start(fast_mock, db, out, hook, log)

        def ready() -> bool:  # its signal handlers are in place once it logs "watching"
            with log.open("rb") as file:
                file.seek(logged)
                return b"greenstat monitor: watching " in file.read()

        def all_read() -> bool:
            got = {
                (e["status"], e["participant"]) for e in list(hook.events) if e["type"] == "recipient.read"
            }
            return wanted <= got

        _wait(all_read, "every recipient's read to reach the receiver")
        _wait(ready, "the last monitor to be up")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        received = list(hook.events)
    assert hook.bad_signatures == 0
    with Store(db, readonly=True) as store:
        stored = {e["id"]: e for e in store.events()}
    lines = decode_lines(out.read_text())
    for delivered in (received, lines):
        by_id: dict[str, dict[str, object]] = {}
        for event in delivered:
            assert by_id.setdefault(event["id"], event) == event  # a duplicate is the same event
        assert by_id.keys() == {k for k, e in stored.items() if e["status"] in posted}  # none lost
    for event in stored.values():  # none invented: each matches the mock's ground truth
        if event["type"] == "status.posted":
            continue
        step = next(s for s in truth[event["status"]] if s.participant == event["participant"])
        expected = step.read if event["type"] == "recipient.read" else step.delivered
        assert event["occurred_at"] == int(expected)
    for path in (db, db.with_name("m.db-wal"), out, log):
        if path.exists():
            assert DEMO_TOKEN.encode() not in path.read_bytes()
    text = log.read_text()
    assert f"cycle: instance={DEMO_ID_INSTANCE} live=" in text  # the per-cycle INFO line
    assert text.rstrip().splitlines()[-1].split("greenstat monitor: ")[1].startswith("stopped: ")
