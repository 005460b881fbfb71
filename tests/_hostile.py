"""A raw-socket server on loopback that answers with whatever bytes a test scripts: hostile servers.

Why raw sockets and not Starlette: the answers these tests need (a gzip bomb, a body dripped one byte a
second, headers that never end, an endless ``100 Continue``, a non-ASCII header) are exactly the ones a
well-behaved ASGI stack refuses to produce. Every handler runs in its own daemon thread, gets the stop event
and stops writing as soon as the test leaves the ``with`` block or the client hangs up, so no test can leave
a server dripping behind it.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import zlib
from collections.abc import Callable
from types import TracebackType
from typing import Self

#: A connection handler: the accepted socket (the request is not read yet) and the server's stop event.
Handler = Callable[[socket.socket, threading.Event], None]


class HostileServer:
    """Accept connections on 127.0.0.1 and hand each to ``handler`` in a thread; count them."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True, name="hostile-accept")
        self.connections = 0
        self.port: int = self._listener.getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True, name="hostile-conn")
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        # OSError: the client hung up, which is what most of these tests want.
        with conn, contextlib.suppress(OSError):
            self._handler(conn, self._stop)

    def __enter__(self) -> Self:
        self._accepter.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._listener.close()
        self._accepter.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)


def read_request(conn: socket.socket, *, limit: int = 65_536) -> bytes:
    """Read one request head and its ``Content-Length`` body, if any: at most ``limit`` bytes."""
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            missing = min(int(value), limit) - len(body)
            while missing > 0:
                chunk = conn.recv(min(missing, 4096))
                if not chunk:
                    break
                body += chunk
                missing -= len(chunk)
    return data


def head(status: int, headers: dict[str, str] | list[tuple[str, str]] | None = None) -> bytes:
    """A status line and headers, ending with the blank line. Header values are sent as latin-1."""
    items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    lines = [f"HTTP/1.1 {status} Hostile"] + [f"{name}: {value}" for name, value in items]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int, body: bytes, headers: dict[str, str] | None = None, *, content_type: str = "application/json"
) -> Handler:
    """Answer every request with one complete response (keep-alive)."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set() and read_request(conn):
            all_headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **(headers or {})}
            conn.sendall(head(status, all_headers) + body)

    return handler


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip body that inflates to ``inflated_bytes`` of spaces (about 1/1000 of that on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    block = b" " * (1 << 20)
    parts = []
    for _ in range(inflated_bytes // len(block)):
        parts.append(compressor.compress(block))
    parts.append(compressor.compress(b" " * (inflated_bytes % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body)


def drip(
    status: int, body: bytes, *, interval: float = 1.0, headers: dict[str, str] | None = None
) -> Handler:
    """Send the head at once, then the body one byte every ``interval`` seconds (a slow-loris server)."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        length = {"Content-Length": str(len(body))}
        conn.sendall(head(status, {"Content-Type": "application/json", **length, **(headers or {})}))
        for byte in body:
            if stop.wait(interval):
                return
            conn.sendall(bytes([byte]))

    return handler


def drip_headers(*, interval: float = 1.0) -> Handler:
    """A status line, then one header byte every ``interval`` seconds, never finishing the head."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.wait(interval):
            conn.sendall(b"a")

    return handler


def endless_continue(*, interval: float = 0.5) -> Handler:
    """``100 Continue`` heads forever, never a final answer."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        while not stop.wait(interval):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    return handler


def endless_chunked(status: int = 200, *, chunk: bytes = b"[" + b" " * 65_535) -> Handler:
    """A chunked body that never ends, as fast as the client reads it."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(head(status, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not stop.is_set():
            conn.sendall(frame)

    return handler
