"""``GreenStat`` and ``AsyncGreenStat``: the clients people import.

Both are thin: credentials and options here, retries and rate limiting in the transport (``_transport``),
decoding in the generated package, error mapping in ``_response``. The generated package is used only
through its public surface (``Client``, ``get_status_statistic.sync_detailed/asyncio_detailed``, models,
``types.Response``), so regenerating it never breaks this layer.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Iterable
from functools import cached_property
from types import TracebackType
from typing import Any, Self

import anyio
import httpx
import msgspec

from greenstat_client import Client
from greenstat_client.api.statuses import get_status_statistic as _endpoint
from greenstat_client.models import StatusStatistic

from . import _spec
from ._bounds import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_SIZE, BodyTooLarge, http_transport
from ._credentials import ApiToken, Credentials
from ._errors import (
    BODY_EXCERPT_CHARS,
    ConfigurationError,
    GreenStatError,
    InvalidRequestError,
    ResponseValidationError,
)
from ._ratelimit import DEFAULT_RATE, MIN_RATE, RateLimiter, shared_limiter
from ._redact import install_log_redaction, redact, redact_excerpt, redacted_request
from ._response import GeneratedResponse, RawResponse, build_result, http_error, validation_error
from ._retry import RetryPolicy
from ._transport import (
    TOKEN_PLACEHOLDER,
    AsyncClientTransport,
    AsyncRetryingTransport,
    CallContext,
    ClientTransport,
    RetryingTransport,
    current_call,
    too_large_error,
)
from ._version import __version__

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: A day: longer is a typo, and ``inf``/``1e308`` overflow deep in ``socket.settimeout``.
TIMEOUT_MAX = 86_400.0
ID_MESSAGE_MAX_LEN = _spec.parameter("getStatusStatistic", "idMessage").length_bounds[1]
_NOT_GIVEN: Any = object()
#: Everything httpx raises on purpose: ``HTTPError`` (``RequestError``, and ``HTTPStatusError`` from a
#: caller's ``raise_for_status`` hook), plus the three that do not derive from it.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
logger = logging.getLogger("greenstat.client")


def _validate_id_message(id_message: object) -> str:
    if not isinstance(id_message, str):
        raise InvalidRequestError("id_message", f"must be a string, got {type(id_message).__name__}")
    if not id_message:
        raise InvalidRequestError("id_message", "must not be empty")
    if len(id_message) > ID_MESSAGE_MAX_LEN:
        raise InvalidRequestError(
            "id_message", f"must be at most {ID_MESSAGE_MAX_LEN} characters (got {len(id_message)})"
        )
    try:
        id_message.encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate (e.g. from os.fsdecode or a bad JSON escape) cannot go in a URL.
        problem = f"must be valid Unicode text (position {exc.start} is a lone surrogate or not encodable)"
        raise InvalidRequestError("id_message", problem) from None
    return id_message


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


def _content_type_error(response: GeneratedResponse, call: CallContext) -> ResponseValidationError | None:
    """A 200 that does not say it is JSON is not the documented answer, even if its body parses."""
    content_type = response.headers.get("content-type")
    if response.status_code != 200 or _is_json(content_type):
        return None
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


def _limiter(rate_limit: object, credentials: Credentials) -> RateLimiter | None:
    if isinstance(rate_limit, RateLimiter):
        return rate_limit
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int | float):
        raise ConfigurationError(
            "rate_limit", f"must be a number of requests per second (got {rate_limit!r})"
        )
    if rate_limit == 0:
        return None
    if not (math.isfinite(rate_limit) and rate_limit >= MIN_RATE):
        raise ConfigurationError(
            "rate_limit",
            f"must be 0 (off) or a finite number >= {MIN_RATE} requests per second (got {rate_limit!r})",
        )
    return shared_limiter(credentials.api_url, credentials.id_instance, float(rate_limit))


class _Base:
    """Settings shared by the sync and async clients."""

    _credentials: Credentials
    _policy: RetryPolicy
    _timeout: httpx.Timeout
    _max_response_size: int
    _limiter: RateLimiter | None
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
        rate_limit: float | RateLimiter,
        max_response_size: int,
    ) -> None:
        install_log_redaction()
        self._credentials = Credentials.resolve(id_instance, api_token, api_url)
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        self._policy = policy if max_retries is None else policy.replace(max_retries=max_retries)
        self._timeout = _timeout(timeout)
        self._max_response_size = _max_response_size(max_response_size)
        self._limiter = _limiter(rate_limit, self._credentials)
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
    def rate_limiter(self) -> RateLimiter | None:
        return self._limiter

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
            clone._limiter = _limiter(rate_limit, self._credentials)
        return clone

    def _call_context(self) -> CallContext:
        return CallContext(
            policy=self._policy,
            timeout=self._timeout,
            limiter=self._limiter,
            max_response_size=self._max_response_size,
            token=self._credentials.api_token,
        )

    def __repr__(self) -> str:
        c = self._credentials
        return (
            f"{type(self).__name__}(api_url={c.api_url!r}, id_instance={c.id_instance}, "
            f"api_token={c.api_token!r}, max_retries={self._policy.max_retries}, "
            f"rate_limit={self._limiter.rate if self._limiter else 0})"
        )


class GreenStat(_Base):
    """Synchronous client. Arguments win over ``GREEN_API_ID_INSTANCE``/``GREEN_API_TOKEN``/``GREEN_API_URL``.

    ``rate_limit`` is requests per second for this instance (one bucket shared by every client of the same
    instance and rate; ``0`` switches it off). ``http_client`` lets you bring your own ``httpx.Client``
    (proxies, TLS, hooks): greenstat sends through it and never closes it.

    ``timeout`` bounds each socket operation *and* the whole call: a call takes at most ``timeout`` seconds
    (an ``httpx.Timeout``'s longest phase; ``retry_policy.deadline`` if that is shorter) from its first
    request going out to its result or error, connect, send, every read, retries and their waits included;
    an attempt still running then is aborted with ``APITimeoutError``. (Through a caller's ``http_client``
    the deadline is checked between body chunks only.) ``max_response_size`` (bytes, 64 MiB by default) caps
    every answer's body, compressed and inflated: past it the connection is closed and
    ``ResponseTooLargeError`` raised, never retried.
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
        rate_limit: float | RateLimiter = DEFAULT_RATE,
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
            max_response_size=max_response_size,
        )
        inner: httpx.BaseTransport = ClientTransport(http_client) if http_client else http_transport()
        self._http = httpx.Client(
            base_url=self._credentials.api_url,
            timeout=self._timeout,
            headers={"User-Agent": f"greenstat/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            transport=RetryingTransport(inner),
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

    def get_status_statistic(self, id_message: str) -> list[StatusStatistic]:
        """Who of the status's recipients has it pending, sent, delivered or read. ``[]`` is normal."""
        return self._request(id_message).parse()

    @cached_property
    def with_raw_response(self) -> GreenStatWithRawResponse:
        """The same methods, returning a :class:`RawResponse` (status code, headers, retries taken)."""
        return GreenStatWithRawResponse(self)

    def _request(self, id_message: str) -> RawResponse[list[StatusStatistic]]:
        id_message = _validate_id_message(id_message)
        if self._http.is_closed:
            raise GreenStatError(f"{type(self).__name__}: the client is closed; create a new one")
        call = self._call_context()
        failure: GreenStatError | None = None
        reset = current_call.set(call)
        try:
            response = _endpoint.sync_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                id_message=id_message,
            )
        except _HTTPX_ERRORS as exc:
            failure = http_error(exc, call)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            failure = validation_error(exc, call)
        except BodyTooLarge as exc:
            failure = too_large_error(exc, call)
        else:
            failure = _content_type_error(response, call)
        finally:
            current_call.reset(reset)
        # Raised here, outside the except blocks, so the httpx/msgspec error is neither __cause__ nor
        # __context__ (its request.url holds the token).
        if failure is not None:
            raise failure
        return build_result(response, call)

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


class GreenStatWithRawResponse:
    """``client.with_raw_response``: each method returns a :class:`RawResponse` instead of the model."""

    def __init__(self, client: GreenStat) -> None:
        self._client = client

    def get_status_statistic(self, id_message: str) -> RawResponse[list[StatusStatistic]]:
        return self._client._request(id_message)


class AsyncGreenStat(_Base):
    """Asynchronous client (asyncio; built on anyio); same arguments and behaviour as :class:`GreenStat`."""

    def __init__(
        self,
        *,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter = DEFAULT_RATE,
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
            max_response_size=max_response_size,
        )
        inner: httpx.AsyncBaseTransport = (
            AsyncClientTransport(http_client) if http_client else httpx.AsyncHTTPTransport()
        )
        self._http = httpx.AsyncClient(
            base_url=self._credentials.api_url,
            timeout=self._timeout,
            headers={"User-Agent": f"greenstat/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            transport=AsyncRetryingTransport(inner),
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

    async def get_status_statistic(self, id_message: str) -> list[StatusStatistic]:
        """Who of the status's recipients has it pending, sent, delivered or read. ``[]`` is normal."""
        return (await self._request(id_message)).parse()

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
        applies to every request (at the default 1 request/s, ``concurrency`` only overlaps the network
        round trips).
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
                    _validate_id_message(id_message)
                except InvalidRequestError as exc:
                    results[id_message] = exc
                    continue
                tasks.start_soon(one, id_message)
        return {id_message: results[id_message] for id_message in ids}

    async def _request(self, id_message: str) -> RawResponse[list[StatusStatistic]]:
        id_message = _validate_id_message(id_message)
        if self._http.is_closed:
            raise GreenStatError(f"{type(self).__name__}: the client is closed; create a new one")
        call = self._call_context()
        failure: GreenStatError | None = None
        reset = current_call.set(call)
        try:
            response = await _endpoint.asyncio_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                id_message=id_message,
            )
        except _HTTPX_ERRORS as exc:
            failure = http_error(exc, call)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            failure = validation_error(exc, call)
        except BodyTooLarge as exc:
            failure = too_large_error(exc, call)
        else:
            failure = _content_type_error(response, call)
        finally:
            current_call.reset(reset)
        if failure is not None:
            raise failure
        return build_result(response, call)

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


class AsyncGreenStatWithRawResponse:
    """``client.with_raw_response`` of :class:`AsyncGreenStat`."""

    def __init__(self, client: AsyncGreenStat) -> None:
        self._client = client

    async def get_status_statistic(self, id_message: str) -> RawResponse[list[StatusStatistic]]:
        return await self._client._request(id_message)
