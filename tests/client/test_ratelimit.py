"""The client's limiter: pacing (spacing from each request's end, with a margin), shared process-wide
buckets keyed by the resolved origin, and waits that cancelled or interrupted callers give back.

The oracle for "never trips a server limiter of the same rate" is the mock's own algorithm
(``greenstat_ext.mock._ratelimit``), driven on the same fake clock with random network delays.
"""

from __future__ import annotations

import bisect
import functools
import gc
import heapq
import itertools
import math
import random
import threading
import time
import weakref

import anyio
import anyio.lowlevel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenstat_ext import ConfigurationError, GreenStat, RateLimiter, _ratelimit
from greenstat_ext._ratelimit import HOLD_MAX, REGISTRY_SIZE, origin_key, shared_limiter
from greenstat_ext._spec import RateLimit, operations, slowest_rate
from greenstat_ext.mock._ratelimit import GatewayRateLimit as ServerLimiter
from tests._figures import record

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


def fake_limiter(clock: FakeClock, rate: float = 1.0, burst: int = 1, margin: float = 0.05) -> RateLimiter:
    return RateLimiter(
        rate, burst=burst, margin=margin, clock=clock.clock, sleep=clock.sleep, async_sleep=clock.async_sleep
    )


# -- pacing ---


@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_n_calls_take_n_minus_one_intervals_margin_included(n: int) -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(200, []))
    with make_sync(recorder, rate_limit=fake_limiter(clock)) as client:
        for _ in range(n):
            client.get_status_statistic("x")
    assert len(recorder.requests) == n
    assert clock.now == pytest.approx((n - 1) * 1.05)


def test_rate_and_margin_are_configurable() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock, rate=4.0, margin=0.0)
    for _ in range(9):
        limiter.acquire()
    assert clock.now == pytest.approx(2.0)
    assert RateLimiter(4.0).interval == pytest.approx(0.25 * 1.05)


def test_a_burst_spends_the_window_and_idle_time_gives_back_only_a_burst() -> None:
    """``burst`` B is the spec's rule at B per B intervals (``RateLimit.wait``): B at once, then none until
    the window has passed; never B + 1 within a window (a token bucket let the fourth go after 1 s)."""
    clock = FakeClock()
    limiter = fake_limiter(clock, rate=1.0, burst=3, margin=0.0)
    assert limiter.window == RateLimit(requests=3, per_seconds=3.0)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve() == pytest.approx(3.0)
    clock.now += 100  # a long pause gives back only `burst` turns
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve() == pytest.approx(3.0)


def test_the_next_slot_is_spaced_from_the_end_of_the_previous_request() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock)
    with limiter.slot():
        clock.now += 0.7  # the request takes 0.7 s: the server stamped it somewhere in [0, 0.7]
    with limiter.slot() as waited:
        pass
    assert clock.sleeps == [pytest.approx(1.05)]  # from the end (0.7), not from the start (0)
    assert waited == pytest.approx(1.05)
    limiter.acquire()  # acquire() paces starts only: one interval from the previous start
    assert clock.now == pytest.approx(0.7 + 1.05 + 1.05)


def test_a_request_in_flight_holds_back_the_next_one_until_it_ends() -> None:
    limiter = RateLimiter(20.0)  # real clock: interval 52.5 ms
    ended: list[float] = []
    started: list[float] = []
    in_flight = threading.Event()

    def slow_request() -> None:
        with limiter.slot():
            in_flight.set()
            time.sleep(0.3)  # far longer than the interval
            ended.append(time.monotonic())

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert in_flight.wait(10)
    with limiter.slot():
        started.append(time.monotonic())
    thread.join()
    # A lower bound only (a loaded machine makes it later, never earlier).
    assert started[0] - ended[0] >= limiter.interval * 0.999


def _simulate(limiter: RateLimiter, clock: FakeClock, *, use_slot: bool, seed: int) -> tuple[int, int]:
    """200 sequential calls with random network delays against the mock's limiter at the same rate."""
    server = ServerLimiter(limiter.rate, clock.clock)
    rng = random.Random(seed)
    ok = rejected = 0

    def request() -> None:
        nonlocal ok, rejected
        clock.now += rng.choice([0.001, 0.002, 0.4])  # client -> server: a new connection is sometimes slow
        if server.acquire(1) is None:
            ok += 1
        else:
            rejected += 1
        clock.now += rng.uniform(0.001, 0.3)  # server -> client

    for _ in range(200):
        if use_slot:
            with limiter.slot():
                request()
        else:
            limiter.acquire()
            request()
    return ok, rejected


@pytest.mark.parametrize("seed", range(5))
def test_slots_never_trip_the_mocks_limiter_whatever_the_delays(seed: int) -> None:
    clock = FakeClock()
    assert _simulate(fake_limiter(clock), clock, use_slot=True, seed=seed) == (200, 0)
    # The oracle bites: pacing starts only, with the same margin and delays, earns 429s.
    clock = FakeClock()
    assert _simulate(fake_limiter(clock), clock, use_slot=False, seed=seed)[1] > 0


def test_retries_also_wait_for_the_limiter() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(503, {"message": "x"}), json_response(200, []))
    policy = fast_policy(clock, wait_initial=0.1, wait_jitter=0)
    with make_sync(recorder, rate_limit=fake_limiter(clock), policy=policy) as client:
        client.get_status_statistic("x")
    # 0.1 s backoff, then 0.95 s more for the bucket: the second request leaves 1.05 s after the first ended.
    assert clock.sleeps == [pytest.approx(0.1), pytest.approx(0.95)]


def test_thread_safe_reservations_are_spaced_one_slot_apart() -> None:
    clock = FakeClock()  # frozen: every thread sees the same instant, so only the lock spaces them
    limiter = fake_limiter(clock, rate=2.0, margin=0.0)
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


def test_threads_sharing_a_bucket_never_start_closer_than_the_interval() -> None:
    limiter = RateLimiter(25.0)  # real clock: interval 42 ms, 24 requests in about 1 s
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(4):
            with limiter.slot(), lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    assert len(starts) == 24
    assert min(b - a for a, b in itertools.pairwise(starts)) >= limiter.interval * 0.999


@pytest.mark.anyio
async def test_async_safe_concurrent_tasks_share_the_bucket() -> None:
    clock = FakeClock()

    async def sleep_and_yield(seconds: float) -> None:
        clock.sleep(seconds)
        await anyio.lowlevel.checkpoint()  # let the other tasks interleave while this one "waits"

    limiter = RateLimiter(1.0, margin=0.0, clock=clock.clock, async_sleep=sleep_and_yield)
    departures: list[float] = []

    async def task() -> None:
        async with limiter.slot_async():
            departures.append(clock.now)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(task)
    departures.sort()
    assert len(departures) == 10
    assert min(b - a for a, b in itertools.pairwise(departures)) >= 1.0 - 1e-9


@pytest.mark.anyio
async def test_async_client_respects_the_limiter() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(200, []))
    async with make_async(recorder, rate_limit=fake_limiter(clock)) as client:
        await client.get_many([f"id{i}" for i in range(6)], concurrency=6)
    assert len(recorder.requests) == 6
    assert clock.now == pytest.approx(5 * 1.05)


# -- waits that are given back ---


def test_an_interrupted_sync_wait_gives_its_turn_back() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock)
    limiter.acquire()

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    impatient = RateLimiter(1.0, clock=clock.clock, sleep=interrupted)
    impatient.acquire()  # same state as `limiter`: one request just left (no wait, so no interruption)
    for _ in range(30):
        with pytest.raises(KeyboardInterrupt):
            impatient.acquire()
    assert impatient._waiting == []
    impatient._sleep = clock.sleep
    assert impatient.acquire() == pytest.approx(1.05)  # one interval, not 31


@pytest.mark.anyio
async def test_thirty_cancelled_async_waits_do_not_delay_the_next_call() -> None:
    clock = FakeClock()

    async def forever(seconds: float) -> None:
        await anyio.sleep_forever()

    limiter = RateLimiter(1.0, clock=clock.clock, sleep=clock.sleep, async_sleep=forever)
    limiter.acquire()  # one request just left: the next may go in 1.05 s
    async with anyio.create_task_group() as group:
        for _ in range(30):
            group.start_soon(limiter.acquire_async)
        await anyio.wait_all_tasks_blocked()
        assert len(limiter._waiting) == 30
        group.cancel_scope.cancel()
    assert limiter._waiting == []
    assert limiter.acquire() == pytest.approx(1.05)  # not 31.5


@pytest.mark.anyio
async def test_thirty_cancelled_async_calls_real_clock_figure() -> None:
    limiter = RateLimiter(1.0)
    await limiter.acquire_async()
    with anyio.move_on_after(0.2):
        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(limiter.acquire_async)
    started = time.monotonic()
    await limiter.acquire_async()
    waited = time.monotonic() - started
    record("rate limiter", f"after 30 cancelled async calls (rate 1/s) the next call waited {waited:.2f} s")
    assert waited < 5.0  # about 0.85 s (1.05 s after the first call); it was 30 s when cancels kept slots


@pytest.mark.anyio
async def test_a_call_cancelled_in_flight_ends_its_slot() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock)
    with anyio.move_on_after(0):
        async with limiter.slot_async():
            await anyio.sleep(1)  # cancelled "during the request"
    assert limiter._holds == {}
    assert await limiter.acquire_async() == pytest.approx(1.05)


def test_a_fake_clock_that_sleeping_does_not_move_never_hangs() -> None:
    clock = FakeClock()
    slept: list[float] = []
    limiter = RateLimiter(1.0, clock=clock.clock, sleep=slept.append)  # the clock stays at 0
    for _ in range(3):
        limiter.acquire()
    # Each sleep (at most one window) trusted once, as reserve() does; the turn counts from when it comes.
    assert slept == [pytest.approx(1.05), pytest.approx(1.05)]
    assert limiter._counted == [pytest.approx(2.1)]


def test_a_leaked_hold_stops_holding_the_bucket_after_hold_max() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock)
    leaked = limiter.slot()  # kept referenced: a collected generator would end its slot by itself
    leaked.__enter__()  # never exited (as if interrupted between the wait and the send)
    waited = limiter.acquire()
    assert HOLD_MAX + 1.05 <= waited <= HOLD_MAX + 1.05 + 0.25


# -- shared buckets ---


def test_clients_of_one_instance_and_rate_share_one_bucket() -> None:
    a = shared_limiter(API_URL, ID_INSTANCE + 7, 1.0)
    b = shared_limiter(API_URL, ID_INSTANCE + 7, 1)
    faster = shared_limiter(API_URL, ID_INSTANCE + 7, 2.0)
    other = shared_limiter(API_URL, ID_INSTANCE + 8, 1.0)
    assert a is b
    assert faster is not a
    assert (a.rate, faster.rate) == (1.0, 2.0)
    assert other is not a


def test_buckets_outlive_their_clients() -> None:
    url = "http://127.0.0.1:1"
    client = GreenStat(id_instance=ID_INSTANCE + 9, api_token="abcdefgh", api_url=url)
    assert client.rate_limiter is not None
    bucket = weakref.ref(client.rate_limiter)
    client.close()
    del client
    gc.collect()
    assert bucket() is not None  # a new client per call (the README's pattern) still shares one bucket
    with GreenStat(id_instance=ID_INSTANCE + 9, api_token="abcdefgh", api_url=url) as again:
        assert again.rate_limiter is bucket()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://LocalHost.:8080/",
        "http://127.1:8080",
        "http://2130706433:8080",
        "http://0x7f.0.0.1:8080",
        "http://127.0.0.2:8080",
        "http://[::1]:8080",
        "http://[0:0::1]:8080",
        "http://[::ffff:127.0.0.1]:8080",
        "http://app.localhost:8080",
        "http://0.0.0.0:8080",
    ],
)
def test_one_loopback_server_is_one_bucket_whatever_its_spelling(url: str) -> None:
    assert origin_key(url) == "http://loopback:8080"
    assert shared_limiter(url, ID_INSTANCE, 1.0) is shared_limiter("http://127.0.0.1:8080", ID_INSTANCE, 1.0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://API.Green-API.com./", "https://api.green-api.com:443"),
        ("http://10.0.0.1", "http://10.0.0.1:80"),
        ("http://[2001:db8:0::1]:9", "http://[2001:db8::1]:9"),
        ("http://0xa.1", "http://10.0.0.1"),  # the forms getaddrinfo (inet_aton) reads
    ],
)
def test_equivalent_origins_share_a_bucket(a: str, b: str) -> None:
    assert origin_key(a) == origin_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8081"),
        ("http://example.test", "https://example.test"),
        ("https://api.green-api.com", "https://7103.api.greenapi.com"),
        ("http://10.0.0.1", "http://10.0.0.2"),
    ],
)
def test_different_origins_get_different_buckets(a: str, b: str) -> None:
    assert origin_key(a) != origin_key(b)
    assert shared_limiter(a, ID_INSTANCE, 1.0) is not shared_limiter(b, ID_INSTANCE, 1.0)


def test_names_made_of_hex_letters_stay_names() -> None:
    assert origin_key("http://face.bad") == "http://face.bad:80"
    assert origin_key("http://cafe") == "http://cafe:80"


def test_the_registry_is_bounded_and_keeps_busy_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ratelimit, "_registry", type(_ratelimit._registry)())
    busy = shared_limiter("http://busy.test", 1, 1.0)
    busy.acquire()  # not at rest for about a second
    for port in range(1, REGISTRY_SIZE + 50):
        shared_limiter(f"http://many.test:{port}", 1, 1.0)
    assert len(_ratelimit._registry) == REGISTRY_SIZE
    assert shared_limiter("http://busy.test", 1, 1.0) is busy


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


def test_default_is_each_operations_spec_rate_and_zero_switches_it_off() -> None:
    recorder = Recorder(json_response(200, []))
    client = GreenStat(id_instance=ID_INSTANCE, api_token="abcdefgh", api_url=API_URL)
    for operation_id, spec in operations().items():
        limiter = client.rate_limiter_for(operation_id)
        assert limiter is not None
        assert limiter.rate == spec.rate_limit.rate, operation_id
    assert client.rate_limiter is not None  # the slowest operation's bucket, whatever the spec's order
    assert client.rate_limiter.rate == slowest_rate()
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
    with pytest.raises(ConfigurationError, match="from 1 to 1000"):
        RateLimiter(1, burst=10**9)  # the window keeps a time per place: bounded
    for margin in (-0.1, 1.5, float("nan"), True, "0.1"):
        with pytest.raises(ConfigurationError) as info:
            RateLimiter(1, margin=margin)  # type: ignore[arg-type]
        assert info.value.field == "margin"
    assert RateLimiter(0.001).reserve() == 0.0  # the slowest accepted rate works
    assert repr(RateLimiter(2, burst=3)) == "RateLimiter(rate=2.0, burst=3)"


# -- the waiters' queue: estimates, leavers, interrupts ---

PROPERTY = settings(max_examples=150, derandomize=True, deadline=None, database=None)


def _turn_step_by_step(limiter: RateLimiter, now: float, ahead: int) -> float:
    """The oracle: each of the ``ahead`` callers takes the first turn the rule allows, one after another."""
    times = list(limiter._times(now))
    wait = limiter.window.wait(times, now)
    for _ in range(ahead):
        bisect.insort(times, now + wait)
        wait = limiter.window.wait(times, now)
    return wait


@PROPERTY
@given(
    rate=st.sampled_from([0.5, 1.0, 10.0, 50.0]),
    burst=st.integers(1, 6),
    counted=st.lists(st.floats(-3.0, 3.0), max_size=10),
    in_flight=st.lists(st.floats(-3.0, 3.0), max_size=4),
    ahead=st.integers(0, 80),
)
def test_a_waiters_estimate_is_the_step_by_step_turn(
    rate: float, burst: int, counted: list[float], in_flight: list[float], ahead: int
) -> None:
    """Any state (times counted and requests in flight, in the past or, as reservations and forced turns
    leave them, in the future): the estimate equals stepping the rule through every caller ahead."""
    clock = FakeClock()
    clock.now = 100.0
    limiter = fake_limiter(clock, rate=rate, burst=burst)
    for offset in counted:
        limiter._count(clock.now + offset * limiter.interval)
    for hold, offset in enumerate(in_flight):
        limiter._holds[hold] = clock.now + offset * limiter.interval
    expected = _turn_step_by_step(limiter, clock.now, ahead)
    slack = 1e-9 * (ahead + 1) * limiter.interval
    assert limiter._turn(clock.now, ahead) == pytest.approx(expected, abs=slack)


@pytest.mark.parametrize("burst", [1, 5])
def test_the_first_claims_of_n_waiters_cost_linear_work(burst: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The estimate runs under the lock (an async caller's event loop waits for it): n waiters' first claims
    evaluate the rule O(n * burst) times, not O(n^2) (2,000 waiters were 2 million evaluations)."""
    evaluations = 0
    rule = RateLimit.wait

    def counted(self: RateLimit, accepted: list[float], now: float) -> float:
        nonlocal evaluations
        evaluations += 1
        return rule(self, accepted, now)

    monkeypatch.setattr(RateLimit, "wait", counted)
    clock = FakeClock()
    limiter = fake_limiter(clock, burst=burst)
    for _ in range(burst):
        limiter.reserve()  # the window is full: every waiter must wait
    waiters = [limiter._enqueue() for _ in range(2000)]
    evaluations = 0
    claims = [limiter._claim(ticket, hold=True) for ticket in waiters]
    assert evaluations <= len(waiters) * (2 * burst + 2)
    assert all(held is None for _, held in claims)
    assert claims[-1][0] == pytest.approx(_turn_step_by_step(limiter, clock.now, len(waiters) - 1))


class SteppedClock:
    """A fake clock for concurrent tasks: once every task sleeps, it moves to the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._due: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = anyio.Event()
        heapq.heappush(self._due, (self.now + seconds, next(self._order), woken))
        await woken.wait()

    async def run(self) -> None:
        """Wake the sleepers in time order until nobody sleeps."""
        while True:
            await anyio.wait_all_tasks_blocked()
            if not self._due:
                return
            when, _, woken = heapq.heappop(self._due)
            self.now = max(self.now, when)
            woken.set()


@pytest.mark.anyio
async def test_waiters_ahead_that_leave_cost_those_behind_at_most_one_window() -> None:
    """20 callers queue, then give up (a timeout) at 0.5 s; the 21st's turn is 1.05 s, when the one request
    before them allows it. It sleeps at most one window at a time, so it goes at 1.05 s (it went at 22.05 s,
    its place in the queue's estimate, when nobody behind a leaver was woken)."""
    clock = SteppedClock()
    limiter = RateLimiter(1.0, clock=clock.clock, async_sleep=clock.sleep)
    limiter.acquire()  # one request just went: the next may go at 1.05 s
    went: list[float] = []
    impatient: list[anyio.CancelScope] = []

    async def gives_up() -> None:
        with anyio.CancelScope() as scope:
            impatient.append(scope)
            await limiter.acquire_async()
            pytest.fail("a caller that gave up got a turn")

    async def patient() -> None:
        await limiter.acquire_async()
        went.append(clock.now)

    async def time_out() -> None:
        await clock.sleep(0.5)
        for scope in impatient:
            scope.cancel()

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(gives_up)
        await anyio.wait_all_tasks_blocked()  # they queue first
        group.start_soon(patient)
        group.start_soon(time_out)
        await clock.run()
    assert went == [pytest.approx(1.05)]
    assert limiter._waiting == []


def test_a_sync_waiter_behind_a_leaver_is_at_most_one_window_late() -> None:
    clock = FakeClock()
    limiter = fake_limiter(clock)
    limiter.acquire()  # the next may go at 1.05 s
    ahead = limiter._enqueue()  # a caller before ours, asleep until 1.05 s

    def sleep(seconds: float) -> None:
        limiter._leave(ahead)  # it gives up while ours sleeps
        clock.sleep(seconds)

    limiter._sleep = sleep
    assert limiter.acquire() == pytest.approx(1.05)  # its turn; it slept until 2.1 s before
    assert clock.sleeps == [pytest.approx(1.05)]


def test_a_real_clock_that_did_not_move_during_a_sleep_never_forces_a_turn() -> None:
    """A coarse monotonic clock (15.6 ms ticks on Windows) read after a sleep that woke early shows no time
    passed: only an injected (fake) clock may take that as "the sleep was trusted"; the real one looks
    again."""
    real = [0.0]
    tick = 0.0156

    def coarse() -> float:
        return math.floor(real[0] / tick) * tick

    def wakes_early(seconds: float) -> None:
        real[0] += min(seconds, 0.001)

    limiter = RateLimiter(20.0, sleep=wakes_early)  # the real clock, as users have it
    limiter._clock = coarse  # ... as coarse as Windows's
    limiter.acquire()
    limiter.acquire()
    assert real[0] >= limiter.interval  # it went at 0.001 s, 51.5 ms early
    assert fake_limiter(FakeClock())._may_force
    assert not RateLimiter()._may_force


def test_an_interrupt_just_after_the_turn_was_granted_gives_the_hold_back() -> None:
    """A ``KeyboardInterrupt`` after the turn was granted but before :meth:`slot` could yield: nothing was
    sent, so nothing holds the bucket (it held it for ``HOLD_MAX``, 60 s)."""
    clock = FakeClock()
    limiter = fake_limiter(clock)

    def interrupting() -> float:
        if limiter._holds:
            raise KeyboardInterrupt
        return clock.now

    limiter._clock = interrupting
    with pytest.raises(KeyboardInterrupt), limiter.slot():
        pytest.fail("the block ran")
    limiter._clock = clock.clock
    assert (limiter._holds, limiter._waiting) == ({}, [])
    assert limiter.acquire() == 0.0


def test_a_hold_forced_into_the_future_does_not_keep_an_older_one_from_expiring() -> None:
    """Holds are not always in start order (a fake clock's forced turn starts in the future)."""
    clock = FakeClock()
    limiter = fake_limiter(clock, burst=2)
    limiter._holds = {1: 100.0, 2: 0.0}
    limiter._expire(HOLD_MAX + 1)
    assert limiter._holds == {1: 100.0}
    assert limiter._counted == [HOLD_MAX]


def test_the_registry_never_drops_a_bucket_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping a bucket in use would give its key a fresh one: two buckets, twice the rate, 429s."""
    monkeypatch.setattr(_ratelimit, "_registry", type(_ratelimit._registry)())
    clock = FakeClock()  # frozen: a bucket that took a turn stays in use
    monkeypatch.setattr(_ratelimit, "RateLimiter", functools.partial(RateLimiter, clock=clock.clock))
    busy = []
    for port in range(1, REGISTRY_SIZE + 21):
        busy.append(shared_limiter(f"http://busy.test:{port}", 1, 1.0))
        busy[-1].acquire()
    assert len(_ratelimit._registry) == REGISTRY_SIZE + 20  # memory bounded by the buckets in use
    for port, limiter in enumerate(busy, start=1):
        assert shared_limiter(f"http://busy.test:{port}", 1, 1.0) is limiter
    clock.now += 10.0  # all at rest now
    fresh = shared_limiter("http://fresh.test", 1, 1.0)
    assert len(_ratelimit._registry) == REGISTRY_SIZE
    assert shared_limiter("http://fresh.test", 1, 1.0) is fresh
