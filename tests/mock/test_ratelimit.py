from __future__ import annotations

import pytest

from greenstat_ext.mock._ratelimit import GatewayRateLimit

from .conftest import FakeClock


def test_one_per_second_then_retry_after(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(1.0, clock)
    assert limiter.acquire(1) is None
    assert limiter.acquire(1) == 1
    clock.advance(0.5)
    assert limiter.acquire(1) == 1  # a rejected request does not consume the token being refilled
    clock.advance(0.5)
    assert limiter.acquire(1) is None


def test_instances_are_limited_separately(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(1.0, clock)
    assert limiter.acquire(1) is None
    assert limiter.acquire(2) is None
    assert limiter.acquire(1) is not None


def test_slow_rate_asks_for_a_longer_wait_and_zero_is_off(clock: FakeClock) -> None:
    slow = GatewayRateLimit(0.25, clock)
    assert slow.acquire(1) is None
    assert slow.acquire(1) == 4
    off = GatewayRateLimit(0, clock)
    assert all(off.acquire(1) is None for _ in range(100))


def test_burst_equals_rate(clock: FakeClock) -> None:
    limiter = GatewayRateLimit(3.0, clock)
    assert [limiter.acquire(1) for _ in range(4)] == [None, None, None, 1]


@pytest.mark.parametrize("rate", [-1.0, float("inf"), float("nan")])
def test_bad_rate_is_refused(clock: FakeClock, rate: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        GatewayRateLimit(rate, clock)
