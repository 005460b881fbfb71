"""The retry loop: one call's attempts run under its :class:`~._retry.RetryPolicy`, through tenacity.

The first attempt runs bare (:func:`call_with_retries`): tenacity's machinery (a ``Retrying``, its closures,
its per-attempt state; ~15 µs, a twentieth of a 12-recipient call) is built only once an answer or an error
asks for a retry, and then replays that first outcome to it, so every decision (retry, stop, wait, log) is
tenacity's exactly as if it had run the first attempt itself.

Why apart from ``_retry``: the policy (what is worth a retry, how long to wait) knows nothing of a call; the
loop reads and fills the call's :class:`~._call.CallContext` (its deadline, whether a write may have been
done, its plugin observer). ``_retry`` <- ``_call`` <- ``_retrying`` <- ``_transport``: no import circle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import httpx

from ._redact import redact
from ._retry import retry_after_of, should_retry_exception, should_retry_response

if TYPE_CHECKING:  # tenacity itself is imported at the first retry
    import tenacity

    from ._call import CallContext

logger = logging.getLogger("greenstat.retry")


def _describe(outcome: tenacity.Future, secrets: tuple[str, ...]) -> str:
    if outcome.failed:
        exc = outcome.exception()
        return redact(f"{type(exc).__name__}: {exc}", secrets=secrets)
    response: httpx.Response = outcome.result()
    return f"HTTP {response.status_code}"


def tenacity_arguments(call: CallContext, *, is_async: bool) -> dict[str, Any]:
    """The keyword arguments of ``tenacity.Retrying``/``AsyncRetrying`` for one call.

    A retry starts only if its wait ends before the call's deadline: ``policy.deadline`` on the policy's
    clock (injectable), and the call's whole budget (``call.expires``) on the monotonic clock that the
    sockets use too.
    """
    policy = call.policy

    def retry(rcs: tenacity.RetryCallState) -> bool:
        outcome = rcs.outcome
        if outcome is None:  # pragma: no cover - tenacity always sets it before asking
            return False
        failure: BaseException | None = outcome.exception() if outcome.failed else None
        return worth_retrying(call, failure if failure is not None else outcome.result())

    def wait(rcs: tenacity.RetryCallState) -> float:
        outcome = rcs.outcome
        if outcome is not None and not outcome.failed:
            retry_after = retry_after_of(outcome.result())
            if retry_after is not None:
                return retry_after
        return policy.backoff(rcs.attempt_number)

    def stop(rcs: tenacity.RetryCallState) -> bool:
        if rcs.attempt_number > policy.max_retries:
            return True
        if call.expires is not None and time.monotonic() + rcs.upcoming_sleep >= call.expires:
            return True
        if policy.deadline is None or call.started is None:
            return False
        return policy.clock() - call.started + rcs.upcoming_sleep > policy.deadline

    def log_retry(rcs: tenacity.RetryCallState) -> tenacity.Future:
        outcome = rcs.outcome
        assert outcome is not None
        if call.observer is not None:
            failed = outcome.exception() if outcome.failed else outcome.result()
            call.observer.retry_scheduled(rcs.attempt_number, failed, rcs.upcoming_sleep)
        # No local holds the URL as sent: a log handler may capture this stack with its locals (Sentry).
        logger.warning(
            "Retrying %s %s in %.2fs (retry %d of %d) after %s",
            call.request.method if call.request is not None else "GET",
            redact(str(call.request.url), secrets=call.secrets) if call.request is not None else "",
            rcs.upcoming_sleep,
            rcs.attempt_number,
            policy.max_retries,
            _describe(outcome, call.secrets),
        )
        return outcome

    def before_sleep(rcs: tenacity.RetryCallState) -> None:
        outcome = log_retry(rcs)
        if not outcome.failed:
            outcome.result().close()  # release the connection of the answer we are not going to use

    async def before_sleep_async(rcs: tenacity.RetryCallState) -> None:
        outcome = log_retry(rcs)
        if not outcome.failed:
            await outcome.result().aclose()

    def give_up(rcs: tenacity.RetryCallState) -> Any:
        assert rcs.outcome is not None
        return rcs.outcome.result()  # the last response, or re-raise the last transport error

    return {
        "retry": retry,
        "wait": wait,
        "stop": stop,
        "before_sleep": before_sleep_async if is_async else before_sleep,
        "retry_error_callback": give_up,
        "sleep": policy.async_sleep if is_async else policy.sleep,
    }


def worth_retrying(call: CallContext, outcome: httpx.Response | BaseException) -> bool:
    """Whether an attempt's answer or transport failure is worth another attempt: the one predicate of the
    first attempt's check and of tenacity's ``retry``. Never once a write may have been done."""
    if call.may_have_acted:
        return False
    if isinstance(outcome, BaseException):
        return should_retry_exception(outcome, idempotent=call.idempotent, request=call.request)
    return should_retry_response(call.policy, outcome, idempotent=call.idempotent)


def call_with_retries(call: CallContext, attempt: Callable[[], httpx.Response]) -> httpx.Response:
    """``attempt()`` once; only if its outcome is retryable, tenacity takes over from that outcome.

    Identical to ``tenacity.Retrying(**tenacity_arguments(call, is_async=False))(attempt)``: tenacity gets
    the first outcome replayed (not a second request) and asks the same predicate again, then stops, waits,
    logs and retries as before. A non-retryable outcome is what tenacity would have returned or re-raised.
    """
    first: httpx.Response | BaseException
    try:
        first = attempt()
    except Exception as exc:  # tenacity catches BaseException, but retries none that is not an Exception
        if not worth_retrying(call, exc):
            raise
        first = exc
    else:
        if not worth_retrying(call, first):
            return first
    import tenacity  # deferred: only a retry needs it (~12 ms of import time)

    replayed = False

    def replay_then_attempt() -> httpx.Response:
        nonlocal replayed
        if not replayed:
            replayed = True
            if isinstance(first, BaseException):
                raise first
            return first
        return attempt()

    retrying = tenacity.Retrying(**tenacity_arguments(call, is_async=False))
    result: httpx.Response = retrying(replay_then_attempt)
    return result


async def call_with_retries_async(
    call: CallContext, attempt: Callable[[], Coroutine[Any, Any, httpx.Response]]
) -> httpx.Response:
    """The async twin of :func:`call_with_retries` (``tenacity.AsyncRetrying``)."""
    first: httpx.Response | BaseException
    try:
        first = await attempt()
    except Exception as exc:
        if not worth_retrying(call, exc):
            raise
        first = exc
    else:
        if not worth_retrying(call, first):
            return first
    import tenacity

    replayed = False

    async def replay_then_attempt() -> httpx.Response:
        nonlocal replayed
        if not replayed:
            replayed = True
            if isinstance(first, BaseException):
                raise first
            return first
        return await attempt()

    retrying = tenacity.AsyncRetrying(**tenacity_arguments(call, is_async=True))
    result: httpx.Response = await retrying(replay_then_attempt)
    return result
