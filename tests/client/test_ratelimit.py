from __future__ import annotations

import threading

import anyio
import anyio.lowlevel
import pytest

from greenstat_ext import ConfigurationError, GreenStat, RateLimiter
from greenstat_ext._ratelimit import shared_limiter

from ._helpers import (
    API_URL,
    ID_INSTANCE,
    FakeClock,
    Recorder,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)


def fake_limiter(clock: FakeClock, rate: float = 1.0, burst: int = 1) -> RateLimiter:
    return RateLimiter(rate, burst=burst, clock=clock.clock, sleep=clock.sleep, async_sleep=clock.async_sleep)


@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_n_calls_take_n_minus_one_seconds_at_one_per_second(n: int) -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder, rate_limit=fake_limiter(clock)) as client:
        for _ in range(n):
            client.get_status_statistic("x")
    assert len(recorder.requests) == n
    assert clock.now == pytest.approx(n - 1)


def test_rate_is_configurable() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock, rate=4.0)
    for _ in range(9):
        limiter.acquire()
    assert clock.now == pytest.approx(2.0)


def test_idle_time_refills_up_to_burst() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock, rate=1.0, burst=3)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve() == pytest.approx(1.0)
    clock.now += 100  # a long pause refills only `burst` tokens (the debt of 1 is repaid first)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve() == pytest.approx(1.0)


def test_retries_also_wait_for_the_limiter() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(503, {"message": "x"}), json_response(200, []))
    policy = fast_policy(clock, wait_initial=0.1, wait_jitter=0)
    with make_sync(recorder, rate_limit=fake_limiter(clock), policy=policy) as client:
        client.get_status_statistic("x")
    # 0.1 s backoff, then 0.9 s more for the bucket: the second request leaves 1 s after the first.
    assert clock.sleeps == [pytest.approx(0.1), pytest.approx(0.9)]


def test_thread_safe_reservations_are_spaced_one_slot_apart() -> None:
    clock = FakeClock()  # frozen: every thread sees the same instant, so only the lock spaces them
    limiter = fake_limiter(clock, rate=2.0)
    waits: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            wait = limiter.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([i * 0.5 for i in range(200)])


@pytest.mark.anyio
async def test_async_safe_concurrent_tasks_share_the_bucket() -> None:
    clock = FakeClock()

    async def sleep_and_yield(seconds: float) -> None:
        clock.sleep(seconds)
        await anyio.lowlevel.checkpoint()  # let the other tasks interleave while this one "waits"

    limiter = RateLimiter(1.0, clock=clock.clock, async_sleep=sleep_and_yield)
    departures: list[float] = []

    async def task() -> None:
        reserved_at = clock.now  # no await before acquire_async reserves, so this is the same instant
        departures.append(reserved_at + await limiter.acquire_async())

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(task)
    assert sorted(departures) == pytest.approx([float(i) for i in range(10)])


@pytest.mark.anyio
async def test_async_client_respects_the_limiter() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(200, []))
    async with make_async(recorder, rate_limit=fake_limiter(clock)) as client:
        await client.get_many([f"id{i}" for i in range(6)], concurrency=6)
    assert len(recorder.requests) == 6
    assert clock.now == pytest.approx(5.0)


def test_clients_of_one_instance_and_rate_share_one_bucket() -> None:
    a = shared_limiter(API_URL, ID_INSTANCE + 7, 1.0)
    b = shared_limiter(API_URL, ID_INSTANCE + 7, 1)
    faster = shared_limiter(API_URL, ID_INSTANCE + 7, 2.0)
    other = shared_limiter(API_URL, ID_INSTANCE + 8, 1.0)
    assert a is b
    assert faster is not a
    assert (a.rate, faster.rate) == (1.0, 2.0)
    assert other is not a


def test_a_setting_on_one_client_never_changes_another() -> None:
    recorder = Recorder(json_response(200, []))
    parent = make_sync(recorder, rate_limit=2.0)
    sibling = make_sync(recorder, rate_limit=2.0)
    slower = parent.with_options(rate_limit=0.5)
    assert parent.rate_limiter is sibling.rate_limiter
    assert parent.rate_limiter is not None
    assert parent.rate_limiter.rate == 2.0
    assert slower.rate_limiter is not None
    assert slower.rate_limiter.rate == 0.5


def test_default_is_one_per_second_and_zero_switches_it_off() -> None:
    recorder = Recorder(json_response(200, []))
    client = GreenStat(id_instance=ID_INSTANCE, api_token="abcdefgh", api_url=API_URL)
    assert client.rate_limiter is not None
    assert client.rate_limiter.rate == 1.0
    assert make_sync(recorder, rate_limit=0).rate_limiter is None
    assert make_sync(recorder, rate_limit=3).with_options(rate_limit=0).rate_limiter is None
    client.close()


@pytest.mark.parametrize("bad", [-1, True, "fast", 1e-300, 0.0009, float("inf"), float("nan")])
def test_bad_rate_limit(bad: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        make_sync(Recorder(json_response(200, [])), rate_limit=bad)  # type: ignore[arg-type]
    assert info.value.field == "rate_limit"


def test_bad_limiter_arguments() -> None:
    with pytest.raises(ConfigurationError):
        RateLimiter(0)
    with pytest.raises(ConfigurationError):
        RateLimiter(1, burst=0)
    for rate in (1e-300, float("inf"), float("nan"), "1"):
        with pytest.raises(ConfigurationError):
            RateLimiter(rate)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        RateLimiter(1, burst=True)
    assert RateLimiter(0.001).reserve() == 0.0  # the slowest accepted rate works
    assert repr(RateLimiter(2, burst=3)) == "RateLimiter(rate=2.0, burst=3)"
