"""The monitor against the reference mock (uvicorn on loopback), time moved by the test's clock.

The property (hypothesis, seeded and bounded; ``make fuzz`` raises the bound): for any posting and polling
pattern, the events equal the transitions of the mock's ground truth as seen at the poll times
(tests/monitor/_truth.py), nothing more, nothing less, each id once.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from greenstat_ext import AsyncGreenStat
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer
from greenstat_ext.monitor import (
    Deliverer,
    JsonLinesSink,
    Monitor,
    MonitorSettings,
    StepReport,
    Store,
    event_id,
)
from tests._fuzz import examples

from ._truth import expected_events, schedule
from .conftest import FakeClock, async_client, free_port, quiet_settings, sync_client

AUDIENCE = [f"7900{n:07d}@c.us" for n in range(40)]


#: The clock's steps between two monitor steps (seconds; whole: the mock answers per second).
ADVANCES = (1, 2, 3, 5, 8, 13)
#: ``make test``: the same few patterns every run (derandomized); ``make fuzz``: many, from its printed seed.
FUZZ_SEED = os.environ.get("GREENSTAT_FUZZ_SEED")


@dataclass(frozen=True)
class Pattern:
    """What one run does: the mock's seed (so its schedules), the clock's advance after each step, and
    the statuses posted before given steps (their audiences)."""

    mock_seed: int
    advances: list[int]
    posts: dict[int, list[str]]  # step index -> participants


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    advances = draw(st.lists(st.sampled_from(ADVANCES), min_size=20, max_size=80))
    audiences = st.lists(st.sampled_from(AUDIENCE), min_size=1, max_size=len(AUDIENCE), unique=True)
    posts = draw(st.dictionaries(st.integers(0, len(advances) - 1), audiences, min_size=1, max_size=4))
    return Pattern(draw(st.integers(0, 2**16)), advances, posts)


async def _run(
    server: MockServer, clock: FakeClock, db: Path, pattern: Pattern, out: Path
) -> tuple[list[dict[str, Any]], dict[str, list[float]], list[str]]:
    settings = MonitorSettings(final_after=600, discover_every=30, max_interval=60)
    polls: dict[str, list[float]] = {}
    posted: list[str] = []
    with Store(db) as store:
        async with async_client(server) as client:
            deliverer = Deliverer(store, [JsonLinesSink(str(out))])
            monitor = Monitor(client, store, deliverer=deliverer, settings=settings, clock=clock)
            for index, advance in enumerate(pattern.advances):
                if index in pattern.posts:
                    with sync_client(server) as poster:
                        status = poster.send_text_status("hello", participants=pattern.posts[index])
                    posted.append(status.id_message)
                report = await monitor.step()
                if report.kind == "poll":
                    polls.setdefault(report.id_message, []).append(clock())
                clock.advance(advance)
            # A discovery now, so that every status posted is first seen young: one first seen late knows
            # its posting time only as well as its recipients' timestamps tell (the journal's is its last
            # action, docs/spec.md), so it may turn final a little later than final_after after posting.
            # test_a_status_first_seen_late_learns_its_posting_time_from_its_recipients covers that case.
            clock.advance(settings.discover_every)
            report = await monitor.step()
            assert report.kind == "discover"
            clock.advance(settings.final_after)  # past final: one last poll of each, then status.final
            for _ in range(3 * len(posted) + 2):
                report = await monitor.step()
                if report.kind == "poll":
                    polls.setdefault(report.id_message, []).append(clock())
                clock.advance(1)
            await deliverer.aclose()
        return store.events(), polls, posted


def _check(
    server: MockServer, out: Path, run: tuple[list[dict[str, Any]], dict[str, list[float]], list[str]]
) -> int:
    """The property, for one run; returns how many ``recipient.read`` events it saw."""
    stored, polls, posted = run
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["id"] for e in lines] == [e["id"] for e in stored]  # every event delivered, in order, once
    instance = stored[0]["instance"] if stored else 0
    for id_message in posted:
        mine = [e for e in stored if e["status"] == id_message]
        got = {
            (e["type"], e["participant"], e["occurred_at"])
            for e in mine
            if e["type"].startswith("recipient.")
        }
        assert got == expected_events(schedule(server, id_message), polls.get(id_message, []))
        kinds = [e["type"] for e in mine if e["type"].startswith("status.")]
        assert kinds == ["status.posted", "status.final"]
        final = next(e for e in mine if e["type"] == "status.final")
        assert sum(final["data"]["counts"].values()) == len(schedule(server, id_message))
        assert all(
            e["id"] == event_id(instance, id_message, e["type"], e.get("participant", "")) for e in mine
        )
    assert len({e["id"] for e in stored}) == len(stored)
    return sum(e["type"] == "recipient.read" for e in stored)


def test_events_equal_the_ground_truth(tmp_path_factory: pytest.TempPathFactory) -> None:
    """For any posting and polling pattern (hypothesis: seeded, ``examples(6)`` in ``make test``), the
    events equal the mock's ground truth. Each example gets its own mock, clock and store; time is the
    test's clock only (no deadline: a busy machine makes an example slower, never wrong)."""
    reads: list[int] = []

    @settings(
        max_examples=examples(6),
        derandomize=FUZZ_SEED is None,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(patterns())
    def check(pattern: Pattern) -> None:
        clock = FakeClock()
        tmp = tmp_path_factory.mktemp("run")
        mock_settings = dataclasses.replace(quiet_settings(clock), seed=pattern.mock_seed)
        with MockServer(mock_settings, log_level="warning") as server:
            out = tmp / "events.jsonl"
            reads.append(_check(server, out, anyio.run(_run, server, clock, tmp / "m.db", pattern, out)))

    if FUZZ_SEED is not None:
        check = seed(int(FUZZ_SEED))(check)
    check()
    assert sum(reads) > 0  # the runs did see recipients move on: the property was not checked on nothing


async def _first_seen_late(server: MockServer, clock: FakeClock, db: Path) -> dict[str, Any]:
    with sync_client(server) as poster:
        id_message = poster.send_text_status("late", participants=AUDIENCE[:20]).id_message
    posted = server.state.posted._live[id_message].sent_at  # the mock's own record: the real posting
    delivered = sorted(step.delivered for step in schedule(server, id_message))
    clock.advance(int(delivered[len(delivered) // 2]) + 1 - clock())  # half of them delivered: it moved
    settings = MonitorSettings(final_after=3600, discover_every=600, max_interval=60)
    with Store(db) as store:
        async with async_client(server) as client:
            monitor = Monitor(client, store, settings=settings, clock=clock)
            assert (await monitor.step()).kind == "discover"
            row = store.status(monitor.instance_id, id_message)
            answer = await client.get_status_statistic(id_message)  # what the poll will see (same time)
            assert (await monitor.step()).id_message == id_message
            polled = store.status(monitor.instance_id, id_message)
    assert row is not None
    assert polled is not None
    return {"posted": posted, "listed": row.posted_at, "polled": polled.posted_at,
            "earliest": min(int(item.timestamp) for item in answer), "events": store_events(db)}  # fmt: skip


def store_events(db: Path) -> list[dict[str, Any]]:
    with Store(db, readonly=True) as store:
        return store.events()


def test_a_status_first_seen_late_learns_its_posting_time_from_its_recipients(
    mock: MockServer, clock: FakeClock, tmp_path: Path
) -> None:
    """The journal's timestamp is the last action (recipients had moved before the monitor saw it): the
    first poll lowers the stored posting time to the earliest recipient timestamp, never below the real
    posting; the status.posted event keeps the time it was emitted with."""
    got = anyio.run(_first_seen_late, mock, clock, tmp_path / "m.db")
    assert got["listed"] > got["posted"]  # the journal's time: later than the posting
    assert got["polled"] == got["earliest"] < got["listed"]
    assert got["polled"] >= got["posted"]
    posted_event = next(e for e in got["events"] if e["type"] == "status.posted")
    assert posted_event["occurred_at"] == got["listed"]


async def _watch_a_deletion(
    server: MockServer, clock: FakeClock, db: Path
) -> tuple[list[dict[str, Any]], str, str, int]:
    settings = MonitorSettings(final_after=3600, discover_every=5, max_interval=60)
    with sync_client(server) as client:
        kept = client.send_text_status("stays", participants=AUDIENCE[:5]).id_message
        gone = client.send_text_status("goes", participants=AUDIENCE[5:10]).id_message
    with Store(db) as store:
        async with async_client(server) as client:
            monitor = Monitor(client, store, settings=settings, clock=clock)
            for _ in range(6):  # a discovery and the first polls: both live, with recipients
                await monitor.step()
                clock.advance(1)
            assert monitor.live == 2
            with sync_client(server) as poster:
                poster.delete_status(gone)
            polls_after = 0  # polls of the deleted status once its deletion was stored
            for _ in range(20):
                known = any(e["type"] == "status.deleted" for e in store.events())
                report = await monitor.step()
                polls_after += known and report.kind == "poll" and report.id_message == gone
                clock.advance(1)
            return store.events(), kept, gone, polls_after


def test_a_deleted_status_gives_status_deleted_once_and_is_not_polled_again(
    mock: MockServer, clock: FakeClock, tmp_path: Path
) -> None:
    events, kept, gone, polls_after = anyio.run(_watch_a_deletion, mock, clock, tmp_path / "m.db")
    deleted = [e for e in events if e["type"] == "status.deleted"]
    assert [e["status"] for e in deleted] == [gone]
    assert deleted[0]["id"] == event_id(deleted[0]["instance"], gone, "status.deleted")
    assert polls_after == 0
    assert kept not in {e["status"] for e in deleted}


async def _against_nothing(db: Path, clock: FakeClock) -> tuple[list[StepReport], dict[str, int]]:
    url = f"http://127.0.0.1:{free_port()}"
    reports = []
    with Store(db) as store:
        async with AsyncGreenStat(
            id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=url, rate_limit=0, max_retries=0
        ) as client:
            monitor = Monitor(client, store, settings=MonitorSettings(discover_every=1), clock=clock)
            for _ in range(3):
                reports.append(await monitor.step())
                clock.advance(1)
        return reports, monitor.counters


def test_an_api_that_is_down_is_counted_and_logged_not_raised(
    clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reports, counters = anyio.run(_against_nothing, tmp_path / "m.db", clock)
    assert [r.kind for r in reports] == ["error", "error", "error"]
    assert counters["errors"] == 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "greenstat.monitor"]
    assert len(warnings) == 3
    assert all("a step failed" in w and DEMO_TOKEN not in w for w in warnings)
