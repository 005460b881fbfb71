"""The client's side of the plugin layer: builds the events of :mod:`greenstat_ext.plugins` and delivers them.

Why a separate object per call (:class:`CallObserver`), hung on the call's ``CallContext`` only when the
client has plugins: a client without plugins pays one ``is None`` test per hook point and nothing else (the
``make bench`` ratios at 12 and 1k recipients are the check). Everything an event holds is made here from
redacted material: the URL is masked by ``_redact`` before it is stored, errors give their class name and
their (already redacted, redacted again) message, the transport gives numbers.

Containment: every plugin call is guarded (:meth:`PluginSet.deliver`); a plugin's first failure is logged
once, redacted, on ``greenstat.plugins``, the later ones only counted; nothing a plugin does or raises changes
the call. Headers a plugin returns are checked (names and values a header may have, bounded in number and
size) and added only where greenstat set none.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from ._redact import redact
from .plugins import (
    AttemptFinished,
    AttemptStarted,
    CallFinished,
    CallStarted,
    Event,
    OperationInfo,
    Outcome,
    Plugin,
    RetryScheduled,
)

if TYPE_CHECKING:
    import httpx

    from ._credentials import ApiToken

logger = logging.getLogger("greenstat.plugins")

_call_ids = itertools.count(1)
#: A header name is an RFC 9110 token; a value is visible ASCII and spaces (no CR, LF or NUL).
#: Bounds of a plugin's header (ours, generous for any real header): a name's and a value's characters.
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 8192
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]" + f"{{1,{MAX_HEADER_NAME}}}")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]" + f"{{0,{MAX_HEADER_VALUE}}}")
MAX_PLUGIN_HEADERS = 32
#: Headers a plugin may not add even where greenstat set none: they describe the message or the connection.
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-authorization",
        "authorization",
        "cookie",
    }
)


#: Set in a thread while a plugin hook runs in it (see :func:`in_plugin_hook`).
_hook_running = threading.local()


def in_plugin_hook() -> bool:
    """Whether this thread is running a plugin hook right now.

    Why the client asks: a hook runs inside a call, ``AttemptStarted`` and ``request_headers`` while the
    attempt holds its turn in the operation's rate-limit bucket, so a call of the same operation made from
    the hook, in the same thread, would wait forever for that turn. The client refuses such a call at once
    (the hook's exception is then contained like any other). Per thread, not per context: a task an async
    hook schedules runs after the hook has returned, and is not refused.
    """
    return getattr(_hook_running, "active", False)


class PluginError(ValueError):
    """What a plugin returned is not usable (raised inside the guard, so it is contained like any failure)."""


class PluginSet:
    """The plugins of a client (shared with its ``with_options`` copies), and which of them failed."""

    __slots__ = ("_failed", "plugins")

    def __init__(self, plugins: Sequence[Plugin]) -> None:
        self.plugins: tuple[Plugin, ...] = tuple(plugins)
        #: id(plugin) -> failures so far; the first one is logged.
        self._failed: dict[int, int] = {}

    def __bool__(self) -> bool:
        return bool(self.plugins)

    def __repr__(self) -> str:
        return f"PluginSet({[type(p).__name__ for p in self.plugins]})"

    def failures(self, plugin: Plugin) -> int:
        """How many times ``plugin`` raised (or returned something unusable) so far."""
        return self._failed.get(id(plugin), 0)

    def deliver(self, event: Event, redacted: Callable[[str], str]) -> None:
        _hook_running.active = True
        try:
            for plugin in self.plugins:
                try:
                    # Typed to return None, but a plugin only matches the protocol structurally.
                    returned: object = plugin.on_event(event)  # type: ignore[func-returns-value]
                    if returned is not None:
                        _refuse_returned(returned)
                except Exception as exc:
                    self._contain(plugin, "on_event", exc, redacted)
        finally:
            _hook_running.active = False

    def headers(self, event: AttemptStarted, redacted: Callable[[str], str]) -> dict[str, str]:
        added: dict[str, str] = {}
        _hook_running.active = True
        try:
            for plugin in self.plugins:
                try:
                    returned = plugin.request_headers(event)
                    if returned is not None:
                        added.update(_checked_headers(returned))
                except Exception as exc:
                    self._contain(plugin, "request_headers", exc, redacted)
        finally:
            _hook_running.active = False
        return added

    def _contain(self, plugin: Plugin, hook: str, exc: Exception, redacted: Callable[[str], str]) -> None:
        key = id(plugin)
        count = self._failed.get(key, 0)
        self._failed[key] = count + 1
        if count:
            return
        # The traceback as text (no frame locals), redacted: the plugin never had the token, but its message
        # may quote anything.
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        logger.error(
            "plugin %s raised in %s; contained, the call goes on (further failures of it are not logged)\n%s",
            type(plugin).__qualname__,
            hook,
            redacted(text),
        )


def _refuse_returned(returned: object) -> None:
    """``on_event`` returns nothing; an ``async def on_event`` returns a coroutine that nobody would await
    (its body would silently never run): close it and say so, once, like any failure of the plugin."""
    if inspect.iscoroutine(returned):
        returned.close()
        raise PluginError("on_event is a coroutine function: hooks are called synchronously, use a plain def")
    raise PluginError(f"on_event must return None, not {type(returned).__name__}")


def _checked_headers(returned: object) -> dict[str, str]:
    if not isinstance(returned, Mapping):
        raise PluginError(f"request_headers must return a mapping of str to str or None, not {returned!r}")
    if len(returned) > MAX_PLUGIN_HEADERS:
        raise PluginError(f"request_headers returned {len(returned)} headers (at most {MAX_PLUGIN_HEADERS})")
    checked: dict[str, str] = {}
    for name, value in returned.items():
        if not (isinstance(name, str) and _HEADER_NAME.fullmatch(name)):
            raise PluginError(f"not a header name: {name!r}")
        if not (isinstance(value, str) and _HEADER_VALUE.fullmatch(value)):
            raise PluginError(
                f"header {name}: not a header value (visible ASCII, at most {MAX_HEADER_VALUE} characters)"
            )
        if name.lower() in _RESERVED_HEADERS:
            raise PluginError(f"header {name} describes the message or a credential: a plugin may not add it")
        checked[name] = value
    return checked


def operation_info(operation: Any, url_template: str, is_write: bool) -> OperationInfo:
    return OperationInfo(
        operation_id=operation.operation_id,
        name=operation.name,
        method=operation.method,
        url_template=url_template,
        is_write=is_write,
    )


class CallObserver:
    """The events of one call. Made by the client, fed by the transport and the retry policy."""

    __slots__ = (
        "_clock",
        "_protected",
        "_started",
        "_token",
        "attempt_started_at",
        "attempt_wait",
        "body_size",
        "call_id",
        "operation",
        "plugins",
        "started",
        "status_code",
        "total_wait",
        "url",
    )

    def __init__(
        self,
        plugins: PluginSet,
        operation: OperationInfo,
        clock: Callable[[], float],
        token: ApiToken | None,
    ) -> None:
        self.plugins = plugins
        self.operation = operation
        self.call_id = next(_call_ids)
        self._clock = clock
        # The token object (its repr is masked), never the string: a stack captured with its locals from
        # inside a plugin (Sentry's attach_stacktrace) shows this object and the frames' locals by repr.
        self._token = token
        self._started = 0.0
        self._protected: frozenset[str] = frozenset()
        self.started = False
        self.url = ""
        self.attempt_started_at = 0.0
        self.attempt_wait = 0.0
        self.total_wait = 0.0
        self.body_size: int | None = None
        self.status_code: int | None = None

    def _redacted(self, text: str) -> str:
        return redact(text, secrets=() if self._token is None else (self._token.get_secret_value(),))

    def call_started(self, request: httpx.Request) -> None:
        """The request (token placeholder in its path) reached the transport: the call starts."""
        self.started = True
        self._started = self._clock()
        self._protected = frozenset(name.lower() for name in request.headers)
        url = request.url
        self.url = self._redacted(str(url))
        port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
        self.plugins.deliver(
            CallStarted(self.call_id, self.operation, self.url, url.host, port), self._redacted
        )

    def attempt_started(self, attempt: int, waited: float | None, wire: httpx.Request) -> None:
        """After the rate-limit wait, before the send: deliver the event, add the plugins' headers."""
        self.attempt_wait = waited or 0.0
        self.total_wait += self.attempt_wait
        self.body_size = None
        self.status_code = None
        event = AttemptStarted(self.call_id, self.operation, attempt, self.attempt_wait)
        self.plugins.deliver(event, self._redacted)
        for name, value in self.plugins.headers(event, self._redacted).items():
            if name.lower() not in self._protected:
                wire.headers[name] = value
        self.attempt_started_at = self._clock()

    def attempt_finished(self, attempt: int, outcome: httpx.Response | BaseException) -> None:
        status = getattr(outcome, "status_code", None)
        if isinstance(outcome, BaseException):
            response = getattr(outcome, "response", None)  # httpx.HTTPStatusError from a caller's hook
            status = getattr(response, "status_code", None)
            error_type: str | None = type(outcome).__name__
        else:
            error_type = None
        self.status_code = status if isinstance(status, int) else None
        event = AttemptFinished(
            self.call_id,
            self.operation,
            attempt,
            self.status_code,
            self.body_size,
            max(0.0, self._clock() - self.attempt_started_at),
            self.attempt_wait,
            error_type,
        )
        self.plugins.deliver(event, self._redacted)

    def retry_scheduled(self, attempt: int, outcome: object, wait: float) -> None:
        """``outcome``: the answer (``httpx.Response``) or the exception the attempt ended with."""
        status: int | None = None
        if isinstance(outcome, BaseException):
            cause = type(outcome).__name__
        else:
            code = getattr(outcome, "status_code", None)
            status = code if isinstance(code, int) else None
            cause = f"HTTP {status}"
        self.plugins.deliver(
            RetryScheduled(self.call_id, self.operation, attempt, cause, status, wait), self._redacted
        )

    def call_finished(self, attempts: int, outcome: Outcome, error: BaseException | None) -> None:
        if not self.started:
            return
        status = self.status_code
        if error is not None:
            error_status = getattr(error, "status_code", None)
            if isinstance(error_status, int):
                status = error_status
        event = CallFinished(
            call_id=self.call_id,
            operation=self.operation,
            url=self.url,
            outcome=outcome,
            status_code=status,
            error_type=None if error is None else type(error).__name__,
            error_message=None if error is None else self._redacted(str(error)),
            attempts=attempts,
            rate_limit_wait=self.total_wait,
            body_size=self.body_size,
            duration=max(0.0, self._clock() - self._started),
        )
        self.plugins.deliver(event, self._redacted)


_NO_SUPPRESSION: AbstractContextManager[object] = nullcontext()


def http_instrumentation_suppressed() -> AbstractContextManager[object]:
    """OpenTelemetry's own switch that tells HTTP client instrumentations to stay out of the request as sent.

    The request as sent has the token in its URL; ``opentelemetry-instrumentation-httpx`` (and every
    instrumentation built on ``opentelemetry-instrumentation``) skips a request made while its
    ``suppress_http_instrumentation`` context is active. Only when that package is already imported (no
    instrumentation can be active otherwise): greenstat never imports OpenTelemetry itself. The greenstat
    span of the ``otel`` plugin stands in for the suppressed one; docs/redaction.md.
    """
    utils = sys.modules.get("opentelemetry.instrumentation.utils")
    if utils is None:
        return _NO_SUPPRESSION
    suppress = getattr(utils, "suppress_http_instrumentation", None) or getattr(
        utils, "suppress_instrumentation", None
    )
    if suppress is None:  # pragma: no cover - every release since 0.44b0 has them
        return _NO_SUPPRESSION
    context: AbstractContextManager[object] = suppress()
    return context
