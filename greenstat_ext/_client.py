"""``GreenStat`` and ``AsyncGreenStat``: the clients people import.

Their typed methods are *generated*: ``greenstat_client.api.statuses`` holds the operation table and mixins
(``SyncStatusesMethods``, ``AsyncStatusesMethods`` and their ``…RawMethods`` twins) with one method per
operation of the spec, each calling ``_invoke(operation, **params)``. This module implements ``_invoke`` once
for every operation: arguments checked against the spec (``_validate``), the operation's rate-limit bucket,
then the generated ``sync_detailed``/``asyncio_detailed`` with the token placeholder; retries and bounds in
the transport (``_transport``), decoding in the generated package, error mapping in ``_response``. An
operation added to the spec is a new typed method after ``make generate``, with no edit here. The generated
package is used only through its public surface (``Client``, the facade, models, ``types``), so regenerating
it never breaks this layer. Hand-written per-operation behaviour lives here only where the spec cannot say it:
:meth:`AsyncGreenStat.get_many` (a batch of ``getStatusStatistic`` calls).
"""

from __future__ import annotations

import copy
import logging
import math
import os
import traceback
from collections.abc import Iterable
from functools import cached_property
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx
import msgspec

from greenstat_client import Client
from greenstat_client.api.statuses import (
    GET_STATUS_STATISTIC,
    OPERATIONS,
    AsyncStatusesMethods,
    AsyncStatusesRawMethods,
    Operation,
    SyncStatusesMethods,
    SyncStatusesRawMethods,
)
from greenstat_client.models import StatusStatistic

from . import _spec, _validate
from ._bounds import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_SIZE,
    BodyTooLarge,
    async_http_transport,
    http_transport,
)
from ._credentials import ApiToken, Credentials
from ._errors import (
    BODY_EXCERPT_CHARS,
    APIError,
    ConfigurationError,
    GreenStatError,
    InvalidRequestError,
    OutcomeUnknownError,
    ResponseValidationError,
)
from ._ratelimit import MIN_RATE, LimiterBackend, RateLimiter, bucket, origin_key
from ._ratelimit_redis import ENV_RATE_LIMIT_STORE, redact_store_url, redis_limiter, store_setting
from ._redact import install_log_redaction, redact, redact_excerpt, redacted_request
from ._response import GeneratedResponse, RawResponse, build_result, http_error, validation_error
from ._retry import IDEMPOTENT_METHODS, RetryPolicy
from ._transport import (
    TOKEN_PLACEHOLDER,
    AsyncClientTransport,
    AsyncRetryingTransport,
    CallContext,
    ClientTransport,
    RetryingTransport,
    call_extensions,
    sends_through_httpcore,
    too_large_error,
)
from ._version import __version__

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: A day: longer is a typo, and ``inf``/``1e308`` overflow deep in ``socket.settimeout``.
TIMEOUT_MAX = 86_400.0
_NOT_GIVEN: Any = object()
#: Everything httpx raises on purpose: ``HTTPError`` (``RequestError``, and ``HTTPStatusError`` from a
#: caller's ``raise_for_status`` hook), plus the three that do not derive from it.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
logger = logging.getLogger("greenstat.client")
ResultT = TypeVar("ResultT")
#: The table by operationId (camelCase) and by method name (its snake_case).
_OPERATIONS_BY_ID = {key: op for op in OPERATIONS for key in (op.operation_id, op.name)}


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
_SPEC_RATE: Any = None


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


class _Base:
    """Settings shared by the sync and async clients."""

    _credentials: Credentials
    _policy: RetryPolicy
    _timeout: httpx.Timeout
    _max_response_size: int
    _rate: float | RateLimiter | None
    _origin: str
    _store: str | None
    _api: Client
    _owns_http: bool

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
    ) -> None:
        install_log_redaction()
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
    def rate_limiter(self) -> LimiterBackend | None:
        """The bucket of the table's first operation (None: off); see :meth:`rate_limiter_for`."""
        return self.rate_limiter_for(OPERATIONS[0].operation_id)

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
    ) -> Self:
        clone = copy.copy(self)
        clone._owns_http = False  # the original owns (and closes) the shared connection pool
        clone.__dict__.pop("with_raw_response", None)
        if timeout is not _NOT_GIVEN:
            clone._timeout = _timeout(timeout)
        if max_response_size is not _NOT_GIVEN:
            clone._max_response_size = _max_response_size(max_response_size)
        if retry_policy is not None:
            clone._policy = retry_policy
        if max_retries is not None:
            clone._policy = clone._policy.replace(max_retries=max_retries)
        if rate_limit is not None:
            clone._rate = _rate_setting(rate_limit)
        return clone

    def _call_context(self, operation: Operation[Any]) -> CallContext:
        return CallContext(
            policy=self._policy,
            timeout=self._timeout,
            limiter=self._limiter(operation),
            max_response_size=self._max_response_size,
            token=self._credentials.api_token,
            idempotent=operation.method in IDEMPOTENT_METHODS,
        )

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


class GreenStat(_Base, SyncStatusesMethods):
    """Synchronous client. Arguments win over ``GREEN_API_ID_INSTANCE``/``GREEN_API_TOKEN``/``GREEN_API_URL``.

    ``rate_limit``: by default each method of this instance is paced at its own documented rate (the spec's
    ``x-rate-limit``), in a bucket shared by every client of the process calling that method of that instance;
    a number overrides the rate of every method (still one bucket per method), a :class:`RateLimiter` paces
    all of this client's calls together, ``0`` switches pacing off. ``rate_limit_store`` (or the variable
    ``GREEN_API_RATE_LIMIT_STORE``): a ``redis://`` URL whose Redis keeps each method's bucket, shared by
    every process and machine using it (needs ``greenstat[redis]``; docs/scaling.md). ``http_client`` lets you
    bring your own ``httpx.Client`` (proxies, TLS, hooks): greenstat sends through it and never closes it.

    ``timeout`` bounds each socket operation *and* the whole call: a call takes at most ``timeout`` seconds
    (an ``httpx.Timeout``'s longest phase; ``retry_policy.deadline`` if that is shorter) from its first
    request going out to its result or error, connect, send, every read, retries and their waits included;
    an attempt still running then is aborted with ``APITimeoutError``. (Through a caller's ``http_client``
    the deadline is checked between body chunks only.) One exception: decoding an answer received in time
    (inflating it and parsing its JSON into models) is not interrupted, since msgspec parses in C without a
    point to stop at; it is bounded by ``max_response_size`` instead (a valid 60 MB answer, 810,000
    recipients, took 0.19 s more on a quiet machine, seconds on a busy one): lower ``max_response_size`` to
    tighten it. ``max_response_size`` (bytes, 64 MiB by default) caps every answer's body, on the wire and
    every inflated layer: past it the connection is closed and ``ResponseTooLargeError`` raised, never
    retried. Redirects are never followed (through a caller's ``http_client`` either, whatever its
    ``follow_redirects``): a 3xx is an ``APIStatusError``, or ``OutcomeUnknownError`` for a send or a delete.
    """

    def __init__(
        self,
        *,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = _SPEC_RATE,
        rate_limit_store: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._configure(
            id_instance=id_instance,
            api_token=api_token,
            api_url=api_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            rate_limit_store=rate_limit_store,
            max_response_size=max_response_size,
        )
        inner: httpx.BaseTransport = ClientTransport(http_client) if http_client else http_transport()
        self._http = httpx.Client(
            base_url=self._credentials.api_url,
            timeout=self._timeout,
            headers={"User-Agent": f"greenstat/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            transport=RetryingTransport(
                inner, traced=http_client is None or sends_through_httpcore(http_client)
            ),
        )
        self._api.set_httpx_client(self._http)
        self._owns_http = True

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = None,
        max_response_size: int = _NOT_GIVEN,
    ) -> GreenStat:
        """A client with some settings changed for the calls made through it; shares the connection pool."""
        return self._copy_with(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            max_response_size=max_response_size,
        )

    @cached_property
    def with_raw_response(self) -> GreenStatWithRawResponse:
        """The same methods, returning a :class:`RawResponse` (status code, headers, retries taken)."""
        return GreenStatWithRawResponse(self)

    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> ResultT:
        return self._call(operation, params).parse()

    def _call(self, operation: Operation[ResultT], params: dict[str, Any]) -> RawResponse[ResultT]:
        """The one implementation behind every method: validate, send, decode, map errors."""
        arguments = _validate.generated_arguments(operation, _validate.arguments(operation, params))
        if self._http.is_closed:
            raise GreenStatError(f"{type(self).__name__}: the client is closed; create a new one")
        call = self._call_context(operation)
        failure: GreenStatError | None = None
        response: GeneratedResponse | None = None
        try:
            response = operation.sync_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                extensions=call_extensions(call),
                **arguments,
            )
        except _HTTPX_ERRORS as exc:
            failure = http_error(exc, call)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            failure = validation_error(exc, call)
        except BodyTooLarge as exc:
            failure = too_large_error(exc, call)
        except BaseException as exc:  # not ours to map (a caller's hook, KeyboardInterrupt): let it go, but
            _forget_locals(exc)  # without the frames below that held the request with the token in its URL
            raise
        else:
            failure = _content_type_error(operation, response, call)
        outcome = _outcome(operation, response, failure, call)
        # The answer may echo the token (a 401 body, a header), and a captured traceback shows this frame's
        # locals: drop it before raising. Raised outside any except block, so the httpx/msgspec error is
        # neither __cause__ nor __context__ (its request.url holds the token).
        response = None
        if isinstance(outcome, GreenStatError):
            raise outcome
        return outcome

    def close(self) -> None:
        """Close the connection pool (not a caller-supplied ``http_client``)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class GreenStatWithRawResponse(SyncStatusesRawMethods):
    """``client.with_raw_response``: each method returns a :class:`RawResponse` instead of the model."""

    def __init__(self, client: GreenStat) -> None:
        self._client = client

    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        return self._client._call(operation, params)


class AsyncGreenStat(_Base, AsyncStatusesMethods):
    """Asynchronous client (asyncio; built on anyio); same arguments and behaviour as :class:`GreenStat`.

    The same bounds too: ``timeout`` covers the whole call up to the answer's last byte; decoding an answer
    received in time is not interrupted and is bounded by ``max_response_size`` instead (see
    :class:`GreenStat`). Redirects are never followed, whatever a caller's ``http_client`` says.
    """

    def __init__(
        self,
        *,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = _SPEC_RATE,
        rate_limit_store: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._configure(
            id_instance=id_instance,
            api_token=api_token,
            api_url=api_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            rate_limit_store=rate_limit_store,
            max_response_size=max_response_size,
        )
        inner: httpx.AsyncBaseTransport = (
            AsyncClientTransport(http_client) if http_client else async_http_transport()
        )
        self._http = httpx.AsyncClient(
            base_url=self._credentials.api_url,
            timeout=self._timeout,
            headers={"User-Agent": f"greenstat/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            transport=AsyncRetryingTransport(
                inner,
                clamped=http_client is None,
                traced=http_client is None or sends_through_httpcore(http_client),
            ),
        )
        self._api.set_async_httpx_client(self._http)
        self._owns_http = True

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = None,
        max_response_size: int = _NOT_GIVEN,
    ) -> AsyncGreenStat:
        """A client with some settings changed for the calls made through it; shares the connection pool."""
        return self._copy_with(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            max_response_size=max_response_size,
        )

    @cached_property
    def with_raw_response(self) -> AsyncGreenStatWithRawResponse:
        """The same methods, returning a :class:`RawResponse` (status code, headers, retries taken)."""
        return AsyncGreenStatWithRawResponse(self)

    async def get_many(
        self, id_messages: Iterable[str], *, concurrency: int = 4
    ) -> dict[str, list[StatusStatistic] | GreenStatError]:
        """Fetch several statuses concurrently; one entry per distinct id, in input order.

        Each value is the list of recipients or the :class:`GreenStatError` that call ended with, so one bad
        id does not lose the others: an invalid id gets its ``InvalidRequestError`` without a request, and
        an unexpected exception (a bug, or a caller's hook) becomes a ``GreenStatError`` naming it (logged
        with its traceback on ``greenstat.client``) instead of cancelling the batch. The rate limiter still
        applies to every request: it spaces each request from the end of the previous one on its bucket, so
        at the spec's 1 request/s they never overlap and ``concurrency`` only saves the client-side work.
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError("concurrency", f"must be an integer >= 1 (got {concurrency!r})")
        ids = list(dict.fromkeys(id_messages))
        results: dict[str, list[StatusStatistic] | GreenStatError] = {}
        slots = anyio.Semaphore(concurrency)

        async def one(id_message: str) -> None:
            async with slots:
                try:
                    results[id_message] = await self.get_status_statistic(id_message)
                except GreenStatError as exc:
                    results[id_message] = exc
                except Exception as exc:  # one id's surprise must not cancel the others (see docstring)
                    logger.error("get_many: unexpected error for one id", exc_info=True)
                    detail = redact(str(exc), secrets=(self._credentials.api_token.get_secret_value(),))
                    results[id_message] = GreenStatError(f"unexpected {type(exc).__name__}: {detail}")

        async with anyio.create_task_group() as tasks:
            for id_message in ids:
                try:
                    _validate.arguments(GET_STATUS_STATISTIC, {"id_message": id_message})
                except InvalidRequestError as exc:
                    results[id_message] = exc
                    continue
                tasks.start_soon(one, id_message)
        return {id_message: results[id_message] for id_message in ids}

    async def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> ResultT:
        return (await self._call(operation, params)).parse()

    async def _call(self, operation: Operation[ResultT], params: dict[str, Any]) -> RawResponse[ResultT]:
        """The one implementation behind every method: validate, send, decode, map errors."""
        arguments = _validate.generated_arguments(operation, _validate.arguments(operation, params))
        if self._http.is_closed:
            raise GreenStatError(f"{type(self).__name__}: the client is closed; create a new one")
        call = self._call_context(operation)
        failure: GreenStatError | None = None
        response: GeneratedResponse | None = None
        try:
            response = await operation.asyncio_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                extensions=call_extensions(call),
                **arguments,
            )
        except _HTTPX_ERRORS as exc:
            failure = http_error(exc, call)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            failure = validation_error(exc, call)
        except BodyTooLarge as exc:
            failure = too_large_error(exc, call)
        except BaseException as exc:  # not ours to map (a caller's hook, KeyboardInterrupt): let it go, but
            _forget_locals(exc)  # without the frames below that held the request with the token in its URL
            raise
        else:
            failure = _content_type_error(operation, response, call)
        outcome = _outcome(operation, response, failure, call)
        # The answer may echo the token (a 401 body, a header), and a captured traceback shows this frame's
        # locals: drop it before raising. Raised outside any except block, so the httpx/msgspec error is
        # neither __cause__ nor __context__ (its request.url holds the token).
        response = None
        if isinstance(outcome, GreenStatError):
            raise outcome
        return outcome

    async def close(self) -> None:
        """Close the connection pool (not a caller-supplied ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class AsyncGreenStatWithRawResponse(AsyncStatusesRawMethods):
    """``client.with_raw_response`` of :class:`AsyncGreenStat`."""

    def __init__(self, client: AsyncGreenStat) -> None:
        self._client = client

    async def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        return await self._client._call(operation, params)
