"""httpx transports that add the rate limit, the retry policy and the call's bounds under generated code.

The generated ``sync_detailed``/``asyncio_detailed`` know nothing of retries; they call
``httpx.Client.request``, which ends in ``transport.handle_request``. Wrapping the transport puts one policy
under both the sync and the async path without touching generated code.

The body is read inside the retried attempt (the SDK never streams): a connection dropped after the
headers, before the end of the body, is then retried like any other connection error instead of surfacing
from ``httpx.Client`` after the retry loop has returned. It is read through a :class:`~._bounds.BodyMeter`
(``max_response_size``, wire and inflated bytes) and before the call's deadline (see ``_bounds``): sync
sockets never wait past it, async attempts are cancelled at it, a caller's ``http_client`` is checked
between chunks.

The token: the generated call is given :data:`TOKEN_PLACEHOLDER` instead of the token, so no frame of the
generated code (whose locals a captured traceback shows) ever holds it; :func:`_with_token` puts the real
one in the URL here, on a copy of the request that only the sending frames see.

Per-call settings and results travel in the call's :class:`~._call.CallContext` (``_call``), which the
client hands to the generated call as the request's ``extensions``; the transport finds it there.

Calls that create or delete something (the spec's POSTs) are not idempotent: :class:`CallContext` records
``idempotent`` from the operation's HTTP method, the retry policy repeats such a call only when the server
cannot have acted (``_retry``), and ``may_have_acted`` records an attempt whose outcome nobody knows, which
the client turns into :class:`~._errors.OutcomeUnknownError`.

tenacity is imported at the first retry, not with the package: it is ~12 ms of ``import greenstat_ext``
(4 %) that a program which only builds a client, or only uses the mock or the models, never needs.

The success path does only what a success needs (``tests/client/test_lazy_success_path.py``): no tenacity
object unless a retry is due (``_retrying.call_with_retries``), no redacted copy of the request or headers
(``RawResponse`` and the errors build them from :class:`CallContext` when asked), no second parse of the
URL to put the token in, and no copy of a body that arrived in one piece.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterable, Generator, Iterable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from urllib.parse import quote

import anyio
import httpx
import sniffio

from ._bounds import BodyMeter, BodyTooLarge, io_deadline
from ._call import CALL_EXTENSION as CALL_EXTENSION  # re-exported: where the send path was always found
from ._call import CallContext, context_for
from ._call import call_extensions as call_extensions
from ._errors import ResponseTooLargeError
from ._observe import http_instrumentation_suppressed
from ._ratelimit import RateLimitWaitTimeout
from ._redact import mask_url_paths, redacted_request
from ._retry import NOT_SENT_EXCEPTIONS, status_outcome_unknown
from ._retrying import call_with_retries, call_with_retries_async

#: What the generated call gets in place of the token: a valid path segment no token can be (tokens are
#: letters and digits only), replaced by the real token in :func:`_with_token`.
TOKEN_PLACEHOLDER = "_token_"  # noqa: S105 - a placeholder, not a secret
_PLACEHOLDER_SEGMENT = b"/" + TOKEN_PLACEHOLDER.encode()
_PLACEHOLDER_PATH_END = "/" + TOKEN_PLACEHOLDER


def _note_outcome(call: CallContext, outcome: httpx.Response | Exception) -> None:
    """Record whether a non-idempotent call's attempt may have been acted on, or was done.

    By the answer's status once one arrived (even if its body then failed, or a caller's hook raised on
    it): 200 done, 429 and other 4xx refused, the rest unknown (``_retry.status_outcome_unknown``). Without
    a status line: unknown if the request started going out, as httpcore's trace saw it (a deadline spent
    waiting for a pooled connection is then a plain timeout); through a transport that does not trace (a
    mock transport, a custom one), unknown unless the failure is one that happens before writing
    (``_retry.NOT_SENT_EXCEPTIONS``).
    """
    if call.idempotent:
        return
    if isinstance(outcome, httpx.Response):
        status: int | None = outcome.status_code
    elif isinstance(outcome, httpx.HTTPStatusError):
        status = outcome.response.status_code
    else:
        status = call.attempt_status
    if status is not None:
        call.done = call.done or status == 200
        unknown = status_outcome_unknown(status)
    elif call.traced:
        unknown = call.attempt_sent
    else:
        unknown = not isinstance(outcome, NOT_SENT_EXCEPTIONS)
    if unknown:
        call.may_have_acted = True


def _turn_timeout(call: CallContext) -> float | None:
    """How long a retry may wait for its turn in the bucket: what is left of the call (the first attempt's
    wait is not counted: the clock starts when the first request goes out)."""
    return None if call.expires is None else max(0.0, call.expires - time.monotonic())


def _paced(call: CallContext) -> AbstractContextManager[float | None]:
    """The limiter's slot around one send: the next request waits from when this one ended."""
    return call.limiter.slot(_turn_timeout(call)) if call.limiter is not None else nullcontext()


def _paced_async(call: CallContext) -> AbstractAsyncContextManager[float | None]:
    return call.limiter.slot_async(_turn_timeout(call)) if call.limiter is not None else nullcontext()


def _url_with_token(url: httpx.URL, token: str) -> httpx.URL | None:
    """``url`` with its last path segment, the placeholder, replaced by ``token``; None if it has none.

    Built from httpx's parsed form of the URL (``URL._uri_reference``, a ``NamedTuple``), not with
    ``url.copy_with(raw_path=...)``: that parses and validates the whole URL again, ~20 µs, a twentieth of a
    12-recipient call. The new segment is percent-encoded (a token is letters and digits), so the path stays
    valid and normalised. If a future httpx parses URLs differently, the documented ``copy_with`` is used
    (``tests/client/test_lazy_success_path.py`` compares both).
    """
    reference = getattr(url, "_uri_reference", None)
    replace = getattr(reference, "_replace", None)
    path = getattr(reference, "path", None)
    if replace is None or not isinstance(path, str):
        return _url_with_token_slow(url, token)
    if not path.endswith(_PLACEHOLDER_PATH_END):
        return None
    wire = httpx.URL.__new__(httpx.URL)
    wire._uri_reference = replace(path=path[: -len(TOKEN_PLACEHOLDER)] + _path_segment(token))
    return wire


def _path_segment(token: str) -> str:
    """``token`` percent-encoded as one path segment; a token of ASCII letters and digits (the spec's
    pattern) needs no encoding, and ``quote`` costs ~2 µs a call to find that out."""
    return token if token.isascii() and token.isalnum() else quote(token, safe="")


def _url_with_token_slow(url: httpx.URL, token: str) -> httpx.URL | None:
    """:func:`_url_with_token` through httpx's public API only."""
    path, query, rest = url.raw_path.partition(b"?")
    if not path.endswith(_PLACEHOLDER_SEGMENT):
        return None
    raw_path = path[: -len(TOKEN_PLACEHOLDER)] + quote(token, safe="").encode() + query + rest
    return url.copy_with(raw_path=raw_path)


class WireRequest(httpx.Request):
    """The request as sent (the token in its URL), whose ``repr`` masks the token's path segment.

    Why: while a call runs, the transport's frames hold it as a local, and code called from inside them (a
    plugin, a log handler, a tracer) may capture the stack with its locals: Sentry attaches one to every
    error logged (``attach_stacktrace``, on by default in sentry-sdk 3, with ``stack_frame_variables``),
    ``traceback.TracebackException(capture_locals=True)`` and rich's ``show_locals`` do too; all of them show
    a local by its ``repr``, which for an ``httpx.Request`` is its method and full URL.
    """

    #: The URL the generated call built, with :data:`TOKEN_PLACEHOLDER` in place of the token: what a
    #: caller's own ``http_client`` is given to send (see :class:`ClientTransport`).
    placeholder_url: httpx.URL

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.method!r}, {mask_url_paths(str(self.url))!r})>"


def _with_token(request: httpx.Request, call: CallContext) -> httpx.Request:
    """The request to send: ``request`` with the placeholder segment replaced by the call's token."""
    url = None if call.token is None else _url_with_token(request.url, call.token.get_secret_value())
    if url is None:
        wire = request
    else:
        # The fields ``httpx.Request(method, url, headers=..., stream=..., extensions=...)`` would set, set
        # directly: its ``__init__`` re-checks the method and URL and re-encodes the headers (~2 µs a call).
        wire = WireRequest.__new__(WireRequest)
        wire.method = request.method
        wire.url = url
        wire.headers = request.headers.copy()
        wire.stream = request.stream
        wire.extensions = dict(request.extensions)
        wire.placeholder_url = request.url
    call.request = wire
    return wire


def _bound_timeouts(wire: httpx.Request, call: CallContext, expires: float | None) -> None:
    """Each phase's timeout for this attempt (the client's); a ``PoolTimeout`` at once if the deadline passed.

    The socket phases are not clamped here: the sockets clamp every operation to the deadline themselves,
    or the attempt is cancelled at it (a caller's async client). The wait for a connection from the pool is
    no socket operation: its timeout is cut to what is left of the call here.
    """
    if call.timeout is not None:
        wire.extensions["timeout"] = call.timeout.as_dict()
    if expires is not None:
        left = expires - time.monotonic()
        if left <= 0:
            raise httpx.PoolTimeout("the call's deadline passed before the request could go out")
        # The wait for a free connection is no socket operation the backend can clamp: bound it here.
        timeouts = wire.extensions.setdefault("timeout", {})
        pool = timeouts.get("pool")
        timeouts["pool"] = left if pool is None else min(pool, left)


def _deadline_passed(budget: float | None) -> httpx.ReadTimeout:
    spent = f"{budget:g} s " if budget is not None else ""
    return httpx.ReadTimeout(f"the call's {spent}deadline passed (connect, send, reads, retries and waits)")


def _past_deadline(call: CallContext) -> bool:
    return call.expires is not None and time.monotonic() >= call.expires


def too_large_error(exc: BodyTooLarge, call: CallContext) -> ResponseTooLargeError:
    """The typed error for a body past the limit; raised by the client, outside the transport's frames
    (whose locals hold the request with the token, for anyone who captures a traceback's locals)."""
    status_code = exc.status_code
    return ResponseTooLargeError(
        f"HTTP {status_code} response body is larger than max_response_size ({exc.limit} bytes {exc.what})",
        request=redacted_request(call.request or httpx.Request("GET", "about:blank"), secrets=call.secrets),
        retries_taken=call.retries_taken,
        status_code=status_code,
        max_response_size=exc.limit,
    )


def _result(response: httpx.Response, content: bytes, call: CallContext) -> httpx.Response:
    """The answer handed back to ``httpx.Client``: the wire bytes, which it decodes as usual.

    The same ``Response`` (headers, extensions), its network stream, already read and closed, swapped for the
    bytes: ``httpx.Client`` assigns ``response.stream`` itself, and a second ``Response`` would copy the
    headers once more for nothing.
    """
    response.stream = httpx.ByteStream(content)
    call.response = response
    if call.observer is not None:
        call.observer.body_size = len(content)
    return response


def _already_read(response: httpx.Response, call: CallContext) -> bool:
    """True for an answer whose body is already in memory (a mock transport's): measured, kept as is."""
    if not response.is_stream_consumed:  # a network answer: not read yet (and no exception raised to say so)
        return False
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return False
    if len(content) > call.max_response_size:
        exc = BodyTooLarge("inflated", call.max_response_size)
        exc.status_code = response.status_code
        raise exc
    call.response = response
    if call.observer is not None:
        call.observer.body_size = len(content)
    return True


def _read(chunks: Iterable[bytes], meter: BodyMeter, call: CallContext) -> bytes:
    body: list[bytes] = []
    for chunk in chunks:
        meter.feed(chunk)
        body.append(chunk)
        if _past_deadline(call):  # what bounds a caller's http_client: a check between chunks
            raise _deadline_passed(call.budget)
    meter.finish()
    return _joined(body)


async def _aread(chunks: AsyncIterable[bytes], meter: BodyMeter) -> bytes:
    body: list[bytes] = []
    async for chunk in chunks:
        meter.feed(chunk)
        body.append(chunk)
    meter.finish()
    return _joined(body)


def _joined(chunks: list[bytes]) -> bytes:
    """The body: one copy when it came in pieces, none when it came in one (``bytes.join`` of a single
    ``bytes`` returns that very object)."""
    return b"".join(chunks)


class RetryingTransport(httpx.BaseTransport):
    """Rate limit, then send, retrying per the call's :class:`RetryPolicy`, within the call's bounds."""

    def __init__(self, inner: httpx.BaseTransport, *, traced: bool = False) -> None:
        self._inner = inner
        #: ``inner`` sends through httpcore, which honours the ``trace`` extension (see ``CallContext``).
        self._traced = traced

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = context_for(request)
        observer = call.observer
        if observer is not None:
            observer.call_started(request)
        wire = _with_token(request, call)
        if not call.idempotent:  # only writes pay for the trace: whether an attempt was sent decides retries
            wire.extensions["trace"] = call.trace
            call.traced = self._traced

        def attempt() -> httpx.Response:
            call.attempts += 1
            call.begin_exchange()
            # The limiter's slot spans the whole exchange: the next request waits from when this one ended.
            with _paced(call) as waited:
                if observer is not None:
                    observer.attempt_started(call.attempts, waited, wire)
                try:
                    response = self._send(wire, call)
                except Exception as exc:
                    _note_outcome(call, exc)
                    if observer is not None:
                        observer.attempt_finished(call.attempts, exc)
                    raise
            _note_outcome(call, response)
            if observer is not None:
                observer.attempt_finished(call.attempts, response)
            return response

        failure: Exception
        try:
            # OpenTelemetry's HTTP instrumentations stay out of the request as sent (its URL has the token).
            with http_instrumentation_suppressed():
                response = call_with_retries(call, attempt)
        except httpx.TimeoutException:
            if not _past_deadline(call):
                raise
            failure = _deadline_passed(call.budget)  # whichever phase noticed it: say what ran out
        except RateLimitWaitTimeout:  # a retry's turn would come after the deadline
            failure = _deadline_passed(call.budget)
        else:
            return response
        raise failure  # outside the except: no __context__

    def _send(self, wire: httpx.Request, call: CallContext) -> httpx.Response:
        expires = call.begin_attempt()
        reset = io_deadline.set(expires)
        try:
            _bound_timeouts(wire, call, expires)
            response = self._inner.handle_request(wire)
            call.attempt_status = response.status_code
            if _already_read(response, call):
                return response
            stream = response.stream
            assert isinstance(stream, httpx.SyncByteStream)  # a sync transport's answer
            try:
                # inside the retry: a connection dropped mid-body is retried too. The stream itself is
                # read (raw bytes, as ``iter_raw``) and left unread in the Response's eyes: see ``_result``.
                content = _read(stream, BodyMeter(response.headers, call.max_response_size), call)
            except BodyTooLarge as exc:
                exc.status_code = response.status_code
                raise
            finally:
                stream.close()  # a body not read to its end closes the connection
        finally:
            io_deadline.reset(reset)
        return _result(response, content, call)

    def close(self) -> None:
        self._inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RetryingTransport`: same policy, same limiter, same bounds."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, *, clamped: bool = False, traced: bool = False
    ) -> None:
        self._inner = inner
        self._traced = traced
        #: ``inner``'s sockets clamp every operation to the deadline (``_bounds.async_http_transport``): no
        #: cancellation scope is needed around an attempt. A caller's own client gets one.
        self._clamped = clamped

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = context_for(request)
        observer = call.observer
        if observer is not None:
            observer.call_started(request)
        wire = _with_token(request, call)
        if not call.idempotent:
            wire.extensions["trace"] = call.trace_async
            call.traced = self._traced

        async def attempt() -> httpx.Response:
            call.attempts += 1
            call.begin_exchange()
            async with _paced_async(call) as waited:
                if observer is not None:
                    observer.attempt_started(call.attempts, waited, wire)
                try:
                    response = await self._send(wire, call)
                except Exception as exc:
                    _note_outcome(call, exc)
                    if observer is not None:
                        observer.attempt_finished(call.attempts, exc)
                    raise
            _note_outcome(call, response)
            if observer is not None:
                observer.attempt_finished(call.attempts, response)
            return response

        failure: Exception
        try:
            with http_instrumentation_suppressed():
                response = await call_with_retries_async(call, attempt)
        except httpx.TimeoutException:
            if not _past_deadline(call):
                raise
            failure = _deadline_passed(call.budget)
        except RateLimitWaitTimeout:
            failure = _deadline_passed(call.budget)
        else:
            return response
        raise failure

    async def _send(self, wire: httpx.Request, call: CallContext) -> httpx.Response:
        expires = call.begin_attempt()
        _bound_timeouts(wire, call, expires)
        if expires is None:
            return await self._exchange(wire, call)
        if self._clamped:
            reset = io_deadline.set(expires)
            try:
                return await self._exchange(wire, call)
            finally:
                io_deadline.reset(reset)
        left = max(0.0, expires - time.monotonic())
        # The attempt is cancelled at the deadline. Under asyncio by asyncio's own timeout: the same
        # cancellation for less than half the cost of an anyio cancel scope (~6 µs against ~14 µs a call).
        if sniffio.current_async_library() == "asyncio":
            deadline = asyncio.timeout(left)
            try:
                async with deadline:
                    return await self._exchange(wire, call)
            except TimeoutError:
                if not deadline.expired():  # not ours: let it be mapped like any other error
                    raise
        else:
            with anyio.move_on_after(left):
                return await self._exchange(wire, call)
        raise _deadline_passed(call.budget)  # outside the except: no __context__

    async def _exchange(self, wire: httpx.Request, call: CallContext) -> httpx.Response:
        response = await self._inner.handle_async_request(wire)
        call.attempt_status = response.status_code
        if _already_read(response, call):
            return response
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)  # an async transport's answer
        try:
            content = await _aread(stream, BodyMeter(response.headers, call.max_response_size))
        except BodyTooLarge as exc:
            exc.status_code = response.status_code
            raise
        finally:
            await stream.aclose()
        return _result(response, content, call)

    async def aclose(self) -> None:
        await self._inner.aclose()


def sends_through_httpcore(client: httpx.Client | httpx.AsyncClient) -> bool:
    """Whether a caller's client sends through httpx's own transport (httpcore, which traces), with no
    mounted transport of another kind. Reads httpx's private ``_transport``/``_mounts``; when they are not
    there, the answer is False, which only makes the write rule more careful."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    return all(
        type(t) in (httpx.HTTPTransport, httpx.AsyncHTTPTransport) for t in transports if t is not None
    ) and (transports[0] is not None)


class _PutToken(httpx.Auth):
    """Puts the token in the URL *inside* a caller's client's ``send``, then runs that client's own auth.

    Why an auth flow: ``httpx.Client.send`` is what tracing and error-tracking integrations patch (Sentry's
    httpx integration records the URL it is given in a span and a breadcrumb; ddtrace does the same), and a
    caller's client is sent to through it. Given the URL with the token placeholder, they record that; the
    auth flow, which ``send`` runs before the redirects, the event hooks and the transport, puts the token
    in. ``send(auth=...)`` replaces the client's auth for the request, so that auth runs after ours.
    """

    def __init__(self, url: httpx.URL, inner: httpx.Auth | None) -> None:
        self._url = url
        self._inner = inner

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = self._url
        if self._inner is None:
            yield request
            return
        yield from self._inner.sync_auth_flow(request)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.url = self._url
        if self._inner is None:
            yield request
            return
        flow = self._inner.async_auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                return


def _through_callers_client(
    request: httpx.Request, client: httpx.Client | httpx.AsyncClient
) -> tuple[httpx.Request, httpx.Auth | None]:
    """The request to give a caller's client (the token placeholder in its URL) and the auth that puts the
    token in; the request itself and the client's auth when it carries no token."""
    if not isinstance(request, WireRequest):
        return request, None
    shown = WireRequest.__new__(WireRequest)
    shown.method = request.method
    shown.url = shown.placeholder_url = request.placeholder_url
    shown.headers = request.headers
    shown.stream = request.stream
    shown.extensions = request.extensions
    # (No credentials in the URL to turn into basic auth as httpx would: ``api_url`` may not have any.)
    return shown, _PutToken(request.url, client.auth)


class ClientTransport(httpx.BaseTransport):
    """Sends through a caller-supplied ``httpx.Client`` (its pool, proxies, TLS, auth, hooks); never closes
    it. Its ``send`` gets the URL with the token placeholder; the token goes in below it (:class:`_PutToken`).

    The answer is streamed, so the retrying transport reads it within the call's bounds. Redirects are
    greenstat's decision, not the caller's client's (``follow_redirects=True`` there is common): never
    followed. httpx would re-send a write's body on a 307/308 (the server acted twice, the caller saw one
    answer) and take the token, which is in the URL's path, to whatever origin a ``Location`` names. A 3xx
    is returned as it is: a typed error (a write's outcome is then unknown: ``OutcomeUnknownError``).
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        shown, auth = _through_callers_client(request, self._client)
        if auth is None:
            return self._client.send(request, stream=True, follow_redirects=False)
        return self._client.send(shown, stream=True, auth=auth, follow_redirects=False)


class AsyncClientTransport(httpx.AsyncBaseTransport):
    """Sends through a caller-supplied ``httpx.AsyncClient``; never closes it. Never follows a redirect and
    puts the token in below its ``send``, like the sync one."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shown, auth = _through_callers_client(request, self._client)
        if auth is None:
            return await self._client.send(request, stream=True, follow_redirects=False)
        return await self._client.send(shown, stream=True, auth=auth, follow_redirects=False)
