"""Sync and async clients, in different processes, share one budget through Redis; the guarantee holds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from greenstat_ext import GreenStat
from greenstat_ext._ratelimit import RateLimitWaitTimeout
from greenstat_ext._ratelimit_redis import KEY_PREFIX, RedisRateLimiter, redis_limiter
from greenstat_ext._spec import operation
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests.ratelimit_store._fleet import run_fleet
from tests.ratelimit_store._redis import fields, keys


def test_a_sync_and_an_async_process_share_one_budget(redis_url: str) -> None:
    rate = operation("getStatusStatistic").rate_limit.rate
    with MockServer(MockSettings()) as mock:
        fleet = run_fleet(
            mock.base_url,
            DEMO_ID_INSTANCE,
            DEMO_TOKEN,
            store=redis_url,
            processes=2,
            calls=2,
            async_workers=1,
        )
        counts = dict(mock.stats.by_status)
    assert fleet.errors == []
    assert counts == {200: 4}, counts
    assert fleet.span >= 3 / rate  # four requests of one bucket: three intervals at least
    found = keys(redis_url)
    assert len(found) == 1, found  # one bucket: both processes used it
    assert found[0].startswith(KEY_PREFIX + "{")
    assert found[0].endswith(f":{DEMO_ID_INSTANCE}:getStatusStatistic:1.0}}")


def test_the_next_turn_waits_for_the_previous_request_to_end(redis_url: str) -> None:
    """The in-process guarantee across the store: a request held long keeps the next one back until it ends,
    and the next one starts an interval after that end, not after the first one's start."""
    limiter = redis_limiter(redis_url, "http://loopback:80", 7, "getStatusStatistic", 20.0)
    assert isinstance(limiter, RedisRateLimiter)
    end_time: list[float] = []
    holding = threading.Event()

    def long_request() -> None:
        with limiter.slot():
            holding.set()
            time.sleep(0.4)  # much longer than the 52.5 ms interval
            end_time.append(time.monotonic())

    first = threading.Thread(target=long_request)
    first.start()
    assert holding.wait(60)  # the first one holds its turn now (not "after 50 ms": a busy machine is slower)
    with limiter.slot(max_wait=60.0):
        started = time.monotonic()
    first.join()
    assert started >= end_time[0] + limiter.interval * 0.99


def test_a_turn_further_than_max_wait_raises_at_once(redis_url: str) -> None:
    limiter = redis_limiter(redis_url, "http://loopback:80", 8, "getStatusStatistic", 0.5)
    with limiter.slot():
        before = time.monotonic()
        with pytest.raises(RateLimitWaitTimeout), limiter.slot(max_wait=0.2):
            pass
        # raised once it knew, not after waiting for the turn 2 s away (margin for a busy machine)
        assert time.monotonic() - before < 1.8


@pytest.mark.anyio
async def test_async_slot_shares_the_bucket_with_sync_slot(redis_url: str) -> None:
    limiter = redis_limiter(redis_url, "http://loopback:80", 9, "getStatusStatistic", 20.0)
    with limiter.slot(), pytest.raises(RateLimitWaitTimeout):  # the sync turn is still held: no refill
        async with limiter.slot_async(max_wait=0.1):
            pass
    async with limiter.slot_async(max_wait=2.0) as waited:
        assert waited >= 0.0


def test_clients_of_one_process_use_the_store_only_when_asked(redis_url: str) -> None:
    with MockServer(MockSettings(rate_limit=0)) as mock:
        common: dict[str, Any] = {
            "id_instance": DEMO_ID_INSTANCE,
            "api_token": DEMO_TOKEN,
            "api_url": mock.base_url,
        }
        with GreenStat(**common, rate_limit_store=redis_url, rate_limit=50) as client:
            assert isinstance(client.rate_limiter, RedisRateLimiter)
            client.get_status_statistic("BAE5F4886F6F2D05")
        with GreenStat(**common, rate_limit_store=redis_url, rate_limit=0) as off:
            assert off.rate_limiter is None
        with GreenStat(**common, rate_limit=50) as local:
            assert not isinstance(local.rate_limiter, RedisRateLimiter)
    assert len(keys(redis_url, f"{KEY_PREFIX}*")) == 1


def _grant_then(
    limiter: RedisRateLimiter, after: Callable[[], None]
) -> Callable[[str, str, float | None], object]:
    """``limiter._run`` that takes the turn in Redis, then does ``after`` before answering: the window in
    which a caller is interrupted or cancelled with the turn already granted."""
    run = limiter._run

    def wrapped(op: str, hold: str, limit: float | None = None) -> object:
        answer = run(op, hold, limit)
        if op == "acquire":
            after()
        return answer

    return wrapped


def _holds(url: str, limiter: RedisRateLimiter) -> list[str]:
    return [field for field in fields(url, limiter.key) if field.startswith("h:")]


def test_a_turn_granted_to_an_interrupted_caller_is_given_back(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = redis_limiter(redis_url, "http://loopback:80", 41, "getStatusStatistic", 20.0)

    def interrupt() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(limiter, "_run", _grant_then(limiter, interrupt))
    with pytest.raises(KeyboardInterrupt), limiter.slot(max_wait=2.0):
        pass
    monkeypatch.undo()
    assert _holds(redis_url, limiter) == []
    with limiter.slot(max_wait=0.5):  # not held back for HOLD_MAX by a turn nobody owns
        pass


@pytest.mark.anyio
async def test_a_turn_granted_to_a_cancelled_task_is_given_back(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = redis_limiter(redis_url, "http://loopback:80", 42, "getStatusStatistic", 20.0)
    # The granting command answers 1.5 s late, the task is cancelled after 0.1 s: still answering then,
    # however busy the machine (0.3 s left a busy event loop 0.2 s of slack).
    monkeypatch.setattr(limiter, "_run", _grant_then(limiter, lambda: time.sleep(1.5)))
    entered = False
    with anyio.move_on_after(0.1) as scope:  # cancelled while the granting command is still answering
        async with limiter.slot_async(max_wait=2.0):
            entered = True
    assert scope.cancelled_caught
    assert not entered
    monkeypatch.undo()
    assert _holds(redis_url, limiter) == []
    async with limiter.slot_async(max_wait=0.5):
        pass
