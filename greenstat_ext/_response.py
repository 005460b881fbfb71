"""Turning what the generated layer returned (or raised) into a result or one typed, redacted exception."""

from __future__ import annotations

import re
from typing import Generic, TypeVar

import httpx
import msgspec

from greenstat_client.models import Error, QuotaExceeded, StatusStatistic
from greenstat_client.types import Response

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
from ._redact import redact, redacted_request
from ._retry import parse_retry_after
from ._transport import CallContext

T = TypeVar("T")
GeneratedResponse = Response[Error | QuotaExceeded | list[StatusStatistic]]
_MSGSPEC_PATH = re.compile(r" - at `(\$[^`]*)`$")


class RawResponse(Generic[T]):
    """A successful answer with its HTTP details, as returned by ``client.with_raw_response``.

    The body was already validated (the generated layer decodes eagerly), so :meth:`parse` cannot fail.
    """

    __slots__ = ("_parsed", "content", "headers", "request", "retries_taken", "status_code")

    def __init__(
        self,
        *,
        status_code: int,
        headers: httpx.Headers,
        content: bytes,
        retries_taken: int,
        request: httpx.Request,
        parsed: T,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.retries_taken = retries_taken
        self.request = request
        self._parsed = parsed

    def parse(self) -> T:
        """The decoded, validated body."""
        return self._parsed

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] retries_taken={self.retries_taken}>"


def _excerpt(content: bytes) -> str:
    return redact(content[: BODY_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:BODY_EXCERPT_CHARS])


def _safe_request(call: CallContext) -> httpx.Request:
    if call.request is None:  # pragma: no cover - the transport always records it
        return httpx.Request("GET", "about:blank")
    return redacted_request(call.request)


def connection_error(exc: httpx.RequestError, call: CallContext) -> APIConnectionError:
    """A redacted error for a request that got no HTTP answer. ``exc`` itself is not kept."""
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    detail = redact(str(exc)) or "no detail"
    message = f"{type(exc).__name__}: {detail}"
    if call.retries_taken:
        message += f" (after {call.retries_taken} retries)"
    return cls(message, request=_safe_request(call), retries_taken=call.retries_taken)


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
        f"200 response body {kind}: {redact(text)}",
        request=_safe_request(call),
        retries_taken=call.retries_taken,
        status_code=response.status_code if response is not None else 200,
        body=_excerpt(content),
        path=path,
    )


def status_error(response: GeneratedResponse, call: CallContext) -> APIStatusError:
    """The typed exception for a non-200 answer."""
    code = response.status_code
    body = _excerpt(response.content)
    parsed = response.parsed
    detail = redact(parsed.message) if isinstance(parsed, Error) else body[:200]
    message = f"HTTP {code} {reason_phrase(code)}"
    if detail:
        message += f": {detail}"
    if call.retries_taken:
        message += f" (after {call.retries_taken} retries)"
    headers = httpx.Headers({k: redact(v) for k, v in response.headers.items()})
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
        error.quota = parsed
    return error


def build_result(response: GeneratedResponse, call: CallContext) -> RawResponse[list[StatusStatistic]]:
    """The raw result of a 200, or raise the typed error for anything else."""
    parsed = response.parsed
    if response.status_code == 200 and isinstance(parsed, list):
        return RawResponse(
            status_code=200,
            headers=httpx.Headers(response.headers),
            content=response.content,
            retries_taken=call.retries_taken,
            request=_safe_request(call),
            parsed=parsed,
        )
    raise status_error(response, call)


__all__ = ["APIError", "RawResponse", "build_result", "connection_error", "status_error", "validation_error"]
