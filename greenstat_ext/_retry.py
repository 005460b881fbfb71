"""One retry policy: what is worth a second try and how long to wait (applied by ``_retrying``).

Reads (GET) are retried after any transient failure. Calls that create or delete something (the spec's
POSTs: the sends and ``deleteStatus``) are not idempotent: repeating one the server acted on posts a second
status. They are retried only when the request cannot have been acted on — a 429, or a failure before it
was written (:data:`NOT_SENT_EXCEPTIONS`, with no byte gone out by httpcore's trace) — and any other failure
(:func:`status_outcome_unknown`, ``_transport._note_outcome``) ends the call with ``OutcomeUnknownError``.
``docs/retries.md`` has the rule per method.

Why tenacity and not stamina (which wraps it): stamina's waits and deadline run on the real clock with no
way to inject a sleep or a clock, and its retry hooks are process-global (``set_on_retry_hooks``), so a
library would be configuring its users' retries. tenacity exposes exactly the parts we need per instance:
``sleep=``, ``wait=``, ``stop=``, ``before_sleep=``. See ``docs/retries.md``.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from . import _spec
from ._errors import ConfigurationError
from ._loopback import connection_refused, is_loopback_host

#: Statuses worth a second try: rate limited, closed by the gateway, or a transient server fault.
RETRYABLE_STATUSES = frozenset({429, 499, 500, 502, 503, 504})
#: Transport failures worth a second try. GET is idempotent, so a read timeout is safe to repeat.
RETRYABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
#: HTTP methods whose calls may be repeated after any failure (RFC 9110 §9.2.2): for a request that names no
#: operation of the spec. A greenstat call asks its operation's ``x-idempotent`` (``_spec.OperationSpec``),
#: whose default is this same set (one definition, in ``_spec``).
IDEMPOTENT_METHODS = _spec.IDEMPOTENT_METHODS
#: The answers that prove the server did *not* act on a non-idempotent request, so it may be sent again:
#: 429 (the gateway refused it before the method ran). Every other 4xx proves it too, but is not retried.
NOT_ACTED_RETRYABLE_STATUSES = frozenset({429})
#: The failures that prove the request was never written (no connection, none free in the pool): a send or
#: delete is retried after these only. A read timeout, a dropped connection, a protocol error or a write
#: error may come after the server got the whole request.
NOT_SENT_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


def status_outcome_unknown(status_code: int) -> bool:
    """Whether an answer with this status leaves open if the server acted on a non-idempotent request.

    Known done: 200. Known not done: a 4xx other than 499 (the gateway or the method refused it). Anything
    else — a 499 (the gateway gave up waiting for the method, which may still run), a 5xx, an unexpected
    1xx/2xx/3xx — leaves the outcome unknown. (Without an answer, the transport decides by whether the
    request started going out: ``_transport._note_outcome``.)
    """
    return not (status_code == 200 or (400 <= status_code < 500 and status_code != 499))


DEFAULT_MAX_RETRIES = 3
#: The longest wait, cap or deadline a policy accepts (a day): longer overflows ``time.sleep``.
MAX_SECONDS = 86_400.0


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. All times in seconds.

    Backoff before retry ``n`` (1-based) is ``min(wait_max, wait_initial * wait_exp_base**(n-1) +
    uniform(0, wait_jitter))``, unless the answer carries ``Retry-After``: then exactly that, provided it is
    at most ``retry_after_max`` (a longer one is not waited for: the call fails at once with
    ``RateLimitError.retry_after`` set). ``deadline`` bounds the whole call like the client's ``timeout``
    does (the smaller one wins): from the first request going out, an attempt still running at the deadline
    is aborted (``APITimeoutError``) and no retry starts whose wait would end past it. ``None`` leaves only
    the ``timeout``. ``sleep``/``async_sleep``/``clock`` are injectable for tests.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    wait_initial: float = 0.5
    wait_max: float = 8.0
    wait_jitter: float = 0.5
    wait_exp_base: float = 2.0
    retry_after_max: float = 30.0
    deadline: float | None = 60.0
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        retries = self.max_retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigurationError("max_retries", f"must be an integer >= 0 (got {self.max_retries!r})")
        for name in ("wait_initial", "wait_max", "wait_jitter", "retry_after_max"):
            value = getattr(self, name)
            if not (_is_number(value) and 0 <= value <= MAX_SECONDS):
                raise ConfigurationError(
                    name, f"must be a number of seconds in [0, {MAX_SECONDS:g}] (got {value!r})"
                )
        base = self.wait_exp_base
        if not (_is_number(base) and base >= 1):
            raise ConfigurationError("wait_exp_base", f"must be a finite number >= 1 (got {base!r})")
        deadline = self.deadline
        if deadline is not None and not (_is_number(deadline) and 0 < deadline <= MAX_SECONDS):
            raise ConfigurationError(
                "deadline", f"must be a number of seconds in (0, {MAX_SECONDS:g}] or None (got {deadline!r})"
            )

    def replace(self, **changes: Any) -> RetryPolicy:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def backoff(self, retry_number: int) -> float:
        """The exponential backoff with jitter before retry ``retry_number`` (1-based), capped."""
        try:
            base = self.wait_initial * self.wait_exp_base ** (retry_number - 1)
        except OverflowError:
            return self.wait_max
        jitter = random.uniform(0, self.wait_jitter) if self.wait_jitter else 0.0  # noqa: S311 - not crypto
        return min(self.wait_max, base + jitter)


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` value; None if absent, garbled, zero or in the past.

    Delta-seconds is digits only (RFC 9110: ``1e1``, ``3.0`` or ``-5`` are not numbers of seconds); the
    other form is an HTTP-date. Zero and a past date are treated as absent, so the normal backoff applies:
    honouring them would retry back to back.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        # More digits than a day has seconds is "later than we will ever wait" (and int() of thousands of
        # digits is refused by Python).
        seconds = float(value) if len(value) <= 9 else float(10**9)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # asctime form ("Sun Nov  6 08:49:37 1994"): RFC 9110 says it is GMT
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - now()
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return seconds


def retry_after_of(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("retry-after"))


def should_retry_response(policy: RetryPolicy, response: httpx.Response, *, idempotent: bool = True) -> bool:
    """Retryable status, and a ``Retry-After`` (if any) we are willing to wait for.

    A non-idempotent call (a send, a delete) only after an answer that proves nothing was done (429).
    """
    statuses = RETRYABLE_STATUSES if idempotent else NOT_ACTED_RETRYABLE_STATUSES
    if response.status_code not in statuses:
        return False
    retry_after = retry_after_of(response)
    return retry_after is None or retry_after <= policy.retry_after_max


def should_retry_exception(
    exc: BaseException, *, idempotent: bool = True, request: httpx.Request | None = None
) -> bool:
    """A transient transport failure; for a non-idempotent call, only one before the request was written.

    A connection that a loopback address (``request``'s host) refused is not transient: nothing listens
    there (the mock is not started), and no wait makes a local server appear. It fails at once.
    """
    if request is not None and is_loopback_host(request.url.host) and connection_refused(exc):
        return False
    return isinstance(exc, RETRYABLE_EXCEPTIONS if idempotent else NOT_SENT_EXCEPTIONS)
