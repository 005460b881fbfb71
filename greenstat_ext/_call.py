"""A call's context: its settings on the way down to the transport, its results on the way back up.

Per-call settings (policy, timeout, limiter, size limit, whether the call may be repeated) and per-call
results (retries taken, the final response, whether a write may have been done) travel in a
:class:`CallContext` that the client hands to the generated call, which passes it on as the request's
``extensions`` (:data:`CALL_EXTENSION`): explicit, visible in the signatures, and independent of threads and
tasks, so clients made by ``with_options`` can share one connection pool.

Why a module of its own: the client builds it, the transport and the retry loop (``_retrying``) read and
fill it, the errors (``_response``) are made from it. It depends only on the retry *policy* (``_retry``),
so the policy, the context, the loop and the transport import each other in one direction only.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from ._bounds import DEFAULT_MAX_RESPONSE_SIZE
from ._ratelimit import LimiterBackend
from ._retry import IDEMPOTENT_METHODS, RetryPolicy

if TYPE_CHECKING:
    from ._credentials import ApiToken
    from ._observe import CallObserver


#: httpcore's trace events that mean "the request's first bytes are being written" (HTTP/1.1 and HTTP/2).
_SENT_EVENTS = frozenset({"http11.send_request_headers.started", "http2.send_request_headers.started"})


@dataclass(slots=True)
class CallContext:
    policy: RetryPolicy
    timeout: httpx.Timeout | None = None
    limiter: LimiterBackend | None = None
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE
    attempts: int = 0
    #: The request as sent (real token in the URL): only ever exposed through ``redacted_request``.
    request: httpx.Request | None = field(default=None, repr=False)
    response: httpx.Response | None = field(default=None, repr=False)
    #: The calling client's token: masked, at any length, in everything built from the answer.
    token: ApiToken | None = field(default=None, repr=False)
    #: ``policy.clock()`` when the first request went out (after the rate limiter's wait).
    started: float | None = None
    #: ``time.monotonic()`` by which the call must be over; None: no deadline.
    expires: float | None = None
    #: False for a call that creates or deletes something (POST): never repeated once it may have acted.
    idempotent: bool = True
    #: An attempt of a non-idempotent call was sent and then failed in a way that leaves its outcome unknown
    #: (no answer, a 499 or a 5xx): the server may have acted.
    may_have_acted: bool = False
    #: A non-idempotent call was answered 200: it was done, whatever happens to the answer's body.
    done: bool = False
    #: The transport sends through httpcore, whose ``trace`` extension reports when a request starts going
    #: out (:attr:`attempt_sent`); otherwise (a mock or custom transport) only the failure's type tells.
    traced: bool = False
    #: The current attempt (non-idempotent calls only): its request's headers started going out, and the
    #: status line that came back.
    attempt_sent: bool = False
    attempt_status: int | None = None
    #: The plugin events of this call (``_observe``); None when the client has no plugins: no cost then.
    observer: CallObserver | None = field(default=None, repr=False)

    def begin_exchange(self) -> None:
        """Forget the previous attempt's trace: each attempt is judged on its own."""
        self.attempt_sent = False
        self.attempt_status = None

    def trace(self, event: str, info: object) -> None:
        """httpcore's ``trace`` extension (sync): notes when the request starts going out on the wire."""
        if event in _SENT_EVENTS:
            self.attempt_sent = True

    async def trace_async(self, event: str, info: object) -> None:
        """The same, for httpcore's async connections (which await the callback)."""
        self.trace(event, info)

    @property
    def retries_taken(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token.get_secret_value(),) if self.token is not None else ()

    @property
    def budget(self) -> float | None:
        """The call's total time: ``timeout`` (an ``httpx.Timeout``'s longest phase), capped by the policy's
        ``deadline``."""
        deadline = self.policy.deadline
        budget = deadline if deadline is not None and math.isfinite(deadline) else None
        if self.timeout is not None:
            longest: float | None = None
            for phase in (self.timeout.connect, self.timeout.read, self.timeout.write, self.timeout.pool):
                if phase is not None and (longest is None or phase > longest):
                    longest = phase
            if longest is not None and math.isfinite(longest) and (budget is None or longest < budget):
                budget = longest
        return budget

    def begin_attempt(self) -> float | None:
        """Start the clock at the first attempt; the deadline (monotonic) every attempt must meet."""
        if self.started is None:
            self.started = self.policy.clock()
            budget = self.budget
            self.expires = None if budget is None else time.monotonic() + budget
        return self.expires


#: The request extension that carries a call's :class:`CallContext` from the client to the transport.
CALL_EXTENSION = "greenstat.call"


def call_extensions(call: CallContext) -> dict[str, object]:
    """The ``extensions`` argument of a generated ``sync_detailed``/``asyncio_detailed`` for ``call``."""
    return {CALL_EXTENSION: call}


def context_for(request: httpx.Request) -> CallContext:
    call = request.extensions.get(CALL_EXTENSION)
    if not isinstance(call, CallContext):  # a request not made by a greenstat client: defaults, no limiter
        call = CallContext(policy=RetryPolicy(), idempotent=request.method in IDEMPOTENT_METHODS)
    return call
