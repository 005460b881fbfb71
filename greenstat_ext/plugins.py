"""The plugin protocol and the typed, token-free events a client emits for every call and every attempt.

Why a plugin layer, and why this shape: the only way to observe greenstat used to be the caller's own
``httpx.Client`` with event hooks, which see the request as sent: its URL holds the instance token. A plugin
here sees *events* instead of requests, the way azure-core's ``SansIOHTTPPolicy`` sees a pipeline request but
narrower: every event is a frozen dataclass built only from redacted material (the URL with its token
segment masked, the operation's names, numbers, the typed error's class name and redacted message), so a
plugin holds nothing through which the token or the URL as sent could be reached: no ``request``, no
``response``, no client (``repr``, ``pickle`` and ``dataclasses.asdict`` of an event show exactly its fields).

What a plugin may change: the headers of each attempt, through :meth:`Plugin.request_headers` (a
``traceparent``, a correlation id), added only, never replacing a header greenstat sets. Not the URL, not the
body of a write, not the retry decision: the call goes on exactly as it would without the plugin.

A plugin that raises is contained: the exception is logged once per plugin (redacted, on
``greenstat.plugins``), its later failures are counted silently, and the call goes on unchanged.

This module sits below the client (it imports nothing of greenstat's): the client emits these events
(``_observe``), plugins import only this module. ``docs/plugins.md`` has the guarantees and an example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

__all__ = [
    "AttemptFinished",
    "AttemptStarted",
    "CallFinished",
    "CallStarted",
    "Event",
    "OperationInfo",
    "Outcome",
    "Plugin",
    "RetryScheduled",
]

#: How a call ended: its result, a typed error, or (a write only) "the server may or may not have acted".
Outcome: TypeAlias = Literal["result", "error", "outcome_unknown"]


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """The operation a call runs, as the spec names it."""

    #: The spec's ``operationId``: ``getStatusStatistic``.
    operation_id: str
    #: The client method's name: ``get_status_statistic``.
    name: str
    #: The HTTP method: ``GET``, ``POST``.
    method: str
    #: The spec's path template, placeholders unfilled: ``/waInstance{idInstance}/getStatusStatistic/
    #: {apiTokenInstance}`` (OpenTelemetry's ``url.template``).
    url_template: str
    #: True for a call that creates or deletes something: never repeated once the server may have acted.
    is_write: bool


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call's request is built and about to wait for its rate-limit turn (once per call)."""

    #: Unique in the process: ties the events of one call together (calls may run concurrently).
    call_id: int
    operation: OperationInfo
    #: The URL with the token segment masked (``…/getStatusStatistic/***?idMessage=…``).
    url: str
    server_address: str
    server_port: int


@dataclass(frozen=True, slots=True)
class AttemptStarted:
    """One attempt (1-based) is about to be sent, after its wait for the rate-limit bucket."""

    call_id: int
    operation: OperationInfo
    attempt: int
    #: Seconds this attempt waited for its turn in the operation's rate-limit bucket (0.0 without one).
    rate_limit_wait: float


@dataclass(frozen=True, slots=True)
class AttemptFinished:
    """One attempt ended: answered (``status_code``), or failed on the way (``error_type``)."""

    call_id: int
    operation: OperationInfo
    attempt: int
    #: The answer's status, or None when none came (refused connection, timeout, dropped connection).
    status_code: int | None
    #: Bytes of the answer's body as received on the wire (compressed if it was); None without a body read.
    body_size: int | None
    #: Seconds from the attempt going out (after its rate-limit wait) to its end, on the retry policy's clock.
    duration: float
    rate_limit_wait: float
    #: The transport failure's class name (``ConnectError``, ``ReadTimeout``); None when answered.
    error_type: str | None


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """The attempt ``attempt`` will be followed by another one after ``wait`` seconds."""

    call_id: int
    operation: OperationInfo
    #: The attempt that failed (1-based); the next one is ``attempt + 1``.
    attempt: int
    #: Why: ``HTTP 503``, ``HTTP 429``, ``ConnectError``.
    cause: str
    status_code: int | None
    #: Seconds until the retry (a ``Retry-After`` honoured, or the backoff with jitter).
    wait: float


@dataclass(frozen=True, slots=True)
class CallFinished:
    """The call ended (once per call that emitted :class:`CallStarted`, whatever happened)."""

    call_id: int
    operation: OperationInfo
    url: str
    outcome: Outcome
    #: The last answer's status, or None when no answer came.
    status_code: int | None
    #: The typed error's class name (``RateLimitError``, ``OutcomeUnknownError``), or the class name of an
    #: exception greenstat does not map (``KeyboardInterrupt``); None for a result.
    error_type: str | None
    #: The error's message, redacted; None for a result.
    error_message: str | None
    attempts: int
    #: Seconds spent waiting for the rate-limit bucket, all attempts together.
    rate_limit_wait: float
    #: The last answer's body size on the wire, or None.
    body_size: int | None
    #: Seconds from the call starting (before its first rate-limit wait) to its end, on the policy's clock.
    duration: float

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)


#: Every event a plugin may receive in :meth:`Plugin.on_event`.
Event: TypeAlias = CallStarted | AttemptStarted | AttemptFinished | RetryScheduled | CallFinished


class Plugin(Protocol):
    """What a plugin implements; subclass it to inherit the no-op defaults and implement only what you need.

    Both methods are called synchronously, in the calling thread (sync client) or task (async client), in the
    order the plugins were given: keep them quick, as for a ``logging.Handler``. A plugin is shared by every
    call of the client (and of its ``with_options`` copies), possibly concurrently: key per-call state by
    ``event.call_id``.
    """

    def on_event(self, event: Event) -> None:
        """Observe one event; see the event classes for when each comes."""
        return None

    def request_headers(self, event: AttemptStarted) -> Mapping[str, str] | None:
        """Headers to add to this attempt's request (never replacing one greenstat sets), or None."""
        return None
