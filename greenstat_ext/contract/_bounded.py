"""The one door every request of a contract run goes through: a deadline per answer, a size cap, pacing.

Why an adapter: schemathesis sends the generated cases with ``requests`` (``Case.call(session=...)``), the
kit's own probes use the same session and the reachability check a session of its own; all of them reach the
network through ``HTTPAdapter.send``. Bounding there means no caller can forget it, and the kit depends on
nothing but ``requests``/``urllib3`` (not on the greenstat client's transport).

Why a watchdog: ``requests`` timeouts are per socket operation, so a server that sends one byte before each
timeout (a dripped body, a head that never ends, ``100 Continue`` forever) never trips them, and a blocking
read cannot be interrupted from its own thread. Each request therefore gets a deadline; every connection it
uses registers with it, and when the deadline passes a timer shuts the socket down, which wakes the blocked
read whatever ``http.client`` was doing. The per-operation timeouts are also clamped to the time left, and the
body is read here, chunk by chunk, counting both the bytes on the wire and the inflated bytes against the
cap, so a gzip bomb or an endless chunked body stops at the cap and its connection is closed.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

import requests
import requests.adapters
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from greenstat_ext._ratelimit import RateLimiter

__all__ = ["AnswerTooLarge", "BoundedAdapter", "Limits", "NoAnswerInTime", "RunTimeUp"]

_CHUNK: Final = 64 * 1024


class AnswerTooLarge(requests.RequestException):
    """The answer exceeded the maximum response size; the connection was closed.

    Holds numbers and the status line only, never the response or request (their URL carries the token).
    """

    def __init__(
        self,
        limit: int,
        size: int,
        wire: int,
        *,
        announced: bool,
        status_code: int,
        content_type: str | None,
    ) -> None:
        self.limit, self.size, self.wire, self.announced = limit, size, wire, announced
        self.status_code, self.content_type = status_code, content_type  # the server's text: redact it
        if announced:
            detail = f"its Content-Length announces {size:,} bytes"
        elif wire:
            detail = f"stopped after {size:,} bytes, {wire:,} of them read from the wire"
        else:  # urllib3 does not count the wire bytes of a chunked body
            detail = f"stopped after {size:,} bytes"
        super().__init__(f"answer larger than the maximum response size of {limit:,} bytes ({detail})")


class NoAnswerInTime(requests.Timeout):
    """No complete answer (connect, head and body) within the request's time budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"no complete answer within {seconds:g} s (connect, head and body)")


class MalformedAnswer(requests.RequestException):
    """The answer broke HTTP in a way the stack raised something other than a ``requests`` error for.

    Why: any exception escaping a generated case reaches hypothesis, which prints a ``curl`` reproduction
    line holding the full URL (the token); as a ``RequestException`` it becomes an ordinary, redacted finding.
    """


class RunTimeUp(requests.RequestException):
    """The run's overall time budget was spent before this request could be sent."""


@dataclass(slots=True)
class Limits:
    """What one request may cost: ``request_timeout`` s in all, ``max_bytes`` of body; within the run."""

    request_timeout: float
    max_bytes: int
    run_timeout: float = math.inf
    run_deadline: float = math.inf  # a time.monotonic() value, set by start()

    def start(self) -> None:
        """The run begins now: its deadline is ``run_timeout`` from here."""
        self.run_deadline = time.monotonic() + self.run_timeout

    def budget(self) -> float:
        """Seconds the next request may take: its own timeout, or less when the run ends sooner."""
        return min(self.request_timeout, self.run_deadline - time.monotonic())


@dataclass(slots=True)
class _Watch:
    """One request's deadline and the connections it used; :meth:`expire` cuts them off."""

    deadline: float  # a time.monotonic() value
    connections: list[HTTPConnection] = field(default_factory=list)
    expired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, connection: HTTPConnection) -> None:
        with self.lock:
            if connection not in self.connections:
                self.connections.append(connection)
            late = self.expired
        if late:
            _shut(connection)

    @property
    def over(self) -> bool:
        """The deadline has passed (whether or not the timer has fired yet: a read timeout may come first)."""
        return self.expired or time.monotonic() >= self.deadline

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            connections = list(self.connections)
        for connection in connections:
            _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()  # .watch: the _Watch of the request this thread is sending, if any


def _attach_current(connection: HTTPConnection) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(connection)


class _WatchedHTTPConnection(HTTPConnection):
    # connect: a new connection (TLS handshake included); request: a kept-alive one being reused.
    def connect(self) -> None:
        _attach_current(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach_current(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach_current(self)
        super().request(*args, **kwargs)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: Final[dict[str, type[HTTPConnectionPool]]] = {
    "http": _WatchedHTTPConnectionPool,
    "https": _WatchedHTTPSConnectionPool,
}


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """Sends each request within ``limits`` (time and size), after ``limiter`` (if any) allows it.

    ``read_body=False`` (the reachability check): only the head matters; the body is not read and the
    connection is closed.
    """

    def __init__(self, limits: Limits, *, limiter: RateLimiter | None = None, read_body: bool = True) -> None:
        self._limits = limits
        self._limiter = limiter
        self._read_body = read_body
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have their own connection classes
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """Send ``request`` and read its answer within the limits; ``timeout`` is replaced by the budget.

        Paced by the limiter's ``slot``: the next request starts one interval after this one's answer ended,
        so an implementation with a limiter of the same rate never sees two requests too close.
        """
        pacing = self._limiter.slot() if self._limiter is not None else contextlib.nullcontext()
        with pacing:
            return self._send_bounded(request, verify=verify, cert=cert, proxies=proxies)

    def _send_bounded(
        self, request: requests.PreparedRequest, *, verify: Any, cert: Any, proxies: Any
    ) -> requests.Response:
        budget = self._limits.budget()
        if budget <= 0:
            raise RunTimeUp("the run's time budget is spent")
        watch = _Watch(time.monotonic() + budget)
        timer = threading.Timer(budget, watch.expire)
        timer.daemon = True
        _current.watch = watch
        timer.start()
        try:
            try:
                response = super().send(
                    request, stream=True, timeout=(budget, budget), verify=verify, cert=cert, proxies=proxies
                )
            except requests.Timeout:
                raise NoAnswerInTime(budget) from None
            except requests.RequestException:
                if watch.over:
                    raise NoAnswerInTime(budget) from None
                raise
            except Exception as exc:
                if watch.over:
                    raise NoAnswerInTime(budget) from None
                raise MalformedAnswer(f"{type(exc).__name__}: {exc}") from None
            if watch.over:
                # Shutting the socket down ends a dripped head as if the server had finished it (http.client
                # takes EOF for the blank line): what arrived by then is not an answer.
                response.close()
                raise NoAnswerInTime(budget)
            if not self._read_body:
                response.close()
                return response
            try:
                self._read(response, watch, budget)
            except (AnswerTooLarge, NoAnswerInTime):
                response.close()
                raise
            except Exception as exc:
                response.close()
                if watch.over:
                    raise NoAnswerInTime(budget) from None
                if isinstance(exc, requests.RequestException):
                    raise
                raise MalformedAnswer(f"{type(exc).__name__}: {exc}") from None
            return response
        finally:
            timer.cancel()
            _current.watch = None

    def _read(self, response: requests.Response, watch: _Watch, budget: float) -> None:
        limit = self._limits.max_bytes
        declared = response.headers.get("Content-Length", "").strip()
        # ASCII digits only ("²".isdigit() is True), and no int() of thousands of digits (Python refuses it).
        digits = declared.isascii() and declared.isdigit()
        announced = (int(declared) if len(declared) <= 20 else 10**20) if digits else 0
        if announced > limit:
            raise AnswerTooLarge(
                limit,
                announced,
                0,
                announced=True,
                status_code=response.status_code,
                content_type=response.headers.get("Content-Type"),
            )
        chunks: list[bytes] = []
        inflated = 0
        for chunk in response.iter_content(_CHUNK):
            inflated += len(chunk)
            wire = response.raw.tell()
            if inflated > limit or wire > limit:
                raise AnswerTooLarge(
                    limit,
                    inflated,
                    wire,
                    announced=False,
                    status_code=response.status_code,
                    content_type=response.headers.get("Content-Type"),
                )
            if watch.over:
                raise NoAnswerInTime(budget)
            chunks.append(chunk)
        if watch.over:  # the shutdown may end a body without a length as if it were complete
            raise NoAnswerInTime(budget)
        response._content = b"".join(chunks)
