"""A minimal HTTP/1.1 keep-alive load generator on raw asyncio streams.

Why not httpx: on two cores an httpx.AsyncClient saturates a core at a few thousand requests/s, so it would
measure itself rather than the server. This sends one fixed GET per connection at a time, reads the status
line, ``Content-Length`` and the body, and counts answers per status. Loopback only, bounded by time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter


async def _connection(host: str, port: int, request: bytes, deadline: float, codes: Counter[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"transfer-encoding":
                    raise RuntimeError("chunked answers are not supported by this load generator")
            await reader.readexactly(length)
            codes[status] += 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _load(host: str, port: int, path: str, seconds: float, connections: int) -> Counter[int]:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()
    codes: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_connection(host, port, request, deadline, codes) for _ in range(connections)))
    return codes


def requests_per_second(
    host: str, port: int, path: str, *, seconds: float, connections: int
) -> tuple[float, Counter[int]]:
    """Requests/s over ``seconds`` with ``connections`` concurrent keep-alive connections."""
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError("the load generator only targets loopback")
    started = time.perf_counter()
    codes = asyncio.run(_load(host, port, path, seconds, connections))
    return sum(codes.values()) / (time.perf_counter() - started), codes
