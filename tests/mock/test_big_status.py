"""The 100,000-recipient demo status must not stall the server: built at most once per second, off the loop.

Latency figures are measured and printed (tests/_figures.py), not asserted: on a shared 2-core machine any
bound tight enough to mean something could flake. What is asserted is the structure that makes them good:
the number of builds, and that small requests are answered while a build runs.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import anyio
import httpx
import pytest

from greenstat_ext.mock import (
    DEMO_ID_INSTANCE,
    DEMO_TOKEN,
    MockServer,
    MockSettings,
    _state,
    create_app,
    get_state,
)
from tests._figures import record
from tests.mock.conftest import FakeClock

BIG = "3EB0C767D097B7C7C030"
SMALL = "BAE5F4886F6F2D05"
PATH = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"


def test_the_big_body_is_built_once_per_second_however_many_ask(clock: FakeClock) -> None:
    app = create_app(MockSettings(rate_limit=0, clock=clock))
    store = get_state(app).store

    async def burst(n: int) -> list[bytes]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock", timeout=60) as client:
            results: list[bytes] = [b""] * n

            async def one(i: int) -> None:
                response = await client.get(PATH, params={"idMessage": BIG})
                assert response.status_code == 200
                results[i] = response.content

            async with anyio.create_task_group() as group:
                for i in range(n):
                    group.start_soon(one, i)
            return results

    first = anyio.run(burst, 20)
    assert store.renders == 1  # 20 concurrent requests, one build
    assert len(set(first)) == 1
    clock.advance(0.4)  # same whole second (the fake clock starts on one): the same body
    assert anyio.run(burst, 5)[0] == first[0]
    assert store.renders == 1
    clock.advance(30)  # recipients moved on: one new build
    assert anyio.run(burst, 5)[0] != first[0]
    assert store.renders == 2


def _p99_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def _count_big_builds(monkeypatch: pytest.MonkeyPatch, server: MockServer) -> list[int]:
    """Count the builds of BIG's body only.

    Why not ``store.renders``: it counts every message's builds, and the small status is built too (its first
    request, and whenever one of its 12 recipients moves on): those ate the bound's margin for BIG's edges.
    """
    big_schedule = server.state.store._schedules[BIG]
    builds = [0]
    render = _state._render

    def counting(schedule: Any, start: int, now: float) -> tuple[bytes, float]:
        if schedule is big_schedule:
            builds[0] += 1
        return render(schedule, start, now)

    monkeypatch.setattr(_state, "_render", counting)
    return builds


def test_small_requests_are_answered_while_a_client_polls_the_big_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with MockServer(MockSettings(rate_limit=0)) as server, httpx.Client(timeout=60) as client:
        url = server.base_url + PATH
        assert client.get(url, params={"idMessage": BIG}).status_code == 200  # first build: schedule too
        big_builds = _count_big_builds(monkeypatch, server)
        stop = threading.Event()
        polls = [0]

        def poll() -> None:
            with httpx.Client(timeout=60) as poller:
                while not stop.is_set():
                    assert poller.get(url, params={"idMessage": BIG}).status_code == 200
                    polls[0] += 1

        poller = threading.Thread(target=poll, daemon=True)
        renders_before = server.state.store.renders
        started = time.monotonic()
        poller.start()
        latencies = []
        try:
            for _ in range(300):
                t0 = time.perf_counter()
                assert client.get(url, params={"idMessage": SMALL}).status_code == 200
                latencies.append(time.perf_counter() - t0)
                time.sleep(0.005)
        finally:
            stop.set()
            poller.join(timeout=60)
        elapsed = time.monotonic() - started
        renders = server.state.store.renders - renders_before
    record(
        "mock: small requests while one client polls the 100k status",
        f"p50 {statistics.median(latencies) * 1000:.2f} ms, p99 {_p99_ms(latencies):.2f} ms "
        f"(before: p99 ~53-64 ms); {polls[0]} big polls, {renders} builds in {elapsed:.1f} s",
    )
    assert polls[0] >= 1
    assert renders >= big_builds[0]
    assert big_builds[0] <= elapsed / 1.0 + 2  # at most one build per whole second (+ the two edges)
