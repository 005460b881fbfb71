"""The call's deadline: ``timeout`` bounds the whole call (connect, send, every read, retries, waits).

httpx's timeouts are per socket operation, so a server that drips a byte a second never trips them; these
tests serve exactly that (``tests/_hostile.py``). The acceptance figure (``timeout=5``: a typed error within
15 s) is one test each for sync and async; the others use a 1 s timeout and bound the wait generously.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from greenstat_ext import (
    APITimeoutError,
    AsyncGreenStat,
    GreenStat,
    RateLimiter,
    RetryPolicy,
    ServerError,
)
from tests._figures import record
from tests._hostile import Handler, HostileServer, answer, drip, drip_headers, endless_continue

from ._helpers import ID_INSTANCE, TOKEN, assert_no_token, fast_policy

BODY = b"[" + b" " * 100 + b"]"
HOSTILE: dict[str, Callable[[], Handler]] = {
    "drip-body": lambda: drip(200, BODY, interval=0.2),
    "drip-headers": lambda: drip_headers(interval=0.2),
    "endless-continue": lambda: endless_continue(interval=0.2),
}
GENEROUS = 4.0  # a 1 s deadline on a loaded 2-core machine (measured: 1.00-1.01 s)


def _sync(base_url: str, **options: Any) -> GreenStat:
    return GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=base_url, rate_limit=0, **options)


def _async(base_url: str, **options: Any) -> AsyncGreenStat:
    return AsyncGreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=base_url, rate_limit=0, **options)


def _timed_sync(client: GreenStat, *, within: float = GENEROUS) -> tuple[BaseException, float]:
    """Call in a worker thread and wait at most ``within``: a call that overruns fails the test (the server
    is then stopped, which ends the call) instead of hanging the suite."""
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.get_status_statistic("x")
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=call, daemon=True)
    with client:
        worker.start()
        worker.join(within)
        seconds = time.monotonic() - started
        assert not worker.is_alive(), f"the call was still running after {within} s"
    assert outcome, "the call returned instead of timing out"
    assert isinstance(outcome[0], APITimeoutError), repr(outcome[0])
    return outcome[0], seconds


async def _timed_async(client: AsyncGreenStat, *, within: float = GENEROUS) -> tuple[BaseException, float]:
    started = time.monotonic()
    async with client:
        with anyio.fail_after(within), pytest.raises(APITimeoutError) as info:  # overrun: a test failure
            await client.get_status_statistic("x")
    return info.value, time.monotonic() - started


def test_a_body_dripped_a_byte_a_second_with_timeout_5_ends_within_15s_sync() -> None:
    with HostileServer(drip(200, BODY, interval=1.0)) as server:
        error, seconds = _timed_sync(_sync(server.base_url, timeout=5), within=15)
    record("deadline", f"drip body 1 B/s, timeout=5, sync: {type(error).__name__} after {seconds:.2f} s")
    assert seconds < 15
    assert seconds >= 4.5  # the budget was used, not cut short


@pytest.mark.anyio
async def test_a_body_dripped_a_byte_a_second_with_timeout_5_ends_within_15s_async() -> None:
    with HostileServer(drip(200, BODY, interval=1.0)) as server:
        error, seconds = await _timed_async(_async(server.base_url, timeout=5), within=15)
    record("deadline", f"drip body 1 B/s, timeout=5, async: {type(error).__name__} after {seconds:.2f} s")
    assert seconds < 15
    assert seconds >= 4.5


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_every_hostile_pace_ends_at_the_deadline_sync(hostile: str) -> None:
    with HostileServer(HOSTILE[hostile]()) as server:
        error, seconds = _timed_sync(_sync(server.base_url, timeout=1))
    record("deadline", f"{hostile}, timeout=1, sync: {type(error).__name__} after {seconds:.2f} s")
    assert seconds < GENEROUS
    assert "1 s deadline passed" in str(error)
    assert_no_token(TOKEN, str(error), "a deadline error")
    rendered = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert_no_token(TOKEN, rendered, "a deadline error's traceback with its locals")


@pytest.mark.anyio
@pytest.mark.parametrize("hostile", sorted(HOSTILE))
async def test_every_hostile_pace_ends_at_the_deadline_async(hostile: str) -> None:
    with HostileServer(HOSTILE[hostile]()) as server:
        error, seconds = await _timed_async(_async(server.base_url, timeout=1))
    record("deadline", f"{hostile}, timeout=1, async: {type(error).__name__} after {seconds:.2f} s")
    assert seconds < GENEROUS
    assert "1 s deadline passed" in str(error)
    assert_no_token(TOKEN, str(error), "a deadline error")
    rendered = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert_no_token(TOKEN, rendered, "a deadline error's traceback with its locals")


def test_the_policy_deadline_is_strict_too() -> None:
    """A shorter ``retry_policy.deadline`` bounds an attempt in flight, not only new retries."""
    with HostileServer(drip(200, BODY, interval=0.2)) as server:
        _, seconds = _timed_sync(_sync(server.base_url, timeout=60, retry_policy=RetryPolicy(deadline=1.0)))
    assert seconds < GENEROUS


def test_a_callers_http_client_is_bounded_between_chunks() -> None:
    with HostileServer(drip(200, BODY, interval=0.2)) as server, httpx.Client() as http_client:
        _, seconds = _timed_sync(_sync(server.base_url, timeout=1, http_client=http_client))
    assert seconds < GENEROUS


@pytest.mark.anyio
async def test_a_callers_async_http_client_is_cancelled_at_the_deadline() -> None:
    with HostileServer(drip_headers(interval=0.2)) as server:
        async with httpx.AsyncClient() as http_client:
            _, seconds = await _timed_async(_async(server.base_url, timeout=1, http_client=http_client))
    assert seconds < GENEROUS


def test_retries_and_their_waits_stay_inside_the_timeout() -> None:
    """A server that always answers 503: real backoff waits (0.5-1 s, 1-1.5 s...) stop at the 1.5 s budget."""
    started = time.monotonic()
    with (
        HostileServer(answer(503, b'{"message": "busy"}')) as server,
        _sync(server.base_url, timeout=1.5) as client,
        pytest.raises(ServerError) as info,
    ):
        client.get_status_statistic("x")
    assert time.monotonic() - started < GENEROUS
    assert info.value.retries_taken < 3  # the default policy would take 3 retries (~4 s of waits)


def test_a_read_timeout_shorter_than_the_call_is_retried() -> None:
    """Per-phase limits still apply inside the budget: a 0.3 s read timeout in a 20 s call is retried."""
    with (
        HostileServer(drip(200, BODY, interval=1.0)) as server,
        _sync(
            server.base_url,
            timeout=httpx.Timeout(20.0, read=0.3),
            retry_policy=RetryPolicy(max_retries=2, wait_initial=0.01, wait_jitter=0),
        ) as client,
        pytest.raises(APITimeoutError) as info,
    ):
        client.get_status_statistic("x")
    assert info.value.retries_taken == 2


@pytest.mark.anyio
async def test_async_retries_stop_at_the_deadline() -> None:
    started = time.monotonic()
    with HostileServer(answer(503, b'{"message": "busy"}')) as server:
        async with _async(server.base_url, timeout=1.5) as client:
            with pytest.raises(ServerError):
                await client.get_status_statistic("x")
    assert time.monotonic() - started < GENEROUS


def test_a_retry_never_queues_in_the_rate_limiter_past_the_deadline() -> None:
    """Another client's long request holds the shared bucket when this call's retry comes: the retry's turn
    is after the deadline, so the call ends at its deadline instead of queueing behind it (once: 10 s for a
    2 s timeout).

    The deadline (3 s) is far above what the first attempt's choreography costs even on a busy machine (it
    was 1 s, and at load 3 the choreography alone outlasted it: the call ended on the 500); the other
    client holds its slot for up to 60 s, so queueing behind it is told apart from the deadline by a wide
    margin, not by a tight timing."""
    DEADLINE, HOLD = 3.0, 60.0
    # Two turns per 4.2 s window (0.5/s, burst 2), so the other client takes the second one while our first
    # attempt is still in flight; then its hold and our first attempt's end fill the window: the retry's turn
    # is 4.2 s after that end, past the deadline, deterministically, whatever the load. (Without the other
    # client's hold the retry would go at once: `attempts` tells the two apart.)
    limiter = RateLimiter(0.5, burst=2)
    holder_queued = threading.Event()
    release = threading.Event()
    attempts: list[float] = []

    def other_client() -> None:
        holder_queued.set()
        with limiter.slot():  # taken while our first answer is on its way; held until released
            release.wait(HOLD)

    holder = threading.Thread(target=other_client, daemon=True)

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(time.monotonic())
        if not holder.is_alive():
            holder.start()
            holder_queued.wait(HOLD)
            deadline = time.monotonic() + HOLD
            while len(limiter._holds) < 2 and time.monotonic() < deadline:  # it holds a slot beside ours
                time.sleep(0.01)
        return httpx.Response(500, json={"message": "retry me"})

    client = GreenStat(
        id_instance=ID_INSTANCE,
        api_token=TOKEN,
        api_url="https://api.example.test",
        timeout=DEADLINE,
        rate_limit=limiter,
        retry_policy=fast_policy(),  # backoff on a fake clock: only the limiter can wait for real
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    try:
        started = time.monotonic()
        with client, pytest.raises(APITimeoutError, match="deadline passed"):
            client.get_status_statistic("x")
        seconds = time.monotonic() - started
    finally:
        release.set()
        holder.join(10)
    assert seconds < HOLD / 2, f"the retry queued {seconds:.2f} s behind another request"
    assert len(attempts) == 1  # the retry was refused its turn at once, for the deadline's sake
