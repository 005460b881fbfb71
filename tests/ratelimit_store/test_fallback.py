"""Redis down or slow: calls go on, paced in-process, with one WARNING per outage; the store is used again
when it answers; nothing waits past its bound, nothing raises a Redis error."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from greenstat_ext import GreenStat
from greenstat_ext import _ratelimit_redis as store_module
from greenstat_ext._ratelimit_redis import KEY_PREFIX, STORE_TIMEOUT, redis_limiter
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import free_port
from tests.ratelimit_store._redis import RedisServer, keys

RATE = 20.0  # fast enough for many calls in a short test; the mock limits at the same rate
ID_MESSAGE = "BAE5F4886F6F2D05"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=RATE)) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "RETRY_AFTER", 0.2)


def _client(mock: MockServer, store: str) -> GreenStat:
    return GreenStat(
        id_instance=DEMO_ID_INSTANCE,
        api_token=DEMO_TOKEN,
        api_url=mock.base_url,
        rate_limit=RATE,
        rate_limit_store=store,
    )


def _store_logs(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "greenstat.ratelimit" and r.levelno == level]


def test_redis_stopped_mid_run_falls_back_with_one_warning_and_recovers(
    redis_server: RedisServer, redis_url: str, mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="greenstat.ratelimit")
    mock.stats.reset()
    with _client(mock, redis_url) as client:
        for _ in range(3):
            client.get_status_statistic(ID_MESSAGE)
        assert keys(redis_url, f"{KEY_PREFIX}*")
        redis_server.stop()
        try:
            down_started = time.monotonic()
            for _ in range(20):  # ~1 s: the store is tried again (and fails) every 0.2 s meanwhile
                client.get_status_statistic(ID_MESSAGE)
            assert time.monotonic() - down_started > 3 * store_module.RETRY_AFTER
            assert len(_store_logs(caplog, logging.WARNING)) == 1  # one per outage, not one per call
            assert _store_logs(caplog, logging.INFO) == []
        finally:
            redis_server.start()  # the same port, empty
        time.sleep(store_module.RETRY_AFTER)
        for _ in range(3):
            client.get_status_statistic(ID_MESSAGE)
    assert keys(redis_url, f"{KEY_PREFIX}*"), "the budget is kept in Redis again"
    assert len(_store_logs(caplog, logging.INFO)) == 1
    assert len(_store_logs(caplog, logging.WARNING)) == 1
    # one process: its own bucket, emptied by every shared turn, keeps the pace across both switches
    assert dict(mock.stats.by_status) == {200: 26}


def test_an_unreachable_store_costs_nothing_and_raises_nothing(
    mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens: connection refused
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    started = time.monotonic()
    with _client(mock, url) as client:
        for _ in range(3):
            client.get_status_statistic(ID_MESSAGE)
    assert time.monotonic() - started < 3.0
    warnings = _store_logs(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert "ConnectionError" in warnings[0]


SLACK = 5.0
"""Seconds a call bounded by the store timeout may take beyond it: room for a busy machine (1 s was a speed
requirement), still far below what the bound guards against (a silent store: forever; a URL's own
``socket_timeout=20``: 20 s). The warnings counted tell whether the store was asked again."""


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers: a Redis that hangs."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as sock:
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def test_a_silent_store_is_bounded_by_the_store_timeout(
    silent_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    limiter = redis_limiter(silent_server, "http://loopback:80", 11, "getStatusStatistic", RATE)
    started = time.monotonic()
    with limiter.slot(max_wait=5.0):
        pass
    assert time.monotonic() - started < STORE_TIMEOUT + SLACK
    with limiter.slot(max_wait=5.0):  # marked down: paced in-process, without asking the store again
        pass
    assert time.monotonic() - started < STORE_TIMEOUT + SLACK
    warnings = _store_logs(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert "Timeout" in warnings[0]


def test_a_urls_own_longer_timeouts_cannot_outlast_the_store_timeout(
    silent_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    # redis-py lets a URL's query override the client's timeouts: a ``?socket_timeout=20`` held a call with a
    # 3 s deadline for 20 s. They are capped at STORE_TIMEOUT (a lower one is kept).
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    url = f"{silent_server}?socket_timeout=20&socket_connect_timeout=20"
    limiter = redis_limiter(url, "http://loopback:80", 13, "getStatusStatistic", RATE)
    started = time.monotonic()
    with limiter.slot(max_wait=5.0):
        pass
    assert time.monotonic() - started < STORE_TIMEOUT + SLACK


@pytest.mark.anyio
async def test_the_async_slot_falls_back_too(silent_server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    limiter = redis_limiter(silent_server, "http://loopback:80", 12, "getStatusStatistic", RATE)
    started = time.monotonic()
    async with limiter.slot_async(max_wait=5.0):
        pass
    assert time.monotonic() - started < STORE_TIMEOUT + SLACK
    assert len(_store_logs(caplog, logging.WARNING)) == 1


@pytest.mark.parametrize(
    ("answer", "warned"),
    [
        ([0, "nan"], True),  # not a number of seconds
        ([0, "-1"], True),
        (["1"], True),  # the wrong shape
        ("OK", True),
        ([0, "1e308"], False),  # a number, clamped to the bucket's longest wait
    ],
)
def test_a_store_answer_out_of_bounds_is_a_store_failure_or_clamped(
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    answer: object,
    warned: bool,
) -> None:
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    url = redis_url.rsplit("/", 1)[0] + "/3"  # a store of its own: marking it down touches no other test
    limiter = redis_limiter(url, "http://loopback:80", 31, "getStatusStatistic", RATE)
    store = limiter._store
    monkeypatch.setattr(store, "_script", lambda **_: answer)
    try:
        result = store.run(limiter.key, "acquire", "h", limiter)
        if warned:
            assert result is None
            assert len(_store_logs(caplog, logging.WARNING)) == 1
        else:
            assert result == (False, limiter.burst * limiter.interval + limiter.poll)
    finally:
        time.sleep(store_module.RETRY_AFTER)  # the next case finds the store up again
        monkeypatch.undo()
        store.run(limiter.key, "release", "h", limiter)
