"""``max_response_size``: every answer's body is metered while it streams, on the wire and inflated.

Hostile answers come from ``tests/_hostile.py`` (a raw-socket server on loopback). The acceptance figure (a
1 MB gzip body inflating to 1 GB: a typed error with peak RSS under 500 MB) is measured in a subprocess
(``VmHWM``), so the test process's own memory does not count; the other tests use a small limit.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback
import zlib
from typing import Any

import httpcore
import httpx
import pytest

from greenstat_ext import (
    APIConnectionError,
    AsyncGreenStat,
    ConfigurationError,
    GreenStat,
    ResponseTooLargeError,
)
from greenstat_ext._bounds import (
    DEFAULT_MAX_RESPONSE_SIZE,
    MAX_ENCODING_LAYERS,
    _AsyncDeadlineBackend,
    _DeadlineBackend,
    async_http_transport,
    http_transport,
    tls_context,
)
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests._figures import record
from tests._hostile import Handler, HostileServer, answer, endless_chunked, gzip_bomb, head, read_request

from ._helpers import ID_INSTANCE, TOKEN, assert_no_token, fast_policy

MiB = 1 << 20


def _client(base_url: str, **options: Any) -> GreenStat:
    settings: dict[str, Any] = {"rate_limit": 0, "retry_policy": fast_policy(), **options}
    return GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, api_url=base_url, **settings)


def _counting(status: int, body: bytes, headers: dict[str, str], seen: list[int]) -> Handler:
    """``answer``, counting the requests it was sent (a retry on the same connection counts too)."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set() and read_request(conn):
            seen.append(1)
            all_headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **headers}
            conn.sendall(head(status, all_headers) + body)

    return handler


_PEAK_RSS_SCRIPT = """
import json, sys, time
from greenstat_ext import GreenStat, GreenStatError
def peak_mb():
    # VmHWM, not ru_maxrss: after a vfork+exec, ru_maxrss also counts the parent's (pytest's) RSS.
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
before = peak_mb()
started = time.monotonic()
try:
    token = "d75b3a66374942c5b3c019c698abc2067e15"
    with GreenStat(id_instance=1101000001, api_token=token, api_url=sys.argv[1], rate_limit=0) as client:
        client.get_status_statistic("x")
    outcome = "no error"
except GreenStatError as exc:
    outcome = type(exc).__name__
seconds = time.monotonic() - started
print(json.dumps({"outcome": outcome, "peak_mb": peak_mb(), "before_mb": before, "seconds": seconds}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_1mb_gzip_body_inflating_to_1gb_is_refused_with_peak_rss_under_500mb() -> None:
    bomb = gzip_bomb(1 << 30)
    assert len(bomb) < 1_100_000  # about 1 MB on the wire
    with HostileServer(answer(200, bomb, {"Content-Encoding": "gzip"})) as server:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _PEAK_RSS_SCRIPT, server.base_url],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    result = json.loads(done.stdout)
    record(
        "bounds",
        f"1 MB gzip -> 1 GB body: {result['outcome']} after {result['seconds']:.2f} s, "
        f"peak RSS {result['peak_mb']:.0f} MB ({result['before_mb']:.0f} MB after the imports; "
        "client subprocess, VmHWM)",
    )
    assert result["outcome"] == "ResponseTooLargeError"
    assert result["peak_mb"] < 500


@pytest.mark.parametrize("status", [200, 401, 466, 500])
def test_a_bomb_is_refused_on_every_status_and_never_retried(status: int) -> None:
    seen: list[int] = []
    handler = _counting(status, gzip_bomb(64 * MiB), {"Content-Encoding": "gzip", "X-Echo": TOKEN}, seen)
    with (
        HostileServer(handler) as server,
        _client(server.base_url, max_response_size=MiB) as client,
        pytest.raises(ResponseTooLargeError) as info,
    ):
        client.get_status_statistic("x")
    assert len(seen) == 1  # a retryable 500 too: the body is not read again
    error = info.value
    assert error.status_code == status
    assert error.max_response_size == MiB
    assert error.retries_taken == 0
    assert "inflated" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None
    for where in (str(error), repr(error), error.request.url, error.__dict__):
        assert_no_token(TOKEN, where, "ResponseTooLargeError")
    rendered = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert_no_token(TOKEN, rendered, "ResponseTooLargeError's traceback with its locals")


def test_a_retried_500_with_a_huge_body_is_read_once_up_to_the_cap() -> None:
    seen: list[int] = []
    body = b" " * (8 * MiB)
    with (
        HostileServer(_counting(500, body, {}, seen)) as server,
        _client(server.base_url, max_response_size=MiB) as client,
        pytest.raises(ResponseTooLargeError, match="on the wire"),
    ):
        client.get_status_statistic("x")
    assert len(seen) == 1


def test_a_body_retried_after_a_503_is_metered_on_every_attempt() -> None:
    """The first attempt is small (a 503), the retry is a bomb: the retry is metered too."""
    answers = [(503, b'{"message": "busy"}', {}), (200, gzip_bomb(16 * MiB), {"Content-Encoding": "gzip"})]

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set() and read_request(conn) and answers:
            status, body, headers = answers.pop(0)
            all_headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **headers}
            conn.sendall(head(status, all_headers) + body)

    with (
        HostileServer(handler) as server,
        _client(server.base_url, max_response_size=MiB) as client,
        pytest.raises(ResponseTooLargeError) as info,
    ):
        client.get_status_statistic("x")
    assert info.value.retries_taken == 1
    assert info.value.status_code == 200


def test_an_endless_chunked_200_stops_at_the_default_cap() -> None:
    started = time.monotonic()
    with (
        HostileServer(endless_chunked()) as server,
        _client(server.base_url) as client,
        pytest.raises(ResponseTooLargeError, match="on the wire") as info,
    ):
        client.get_status_statistic("x")
    assert info.value.max_response_size == DEFAULT_MAX_RESPONSE_SIZE
    record("bounds", f"endless chunked 200: ResponseTooLargeError after {time.monotonic() - started:.2f} s")


@pytest.mark.anyio
async def test_async_meters_the_same_way() -> None:
    with HostileServer(answer(500, gzip_bomb(64 * MiB), {"Content-Encoding": "gzip"})) as server:
        async with AsyncGreenStat(
            id_instance=ID_INSTANCE,
            api_token=TOKEN,
            api_url=server.base_url,
            rate_limit=0,
            retry_policy=fast_policy(),
            max_response_size=MiB,
        ) as client:
            with pytest.raises(ResponseTooLargeError, match="inflated"):
                await client.get_status_statistic("x")


def test_a_callers_http_client_is_metered_too() -> None:
    with (
        HostileServer(answer(200, gzip_bomb(64 * MiB), {"Content-Encoding": "gzip"})) as server,
        httpx.Client() as http_client,
        _client(server.base_url, max_response_size=MiB, http_client=http_client) as client,
        pytest.raises(ResponseTooLargeError),
    ):
        client.get_status_statistic("x")


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda data: zlib.compress(data, 9), id="deflate-zlib"),
        pytest.param(lambda data: zlib.compressobj(9, zlib.DEFLATED, -15).compress(data), id="deflate-raw"),
    ],
)
def test_deflate_bombs_are_metered(encode: Any) -> None:
    # raw deflate without the final flush is a truncated stream: still metered up to the cap
    body = encode(b" " * (16 * MiB))
    with (
        HostileServer(answer(200, body, {"Content-Encoding": "deflate"})) as server,
        _client(server.base_url, max_response_size=MiB) as client,
        pytest.raises(ResponseTooLargeError, match="inflated"),
    ):
        client.get_status_statistic("x")


def test_a_body_at_the_limit_passes_and_one_byte_more_does_not() -> None:
    body = b"[" + b" " * 998 + b"]"
    with HostileServer(answer(200, body)) as server:
        with _client(server.base_url, max_response_size=1000) as client:
            assert client.get_status_statistic("x") == []
        with _client(server.base_url, max_response_size=999) as client, pytest.raises(ResponseTooLargeError):
            client.get_status_statistic("x")


def test_a_gzip_body_within_the_limit_is_decoded_as_usual() -> None:
    item = {"participant": "79001234567@c.us", "timestamp": 1700000000, "status": "read"}
    body = json.dumps([item] * 1000).encode()
    compressed = zlib.compress(body, 9, wbits=31)
    with (
        HostileServer(answer(200, compressed, {"Content-Encoding": "gzip"})) as server,
        _client(server.base_url, max_response_size=len(body)) as client,
    ):
        raw = client.with_raw_response.get_status_statistic("x")
    assert len(raw.parse()) == 1000
    assert raw.content == body


@pytest.mark.parametrize(("layers", "accepted"), [(2, True), (MAX_ENCODING_LAYERS, True), (1000, False)])
def test_stacked_content_encodings_are_bounded(layers: int, accepted: bool) -> None:
    """A thousand gzip layers (23 KB) once recursed past Python's limit: an untyped RecursionError."""
    body = b"[]"
    for _ in range(layers):
        body = zlib.compress(body, 1, wbits=31)
    encoding = ", ".join(["gzip"] * layers)
    with (
        HostileServer(answer(200, body, {"Content-Encoding": encoding})) as server,
        _client(server.base_url) as client,
    ):
        if accepted:
            assert client.get_status_statistic("x") == []
        else:
            with pytest.raises(APIConnectionError, match=f"stacks {layers} Content-Encoding layers"):
                client.get_status_statistic("x")


def test_the_mocks_100k_status_fits_the_default_limit() -> None:
    with (
        MockServer(MockSettings(rate_limit=0)) as server,
        GreenStat(
            id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url, rate_limit=0
        ) as client,
    ):
        raw = client.with_raw_response.get_status_statistic("3EB0C767D097B7C7C030")
    assert len(raw.parse()) == 100_000
    assert len(raw.content) < DEFAULT_MAX_RESPONSE_SIZE / 4


@pytest.mark.parametrize("value", [None, True, False, 1.5, 0, -1, "1024", float("inf")])
def test_a_bad_max_response_size_is_refused(value: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, max_response_size=value)  # type: ignore[arg-type]
    assert info.value.field == "max_response_size"
    with pytest.raises(ConfigurationError):
        AsyncGreenStat(id_instance=ID_INSTANCE, api_token=TOKEN, max_response_size=value)  # type: ignore[arg-type]
    with GreenStat(id_instance=ID_INSTANCE, api_token=TOKEN) as client, pytest.raises(ConfigurationError):
        client.with_options(max_response_size=value)  # type: ignore[arg-type]


def test_with_options_changes_the_limit_for_its_calls_only() -> None:
    body = b"[" + b" " * 2000 + b"]"
    with HostileServer(answer(200, body)) as server, _client(server.base_url) as client:
        assert client.max_response_size == DEFAULT_MAX_RESPONSE_SIZE
        small = client.with_options(max_response_size=1000)
        assert small.max_response_size == 1000
        with pytest.raises(ResponseTooLargeError):
            small.get_status_statistic("x")
        assert client.get_status_statistic("x") == []


def test_the_deadline_pool_is_httpxs_own_pool_with_our_backend() -> None:
    """``http_transport`` swaps httpx's private ``_pool`` (httpx takes no network backend): this fails when a
    future httpx changes its default pool settings, or stops sending through ``_pool``."""
    ours, stock = http_transport(), httpx.HTTPTransport()
    settings = ("_max_connections", "_max_keepalive_connections", "_keepalive_expiry", "_http1", "_http2")
    assert {name: getattr(ours._pool, name) for name in (*settings, "_retries")} == {
        name: getattr(stock._pool, name) for name in (*settings, "_retries")
    }
    assert isinstance(ours._pool._network_backend, _DeadlineBackend)
    with HostileServer(answer(200, b"[]")) as server, httpx.Client(transport=ours) as client:
        assert client.get(server.base_url).status_code == 200
        connections = ours._pool.connections
    assert connections, "the request did not go through the swapped pool"


@pytest.mark.anyio
async def test_the_async_deadline_pool_is_httpxs_own_pool_with_our_backend() -> None:
    """The async twin: same settings as httpx's own pool, our clamping backend, requests go through it."""
    ours, stock = async_http_transport(), httpx.AsyncHTTPTransport()
    settings = ("_max_connections", "_max_keepalive_connections", "_keepalive_expiry", "_http1", "_http2")
    assert {name: getattr(ours._pool, name) for name in (*settings, "_retries")} == {
        name: getattr(stock._pool, name) for name in (*settings, "_retries")
    }
    assert isinstance(ours._pool._network_backend, _AsyncDeadlineBackend)
    with HostileServer(answer(200, b"[]")) as server:
        async with httpx.AsyncClient(transport=ours) as client:
            assert (await client.get(server.base_url)).status_code == 200
            connections = ours._pool.connections
    assert connections, "the request did not go through the swapped pool"


@pytest.mark.parametrize("make", [http_transport, async_http_transport])
def test_the_tls_context_is_built_at_the_first_https_connection_and_shared(make: Any) -> None:
    """An ``http://`` client never loads the CA bundle (~16-30 ms); an ``https`` connection gets httpx's
    verifying default context, the same object for every pool of the process."""
    first, second = make(), make()
    assert first._pool._ssl_context is None
    origin = httpcore.Origin(b"https", b"api.green-api.com", 443)
    first._pool.create_connection(origin)  # builds the connection object only: nothing is sent
    second._pool.create_connection(origin)
    context = first._pool._ssl_context
    assert context is tls_context() is second._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded


def test_an_http_request_leaves_the_pool_without_a_tls_context() -> None:
    ours = http_transport()
    with HostileServer(answer(200, b"[]")) as server, httpx.Client(transport=ours) as client:
        assert client.get(server.base_url).status_code == 200
    assert ours._pool._ssl_context is None
