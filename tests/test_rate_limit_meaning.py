"""One meaning of ``x-rate-limit`` (issue 21): at most ``requests`` accepted requests in any ``per_seconds``
window (``greenstat_ext._spec.RateLimit.wait``), held by the mock's gateway, the contract kit's
``rate_limit_enforced`` rule and the client's limiter alike, for rates from 0.1/s to 50/s.

Seeded and bounded (``derandomize``, a few dozen examples each) and on fake clocks: no test here waits, and a
busy machine changes nothing.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from greenstat_ext import RateLimiter
from greenstat_ext._spec import RateLimit, operations
from greenstat_ext.contract._phase_bursts import burst_must_be_refused
from greenstat_ext.mock._ratelimit import GatewayRateLimit
from tests.client._helpers import FakeClock

PROPERTY = settings(max_examples=60, derandomize=True, deadline=None, database=None)
OPERATION = "op"
INSTANCE = 1


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
