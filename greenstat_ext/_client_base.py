"""What ``GreenStat`` and ``AsyncGreenStat`` share (httpx's way: a base class holds every half of the twins
that is not the ``await``): the settings and their checks, the rate-limit buckets, ``with_options``, and the
halves of a call around the send (arguments checked, the call's context and plugin observer, errors mapped,
the outcome decided and told to the plugins). ``_client`` keeps the two clients, whose ``_call`` differs only
in sending (``sync_detailed`` or ``await asyncio_detailed``).
"""

from __future__ import annotations

import copy
import logging
import math
import os
import traceback
from collections.abc import Sequence
from typing import Any, Self, TypeVar

import httpx
import msgspec

from greenstat_client import Client
from greenstat_client.api import (
    OPERATIONS,
    Operation,
)

from . import _spec, _validate
from ._bounds import (
    BodyTooLarge,
)
from ._call import CallContext
from ._credentials import ApiToken, Credentials
from ._errors import (
    BODY_EXCERPT_CHARS,
    APIError,
    ConfigurationError,
    GreenStatError,
    OutcomeUnknownError,
    ResponseValidationError,
)
from ._observe import CallObserver, PluginSet, in_plugin_hook, operation_info
from ._ratelimit import MIN_RATE, LimiterBackend, RateLimiter, bucket, origin_key
from ._ratelimit_redis import ENV_RATE_LIMIT_STORE, redact_store_url, redis_limiter, store_setting
from ._redact import install_log_redaction, redact_excerpt, redacted_request
from ._response import GeneratedResponse, RawResponse, build_result, http_error, validation_error
from ._retry import RetryPolicy
from ._transport import too_large_error
from .plugins import Outcome, Plugin

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: A day: longer is a typo, and ``inf``/``1e308`` overflow deep in ``socket.settimeout``.
TIMEOUT_MAX = 86_400.0
NOT_GIVEN: Any = object()
#: Everything httpx raises on purpose: ``HTTPError`` (``RequestError``, and ``HTTPStatusError`` from a
#: caller's ``raise_for_status`` hook), plus the three that do not derive from it.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
logger = logging.getLogger("greenstat.client")
ResultT = TypeVar("ResultT")
#: The table by operationId (camelCase) and by method name (its snake_case).
_OPERATIONS_BY_ID = {key: op for op in OPERATIONS for key in (op.operation_id, op.name)}
#: The errors a call maps to a typed ``GreenStatError`` (see ``BaseClient._mapped_failure``).
MAPPED_ERRORS = (*_HTTPX_ERRORS, msgspec.ValidationError, msgspec.DecodeError, BodyTooLarge)


def _seconds(value: object) -> float | None:
    """``value`` as a usable timeout in seconds, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (math.isfinite(value) and 0 < value <= TIMEOUT_MAX):
        return None
    return float(value)


def _timeout(value: object) -> httpx.Timeout:
    if value is None:
        raise ConfigurationError("timeout", "must not be None: a call without a timeout can hang forever")
    if isinstance(value, httpx.Timeout):
        phases = {"connect": value.connect, "read": value.read, "write": value.write, "pool": value.pool}
        for phase, seconds in phases.items():
            if seconds is None:
                raise ConfigurationError("timeout", "every phase (connect, read, write, pool) needs a limit")
            if _seconds(seconds) is None:
                raise ConfigurationError(
                    "timeout",
                    f"{phase} must be a finite number of seconds in (0, {TIMEOUT_MAX:g}] (got {seconds!r})",
                )
        return value
    seconds = _seconds(value)
    if seconds is not None:
        return httpx.Timeout(seconds)
    raise ConfigurationError(
        "timeout", f"must be a number of seconds in (0, {TIMEOUT_MAX:g}] or an httpx.Timeout (got {value!r})"
    )


def _max_response_size(value: object) -> int:
    if value is None:
        raise ConfigurationError(
            "max_response_size", "must not be None: a call without a size limit can fill the memory"
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            "max_response_size", f"must be an integer number of bytes >= 1 (got {value!r})"
        )
    return value


def _is_json(content_type: str | None) -> bool:
    """``application/json`` or any ``+json`` media type, parameters (``charset``) ignored."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _content_type_error(
    operation: Operation[Any], response: GeneratedResponse, call: CallContext
) -> ResponseValidationError | None:
    """A 200 that does not say it is JSON is not the documented answer, even if its body parses.

    Except for an empty 200 of an operation whose answer has no body (``deleteStatus``); a page of HTML
    from a proxy in its place is refused like any other non-JSON 200.
    """
    content_type = response.headers.get("content-type")
    if response.status_code != 200 or content_type == "application/json" or _is_json(content_type):
        return None  # the exact media type, the common answer, without parsing it
    if operation.result_type is None and not response.content:
        return None  # an answer without a body (deleteStatus) says nothing by its media type
    shown = (
        "missing" if content_type is None else redact_excerpt(repr(content_type), 100, secrets=call.secrets)
    )
    body = response.content.decode("utf-8", errors="replace")
    return ResponseValidationError(
        f"200 response is not JSON: Content-Type {shown} (expected application/json)",
        request=redacted_request(call.request or httpx.Request("GET", "about:blank"), secrets=call.secrets),
        retries_taken=call.retries_taken,
        status_code=200,
        body=redact_excerpt(body, BODY_EXCERPT_CHARS, secrets=call.secrets),
        path=None,
    )


#: ``rate_limit`` not given: each operation at its spec rate (``x-rate-limit``).
SPEC_RATE: Any = None


def _rate_setting(rate_limit: object) -> float | RateLimiter | None:
    """``rate_limit`` checked: None (each operation at its spec rate), 0 (off), a rate, or one limiter."""
    if rate_limit is None or isinstance(rate_limit, RateLimiter):
        return rate_limit
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int | float):
        raise ConfigurationError(
            "rate_limit", f"must be a number of requests per second (got {rate_limit!r})"
        )
    if rate_limit == 0:
        return 0.0
    if not (math.isfinite(rate_limit) and rate_limit >= MIN_RATE):
        raise ConfigurationError(
            "rate_limit",
            f"must be 0 (off) or a finite number >= {MIN_RATE} requests per second (got {rate_limit!r})",
        )
    return float(rate_limit)


def spec_rate(operation: Operation[Any]) -> float:
    """The operation's documented rate in requests per second (its ``x-rate-limit`` in the spec)."""
    return _spec.operation(operation.operation_id).rate_limit.rate


#: The operation with the lowest ``x-rate-limit`` rate (on a tie, the first in the generated table's order).
_SLOWEST = min(OPERATIONS, key=spec_rate)


def _forget_locals(exc: BaseException) -> None:
    """Clear the local variables of every frame below the client's own in ``exc``'s traceback.

    Why: an exception we do not map (a caller's event hook raising, ``KeyboardInterrupt``, ``MemoryError``)
    passes through the transport and httpcore frames, whose locals hold the request as sent, its URL with
    the token; Sentry, ``TracebackException(capture_locals=True)`` and rich's ``show_locals`` would show it.
    The traceback's files and lines stay; only those frames' variables go.
    """
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None:
        traceback.clear_frames(tb.tb_next)


def _outcome(
    operation: Operation[ResultT],
    response: GeneratedResponse | None,
    failure: GreenStatError | None,
    call: CallContext,
) -> RawResponse[ResultT] | GreenStatError:
    """The result of a call, or the typed error to raise.

    A send or delete whose request went out and whose outcome nobody knows (``call.may_have_acted``: no
    answer, a 499, a 5xx) ends with :class:`OutcomeUnknownError` instead of the error it met.
    """
    if failure is None and response is not None:
        outcome = build_result(operation, response, call)
        if not isinstance(outcome, GreenStatError):
            return outcome
        failure = outcome
    assert failure is not None
    if not isinstance(failure, APIError) or isinstance(failure, OutcomeUnknownError):
        return failure
    if call.done:
        return _done_but_unreadable(operation, failure, call)
    if call.may_have_acted:
        return OutcomeUnknownError.after(operation.operation_id, failure)
    return failure


def _done_but_unreadable(
    operation: Operation[Any], failure: APIError, call: CallContext
) -> ResponseValidationError:
    """A write answered 200 (done) whose answer could not be used: say so, so nobody repeats it blindly.

    Its ``ResponseValidationError`` (a 200 that is not the documented answer) rather than the truncated,
    too large or malformed body's own error: the one thing the caller must know is that it was done.
    """
    return ResponseValidationError(
        f"{operation.operation_id} was answered HTTP 200, so it was most likely done, but the answer could "
        f"not be read: {failure.message}. Do not repeat it blindly.",
        request=failure.request,
        retries_taken=call.retries_taken,
        status_code=200,
        body=getattr(failure, "body", ""),
        path=getattr(failure, "path", None),
    )


def _plugin_set(plugins: object) -> PluginSet:
    """``plugins`` checked: a list or tuple of objects implementing :class:`~greenstat_ext.plugins.Plugin`."""
    if not isinstance(plugins, list | tuple):
        raise ConfigurationError(
            "plugins", f"must be a list or tuple of plugins (got {type(plugins).__name__})"
        )
    for plugin in plugins:
        for hook in ("on_event", "request_headers"):
            if not callable(getattr(plugin, hook, None)):
                raise ConfigurationError(
                    "plugins",
                    f"{type(plugin).__name__} has no {hook}(): subclass greenstat_ext.plugins.Plugin",
                )
    return PluginSet(plugins)


_OPERATION_INFO: dict[str, Any] = {}


def _info(operation: Operation[Any]) -> Any:
    """The operation's :class:`~greenstat_ext.plugins.OperationInfo` (made once per operation)."""
    info = _OPERATION_INFO.get(operation.operation_id)
    if info is None:
        path = _spec.operation(operation.operation_id).path
        info = operation_info(operation, path, _spec.operation(operation.operation_id).is_write)
        _OPERATION_INFO[operation.operation_id] = info
    return info


class BaseClient:
    """What the sync and async clients share: settings, and the halves of a call around the send."""

    _credentials: Credentials
    _policy: RetryPolicy
    _timeout: httpx.Timeout
    _max_response_size: int
    _rate: float | RateLimiter | None
    _origin: str
    _store: str | None
    _api: Client
    _owns_http: bool
    _plugins: PluginSet
    _http: httpx.Client | httpx.AsyncClient

    def _configure(
        self,
        *,
        id_instance: int | str | None,
        api_token: str | ApiToken | None,
        api_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        rate_limit: float | RateLimiter | None,
        rate_limit_store: str | None,
        max_response_size: int,
        plugins: Sequence[Plugin],
    ) -> None:
        install_log_redaction()
        self._plugins = _plugin_set(plugins)
        self._credentials = Credentials.resolve(id_instance, api_token, api_url)
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        self._policy = policy if max_retries is None else policy.replace(max_retries=max_retries)
        self._timeout = _timeout(timeout)
        self._max_response_size = _max_response_size(max_response_size)
        self._rate = _rate_setting(rate_limit)
        self._origin = origin_key(self._credentials.api_url)
        if rate_limit_store is None:
            from_env = os.environ.get(ENV_RATE_LIMIT_STORE, "").strip() or None
            self._store = store_setting(from_env, ENV_RATE_LIMIT_STORE)
        else:
            self._store = store_setting(rate_limit_store)
        self._api = Client(base_url=self._credentials.api_url, timeout=self._timeout)

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    @property
    def max_retries(self) -> int:
        return self._policy.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._policy

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_response_size(self) -> int:
        return self._max_response_size

    @property
    def plugins(self) -> tuple[Plugin, ...]:
        """The plugins that observe this client's calls (``greenstat_ext.plugins``; docs/plugins.md)."""
        return self._plugins.plugins

    @property
    def rate_limiter(self) -> LimiterBackend | None:
        """The bucket of the spec's slowest operation (None: off); see :meth:`rate_limiter_for`.

        Why the slowest: its rate is the default of a limiter told no operation (``_spec.slowest_rate``), so
        this is the one bucket whose rate says what "the rate limit" of a client means; which operation that
        is follows from the spec's ``x-rate-limit`` values, not from the order of its paths.
        """
        return self.rate_limiter_for(_SLOWEST.operation_id)

    @property
    def rate_limit_store(self) -> str | None:
        """The Redis URL sharing this client's budgets (its password masked), or None: in-process only."""
        return None if self._store is None else redact_store_url(self._store)

    def rate_limiter_for(self, operation_id: str) -> LimiterBackend | None:
        """The bucket that paces this client's calls of ``operation_id`` (or method name); None when off.

        Shared by every client of the process calling the same method of the same instance at the same rate:
        the spec's rate by default, ``rate_limit`` when one was given (a :class:`RateLimiter` paces every
        method of this client together). With ``rate_limit_store``, a ``RedisRateLimiter`` shared by every
        process using that store.
        """
        return self._limiter(_OPERATIONS_BY_ID[operation_id])

    def _limiter(self, operation: Operation[Any]) -> LimiterBackend | None:
        rate = self._rate
        if isinstance(rate, RateLimiter):
            return rate
        if rate is None:
            rate = spec_rate(operation)
        elif rate == 0:
            return None
        if self._store is not None:
            return redis_limiter(
                self._store, self._origin, self._credentials.id_instance, operation.operation_id, rate
            )
        return bucket(self._origin, self._credentials.id_instance, operation.operation_id, rate)

    def _copy_with(
        self,
        *,
        timeout: float | httpx.Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        rate_limit: float | RateLimiter | None,
        max_response_size: int,
        plugins: Sequence[Plugin],
    ) -> Self:
        clone = copy.copy(self)
        clone._owns_http = False  # the original owns (and closes) the shared connection pool
        clone.__dict__.pop("with_raw_response", None)
        if timeout is not NOT_GIVEN:
            clone._timeout = _timeout(timeout)
        if max_response_size is not NOT_GIVEN:
            clone._max_response_size = _max_response_size(max_response_size)
        if retry_policy is not None:
            clone._policy = retry_policy
        if max_retries is not None:
            clone._policy = clone._policy.replace(max_retries=max_retries)
        if rate_limit is not None:
            clone._rate = _rate_setting(rate_limit)
        if plugins is not NOT_GIVEN:
            clone._plugins = _plugin_set(plugins)
        return clone

    def _call_context(self, operation: Operation[Any]) -> CallContext:
        call = CallContext(
            policy=self._policy,
            timeout=self._timeout,
            limiter=self._limiter(operation),
            max_response_size=self._max_response_size,
            token=self._credentials.api_token,
            idempotent=_spec.operation(operation.operation_id).idempotent,  # the spec's x-idempotent
        )
        if self._plugins:
            call.observer = CallObserver(self._plugins, _info(operation), self._policy.clock, call.token)
        return call

    # The halves of ``_call`` around the send, shared by the sync and async clients (httpx's way: only the
    # send, which is ``await``-ed in one and not the other, is written twice).

    def _prepare(
        self, operation: Operation[Any], params: dict[str, Any]
    ) -> tuple[dict[str, Any], CallContext]:
        """The generated call's arguments (checked against the spec) and the call's context."""
        arguments = _validate.generated_arguments(operation, _validate.arguments(operation, params))
        if self._http.is_closed:
            raise GreenStatError(f"{type(self).__name__}: the client is closed; create a new one")
        if in_plugin_hook():
            raise GreenStatError(
                f"{type(self).__name__}: a call made from inside a plugin hook is refused: the hook runs "
                "inside another call, which may hold the rate-limit turn this one would wait for"
            )
        return arguments, self._call_context(operation)

    @staticmethod
    def _mapped_failure(exc: BaseException, call: CallContext) -> GreenStatError:
        """The typed error for one of :data:`MAPPED_ERRORS`."""
        if isinstance(exc, msgspec.ValidationError | msgspec.DecodeError):
            return validation_error(exc, call)
        if isinstance(exc, BodyTooLarge):
            return too_large_error(exc, call)
        assert isinstance(exc, _HTTPX_ERRORS)
        return http_error(exc, call)

    @staticmethod
    def _unmapped(exc: BaseException, call: CallContext) -> None:
        """An exception not ours to map (a caller's hook, ``KeyboardInterrupt``): it goes on, but without the
        frames' locals below that held the request with the token in its URL; the plugins hear of it."""
        _forget_locals(exc)
        if call.observer is not None:
            call.observer.call_finished(call.attempts, "error", exc)

    @staticmethod
    def _finish(
        operation: Operation[ResultT], sent: GeneratedResponse | GreenStatError, call: CallContext
    ) -> RawResponse[ResultT] | GreenStatError:
        """The call's result or the typed error to raise (by the caller, outside any ``except`` block, so
        the httpx/msgspec error is neither ``__cause__`` nor ``__context__``: its ``request.url`` holds the
        token); the plugins hear of it."""
        response: GeneratedResponse | None = None
        failure: GreenStatError | None = None
        try:
            if isinstance(sent, GreenStatError):
                failure = sent
            else:
                response = sent
                failure = _content_type_error(operation, response, call)
            outcome = _outcome(operation, response, failure, call)
        except BaseException as exc:  # a defect of ours: still one CallFinished (a plugin's span ends)
            BaseClient._unmapped(exc, call)
            raise
        # The answer may echo the token (a 401 body, a header): no frame holds it any more when a plugin
        # runs, or the caller's code (a captured stack shows every frame's locals by their repr).
        del response, sent
        if call.observer is not None:
            kind: Outcome = "result"
            if isinstance(outcome, OutcomeUnknownError):
                kind = "outcome_unknown"
            elif isinstance(outcome, GreenStatError):
                kind = "error"
            call.observer.call_finished(
                call.attempts, kind, outcome if isinstance(outcome, GreenStatError) else None
            )
        return outcome

    def _rate_repr(self) -> str:
        if self._rate is None:
            return "'spec'"
        return repr(self._rate.rate if isinstance(self._rate, RateLimiter) else self._rate)

    def __repr__(self) -> str:
        c = self._credentials
        return (
            f"{type(self).__name__}(api_url={c.shown_url!r}, id_instance={c.id_instance}, "
            f"api_token={c.api_token!r}, max_retries={self._policy.max_retries}, "
            f"rate_limit={self._rate_repr()}"
            + ("" if self._store is None else f", rate_limit_store={self.rate_limit_store!r}")
            + ")"
        )
