"""The exception tree: one class per thing a caller can act on differently.

Every exception is built from redacted material only (a masked request, a masked body excerpt), and is
raised *outside* the ``except`` block that caught the library error, so neither ``__cause__`` nor
``__context__`` drags an httpx exception (whose ``request.url`` holds the token) along.

They pickle (for ``multiprocessing`` and ``concurrent.futures``) by state, not by re-calling ``__init__``
(whose keyword-only arguments ``BaseException``'s default reduction cannot replay): what goes in the
pickle is exactly what the exception already holds, which is redacted material only.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

from greenstat_client.models import QuotaExceeded

from . import _spec

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
    connection, the call's deadline) or was a 499 or a 5xx: the gateway may have passed it on, so the thing
    may have been created (or deleted) although the call failed. Repeating it blindly can post a status twice;
    look first, with the read that lists what the call creates or deletes: the spec names it (``x-lists``,
    and what that listing may miss, ``x-lists-note``: for a status, ``get_outgoing_statuses()`` lists one
    sent through the API only while the instance's outgoing-statuses setting is on, and may list it late, so
    its absence proves nothing by itself). ``listing`` is that read's Python name (``None`` when the spec has
    none: check by other means), and the message says the same.
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
        listing: str | None = None,
    ) -> None:
        self.operation = operation
        self.cause = cause
        self.status_code = status_code
        self.body = body
        self.listing = listing
        super().__init__(message, request=request, retries_taken=retries_taken)

    @classmethod
    def after(cls, operation: str, error: APIError) -> OutcomeUnknownError:
        """The error for ``operation`` that ended with ``error`` (itself built from redacted material)."""
        status_code = getattr(error, "status_code", None)
        cause = f"HTTP {status_code} {reason_phrase(status_code)}" if status_code else type(error).__name__
        listing, advice = look_first(operation)
        message = (
            f"{operation}: outcome unknown after {cause}: the request was sent, so it may have been done. "
            f"Do not repeat it blindly: {advice}. ({error.message})"
        )
        return cls(
            message,
            request=error.request,
            retries_taken=error.retries_taken,
            operation=operation,
            cause=cause,
            status_code=status_code,
            body=getattr(error, "body", ""),
            listing=listing,
        )


@dataclass(frozen=True, slots=True)
class WriteEffect:
    """What a write acts on, for the advice after its outcome is unknown: the ``kind`` it creates (else the
    one it deletes), whether it only ``removes`` (deletes, creates nothing), and the read that ``lists``
    that kind (:func:`listing`), each None/False when the spec says nothing.

    Why one function: the client's ``OutcomeUnknownError`` and the CLI's exit-4 line give the same advice in
    their own words; they once chose the kind in opposite orders.
    """

    kind: str | None
    removes: bool
    lists: _spec.OperationSpec | None


def write_effect(operation_id: str) -> WriteEffect:
    """The :class:`WriteEffect` of ``operation_id`` (an operationId or Python name; unknown: no effect)."""
    try:
        spec = _spec.operation(operation_id)
    except KeyError:
        return WriteEffect(None, False, None)
    kind = spec.creates or spec.deletes
    removes = spec.creates is None and spec.deletes is not None
    return WriteEffect(kind, removes, _spec.listing(kind) if kind else None)


def look_first(operation: str) -> tuple[str | None, str]:
    """Where to look before repeating ``operation`` (an operationId), from the spec: the read listing the kind
    it creates or deletes (its ``x-lists``), by Python name, and the advice in words.

    Why from the spec: "look for it with get_outgoing_statuses()" is wrong advice for a write that creates
    anything but a status; only the spec says which read lists which kind, and what that read may miss
    (``x-lists-note``, e.g. the outgoing-statuses setting for a status). Without such a read: check by other
    means.
    """
    effect = write_effect(operation)
    found = effect.lists
    if found is None:
        kind = effect.kind
        what = f"no operation of the spec lists a {kind}" if kind else "the spec names no read that shows it"
        return None, f"check by other means whether it was done before repeating it ({what})"
    note = f" (which {found.lists_note})" if found.lists_note else ""
    if not effect.removes:
        return found.python_name, f"look for it with {found.python_name}(){note}"
    return found.python_name, f"check with {found.python_name}() whether it is still listed{note}"


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
