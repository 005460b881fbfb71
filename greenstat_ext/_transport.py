"""httpx transports that add the rate limit and the retry policy under the generated client.

The generated ``sync_detailed``/``asyncio_detailed`` know nothing of retries; they call
``httpx.Client.request``, which ends in ``transport.handle_request``. Wrapping the transport puts one policy
under both the sync and the async path without touching generated code.

The body is read inside the retried attempt (the SDK never streams): a connection dropped after the
headers, before the end of the body, is then retried like any other connection error instead of surfacing
from ``httpx.Client`` after the retry loop has returned.

Per-call settings (policy, timeout, limiter) and per-call results (retries taken, the final response) travel
in a :class:`CallContext` held in a ``ContextVar``: it follows the call through ``httpx.Client`` in the same
thread (sync) or task (async), so clients made by ``with_options`` can share one connection pool.

tenacity is imported at the first request, not with the package: it is ~12 ms of ``import greenstat_ext``
(4 %) that a program which only builds a client, or only uses the mock or the models, never needs.
"""

from __future__ import annotations

import contextvars
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, tenacity_arguments

if TYPE_CHECKING:
    from ._credentials import ApiToken


@dataclass(slots=True)
class CallContext:
    policy: RetryPolicy
    timeout: httpx.Timeout | None = None
    limiter: RateLimiter | None = None
    attempts: int = 0
    request: httpx.Request | None = field(default=None, repr=False)
    response: httpx.Response | None = field(default=None, repr=False)
    #: The calling client's token: masked, at any length, in everything built from the answer.
    token: ApiToken | None = field(default=None, repr=False)

    @property
    def retries_taken(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token.get_secret_value(),) if self.token is not None else ()


current_call: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "greenstat_current_call", default=None
)


def _context_for(request: httpx.Request) -> CallContext:
    call = current_call.get()
    if call is None:  # used outside a greenstat call: default policy, no limiter
        call = CallContext(policy=RetryPolicy())
    if call.timeout is not None:
        request.extensions["timeout"] = call.timeout.as_dict()
    call.request = request
    return call


def _paced(call: CallContext) -> AbstractContextManager[object]:
    """The limiter's slot around one send: the next request waits from when this one ended."""
    return call.limiter.slot() if call.limiter is not None else nullcontext()


def _paced_async(call: CallContext) -> AbstractAsyncContextManager[object]:
    return call.limiter.slot_async() if call.limiter is not None else nullcontext()


class RetryingTransport(httpx.BaseTransport):
    """Rate limit, then send, retrying per the call's :class:`RetryPolicy`."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = _context_for(request)

        def attempt() -> httpx.Response:
            call.attempts += 1
            with _paced(call):  # the limiter's slot ends when the answer's head is in (or the send failed)
                response = self._inner.handle_request(request)
            try:
                response.read()  # inside the retry: a connection dropped mid-body is retried too
            except BaseException:
                response.close()
                raise
            call.response = response
            return response

        import tenacity  # deferred: see the module docstring

        retrying = tenacity.Retrying(**tenacity_arguments(call.policy, request, is_async=False))
        response: httpx.Response = retrying(attempt)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RetryingTransport`: same policy, same limiter."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = _context_for(request)

        async def attempt() -> httpx.Response:
            call.attempts += 1
            async with _paced_async(call):
                response = await self._inner.handle_async_request(request)
            try:
                await response.aread()  # inside the retry: a connection dropped mid-body is retried too
            except BaseException:
                await response.aclose()
                raise
            call.response = response
            return response

        import tenacity  # deferred: see the module docstring

        retrying = tenacity.AsyncRetrying(**tenacity_arguments(call.policy, request, is_async=True))
        response: httpx.Response = await retrying(attempt)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class ClientTransport(httpx.BaseTransport):
    """Sends through a caller-supplied ``httpx.Client`` (its pool, proxies, TLS, hooks); never closes it."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._client.send(request)


class AsyncClientTransport(httpx.AsyncBaseTransport):
    """Sends through a caller-supplied ``httpx.AsyncClient``; never closes it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._client.send(request)
