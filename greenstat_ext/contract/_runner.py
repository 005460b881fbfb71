"""Run the contract against a live implementation: schemathesis-generated cases plus a few explicit probes.

Why this shape: schemathesis turns ``openapi.yaml`` into positive and negative requests (its hypothesis
strategies and its coverage phase's boundary cases) and judges every response with its own checks; the kit
only decides *which* requests (credentials pinned so the 200 branch is reached, wrong credentials so rejection
is tested), what the spec's prose expects of each (200, 400, 401, 403, 405), and adds what no single answer
shows: the credentials checked first, an unknown id, one status followed over the run (:mod:`._temporal`:
every answer for it, from any phase), a burst past each rate limit, and a verdict that weighs the evidence
(PASSED, FAILED or INCONCLUSIVE).

This module is the orchestrator only: the phases live in modules of their own (:mod:`._phase_cases`,
:mod:`._phase_probes`, :mod:`._phase_polls`, :mod:`._phase_bursts`, :mod:`._phase_writes`) over one shared
core (:mod:`._core`). Order: the credentials, a first poll; then **every operation at once**, each in its own
thread, paced at its own ``x-rate-limit`` (capped by ``--rate-limit``), each running its coverage cases,
its probes and its generated phases, then a poll; then the lifecycle of what the writes posted, the last
polls, the rate-limit bursts, the clean-up and the verdict. Why concurrent: each operation has its own rate
limit, and spending them one after the other made a paced run the sum of the operations' shares (26 minutes)
instead of the longest one. Why the verdict does not depend on the interleaving: every case is generated
from the seed before it is sent (in this thread, one operation after the other), so the same seed sends the
same cases whatever order the answers come back in.

Every request goes through :class:`~._bounded.BoundedAdapter` (a deadline per answer, a maximum size), the run
has an overall time budget, and a server that stops answering ends the run early: a hostile server gets a
report, never a hang. Ctrl-C stops sending, deletes what the run posted, and raises
:class:`~._errors.ContractInterrupted` carrying the report of what was judged so far.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable

import requests

from greenstat_ext import _spec as spec
from greenstat_ext._ratelimit import MIN_RATE, RateLimiter

from ._bounded import BoundedAdapter, Limits
from ._checks import LIMIT_CHECKS, WRITE_CHECKS, resolve_checks
from ._core import Case_
from ._defaults import (
    DEFAULT_MAX_429_SHARE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MIN_OK,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_POLLS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_TIMEOUT,
    DEFAULT_WRITE_WAIT,
    MAX_MAX_EXAMPLES,
    ProgressEvent,
)
from ._errors import ContractInterrupted, ContractUsageError
from ._evidence import Evidence, weigh
from ._phase_bursts import _BurstsPhase
from ._phase_cases import Planned, _CasesPhase
from ._phase_polls import _PollsPhase
from ._phase_probes import _ProbesPhase
from ._phase_writes import _WritesPhase
from ._results import ContractReport, Exchange, Inconclusive
from ._spec import Operation
from ._validate import (
    check_reachable,
    validate_credentials,
    validate_seconds,
    validate_supplied,
    validate_url,
)

__all__ = [
    "DEFAULT_MAX_429_SHARE",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MIN_OK",
    "DEFAULT_POLLS",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_RUN_TIMEOUT",
    "DEFAULT_WRITE_WAIT",
    "ProgressEvent",
    "run_contract_test",
]

# How often the main thread wakes while the operations' threads run: Ctrl-C is only delivered to it.
_JOIN_STEP = 0.2


def run_contract_test(
    url: str,
    id_instance: int,
    token: str,
    *,
    id_message: str | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    checks: Iterable[str] | None = None,
    seed: int | None = None,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    rate_limit: float = 0.0,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    run_timeout: float = DEFAULT_RUN_TIMEOUT,
    allow_writes: bool = False,
    min_ok: int = DEFAULT_MIN_OK,
    max_429_share: float = DEFAULT_MAX_429_SHARE,
    polls: int | None = DEFAULT_POLLS,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    write_wait: float = DEFAULT_WRITE_WAIT,
    progress: Callable[[ProgressEvent], None] | None = None,
) -> ContractReport:
    """Check the implementation at ``url`` against the bundled ``openapi.yaml``; never raises on a finding.

    Every operation of the spec is checked, each with the same phases and its own probes.
    ``id_instance``/``token`` are valid credentials of that implementation: they are pinned into positive
    cases so the 200 branch is exercised. ``id_message`` (optional) names a status the implementation knows,
    so non-empty answers of the operations taking an ``idMessage`` are checked too (other parameters are
    probed with the spec's examples, defaults and bounds). ``max_examples`` bounds each generated phase.
    ``checks`` selects checks by name (default: all, see :data:`ALL_CHECKS`). ``seed`` makes the run
    reproducible (random when None; the report carries it). ``rate_limit`` paces every request to at most
    that many per second (``0``: no pacing; against Green API itself use the operations' documented rate,
    the spec's ``x-rate-limit``, or most answers are 429s that say nothing about the rest of the contract).

    Bounds, so that a hostile implementation gets a report and never a hang: every answer must be complete
    (connect, head and body) within ``request_timeout`` seconds and at most ``max_response_bytes`` long, on
    the wire and inflated (else an ``answer_within_limits`` failure, the connection is closed); the whole run
    stops after ``run_timeout`` seconds, or after 3 requests in a row got no answer in time (a
    ``run_completed`` failure counting what was not sent). Raises :class:`ContractUsageError` for bad
    arguments or an unreachable URL.

    Evidence: the verdict (``report.verdict``) is INCONCLUSIVE rather than PASSED when an operation got fewer
    than ``min_ok`` answers of 200, when more than ``max_429_share`` of the answers were 429s the kit did not
    ask for, when a selected check judged nothing, or when the credentials were rejected (401/403 on the
    first valid request: then nothing else is sent). The polled status is read at the start and after each
    operation; ``polls`` (optional) reads it until that many answers, the extra ones ``poll_interval`` s
    apart at the end. ``allow_writes`` also checks the operations that post or delete
    (they post real statuses: off by default): each write is sent once (never re-sent, not even on a 429)
    and paced at its operation's ``x-rate-limit`` (or ``rate_limit`` when slower); the status each send's
    valid request posts is followed through the journal, its statistics and its delete
    (``posted_status_lifecycle``, each step waiting up to ``write_wait`` s); every status the run posted is
    deleted at the end, whatever happened (``report.undeleted`` lists the ids it could not delete).
    ``progress`` is called after every answer.
    """
    base_url = validate_url(url)
    validate_credentials(id_instance, token)
    supplied = {} if id_message is None else {"idMessage": id_message}
    validate_supplied(supplied)
    if not 1 <= max_examples <= MAX_MAX_EXAMPLES:
        raise ContractUsageError(f"max_examples must be between 1 and {MAX_MAX_EXAMPLES}, got {max_examples}")
    validate_seconds("request_timeout", request_timeout)
    validate_seconds("run_timeout", run_timeout)
    if (
        isinstance(max_response_bytes, bool)
        or not isinstance(max_response_bytes, int)
        or max_response_bytes < 1
    ):
        raise ContractUsageError(
            f"max_response_bytes must be a positive number of bytes, got {max_response_bytes!r}"
        )
    if not (isinstance(rate_limit, int | float) and (rate_limit == 0 or MIN_RATE <= rate_limit <= 1000)):
        raise ContractUsageError(
            f"rate_limit must be 0 (off) or from {MIN_RATE} to 1000 requests/s, got {rate_limit}"
        )
    if isinstance(min_ok, bool) or not isinstance(min_ok, int) or min_ok < 1:
        raise ContractUsageError(f"min_ok must be a positive number of answers, got {min_ok!r}")
    if not (isinstance(max_429_share, int | float) and 0 <= max_429_share <= 1):
        raise ContractUsageError(f"max_429_share must be from 0 to 1, got {max_429_share!r}")
    if polls is not None and (
        isinstance(polls, bool) or not isinstance(polls, int) or not 2 <= polls <= MAX_MAX_EXAMPLES
    ):
        raise ContractUsageError(f"polls must be from 2 to {MAX_MAX_EXAMPLES}, got {polls!r}")
    validate_seconds("--poll-interval", poll_interval)
    validate_seconds("write_wait", write_wait)
    selected = resolve_checks(checks)
    if not allow_writes:
        # The write-side checks judge only what the run posts: without writes they do not apply (a table row
        # "not judged" and a PASSED counting them would claim a check that was never possible).
        selected = tuple(name for name in selected if name not in WRITE_CHECKS)
        if not selected:
            raise ContractUsageError(
                f"checks {', '.join(WRITE_CHECKS)} judges only with writes allowed (--allow-writes)"
            )
    check_reachable(base_url, max_response_bytes)
    limits = Limits(request_timeout, max_response_bytes, run_timeout)
    run = _Run(
        base_url=base_url,
        id_instance=id_instance,
        token=token,
        supplied=supplied,
        max_examples=max_examples,
        checks=selected,
        seed=secrets.randbelow(2**32) if seed is None else seed,
        limits=limits,
        allow_writes=allow_writes,
        min_ok=min_ok,
        max_429_share=float(max_429_share),
        polls=polls,
        poll_interval=poll_interval,
        write_wait=write_wait,
        progress=progress,
    )
    run.rate_limit = float(rate_limit)
    # One session per operation, paced at its own x-rate-limit when pacing is asked for (--rate-limit caps
    # it: at most that many per second per operation). A write is paced at its x-rate-limit always: it is
    # never re-sent on a 429, so it must not provoke one.
    for operation in run.operations:
        rate = spec.operation(operation.name).rate_limit.rate
        if operation.is_write:
            pace: float | None = min(rate, rate_limit or rate)
        else:
            pace = min(rate, rate_limit) if rate_limit else None
        limiter = None if pace is None else RateLimiter(rate=pace, burst=1)
        if limiter is not None:
            run.limiters[operation.name] = limiter
        run.sessions[operation.name] = _session(limits, limiter)
    # The rate-limit phase sends its bursts unpaced (more than the limit within a second is the point).
    run.burst_session = _session(limits, None)
    limits.start()
    try:
        run.execute()
    finally:
        for session in (*run.sessions.values(), run.burst_session):
            session.close()
    return run.report


def _session(limits: Limits, limiter: RateLimiter | None) -> requests.Session:
    session = requests.Session()
    adapter = BoundedAdapter(limits, limiter=limiter)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _Run(_CasesPhase, _ProbesPhase, _PollsPhase, _BurstsPhase, _WritesPhase):
    """One contract run: the phases in their order, the operations concurrently."""

    _crashed: list[BaseException]

    def execute(self) -> None:
        """Credentials first, a first poll; then every operation at once (coverage, probes, generated
        phases, a poll); then the lifecycle of what was posted, the last polls, the bursts, the verdict."""
        self._planned = self._plan()
        self._crashed = []
        try:
            if not self._credentials_accepted():
                return
            self._poll()
            self._operations_at_once()
            self._lifecycle()
            self._final_polls()
            for operation in self.operations:
                self.operation = operation
                self._rate_limit(operation)
            self._cleanup()
            self._conclude()
            self._weigh_evidence()
        except KeyboardInterrupt:
            self._interrupted()
        finally:
            self._cleanup()  # a run cut short by an error still deletes what it posted

    def _operations_at_once(self) -> None:
        """Each operation in its own thread, paced by its own session; its cases generated here first."""
        threads: list[threading.Thread] = []
        try:
            for operation in self.operations:
                # Generated in this thread, one operation after the other: the same seed gives the same
                # cases whatever the other threads are doing meanwhile.
                coverage = self._coverage_cases(operation) if self._stopped is None else []
                generated = self._generated_cases(operation) if self._stopped is None else []
                thread = threading.Thread(
                    target=self._check_operation,
                    args=(operation, coverage, generated),
                    name=f"contract-{operation.name}",
                    daemon=True,
                )
                thread.start()
                threads.append(thread)
            for thread in threads:
                while thread.is_alive():
                    thread.join(_JOIN_STEP)
        except KeyboardInterrupt:
            self._stopped = "it was interrupted (Ctrl-C)"
            for thread in threads:  # each stops at its next request; one in flight ends within its timeout
                thread.join(self.limits.request_timeout + 1)
            raise
        if self._crashed:
            raise self._crashed[0]  # a defect of the kit, not a finding: it must not pass unnoticed

    def _check_operation(self, operation: Operation, coverage: list[Case_], generated: list[Planned]) -> None:
        """One operation's share: boundary cases first (they find the most per request), then the probes,
        then the random phases; then a poll of the known status. Its duration goes into the report."""
        self.operation = operation
        started = time.monotonic()
        self._progress_line(operation.name, "started", len(coverage) + len(generated))
        try:
            self._coverage(operation, coverage)
            self._probes(operation)
            self._unknown_id(operation)
            self._send_generated(generated)
            self._poll()
        except BaseException as exc:  # re-raised by the main thread, which also stops the others
            self._crashed.append(exc)
            self._stopped = self._stopped or f"{operation.name}'s thread failed: {type(exc).__name__}"
        finally:
            with self._lock:
                self.report.seconds_by_operation[operation.name] = time.monotonic() - started
            self._progress_line(operation.name, "finished", self.report.cases_by_operation[operation.name])

    def _progress_line(self, operation: str, kind: str, count: int) -> None:
        """An operation's share began (``count``: its cases planned) or ended (``count``: requests sent)."""
        if self.progress is not None:
            with self._lock:
                report = self.report
                ok = report.statuses_by_operation[(operation, 200)]
                limited = report.statuses_by_operation[(operation, 429)]
                self.progress(ProgressEvent(operation, "operation", count, count, ok, limited, None, kind))

    def _interrupted(self) -> None:
        """Ctrl-C: stop sending, delete what was posted, and hand the report of what was judged so far."""
        self._stopped = self._stopped or "it was interrupted (Ctrl-C)"
        self._cleanup()
        self.report.interrupted = True
        self.report.inconclusive.append(
            Inconclusive(
                f"the run was interrupted (Ctrl-C) after {self.report.cases} requests: the report covers "
                "only what was judged until then",
                "run it to the end for a verdict",
            )
        )
        raise ContractInterrupted(self.report)

    def _plan(self) -> int:
        """About how many requests the run sends (the progress bar's total; generated phases may send
        fewer)."""
        phases = 5 * self.max_examples if self._phases_needed() else 0
        per_operation = phases + 40  # coverage cases, probes and the unknown-id probe: a few dozen
        bursts = sum(spec.operation(op.name).rate_limit.requests + 2 for op in self.operations)
        return 1 + len(self.operations) * per_operation + self.polls + bursts

    def _conclude(self) -> None:
        """A run that stopped early fails ``run_completed``: its verdict covers only what was sent."""
        check = "run_completed"
        self._ran(check, operation="")
        if self._stopped is None or self._rate_limited:
            return
        message = (
            f"{LIMIT_CHECKS[check]}\nThe run stopped sending because {self._stopped}; "
            f"planned requests not sent: {self.report.not_sent}."
        )
        exchange = Exchange("run", "", "(the whole run)", "", None, None, "")
        self._violate(check, "Run stopped early", message, exchange, operation="")

    # --- evidence -----------------------------------------------------------------------------------------

    def _weigh_evidence(self) -> None:
        """Too little evidence makes the verdict INCONCLUSIVE (:mod:`._evidence`)."""
        evidence = Evidence(
            kit_checks=self.kit_checks,
            min_ok=self.min_ok,
            max_429_share=self.max_429_share,
            pace=f"--rate-limit {spec.slowest_rate():g}",
            polled=bool(self._polled()),
            poll_recipients=self._poll_recipients,
            rate_limited=self._rate_limited,
        )
        self.report.inconclusive.extend(weigh(self.report, evidence))
