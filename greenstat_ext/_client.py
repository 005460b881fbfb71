"""``GreenStat`` and ``AsyncGreenStat``: the clients people import.

Their typed methods are *generated*: ``greenstat_client.api`` holds the operation table and mixins
(``SyncMethods``, ``AsyncMethods`` and their ``…RawMethods`` twins) with one method per operation of the
spec, whatever its tag, each calling ``_invoke(operation, **params)``. This module implements ``_invoke`` once
for every operation: arguments checked against the spec (``_validate``), the operation's rate-limit bucket,
then the generated ``sync_detailed``/``asyncio_detailed`` with the token placeholder; retries and bounds in
the transport (``_transport``), decoding in the generated package, error mapping in ``_response``. An
operation added to the spec is a new typed method after ``make generate``, with no edit here. The generated
package is used only through its public surface (``Client``, the facade, models, ``types``), so regenerating
it never breaks this layer. Hand-written per-operation behaviour lives here only where the spec cannot say it:
:meth:`AsyncGreenStat.get_many` (a batch of ``getStatusStatistic`` calls).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx

from greenstat_client.api import (
    GET_STATUS_STATISTIC,
    AsyncMethods,
    AsyncRawMethods,
    Operation,
    SyncMethods,
    SyncRawMethods,
)
from greenstat_client.models import StatusStatistic

from . import _validate
from ._bounds import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_SIZE,
    async_http_transport,
    http_transport,
)
from ._call import CallContext, call_extensions
from ._client_base import (
    DEFAULT_TIMEOUT,
    MAPPED_ERRORS,
    NOT_GIVEN,
    SPEC_RATE,
    BaseClient,
    logger,
)
from ._client_base import spec_rate as spec_rate  # re-exported: the operation's documented rate
from ._credentials import ApiToken
from ._errors import (
    GreenStatError,
    InvalidRequestError,
)
from ._ratelimit import RateLimiter
from ._redact import redact
from ._response import GeneratedResponse, RawResponse
from ._retry import RetryPolicy
from ._transport import (
    TOKEN_PLACEHOLDER,
    AsyncClientTransport,
    AsyncRetryingTransport,
    ClientTransport,
    RetryingTransport,
    sends_through_httpcore,
)
from ._version import __version__
from .plugins import Plugin

ResultT = TypeVar("ResultT")


class GreenStat(BaseClient, SyncMethods):
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
    ``plugins``: objects implementing
    :class:`greenstat_ext.plugins.Plugin` that see every call and attempt as token-free events and may add
    request headers (docs/plugins.md); ``greenstat_ext.otel.OpenTelemetryPlugin`` is the first-party one.
    """

    _http: httpx.Client

    def __init__(
        self,
        *,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = SPEC_RATE,
        rate_limit_store: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.Client | None = None,
        plugins: Sequence[Plugin] = (),
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
            plugins=plugins,
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
        timeout: float | httpx.Timeout = NOT_GIVEN,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = None,
        max_response_size: int = NOT_GIVEN,
        plugins: Sequence[Plugin] = NOT_GIVEN,
    ) -> GreenStat:
        """A client with some settings changed for the calls made through it; shares the connection pool."""
        return self._copy_with(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            max_response_size=max_response_size,
            plugins=plugins,
        )

    @cached_property
    def with_raw_response(self) -> GreenStatWithRawResponse:
        """The same methods, returning a :class:`RawResponse` (status code, headers, retries taken)."""
        return GreenStatWithRawResponse(self)

    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> ResultT:
        return self._call(operation, params).parse()

    def _call(self, operation: Operation[ResultT], params: dict[str, Any]) -> RawResponse[ResultT]:
        """The one implementation behind every method: validate, send, decode, map errors (the halves
        around the send in ``BaseClient``). The typed error is raised here, outside any ``except`` block."""
        arguments, call = self._prepare(operation, params)
        outcome = self._finish(operation, self._send(operation, arguments, call), call)
        if isinstance(outcome, GreenStatError):
            raise outcome
        return outcome

    def _send(
        self, operation: Operation[Any], arguments: dict[str, Any], call: CallContext
    ) -> GeneratedResponse | GreenStatError:
        """The generated call: its answer, or the typed error for a failure greenstat maps."""
        try:
            return operation.sync_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                extensions=call_extensions(call),
                **arguments,
            )
        except MAPPED_ERRORS as exc:
            return self._mapped_failure(exc, call)
        except BaseException as exc:
            self._unmapped(exc, call)
            raise

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


class GreenStatWithRawResponse(SyncRawMethods):
    """``client.with_raw_response``: each method returns a :class:`RawResponse` instead of the model."""

    def __init__(self, client: GreenStat) -> None:
        self._client = client

    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        return self._client._call(operation, params)


class AsyncGreenStat(BaseClient, AsyncMethods):
    """Asynchronous client (asyncio; built on anyio); same arguments and behaviour as :class:`GreenStat`.

    The same bounds too: ``timeout`` covers the whole call up to the answer's last byte; decoding an answer
    received in time is not interrupted and is bounded by ``max_response_size`` instead (see
    :class:`GreenStat`). Redirects are never followed, whatever a caller's ``http_client`` says.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        *,
        id_instance: int | str | None = None,
        api_token: str | ApiToken | None = None,
        api_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = SPEC_RATE,
        rate_limit_store: str | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.AsyncClient | None = None,
        plugins: Sequence[Plugin] = (),
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
            plugins=plugins,
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
        timeout: float | httpx.Timeout = NOT_GIVEN,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limit: float | RateLimiter | None = None,
        max_response_size: int = NOT_GIVEN,
        plugins: Sequence[Plugin] = NOT_GIVEN,
    ) -> AsyncGreenStat:
        """A client with some settings changed for the calls made through it; shares the connection pool."""
        return self._copy_with(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            rate_limit=rate_limit,
            max_response_size=max_response_size,
            plugins=plugins,
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
        """The one implementation behind every method: validate, send, decode, map errors (the halves
        around the send in ``BaseClient``). The typed error is raised here, outside any ``except`` block."""
        arguments, call = self._prepare(operation, params)
        outcome = self._finish(operation, await self._send(operation, arguments, call), call)
        if isinstance(outcome, GreenStatError):
            raise outcome
        return outcome

    async def _send(
        self, operation: Operation[Any], arguments: dict[str, Any], call: CallContext
    ) -> GeneratedResponse | GreenStatError:
        """The generated call: its answer, or the typed error for a failure greenstat maps."""
        try:
            return await operation.asyncio_detailed(
                self._credentials.id_instance,
                TOKEN_PLACEHOLDER,  # the transport puts the token in: never a local of the generated frame
                client=self._api,
                extensions=call_extensions(call),
                **arguments,
            )
        except MAPPED_ERRORS as exc:
            return self._mapped_failure(exc, call)
        except BaseException as exc:
            self._unmapped(exc, call)
            raise

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


class AsyncGreenStatWithRawResponse(AsyncRawMethods):
    """``client.with_raw_response`` of :class:`AsyncGreenStat`."""

    def __init__(self, client: AsyncGreenStat) -> None:
        self._client = client

    async def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        return await self._client._call(operation, params)
