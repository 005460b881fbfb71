"""Hostile clients against the mock over real sockets: idle, slowloris, half-sent bodies, clients that never
read. Each must be closed by the server within a bounded time, with bounded memory and no traceback.

The timeouts are set to about a second so that the tests are quick; every wait is bounded generously
(15 s) so that a loaded machine cannot make them flake, and each measured time is printed in the summary.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import time
from collections.abc import Callable, Iterator

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, ConnectionTimeouts, MockServer, MockSettings
from tests._figures import record

BIG = "3EB0C767D097B7C7C030"  # the 100,000-recipient demo status, ~7.6 MB
PATH = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"
FAST = ConnectionTimeouts(request=1.0, write=1.0, keep_alive=1)
SECTION = "mock connection timeouts (request=1 s, write=1 s, keep-alive=1 s)"
BOUND = 15.0


def _request(id_message: str = "BAE5F4886F6F2D05", *, extra: str = "") -> bytes:
    return f"GET {PATH}?idMessage={id_message} HTTP/1.1\r\nHost: mock\r\n{extra}\r\n".encode()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0), timeouts=FAST) as running:
        yield running


def _connect(server: MockServer) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
    conn.settimeout(0.2)
    return conn


def _answer(conn: socket.socket) -> bytes:
    """One whole answer (head and ``Content-Length`` body), however it is split and however long it takes
    (up to ``BOUND``): the connection's 0.2 s read timeout only paces the loop."""
    data, start = b"", time.monotonic()
    while time.monotonic() - start < BOUND:
        head, found, body = data.partition(b"\r\n\r\n")
        if found:
            length = next(
                (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length:")),
                0,
            )  # fmt: skip
            if len(body) >= length:
                return data
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            pytest.fail(f"the server closed the connection mid-answer: {data!r}")
        data += chunk
    pytest.fail(f"no whole answer within {BOUND} s: {data!r}")


def _closed_by_server(conn: socket.socket, *, keep_sending: Callable[[], None] | None = None) -> float:
    """Seconds until the server closes ``conn`` (EOF or reset), reading and discarding what it sends."""
    start = time.monotonic()
    while time.monotonic() - start < BOUND:
        try:
            if keep_sending is not None:
                keep_sending()
            if conn.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    pytest.fail(f"the server kept the connection open for {BOUND} s")


def test_an_idle_connection_is_closed(server: MockServer) -> None:
    with _connect(server) as conn:
        elapsed = _closed_by_server(conn)
    record(SECTION, f"idle: {elapsed:.2f} s")
    assert elapsed >= 0.5  # closed by the timer, not at once


def test_a_slowloris_head_is_closed_although_bytes_keep_coming(server: MockServer) -> None:
    head = iter(_request().decode().replace("\r\n\r\n", "\r\n" + "X-Pad: y\r\n" * 10_000))

    def drip() -> None:
        time.sleep(0.05)
        conn.send(next(head).encode())

    with _connect(server) as conn:
        elapsed = _closed_by_server(conn, keep_sending=drip)
    record(SECTION, f"slowloris: {elapsed:.2f} s")


def test_a_half_sent_body_then_dribbled_is_closed(server: MockServer) -> None:
    def drip() -> None:
        time.sleep(0.05)
        conn.send(b"x")

    with _connect(server) as conn:
        conn.sendall(_request(extra="Content-Length: 1000000\r\n") + b"partial body")
        elapsed = _closed_by_server(conn, keep_sending=drip)
    record(
        "mock connection timeouts (request=1 s, write=1 s, keep-alive=1 s)",
        f"half-sent body: {elapsed:.2f} s",
    )


def test_an_idle_keep_alive_connection_is_closed_and_a_busy_one_lives(server: MockServer) -> None:
    with _connect(server) as conn:
        # A client that keeps asking is served for longer than any one timeout (8 x 0.2 s > 1 s). Idle 0.2 s
        # between an answer and the next request: 0.8 s of slack under the keep-alive timeout for a busy
        # machine (it slept 0.4 s before reading each answer, idling up to 0.6 s short of the timeout).
        for _ in range(8):
            conn.sendall(_request())
            assert _answer(conn).startswith(b"HTTP/1.1 200")
            time.sleep(0.2)
        elapsed = _closed_by_server(conn)
    record(
        "mock connection timeouts (request=1 s, write=1 s, keep-alive=1 s)",
        f"idle keep-alive: {elapsed:.2f} s",
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")
def test_clients_that_never_read_hold_bounded_memory_and_are_aborted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    clients = 60
    timeouts = ConnectionTimeouts(request=10.0, write=3.0, keep_alive=5)
    with MockServer(MockSettings(rate_limit=0), timeouts=timeouts, log_level="info") as server:
        with _connect(server) as warm:  # render the big body once, outside the measurement
            warm.settimeout(BOUND)
            warm.sendall(_request(BIG, extra="Connection: close\r\n"))
            while warm.recv(1 << 20):
                pass
        before = _rss_mb()
        conns = []
        for _ in range(clients):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            conn.sendall(_request(BIG))
            conns.append(conn)
        time.sleep(1.5)
        held = _rss_mb() - before
        start = time.monotonic()
        while server.open_connections and time.monotonic() - start < BOUND:
            time.sleep(0.1)
        aborted_after = time.monotonic() - start + 1.5
        remaining = server.open_connections
        for conn in conns:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
    section = "mock: 60 clients request the 100k status and never read"
    record(section, f"RSS growth of the test process while held: {held:.0f} MB (before the fix: ~490 MB)")
    record(section, f"all aborted by the 3 s write timeout after {aborted_after:.1f} s")
    assert remaining == 0
    assert held < 150  # 60 x 7.6 MB = 456 MB if each answer were buffered whole
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert any("write timeout" in r.getMessage() for r in caplog.records)


def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with MockServer(MockSettings(rate_limit=0), timeouts=FAST, log_level="debug") as server:
        for _ in range(10):
            with _connect(server) as conn:
                conn.sendall(_request(BIG))
                conn.settimeout(BOUND)
                conn.recv(65536)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
        start = time.monotonic()
        while server.open_connections and time.monotonic() - start < BOUND:
            time.sleep(0.1)
        assert server.open_connections == 0
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == []


def test_timeouts_are_validated() -> None:
    assert ConnectionTimeouts() == ConnectionTimeouts(request=10.0, write=10.0, keep_alive=5)
    for bad in ({"request": 0}, {"write": float("inf")}, {"keep_alive": 0}, {"request": float("nan")}):
        with pytest.raises(ValueError, match="timeout must be"):
            ConnectionTimeouts(**bad)
