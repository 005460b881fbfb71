"""A connection refused by a loopback address fails at once: nothing listens there (the mock is not started),
and no wait makes a local server appear. Any other refused host is still retried (a gateway restarting).

The refusal is real (a loopback socket bound but not listening); the waits land on a fake clock, so "at
once" is measured as retries and waits, never as wall time.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from greenstat_ext import APIConnectionError, AsyncGreenStat, GreenStat
from greenstat_ext._loopback import MOCK_HINT, connection_refused, is_loopback_host
from greenstat_ext._retry import should_retry_exception
from greenstat_ext.cli import app

from ._helpers import ID_INSTANCE, ID_MESSAGE, TOKEN, FakeClock, fast_policy


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """A loopback port that refuses connections: bound (so nobody else takes it) but not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_sync_refused_loopback_is_not_retried(refusing_url: str) -> None:
    clock = FakeClock()
    policy = fast_policy(clock, max_retries=3)
    client = GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=refusing_url, retry_policy=policy)
    with client, pytest.raises(APIConnectionError) as info:
        client.get_status_statistic(ID_MESSAGE)
    assert info.value.retries_taken == 0
    assert clock.now == 0  # not one backoff waited
    assert "Connection refused" in info.value.message


def test_async_refused_loopback_is_not_retried(refusing_url: str) -> None:
    import asyncio

    clock = FakeClock()
    policy = fast_policy(clock, max_retries=3)

    async def main() -> None:
        async with AsyncGreenStat(
            id_instance=ID_INSTANCE, api_token=TOKEN, api_url=refusing_url, retry_policy=policy
        ) as client:
            await client.get_status_statistic(ID_MESSAGE)

    with pytest.raises(APIConnectionError) as info:
        asyncio.run(main())
    assert info.value.retries_taken == 0
    assert clock.now == 0


def _refused() -> httpx.ConnectError:
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as cause:
        try:
            raise httpx.ConnectError("[Errno 111] Connection refused") from cause
        except httpx.ConnectError as exc:
            return exc


@pytest.mark.parametrize(
    ("url", "retried"),
    [
        ("http://127.0.0.1:8080/x", False),
        ("http://127.8.9.10:8080/x", False),
        ("http://localhost:8080/x", False),
        ("http://[::1]:8080/x", False),
        ("https://api.green-api.com/x", True),  # a remote gateway may be restarting: worth the retries
        ("http://10.0.0.1/x", True),
    ],
)
def test_only_a_loopback_refusal_is_final(url: str, retried: bool) -> None:
    request = httpx.Request("GET", url)
    assert should_retry_exception(_refused(), request=request) is retried
    assert should_retry_exception(httpx.ConnectError("reset"), request=request)  # not a refusal: retried


def test_loopback_hosts_and_refusals() -> None:
    assert all(map(is_loopback_host, ["127.0.0.1", "127.255.0.1", "::1", "[::1]", "localhost", "LOCALHOST"]))
    assert not any(map(is_loopback_host, ["10.0.0.1", "example.com", "localhost.example", "::2", ""]))
    assert connection_refused(_refused())
    assert not connection_refused(httpx.ConnectError("[Errno 113] No route to host"))


def test_the_cli_line_asks_whether_the_mock_runs(refusing_url: str) -> None:
    env = {"GREEN_API_URL": refusing_url, "GREEN_API_ID_INSTANCE": str(ID_INSTANCE), "GREEN_API_TOKEN": TOKEN}
    result = CliRunner().invoke(app, ["stats", ID_MESSAGE], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"greenstat stats: error: cannot reach {refusing_url}: ")
    assert result.stderr.endswith(f" - {MOCK_HINT}\n")
    assert result.stderr.count("\n") == 1
    assert "retries" not in result.stderr  # "(after 3 retries)" is gone: it failed at once
    assert TOKEN not in result.output
