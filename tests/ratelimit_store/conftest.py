from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.ratelimit_store._redis import RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server per test process (each xdist worker starts its own), stopped at the end."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The server's URL, emptied before each test (every test starts from fresh buckets)."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
