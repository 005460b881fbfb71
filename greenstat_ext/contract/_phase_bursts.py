"""Each read operation burst past its ``x-rate-limit``: the 429 must come, with a Retry-After the spec's
header schema accepts."""

from __future__ import annotations

import time

from schemathesis import Response

from greenstat_ext import _spec as spec

from ._checks import KIT_CHECKS
from ._core import Case_, _Core
from ._defaults import PREFER_429
from ._evidence import RATE_LIMIT_PHASE
from ._probes import probes_for
from ._results import Exchange
from ._spec import Operation

__all__ = ["_BurstsPhase", "burst_must_be_refused"]


def burst_must_be_refused(limit: spec.RateLimit, started: float, ended: float) -> bool:
    """Whether a server keeping ``limit`` had to refuse one of ``limit.requests + 1`` requests sent one after
    another from ``started`` until the last answer at ``ended``.

    The one meaning of ``x-rate-limit`` (:meth:`greenstat_ext._spec.RateLimit.wait`), on the most lenient
    timeline the server can have seen: the first ``requests`` arriving as early as the burst started, the
    last as late as its answer came. If even that breaks the window, one of them had to be refused; if not,
    the burst proves nothing (too slow), and the check is not judged.
    """
    return limit.wait([started] * limit.requests, ended) > 0.0


class _BurstsPhase(_Core):
    def _rate_limit(self, operation: Operation) -> None:
        """More than the operation's ``x-rate-limit`` within its period must get a 429; each 429's
        ``Retry-After`` is judged against the spec's header schema (in :meth:`_judge`, for every 429).

        The burst goes through an unpaced session (``--rate-limit`` paces everything else): limit + 1 valid
        requests back to back, judged by the one meaning of ``x-rate-limit`` (``_spec.RateLimit.wait``: at
        most ``requests`` accepted in any ``per_seconds`` window), measured from the first request's start
        to the last answer. Writes are never burst (each would post a status).
        """
        check = "rate_limit_enforced"
        wanted = {check, "retry_after_conformance"} & self.kit_checks
        if not wanted or operation.is_write or self._stopped is not None:
            return
        limit = spec.operation(operation.name).rate_limit
        probe = probes_for(operation, self.supplied, self.id_instance, self._token)[0]
        started = time.monotonic()
        answers: list[int] = []
        seen_429 = False
        for _ in range(limit.requests + 1):
            case = operation.api.Case(path_parameters=dict(probe.path_parameters), query=dict(probe.query))
            response = self._burst_call(case)
            if response is None:
                return
            answers.append(response.status_code)
            seen_429 = seen_429 or response.status_code == 429
        ended = time.monotonic()
        elapsed = ended - started
        due = burst_must_be_refused(limit, started, ended)
        if check in self.kit_checks:
            if seen_429:
                self._ran(check)
            elif not due:
                self._unjudge(check)  # too slow to go over the limit: says nothing
            else:
                self._ran(check)
                shown = ", ".join(str(code) for code in answers)
                message = (
                    f"{KIT_CHECKS[check]}\nx-rate-limit: {limit.requests} per {limit.per_seconds:g} s; "
                    f"sent {len(answers)} valid requests in {elapsed:.2f} s\nReceived: {shown}"
                )
                title = f"{len(answers)} requests in {elapsed:.2f} s, no 429"
                exchange = Exchange(
                    RATE_LIMIT_PHASE,
                    operation.method,
                    self.redact(operation.path),
                    "",
                    answers[-1],
                    None,
                    "",
                )
                self._violate(check, title, message, exchange)
        if not seen_429 and "retry_after_conformance" in self.kit_checks:
            # No 429 of its own: ask for the documented one (Prism and other mock servers answer it).
            case = operation.api.Case(
                path_parameters=dict(probe.path_parameters),
                query=dict(probe.query),
                headers=dict(PREFER_429),
            )
            self._burst_call(case)

    def _burst_call(self, case: Case_) -> Response | None:
        response = self._send(
            RATE_LIMIT_PHASE,
            "rate_limit_enforced",
            lambda: self._exchange_for_case(RATE_LIMIT_PHASE, case),
            lambda: case.call(
                base_url=self.base_url, session=self.burst_session, timeout=self.limits.request_timeout
            ),
        )
        if response is not None:
            self._count(RATE_LIMIT_PHASE, response.status_code)
            self._judge(case, response, RATE_LIMIT_PHASE)
        return response
