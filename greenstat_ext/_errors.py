"""The exception tree: one class per thing a caller can act on differently.

Every exception is built from redacted material only (a masked request, a masked body excerpt), and is
raised *outside* the ``except`` block that caught the library error, so neither ``__cause__`` nor
``__context__`` drags an httpx exception (whose ``request.url`` holds the token) along.

They pickle (for ``multiprocessing`` and ``concurrent.futures``) by state, not by re-calling ``__init__``
(whose keyword-only arguments ``BaseException``'s default reduction cannot replay): what goes in the
pickle is exactly what the exception already holds, which is redacted material only.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx

from greenstat_client.models import QuotaExceeded

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedRequestError",
    "ConfigurationError",
    "GreenStatError",
    "InvalidRequestError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "UnexpectedStatusError",
]

BODY_EXCERPT_CHARS = 500
_REASONS = {466: "Quota Exceeded", 499: "Client Closed Request", 520: "Unknown Error"}


def reason_phrase(status_code: int) -> str:
    """The status's name, also for codes ``http.HTTPStatus`` does not know (466, 499, 520)."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return _REASONS.get(status_code, "Unknown Status")


def _restore(cls: type[GreenStatError], args: tuple[Any, ...], state: dict[str, Any]) -> GreenStatError:
    """Rebuild a pickled exception from its ``args`` and attributes, without calling its ``__init__``."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class GreenStatError(Exception):
    """Base of everything greenstat raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(GreenStatError, ValueError):
    """The client was given bad settings (credentials, URL, limits); raised before any request is sent."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class InvalidRequestError(GreenStatError, ValueError):
    """A call argument (``id_message``) is invalid; raised before any request is sent."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class APIError(GreenStatError):
    """A request was attempted. ``request`` is a redacted copy; ``retries_taken`` counts re-sends."""

    def __init__(self, message: str, *, request: httpx.Request, retries_taken: int) -> None:
        self.message = message
        self.request = request
        self.retries_taken = retries_taken
        super().__init__(message)


class APIConnectionError(APIError):
    """No HTTP answer: DNS failure, connection refused or reset, protocol error (after retries)."""


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout (after retries)."""


class ResponseValidationError(APIError):
    """A 200 answer whose body breaks the spec (wrong type, missing field, not JSON).

    ``path`` is msgspec's location of the first problem (e.g. ``$[0].timestamp``), ``None`` for a body that
    is not JSON at all.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        retries_taken: int,
        status_code: int,
        body: str,
        path: str | None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.path = path
        super().__init__(message, request=request, retries_taken=retries_taken)


class ResponseTooLargeError(APIError):
    """An answer (any status) whose body passed ``max_response_size``, on the wire or inflated. Not retried.

    The connection is closed as soon as the limit is passed: the rest of the body is never read or kept.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        retries_taken: int,
        status_code: int,
        max_response_size: int,
    ) -> None:
        self.status_code = status_code
        self.max_response_size = max_response_size
        super().__init__(message, request=request, retries_taken=retries_taken)


class OutcomeUnknownError(APIError):
    """A send or delete reached the server, and then nobody can tell whether it was done. Never retried.

    Raised instead of the timeout, connection or status error (``cause`` names it) for a call that creates or
    deletes something when its answer was lost after the request was written (a read timeout, a dropped
    connection, the call's deadline) or was a 499 or a 5xx: the gateway may have passed it on, so the status
    may have been posted (or deleted) although the call failed. Repeating it blindly can post a status twice;
    look first: ``get_outgoing_statuses()`` lists what was posted (and no longer lists what was deleted) --
    but only while the instance setting "receive webhooks on statuses of sent messages" is on, and a queued
    status may appear late, so its absence proves nothing by itself.
    ``status_code`` is the answer's (None when there was none), ``body`` its redacted excerpt.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        retries_taken: int,
        operation: str,
        cause: str,
        status_code: int | None = None,
        body: str = "",
    ) -> None:
        self.operation = operation
        self.cause = cause
        self.status_code = status_code
        self.body = body
        super().__init__(message, request=request, retries_taken=retries_taken)

    @classmethod
    def after(cls, operation: str, error: APIError) -> OutcomeUnknownError:
        """The error for ``operation`` that ended with ``error`` (itself built from redacted material)."""
        status_code = getattr(error, "status_code", None)
        cause = f"HTTP {status_code} {reason_phrase(status_code)}" if status_code else type(error).__name__
        message = (
            f"{operation}: outcome unknown after {cause}: the request was sent, so it may have been done. "
            "Do not repeat it blindly: look for it with get_outgoing_statuses() (which lists statuses sent "
            "through the API only while the instance's outgoing-statuses setting is on, and may list a new "
            f"one late). ({error.message})"
        )
        return cls(
            message,
            request=error.request,
            retries_taken=error.retries_taken,
            operation=operation,
            cause=cause,
            status_code=status_code,
            body=getattr(error, "body", ""),
        )


class APIStatusError(APIError):
    """The server answered with a status other than 200.

    ``body`` is a redacted excerpt (first 500 characters); ``headers`` the answer's headers (redacted).
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request,
        retries_taken: int,
        status_code: int,
        body: str,
        headers: httpx.Headers,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers = headers
        super().__init__(message, request=request, retries_taken=retries_taken)


class BadRequestError(APIStatusError):
    """400: bad request data, or the instance is starting / not authorised. Not retried."""


class AuthenticationError(APIStatusError):
    """401: wrong ``apiTokenInstance``. Not retried."""


class PermissionDeniedError(APIStatusError):
    """403: wrong ``idInstance``, or no access to the beta Statuses methods. Not retried."""


class RateLimitError(APIStatusError):
    """429 after the retries ran out (or a ``Retry-After`` beyond the cap). ``retry_after`` in seconds."""

    retry_after: float | None = None


class QuotaExceededError(APIStatusError):
    """466: the free plan's monthly quota is spent. ``quota`` is the parsed body (None if malformed)."""

    quota: QuotaExceeded | None = None


class ClientClosedRequestError(APIStatusError):
    """499: the request took too long on Green API's side (after retries)."""


class ServerError(APIStatusError):
    """A registered 5xx status (500-511); 500, 502, 503 and 504 are retried first."""


class UnexpectedStatusError(APIStatusError):
    """Any other status: 404, 418, 204, 520 (Cloudflare's unofficial code)... Never crashes, never retried."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitError,
    466: QuotaExceededError,
    499: ClientClosedRequestError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for a non-200 status code."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if 500 <= status_code <= 511:
        return ServerError
    return UnexpectedStatusError
