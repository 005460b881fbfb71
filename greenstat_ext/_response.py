"""Turning what the generated layer returned (or raised) into a result or one typed, redacted exception."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

import httpx
import msgspec

from greenstat_client.api import Operation
from greenstat_client.models import Error, QuotaExceeded
from greenstat_client.types import Model, Response, decode_json

from ._call import CallContext
from ._errors import (
    BODY_EXCERPT_CHARS,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    QuotaExceededError,
    RateLimitError,
    ResponseValidationError,
    reason_phrase,
    status_error_class,
)
from ._redact import redact, redact_excerpt, redacted_headers, redacted_request
from ._retry import parse_retry_after

T = TypeVar("T")
M = TypeVar("M", bound=Model)
#: What a generated ``sync_detailed``/``asyncio_detailed`` returns: its 200 type, or a documented error model.
GeneratedResponse = Response[Any]
_MSGSPEC_PATH = re.compile(r" - at `(\$[^`]*)`$")
_DETAIL_CHARS = 200  # of a body that is not a documented JSON error, in the exception's message


class RawResponse(Generic[T]):
    """A successful answer with its HTTP details, as returned by ``client.with_raw_response``.

    The body was already validated (the generated layer decodes eagerly), so :meth:`parse` cannot fail.
    ``headers`` are redacted like an error's (a server may echo the URL or the token in one); ``content``
    is the exact body bytes the caller asked for, not altered. ``request`` is the request as sent, with the
    token masked in its URL and headers.

    ``headers`` and ``request`` are built on first access, not per call: most results are only ever
    ``parse()``-d (the facade methods do nothing else), and redacting copies of the URL and
    headers was a third of a small call's cost. Until then the instance keeps the raw material in private
    slots (the answer's headers and the call's context, whose request holds the token, like the client
    itself does); no public attribute, ``repr``, pickle or copy ever carries it (see ``__getstate__``).

    Built either from ready ``headers=`` and ``request=`` (already redacted), or from ``call=`` and
    ``raw_headers=`` (redacted lazily with the call's token).
    """

    __slots__ = (
        "_call",
        "_headers",
        "_parsed",
        "_raw_headers",
        "_request",
        "content",
        "retries_taken",
        "status_code",
    )

    def __init__(
        self,
        *,
        status_code: int,
        content: bytes,
        retries_taken: int,
        parsed: T,
        headers: httpx.Headers | None = None,
        request: httpx.Request | None = None,
        call: CallContext | None = None,
        raw_headers: httpx.Headers | Mapping[str, str] | None = None,
    ) -> None:
        if headers is None and raw_headers is None:
            raise TypeError("RawResponse needs headers= (redacted) or raw_headers= with call=")
        if (headers is None or request is None) and call is None:
            raise TypeError("RawResponse needs call= to redact what headers=/request= did not give")
        self.status_code = status_code
        self.content = content
        self.retries_taken = retries_taken
        self._parsed = parsed
        self._headers = headers
        self._request = request
        self._raw_headers = raw_headers if headers is None else None
        self._call = call if headers is None or request is None else None

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers, the token masked in every value."""
        if self._headers is None:
            assert self._raw_headers is not None  # see __init__
            assert self._call is not None
            self._headers = redacted_headers(httpx.Headers(self._raw_headers), secrets=self._call.secrets)
            self._raw_headers = None
            self._release()
        return self._headers

    @property
    def request(self) -> httpx.Request:
        """The request as sent, body-less, the token masked in its URL and headers."""
        if self._request is None:
            assert self._call is not None  # see __init__
            self._request = _safe_request(self._call)
            self._release()
        return self._request

    def _release(self) -> None:
        """Drop the raw material once both redacted views exist."""
        if self._headers is not None and self._request is not None:
            self._call = None

    def parse(self) -> T:
        """The decoded, validated body."""
        return self._parsed

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and ``copy`` see the redacted views only, never the raw material."""
        return {
            "status_code": self.status_code,
            "content": self.content,
            "retries_taken": self.retries_taken,
            "parsed": self._parsed,
            "headers": self.headers,
            "request": self.request,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] retries_taken={self.retries_taken}>"


def _excerpt(content: bytes, call: CallContext) -> str:
    # The whole body is decoded and redacted before the cut: cutting first leaves a token's prefix that no
    # exact match can find.
    return redact_excerpt(content.decode("utf-8", errors="replace"), BODY_EXCERPT_CHARS, secrets=call.secrets)


def _safe_request(call: CallContext) -> httpx.Request:
    if call.request is None:  # pragma: no cover - the transport always records it
        return httpx.Request("GET", "about:blank")
    return redacted_request(call.request, secrets=call.secrets)


def connection_error(exc: httpx.RequestError, call: CallContext) -> APIConnectionError:
    """A redacted error for a request that got no HTTP answer. ``exc`` itself is not kept."""
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    detail = redact(str(exc), secrets=call.secrets) or "no detail"
    message = f"{type(exc).__name__}: {detail}"
    if call.retries_taken:
        message += f" (after {call.retries_taken} retries)"
    return cls(message, request=_safe_request(call), retries_taken=call.retries_taken)


_QUOTA_DECODER = msgspec.json.Decoder(QuotaExceeded)
_ERROR_DECODER = msgspec.json.Decoder(Error)


def _error_body_model(status_code: int, content: bytes) -> Error | QuotaExceeded | None:
    """The documented error model of a body the generated layer did not parse (an event hook raised).

    Decoded like the generated layer does (``decode_json``: invalid UTF-8 and hostile nesting included).
    """
    try:
        if status_code == 466:
            return decode_json(_QUOTA_DECODER, content)
        return decode_json(_ERROR_DECODER, content)
    except msgspec.DecodeError:  # any malformed body: the lenient parse of the generated layer gives None too
        return None


def http_error(exc: Exception, call: CallContext) -> APIError:
    """A redacted error for any other httpx failure, typically raised by a caller's ``http_client`` hook.

    An ``HTTPStatusError`` (``response.raise_for_status()`` in a hook) becomes the same typed status error
    the answer would have given; anything else (``InvalidURL``, ``CookieConflict``, a stream error) an
    :class:`APIError` naming it. ``exc`` itself is not kept.
    """
    if isinstance(exc, httpx.RequestError):
        return connection_error(exc, call)
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        try:
            content = response.content
        except httpx.ResponseNotRead:  # the hook ran before the body was read
            content = b""
        parsed = _error_body_model(response.status_code, content) if content else None
        return _status_error(response.status_code, content, response.headers, parsed, call)
    detail = redact(str(exc), secrets=call.secrets) or "no detail"
    return APIError(
        f"{type(exc).__name__}: {detail}", request=_safe_request(call), retries_taken=call.retries_taken
    )


def validation_error(exc: msgspec.MsgspecError, call: CallContext) -> ResponseValidationError:
    """A redacted error for a 200 body that breaks the spec."""
    response = call.response
    content = response.content if response is not None and response.is_stream_consumed else b""
    text = str(exc)
    match = _MSGSPEC_PATH.search(text)
    path = match.group(1) if match else ("$" if isinstance(exc, msgspec.ValidationError) else None)
    # ValidationError subclasses DecodeError: test the narrower class first.
    kind = "does not match the spec" if isinstance(exc, msgspec.ValidationError) else "is not valid JSON"
    return ResponseValidationError(
        f"200 response body {kind}: {redact(text, secrets=call.secrets)}",
        request=_safe_request(call),
        retries_taken=call.retries_taken,
        status_code=response.status_code if response is not None else 200,
        body=_excerpt(content, call),
        path=path,
    )


def status_error(response: GeneratedResponse, call: CallContext) -> APIStatusError:
    """The typed exception for a non-200 answer."""
    parsed = response.parsed
    model = parsed if isinstance(parsed, Error | QuotaExceeded) else None
    return _status_error(response.status_code, response.content, response.headers, model, call)


def _status_error(
    code: int,
    content: bytes,
    raw_headers: httpx.Headers | Mapping[str, str],
    parsed: Error | QuotaExceeded | None,
    call: CallContext,
) -> APIStatusError:
    body = _excerpt(content, call)
    if isinstance(parsed, Error):
        detail = redact_excerpt(parsed.message, BODY_EXCERPT_CHARS, secrets=call.secrets)
    elif isinstance(parsed, QuotaExceeded):  # its words and figures, not a JSON excerpt cut mid-object
        quota = parsed.invoke_status
        said = f"{quota.description} ({quota.method}: {quota.used} of {quota.total} used)"
        detail = redact_excerpt(said, BODY_EXCERPT_CHARS, secrets=call.secrets)
    else:
        detail = redact_excerpt(body, _DETAIL_CHARS)
    message = f"HTTP {code} {reason_phrase(code)}"
    if detail:
        message += f": {detail}"
    if call.retries_taken:
        message += f" (after {call.retries_taken} retries)"
    headers = redacted_headers(httpx.Headers(raw_headers), secrets=call.secrets)
    cls = status_error_class(code)
    error = cls(
        message,
        request=_safe_request(call),
        retries_taken=call.retries_taken,
        status_code=code,
        body=body,
        headers=headers,
    )
    if isinstance(error, RateLimitError):
        error.retry_after = parse_retry_after(headers.get("retry-after"))
    if isinstance(error, QuotaExceededError) and isinstance(parsed, QuotaExceeded):
        error.quota = _redacted_model(parsed, call)
    return error


def _redacted_strings(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets=secrets)
    if isinstance(value, dict):
        return {key: _redacted_strings(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted_strings(item, secrets) for item in value]
    return value


def _redacted_model(model: M, call: CallContext) -> M | None:
    """A copy of a parsed error body with the token masked in every string.

    The exception keeps it (``QuotaExceededError.quota``), so its ``repr``, ``__dict__`` and pickle must not
    hold what a server echoed (a 466 ``description`` quoting the request URL). None if the masked copy no
    longer fits the model (a constraint the mask breaks): a quota without the token beats one with it.
    """
    try:
        return type(model).from_dict(_redacted_strings(model.to_dict(), call.secrets))
    except msgspec.ValidationError:
        return None


def build_result(
    operation: Operation[T], response: GeneratedResponse, call: CallContext
) -> RawResponse[T] | APIStatusError:
    """The raw result of a 200, or the typed error for anything else; one function for every operation.

    The error is returned, not raised: raised here, this frame (which holds the answer, maybe echoing the
    token) would be in its traceback.

    ``operation`` types the result: the generated layer already decoded a 200 into the operation's 200 type
    (or raised), so nothing is checked again here.
    """
    if response.status_code == 200:
        parsed = cast(T, response.parsed)  # decoded as the operation's 200 type (or the call raised)
        return RawResponse(
            status_code=200,
            raw_headers=response.headers,  # redacted on first access: most results are only parse()-d
            content=response.content,
            retries_taken=call.retries_taken,
            call=call,
            parsed=parsed,
        )
    return status_error(response, call)


__all__ = [
    "APIError",
    "RawResponse",
    "build_result",
    "connection_error",
    "http_error",
    "status_error",
    "validation_error",
]
