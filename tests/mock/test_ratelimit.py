from __future__ import annotations

import pytest

from greenstat_ext._spec import RateLimit
from greenstat_ext.mock._operations import OPERATIONS
from greenstat_ext.mock._ratelimit import GatewayRateLimit

from .conftest import FakeClock

ONE = RateLimit(requests=1, per_seconds=1)
OP = "getStatusStatistic"


def test_one_per_second_then_retry_after(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(1.0, clock)
    assert limiter.acquire(1, OP, ONE) is None
    assert limiter.acquire(1, OP, ONE) == 1
    clock.advance(0.5)
    assert limiter.acquire(1, OP, ONE) == 1  # a rejected request does not consume the token being refilled
    clock.advance(0.5)
    assert limiter.acquire(1, OP, ONE) is None


def test_instances_and_operations_are_limited_separately(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(None, clock)
    assert limiter.acquire(1, OP, ONE) is None
    assert limiter.acquire(2, OP, ONE) is None
    assert limiter.acquire(1, "other", ONE) is None  # Green API limits each method on its own
    assert limiter.acquire(1, OP, ONE) is not None


def test_slow_rate_asks_for_a_longer_wait_and_zero_is_off(clock: FakeClock) -> None:
    slow = GatewayRateLimit(0.25, clock)
    assert slow.acquire(1, OP, ONE) is None
    assert slow.acquire(1, OP, ONE) == 4
    off = GatewayRateLimit(0, clock)
    assert all(off.acquire(1, OP, ONE) is None for _ in range(100))


def test_burst_equals_rate(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(3.0, clock)
    assert [limiter.acquire(1, OP, ONE) for _ in range(4)] == [None, None, None, 1]


def test_spec_rate_of_each_operation_is_applied(clock: FakeClock) -> None:
    """Without an override, each operation gets its own ``x-rate-limit``: N requests in any S seconds."""
    limiter = GatewayRateLimit(None, clock)
    five_per_two = RateLimit(requests=5, per_seconds=2)
    assert [limiter.acquire(1, "x", five_per_two) for _ in range(6)] == [None] * 5 + [2]
    clock.advance(1.9)  # a bucket would have refilled during the window; the window has not moved on
    assert limiter.acquire(1, "x", five_per_two) == 1
    clock.advance(0.1)  # the five left the window together
    assert [limiter.acquire(1, "x", five_per_two) for _ in range(6)] == [None] * 5 + [2]
    for operation in OPERATIONS.values():  # and the spec's own rates are well formed
        assert operation.rate_limit.requests >= 1
        assert operation.rate_limit.per_seconds > 0


@pytest.mark.parametrize("rate", [-1.0, float("inf"), float("nan")])
def test_bad_rate_is_refused(clock: FakeClock, rate: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        GatewayRateLimit(rate, clock)
