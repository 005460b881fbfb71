"""What reaches Redis: namespaced keys that always expire, no token; and no secret in a store's errors."""

from __future__ import annotations

import logging
import pickle
import time
from typing import Any

import pytest

from greenstat_ext import AsyncGreenStat, ConfigurationError, GreenStat
from greenstat_ext import _ratelimit_redis as store_module
from greenstat_ext._ratelimit import HOLD_MAX
from greenstat_ext._ratelimit_redis import KEY_PREFIX, redact_store_url, redis_limiter
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._servers import free_port
from tests.ratelimit_store._redis import fields, keys, ttl_ms

RATE = 20.0


def _dump(url: str) -> str:
    """Every key of the server and everything in it (greenstat writes hashes only: anything else fails)."""
    found: list[str] = []
    for key in keys(url):
        found.append(key)
        for field, value in fields(url, key).items():
            found += [field, value]
    return "\n".join(found)


@pytest.mark.anyio
async def test_every_key_expires_and_none_holds_the_token(redis_url: str) -> None:
    with MockServer(MockSettings(rate_limit=0)) as mock:
        common: dict[str, Any] = {
            "id_instance": DEMO_ID_INSTANCE,
            "api_token": DEMO_TOKEN,
            "api_url": mock.base_url,
        }
        with GreenStat(**common, rate_limit=RATE, rate_limit_store=redis_url) as client:
            client.get_status_statistic("BAE5F4886F6F2D05")
            client.get_incoming_statuses()
        async with AsyncGreenStat(**common, rate_limit=RATE, rate_limit_store=redis_url) as aclient:
            await aclient.get_outgoing_statuses()
    found = keys(redis_url)
    assert len(found) == 3  # one bucket per method
    for key in found:
        assert key.startswith(KEY_PREFIX)
        assert 0 < ttl_ms(redis_url, key) <= (HOLD_MAX + 1 / RATE * 1.05 + 1.0) * 1000
        assert set(fields(redis_url, key)) == {"tokens", "updated"}  # every turn released
    everything = _dump(redis_url)
    assert DEMO_TOKEN not in everything
    assert str(DEMO_ID_INSTANCE) in everything  # the dump does hold the keys: the check can fail


def test_a_hold_left_by_a_crashed_process_expires(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A turn never given back (the process died mid-request) holds the bucket back for HOLD_MAX only."""
    monkeypatch.setattr(store_module, "HOLD_MAX", 0.3)
    limiter = redis_limiter(redis_url, "http://loopback:80", 21, "getStatusStatistic", RATE)
    # Another process took a turn in Redis and died: its hold stays in the bucket (this process's own
    # bucket, which every slot also takes, is not involved: that process had its own).
    assert limiter._wait(None) is not None  # never released
    assert any(field.startswith("h:") for field in fields(redis_url, limiter.key))
    started = time.monotonic()
    with limiter.slot(max_wait=5.0):
        waited = time.monotonic() - started
    assert 0.3 - 0.05 <= waited < 2.0


def test_store_errors_and_reprs_never_show_a_password(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "s3cretRedisPass"  # a made-up one
    url = f"redis://app:{password}@127.0.0.1:{free_port()}/0"  # nothing listens
    monkeypatch.setenv("GREEN_API_RATE_LIMIT_STORE", url)
    caplog.set_level(logging.DEBUG)
    with (
        MockServer(MockSettings(rate_limit=0)) as mock,
        GreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=mock.base_url) as client,
    ):
        assert client.rate_limit_store == f"redis://app:***@127.0.0.1:{url.rsplit(':', 1)[1]}"
        client.get_status_statistic("BAE5F4886F6F2D05")
        shown = repr(client) + repr(client.rate_limiter) + str(client.rate_limit_store)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "the store failed: a warning was logged"
    assert password not in "\n".join(warnings) + shown
    assert DEMO_TOKEN not in "\n".join(r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigurationError) as bad:
        GreenStat(
            id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, rate_limit_store=f"redis://:{password}@h:x/0"
        )
    assert password not in str(bad.value) + repr(bad.value) + str(pickle.loads(pickle.dumps(bad.value)))  # noqa: S301 - our own bytes
    assert bad.value.field == "rate_limit_store"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("redis://u:p4ss@host:6379/1", "redis://u:***@host:6379/1"),
        ("rediss://:p4ss@host/0", "rediss://:***@host/0"),
        ("redis://u:p4ss@[::1]:6379", "redis://u:***@[::1]:6379"),
        ("redis://u:p4ss@host:port/0", "redis://***"),
        # redis-py reads a password from the query too (its documented form for unix sockets): never shown
        ("redis://127.0.0.1:1/0?password=p4ss", "redis://127.0.0.1:1/0?***"),
        ("unix:///run/redis.sock?password=p4ss&db=1", "unix:///run/redis.sock?***"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
        ("redis://:p4ss@host/0?socket_timeout=abc", "redis://:***@host/0?***"),
    ],
)
def test_redact_store_url(url: str, shown: str) -> None:
    assert redact_store_url(url) == shown
