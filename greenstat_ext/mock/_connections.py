"""Per-connection time limits uvicorn does not have: a deadline for each request to arrive, a write timeout.

Why: uvicorn's only timer is the keep-alive one, armed after a response and cancelled by any byte received.
A connection that never sends a request, sends its head a byte at a time (slowloris), or sends half a body
and then dribbles the rest, is therefore kept forever; and a client that never reads keeps its answer (the
100,000-recipient status is 7.6 MB) buffered in the process forever, since asyncio only ever pauses the
writer. Each such connection costs a file descriptor and memory, so a handful of hostile clients could take
the mock down. uvicorn offers no option for either (``timeout_keep_alive`` and
``h11_max_incomplete_event_size`` bound idle time after a response and header *size*, not header time or
writes), so this is a subclass of
its httptools protocol (httptools is part of the ``mock`` extra) that adds two timers:

- *request*: armed when the connection opens and whenever a response is complete; cancelled once a whole
  request (head and body) has arrived. A client has ``request`` seconds to send each request, however it
  dribbles it; a connection that answers requests keeps living, one that never completes one does not.
- *write*: armed when the transport's buffer goes over its high-water mark (asyncio pauses the writer),
  cancelled when it drains. A client that takes nothing for ``write`` seconds is aborted, and the buffer
  freed at once (``abort``, not ``close``, which would wait for the buffer to be read first).

A timeout is an ordinary event for a server, not an error: one INFO line on ``greenstat.mock`` (DEBUG for
an idle connection that simply sent nothing), never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["ABORT_EXTENSION", "ConnectionTimeouts", "GuardedHttpToolsProtocol", "guarded_protocol"]

#: The scope extension under which a request's app finds ``abort()``: close the connection, no answer at all.
ABORT_EXTENSION = "greenstat.abort"

logger = logging.getLogger("greenstat.mock")


@dataclass(frozen=True, kw_only=True)
class ConnectionTimeouts:
    """Seconds a client gets: to send each whole request, to take buffered answer bytes, to stay idle
    between two requests (``keep_alive``: uvicorn's own timer, whole seconds)."""

    request: float = 10.0
    write: float = 10.0
    keep_alive: int = 5

    def __post_init__(self) -> None:
        if isinstance(self.keep_alive, bool) or not isinstance(self.keep_alive, int) or self.keep_alive < 1:
            raise ValueError(f"keep_alive timeout must be whole seconds >= 1, got {self.keep_alive!r}")
        for name in ("request", "write"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} timeout must be a finite number of seconds > 0, got {value!r}")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus the request and write timers (see the module docstring)."""

    timeouts: ClassVar[ConnectionTimeouts] = ConnectionTimeouts()

    _request_timer: asyncio.TimerHandle | None = None
    _write_timer: asyncio.TimerHandle | None = None
    _received = False  # bytes of a request not yet complete (for the log line only)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The app may drop the connection without any answer (a fault on a write before it acted): ASGI has
        # no way to, so the request's scope carries the transport's abort (see ``_app._AbortedResponse``).
        extensions: dict[str, object] = {ABORT_EXTENSION: self._abort_now}
        self.scope["extensions"] = extensions  # type: ignore[typeddict-item]

    def _abort_now(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_request_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        self._cancel_write_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._received = self._request_timer is not None
        super().data_received(data)

    def on_message_complete(self) -> None:
        answered = self.cycle is not None and self.cycle.response_complete
        super().on_message_complete()
        if answered:  # the rest of a body that was answered early: now wait for the next request
            self._arm_request_timer()
        else:  # a whole request: the app answers it, however long that takes
            self._cancel_request_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm_request_timer()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.timeouts.write, self._write_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_write_timer()

    def _arm_request_timer(self) -> None:
        self._cancel_request_timer()
        self._received = False
        self._request_timer = self.loop.call_later(self.timeouts.request, self._request_timed_out)

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _cancel_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _peer(self) -> str:
        return "%s:%d" % self.client if self.client else "a client"  # noqa: UP031 - uvicorn's own format

    def _request_timed_out(self) -> None:
        self._request_timer = None
        if self.transport.is_closing():
            return
        if self._received:
            logger.info("closing the connection from %s: no whole request within %g s", self._peer(),
                        self.timeouts.request)  # fmt: skip
        else:
            logger.debug("closing the idle connection from %s after %g s", self._peer(),
                         self.timeouts.request)  # fmt: skip
        self.transport.close()

    def _write_timed_out(self) -> None:
        self._write_timer = None
        if self.transport.is_closing() and self.transport.get_write_buffer_size() == 0:
            return
        logger.info("aborting the connection from %s: it took no data for %g s (write timeout)", self._peer(),
                    self.timeouts.write)  # fmt: skip
        self.transport.abort()


def guarded_protocol(timeouts: ConnectionTimeouts) -> type[GuardedHttpToolsProtocol]:
    """The protocol class to give ``uvicorn.Config(http=...)``, with ``timeouts`` (uvicorn builds it per
    connection from the config alone, so the timeouts travel as a class attribute)."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"timeouts": timeouts})
