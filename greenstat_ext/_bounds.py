"""The two bounds of a call that a server cannot stretch: how many bytes it reads, and until when it waits.

Why they are needed: httpx reads a whole body into memory and inflates it whole (a 1 MB gzip body can be
1 GB inflated), and its timeouts are per socket operation (a server that sends one byte a second never trips
a 5 s read timeout). A hostile or broken server could otherwise hold a call, and its memory, forever.

* :class:`BodyMeter` counts a body's bytes as they arrive, on the wire (compressed) and inflated, and stops
  at the limit. It inflates gzip/deflate itself in bounded pieces (``max_length``), only to count: one
  64 KiB read can inflate to 64 MB, so counting after httpx's decoder would come too late. The bytes kept
  are the wire bytes (at most the limit), and httpx decodes them once more as usual, so the headers and
  the decoding rules stay httpx's own.
* The deadline: a monotonic time in a ``ContextVar`` that the network streams of :func:`http_transport`
  read before every socket operation, clamping its timeout to what is left. A ``recv`` blocked in the
  calling thread cannot be interrupted from that thread; a recv that is never allowed to wait past the
  deadline needs no interrupting. (The async transport uses cancellation instead; see ``_transport``.)
"""

from __future__ import annotations

import contextvars
import functools
import ssl
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

#: 64 MiB: ~800 times the largest real answer (Green API's 1,024-recipient audience limit is ~80 KB of
#: JSON), and ~8 times the reference mock's 100,000-recipient demo status.
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024
#: The encodings the client asks for (``Accept-Encoding``), and the only ones it can meter while inflating.
ACCEPT_ENCODING = "gzip, deflate"
#: Encodings httpx would decode with a library that cannot stop at a length; never asked for, so refused.
_UNMETERED_ENCODINGS = frozenset({"br", "zstd"})
_PIECE = 1 << 16

#: When the current attempt must be over (``time.monotonic()``), or None for no deadline.
io_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "greenstat_io_deadline", default=None
)


class BodyTooLarge(Exception):
    """The body passed the limit; ``what`` says which count did (``"on the wire"`` or ``"inflated"``).

    An internal signal: the transport turns it into ``ResponseTooLargeError``.
    """

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.status_code = 0  # set by the transport, which knows the answer's status
        super().__init__(f"{what} past {limit} bytes")


class _Inflater:
    """One gzip or deflate layer, inflated in pieces of at most 64 KiB (same rules as httpx's decoders)."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._first = True
        #: Bytes this layer has inflated so far (each layer is held to the limit: ``BodyMeter._inflate``).
        self.out = 0
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:  # after the end, httpx ignores trailing bytes too
            try:
                out = self._zlib.decompress(data, _PIECE)
            except zlib.error as exc:
                if self._deflate and self._first:  # a raw deflate stream without the zlib header
                    self._first = False
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise httpx.DecodingError(f"the response body is not valid {self._encoding}: {exc}") from None
            self._first = False
            data = self._zlib.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        return self._zlib.flush(_PIECE) if not self._zlib.eof else b""

    @property
    def _encoding(self) -> str:
        return "deflate" if self._deflate else "gzip"


#: Content-Encoding layers a body may stack (urllib3's ``max_decode_links``): a thousand gzip layers in a
#: 23 KB body once recursed past Python's limit in :meth:`BodyMeter._inflate`; real servers stack one.
MAX_ENCODING_LAYERS = 5


class BodyMeter:
    """Counts a body's wire bytes and inflated bytes; raises :class:`BodyTooLarge` past ``limit``."""

    _layers: list[_Inflater]

    def __init__(self, headers: httpx.Headers, limit: int) -> None:
        self.limit = limit
        self.wire = 0
        self.inflated = 0
        if "content-encoding" not in headers:  # most answers: nothing to parse, nothing to inflate
            self._layers = []
            return
        encodings = [
            value.strip().lower() for value in headers.get_list("content-encoding", split_commas=True)
        ]
        unmetered = sorted(_UNMETERED_ENCODINGS.intersection(encodings))
        if unmetered:
            raise httpx.DecodingError(
                f"the response uses Content-Encoding {', '.join(unmetered)}, which was not asked for"
            )
        if len(encodings) > MAX_ENCODING_LAYERS:
            raise httpx.DecodingError(
                f"the response stacks {len(encodings)} Content-Encoding layers "
                f"(at most {MAX_ENCODING_LAYERS})"
            )
        # Applied in the listed order, so undone in reverse (as httpx does); others (identity) are ignored.
        self._layers = [_Inflater(e) for e in reversed(encodings) if e in ("gzip", "deflate")]

    def feed(self, chunk: bytes) -> None:
        self.wire += len(chunk)
        if self.wire > self.limit:
            raise BodyTooLarge("on the wire", self.limit)
        self._inflate(chunk, 0)

    def finish(self) -> None:
        for index, layer in enumerate(self._layers):
            rest = layer.flush()
            layer.out += len(rest)
            if layer.out > self.limit:
                raise BodyTooLarge("inflated", self.limit)
            self._inflate(rest, index + 1)

    def _inflate(self, data: bytes, layer: int) -> None:
        if layer == len(self._layers):
            self.inflated += len(data)
            if self.inflated > self.limit:
                raise BodyTooLarge("inflated", self.limit)
            return
        inflater = self._layers[layer]
        for piece in inflater.pieces(data):
            # Every decoded layer, not only the last: httpx inflates each one whole, and a layer's decoder
            # ignores what follows its end (``gzip, gzip`` with 512 MB of padding after a 2-byte inner body
            # was 513 MB of memory and seconds past the deadline).
            inflater.out += len(piece)
            if inflater.out > self.limit:
                raise BodyTooLarge("inflated", self.limit)
            self._inflate(piece, layer + 1)


def remaining(error: type[Exception] = httpcore.ReadTimeout) -> float | None:
    """Seconds left before the deadline (None: no deadline); raise ``error`` when none are left."""
    deadline = io_deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return left


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    left = remaining(error)
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, handing out :class:`_DeadlineStream` connections."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - the client never uses a unix socket
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore sleeps only between its retries
        self._inner.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CAs, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), built once.

    Why once, and only when needed: building it loads the CA bundle (~16-30 ms), which a ``greenstat stats``
    against an ``http://`` mock paid twice (httpx's transport built one, then the swapped pool another)
    though it never opened a TLS connection. Now the pools ask for it at their first ``https`` connection,
    and every client of the process shares it (an ``SSLContext`` is safe to share between threads); the
    environment variables are read at that first connection.
    """
    return httpx.create_ssl_context()


def _placeholder_tls_context() -> ssl.SSLContext:
    """A bare context (~0.3 ms, no CA bundle) for httpx's transport to keep, so that it builds none itself.

    Never used for a connection: the transport's pool, which alone holds it, is replaced at once.
    """
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _pool_settings() -> dict[str, Any]:
    """httpx's default pool settings (default ``Limits``) for the pools swapped in below; no TLS context
    (:func:`tls_context` is given at the first ``https`` connection)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    return {
        "ssl_context": None,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }


class _DeadlinePool(httpcore.ConnectionPool):
    """httpx's pool with :class:`_DeadlineBackend`; gets :func:`tls_context` at its first https connection.

    (httpcore would otherwise build its own default context for every ``https`` connection of a pool
    without one.)
    """

    def create_connection(self, origin: httpcore.Origin) -> httpcore.ConnectionInterface:
        if self._ssl_context is None and origin.scheme == b"https":
            self._ssl_context = tls_context()
        return super().create_connection(origin)


def http_transport() -> httpx.HTTPTransport:
    """httpx's own transport, with a connection pool whose sockets honour :data:`io_deadline`.

    ``HTTPTransport`` takes no network backend, so its pool is replaced by an identical one (httpx's default
    limits; httpx's default TLS context, given at the first ``https`` connection: :func:`tls_context`) built
    with :class:`_DeadlineBackend`. ``tests/client/test_deadline.py`` fails
    if a future httpx stops sending through ``_pool``.
    """
    transport = httpx.HTTPTransport(verify=_placeholder_tls_context())
    transport._pool = _DeadlinePool(**_pool_settings(), network_backend=_DeadlineBackend())
    return transport


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    """The async :class:`_DeadlineStream`: every read and write waits at most until the deadline."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend (asyncio or trio), handing out :class:`_AsyncDeadlineStream` connections.

    The ``timeout`` parameters are httpcore's interface (ASYNC109 does not apply: httpcore asks for them).
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the client never uses a unix socket
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore sleeps only between retries
        await self._inner.sleep(seconds)


class _AsyncDeadlinePool(httpcore.AsyncConnectionPool):
    """The async :class:`_DeadlinePool`: :func:`tls_context` at the first ``https`` connection."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.AsyncConnectionInterface:
        if self._ssl_context is None and origin.scheme == b"https":
            self._ssl_context = tls_context()
        return super().create_connection(origin)


def async_http_transport() -> httpx.AsyncHTTPTransport:
    """The async :func:`http_transport`: httpx's own, with a pool whose sockets honour :data:`io_deadline`.

    Why not only cancel the attempt at the deadline (as for a caller's own ``http_client``): a cancellation
    scope per attempt costs ~6 µs, a hundredth of a 12-recipient call, for what clamping each socket
    operation gives as well (``tests/client/test_bounds.py`` checks the pool matches httpx's own).
    """
    transport = httpx.AsyncHTTPTransport(verify=_placeholder_tls_context())
    transport._pool = _AsyncDeadlinePool(**_pool_settings(), network_backend=_AsyncDeadlineBackend())
    return transport
