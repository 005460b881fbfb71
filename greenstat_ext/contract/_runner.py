"""Run the contract against a live implementation: schemathesis-generated cases plus a few explicit probes.

Why this shape: schemathesis turns ``openapi.yaml`` into positive and negative requests (its hypothesis
strategies and its coverage phase's boundary cases) and judges every response with its own checks; the kit
only decides *which* requests (credentials pinned so the 200 branch is reached, wrong credentials so rejection
is tested), what the spec's prose expects of each (200, 400, 401, 403, 405), and adds what no single answer
shows: the credentials checked first, an unknown id, one status polled over the run (:mod:`._temporal`), a
burst past each rate limit, and a verdict that weighs the evidence (PASSED, FAILED or INCONCLUSIVE). Every
operation of the spec gets the same phases and its own probes, one operation after the other, and every
finding names its operation. Every random choice is driven by one seed, and every phase is bounded
by ``max_examples``, so a run is reproducible and its length predictable. Every request goes through
:class:`~._bounded.BoundedAdapter` (a deadline per answer, a maximum size), the run has an overall time
budget, and a server that stops answering ends the run early: a hostile server gets a report, never a hang.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode, Response
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.coverage import GenerationSession
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from greenstat_ext import _spec as spec
from greenstat_ext._loopback import MOCK_HINT, is_loopback_url
from greenstat_ext._ratelimit import MIN_RATE, RateLimiter
from greenstat_ext._redact import Redactor, redact

from ._bounded import AnswerTooLarge, BoundedAdapter, Limits, NoAnswerInTime, RunTimeUp
from ._checks import (
    KIT_CHECKS,
    LIMIT_CHECKS,
    PHASE_CHECKS,
    SCHEMATHESIS_CHECKS,
    TEMPORAL_CHECKS,
    WRITE_CHECKS,
    resolve_checks,
    schemathesis_check,
)
from ._errors import ContractUsageError
from ._evidence import RATE_LIMIT_PHASE, Evidence, weigh
from ._probes import HEAD_METHOD, base_body, base_query, probes_for, unknown_id_query
from ._results import ContractReport, Exchange, Inconclusive, Violation
from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation, load_operations
from ._temporal import History, polled_schema
from ._writes import BY_API, Lifecycle, lifecycles, needs_state

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

_Case = Case[Any]
_T = TypeVar("_T")

DEFAULT_MAX_EXAMPLES: Final = 100
MAX_MAX_EXAMPLES: Final = 10_000
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
# Far above any real answer (1,024 recipients, Green API's audience limit, is ~100 KB; the mock's 100,000-
# recipient demo status ~8 MB), far below what hurts: a gzip bomb or an endless body stops here.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
# A default run (per operation: 5 phases of 100 plus about a dozen probes) paced at 1 request/s takes ~515 s
# per operation, ~26 minutes for the spec's three: an hour leaves room.
DEFAULT_RUN_TIMEOUT: Final = 3600.0
REACHABILITY_TIMEOUT: Final = 3.0
# A server that let this many requests in a row time out is not answering: the rest would only add waits.
_MAX_SILENT_IN_A_ROW: Final = 3
# The values a caller supplies, by the spec's parameter name -> the argument of run_contract_test: the one
# value no spec can give (a status the implementation under test really knows). Messages name arguments
# (`token must be ...`); the CLI turns a leading argument name into its flag (`--token must be ...`).
SUPPLIED_ARGUMENTS: Final = {"idMessage": "id_message"}
_EXCERPT: Final = 200
# Bytes of a body decoded and redacted for its excerpt: far more than the excerpt, so that redacting (which
# shortens a token to "***") never pulls unredacted text into it, without decoding a 7 MB body per answer.
_BODY_WINDOW: Final = 64 * 1024
_MAX_DISTINCT_PER_CHECK: Final = 5
_RATE_LIMIT_ATTEMPTS: Final = 3
_MAX_RETRY_AFTER: Final = 5.0
# Evidence: fewer answers of 200 than this for an operation, or a larger share of unasked-for 429s than this,
# and the run is INCONCLUSIVE instead of PASSED (it checked too little to say the contract holds).
DEFAULT_MIN_OK: Final = 3
DEFAULT_MAX_429_SHARE: Final = 0.2
# The polled status is read at the start and after each operation (spread over the run at no cost in time);
# --polls N reads it until N answers, the extra ones at the end this far apart.
DEFAULT_POLLS: Final = None
DEFAULT_POLL_INTERVAL: Final = 2.0
# With --allow-writes: how long a posted status may take to show in the journal and its statistics (and a
# deleted one to leave them), read every --poll-interval. Green API queues a send until it is posted.
DEFAULT_WRITE_WAIT: Final = 60.0
# The RFC 7240 preference a mock server (Stoplight Prism) honours to answer a documented status on request:
# the only way to see the 429 of an implementation that never rate limits, so its Retry-After is judged too.
_PREFER_429: Final = {"Prefer": "code=429"}
_RATE_LIMIT_PHASE: Final = RATE_LIMIT_PHASE
# After this many answers, a share of 429s above --max-429-share stops the run (INCONCLUSIVE): enough to
# tell a rate-limited run from a few 429s of a busy server.
_RATE_LIMITED_AFTER: Final = 30
# Coverage scenarios about a request body's media type: meaningless for an operation without a body.
_CONTENT_TYPE_SCENARIOS: Final = frozenset(
    {CoverageScenario.MALFORMED_CONTENT_TYPE, CoverageScenario.UNSUPPORTED_CONTENT_TYPE}
)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Where a run is: the operation and phase of the request just answered, and the counts so far."""

    operation: str
    phase: str
    sent: int
    planned: int
    ok: int  # answers of 200
    rate_limited: int  # answers of 429


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
    base_url = _validate_url(url)
    _validate_credentials(id_instance, token)
    supplied = {} if id_message is None else {"idMessage": id_message}
    _validate_supplied(supplied)
    if not 1 <= max_examples <= MAX_MAX_EXAMPLES:
        raise ContractUsageError(f"max_examples must be between 1 and {MAX_MAX_EXAMPLES}, got {max_examples}")
    _validate_seconds("request_timeout", request_timeout)
    _validate_seconds("run_timeout", run_timeout)
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
    _validate_seconds("--poll-interval", poll_interval)
    _validate_seconds("write_wait", write_wait)
    selected = resolve_checks(checks)
    if not allow_writes:
        # The write-side checks judge only what the run posts: without writes they do not apply (a table row
        # "not judged" and a PASSED counting them would claim a check that was never possible).
        selected = tuple(name for name in selected if name not in WRITE_CHECKS)
        if not selected:
            raise ContractUsageError(
                f"checks {', '.join(WRITE_CHECKS)} judges only with writes allowed (--allow-writes)"
            )
    _check_reachable(base_url, max_response_bytes)
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
    # One adapter for every request the run sends (generated cases and probes alike): the limits, and the
    # token bucket's pacing when asked for.
    limiter = RateLimiter(rate=rate_limit, burst=1) if rate_limit else None
    adapter = BoundedAdapter(limits, limiter=limiter)
    run.session.mount("http://", adapter)
    run.session.mount("https://", adapter)
    # The rate-limit phase sends its bursts unpaced (more than the limit within a second is the point).
    burst_adapter = BoundedAdapter(limits)
    run.burst_session.mount("http://", burst_adapter)
    run.burst_session.mount("https://", burst_adapter)
    # Each write operation has a session of its own, paced at its x-rate-limit (or --rate-limit, if slower):
    # a write is never re-sent on a 429, so it must not provoke one.
    for operation in run.operations:
        if operation.is_write:
            rate = spec.operation(operation.name).rate_limit.rate
            write_limiter = RateLimiter(rate=min(rate, rate_limit or rate), burst=1)
            session = requests.Session()
            write_adapter = BoundedAdapter(limits, limiter=write_limiter)
            session.mount("http://", write_adapter)
            session.mount("https://", write_adapter)
            run.write_sessions[operation.name] = session
    run.rate_limit = float(rate_limit)
    limits.start()
    try:
        with run.session, run.burst_session:
            run.execute()
    finally:
        for session in run.write_sessions.values():
            session.close()
    return run.report


def _validate_seconds(flag: str, value: float) -> None:
    # None, NaN and infinity are refused like zero: each would mean "no bound", the hang this prevents.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ContractUsageError(f"{flag} must be a positive, finite number of seconds, got {value!r}")


def _validate_url(url: str) -> str:
    shown = redact(url)  # a user may paste a full API URL, token included
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # parses the port: ValueError when it is not a number in 0..65535
        hostname = parts.hostname
    except ValueError as exc:  # e.g. "Invalid IPv6 URL" for http://[::1
        raise ContractUsageError(f"url is not a valid URL ({exc}): {shown!r}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ContractUsageError(f"url must be an http(s) URL such as http://127.0.0.1:8080, got {shown!r}")
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in url.strip()):
        raise ContractUsageError(f"url must not contain spaces or control characters, got {shown!r}")
    if parts.query or parts.fragment:
        raise ContractUsageError("url must not carry a query or a fragment")
    return url.strip().rstrip("/")


def _validate_credentials(id_instance: int, token: str) -> None:
    """Credentials as the spec declares them: idInstance's range, the token's pattern and lengths."""
    low, high = spec.id_instance_range()
    if not low <= id_instance <= high:
        raise ContractUsageError(f"id_instance must be an integer from {low} to {high}")
    limits = spec.token_limits()
    if not limits.matches(token):
        # Never echo the value: it may be a real token with a typo.
        raise ContractUsageError(
            f"token must be {limits.min_length} to {limits.max_length} characters matching {limits.pattern}"
        )


def _validate_supplied(supplied: Mapping[str, str]) -> None:
    """Each user-given value must be valid for the parameter of that name, as every operation declares it."""
    for name, value in supplied.items():
        for operation in load_operations():
            for param in operation.query:
                if param.name == name and not _fits(param, value):
                    low = param.min_length or 0
                    top = "" if param.max_length is None else f" to {param.max_length}"
                    pattern = "" if param.pattern is None else f" matching {param.pattern}"
                    raise ContractUsageError(
                        f"{SUPPLIED_ARGUMENTS[name]} must be {low}{top} characters{pattern}"
                    )


def _fits(param: spec.ParameterSpec, value: str) -> bool:
    """Whether ``value`` meets the declared lengths and pattern of the string parameter ``param``."""
    if param.min_length is not None and len(value) < param.min_length:
        return False
    if param.max_length is not None and len(value) > param.max_length:
        return False
    return param.pattern is None or re.search(param.pattern, value) is not None


def _check_reachable(base_url: str, max_bytes: int) -> None:
    """Fail fast, in one line, when nothing answers at ``base_url`` (any HTTP head counts as reachable).

    Bounded like every other request: a head dripped byte by byte, or ``100 Continue`` forever, is "no answer
    within 3 s", not a hang. The body is not read.
    """
    with requests.Session() as session:
        adapter = BoundedAdapter(Limits(REACHABILITY_TIMEOUT, max_bytes), read_body=False)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            session.get(base_url + "/", allow_redirects=False)
        except requests.Timeout:  # NoAnswerInTime included
            raise ContractUsageError(
                f"cannot reach {redact(base_url)}: no answer within {REACHABILITY_TIMEOUT:g} s"
            ) from None
        except requests.RequestException as exc:
            hint = f" - {MOCK_HINT}" if is_loopback_url(base_url) else ""
            raise ContractUsageError(
                f"cannot reach {redact(base_url)}: {_no_answer_reason(exc)}{hint}"
            ) from None


def _no_answer_reason(exc: requests.RequestException) -> str:
    """What went wrong, in a few words: "connection refused" only when it was (a server that answers with a
    70 KB header line is reachable, just broken). requests and urllib3 wrap the socket error in ``args``
    or ``__context__``: a few links are followed, no more (a chain may loop)."""
    cause: object = exc
    for _ in range(8):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if not isinstance(cause, BaseException):
            break
        wrapped = next((arg for arg in cause.args if isinstance(arg, BaseException)), None)
        cause = cause.__cause__ or wrapped or cause.__context__
    return f"{type(exc).__name__}: {redact(str(exc))[:200]}"


class _Run:
    """One contract run: sends requests, applies the selected checks, fills :class:`ContractReport`."""

    def __init__(
        self,
        *,
        base_url: str,
        id_instance: int,
        token: str,
        supplied: Mapping[str, str],
        max_examples: int,
        checks: tuple[str, ...],
        seed: int,
        limits: Limits,
        allow_writes: bool = False,
        min_ok: int = DEFAULT_MIN_OK,
        max_429_share: float = DEFAULT_MAX_429_SHARE,
        polls: int | None = DEFAULT_POLLS,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        write_wait: float = DEFAULT_WRITE_WAIT,
        progress: Callable[[ProgressEvent], None] | None = None,
    ) -> None:
        self.base_url = base_url
        self.id_instance = id_instance
        self._token = token
        self.supplied = dict(supplied)
        self.max_examples = max_examples
        self.seed = seed
        self.limits = limits
        self.redact = Redactor(token)
        self.session = requests.Session()
        self.burst_session = requests.Session()
        self.allow_writes = allow_writes
        self.min_ok = min_ok
        self.max_429_share = max_429_share
        self.polls = polls or 0  # 0: only the polls at the start and after each operation
        self.poll_interval = poll_interval
        self.write_wait = write_wait
        self.rate_limit = 0.0  # --rate-limit (0: each write at its spec pace only), set by run_contract_test
        self.progress = progress
        self.write_sessions: dict[str, requests.Session] = {}
        # Every status this run posted (id -> the send that answered it), and those deleted since: what is
        # left is deleted at the end. The id each send's valid request posted is followed by the lifecycle.
        self._created: dict[str, str] = {}
        self._deleted: set[str] = set()
        self._followed: dict[str, str] = {}
        self._probed: set[str] = set()  # the writes whose valid request was sent (posted or not)
        self._cleaned = False
        every = load_operations()
        self.operations = tuple(op for op in every if allow_writes or not op.is_write)
        self.operation: Operation = self.operations[0]  # the one being checked; every finding names it
        self.lifecycles = lifecycles(self.operations)
        self._creators = {life.creator.name: life for life in self.lifecycles}
        self._stateful = frozenset(op.name for op in self.operations if needs_state(op, self.operations))
        self.st_checks = [(name, schemathesis_check(name)) for name in checks if name in SCHEMATHESIS_CHECKS]
        self.kit_checks = frozenset(name for name in checks if name in KIT_CHECKS)
        self.report = ContractReport(
            url=self.redact(base_url),
            seed=seed,
            checks=checks,
            operations=tuple(operation.name for operation in self.operations),
            skipped_operations=tuple(op.name for op in every if op not in self.operations),
        )
        self._planned = self._plan()
        self._histories: dict[str, History] = {}
        self._poll_recipients = 0  # recipients in the polled answers (none at all: the polls prove little)
        self._last_poll = -math.inf
        self._seen: dict[tuple[str, str, str, str], int] = {}
        self._silent_in_a_row = 0
        self._stopped: str | None = None  # why the run stopped sending, once it has
        self._unasked = 0  # answers outside the rate-limit phase, and how many of them were 429
        self._unasked_429 = 0
        self._rate_limited = False  # it stopped because most answers were 429s: INCONCLUSIVE, not a failure

    @property
    def credentials(self) -> dict[str, Any]:
        return {INSTANCE_PARAM: self.id_instance, TOKEN_PARAM: self._token}

    # --- phases -------------------------------------------------------------------------------------------

    def execute(self) -> None:
        """Credentials first; then per operation its phases, coverage cases, probes and the unknown-id probe,
        polling the status between operations; then the last polls, the rate-limit bursts, the verdict."""
        try:
            if not self._credentials_accepted():
                return
            self._poll()
            for operation in self.operations:
                self.operation = operation
                self._phases(operation)
                self._coverage(operation)
                self._probes(operation)
                self._unknown_id(operation)
                self._poll()
            self._lifecycle()
            self._final_polls()
            for operation in self.operations:
                self.operation = operation
                self._rate_limit(operation)
            self._cleanup()
            self._conclude()
            self._weigh_evidence()
        finally:
            self._cleanup()  # a run cut short by an error still deletes what it posted

    def _plan(self) -> int:
        """About how many requests the run sends (the progress bar's total; generated phases may send
        fewer)."""
        phases = 5 * self.max_examples if self._phases_needed() else 0
        per_operation = phases + 40  # coverage cases, probes and the unknown-id probe: a few dozen
        bursts = sum(spec.operation(op.name).rate_limit.requests + 2 for op in self.operations)
        return 1 + len(self.operations) * per_operation + self.polls + bursts

    def _phases_needed(self) -> bool:
        """The generated phases serve schemathesis' checks and two kit checks; without them none runs."""
        return bool(self.st_checks) or bool(self.kit_checks & PHASE_CHECKS)

    def _credentials_accepted(self) -> bool:
        """The first valid request, before anything else: 401/403 there means every later finding would be
        derived from the rejected credentials, so the run says that, and only that, up front."""
        operation = self.operation
        probe = probes_for(operation, self.supplied, self.id_instance, self._token)[0]
        case = operation.api.Case(
            path_parameters=dict(probe.path_parameters), query=dict(probe.query), body=_body(probe.body)
        )
        response = self._call_with_retries("credentials", None, case)
        if response is None or response.status_code not in (401, 403):
            if response is not None:
                self._count("credentials", response.status_code)
            return True
        self._count("credentials", response.status_code)
        meaning = (
            "the token" if response.status_code == 401 else "the instance (or its access to the methods)"
        )
        self.report.credentials_rejected = (
            f"the given credentials were rejected: {response.status_code} to the valid request of "
            f"{operation.name}, which says {meaning} is wrong"
        )
        self.report.inconclusive.append(
            Inconclusive(
                self.report.credentials_rejected,
                "pass valid credentials (--id-instance, --token) of the implementation under test; for 403 "
                "also check its access to the beta Statuses methods",
            )
        )
        return False

    def _phases(self, operation: Operation) -> None:
        if not self._phases_needed():
            return
        api = operation.api
        creds = self.credentials
        positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
        self._generate("positive", api.as_strategy(positive, path_parameters=creds), self._positive)
        self._generate("negative", api.as_strategy(negative, path_parameters=creds), self._plain)
        only_instance = {INSTANCE_PARAM: self.id_instance}
        self._generate(
            "wrong-token", api.as_strategy(positive, path_parameters=only_instance), self._wrong_token
        )
        only_token = {TOKEN_PARAM: self._token}
        self._generate(
            "wrong-instance", api.as_strategy(positive, path_parameters=only_token), self._wrong_instance
        )
        self._generate("negative-credentials", api.as_strategy(negative), self._plain)

    def _generate(self, phase: str, strategy: Any, handle: Callable[[str, _Case, bool], None]) -> None:
        if self._stopped is not None:
            # Nothing more is sent: what this phase would have sent is counted, not generated (at most
            # max_examples; generating it only to count took seconds).
            self.report.not_sent += self.max_examples
            return

        @hypothesis_seed(self.seed)
        @settings(
            max_examples=self.max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        @given(case=strategy, pin=st.booleans())
        def run(case: _Case, pin: bool) -> None:
            handle(phase, case, pin)

        try:
            run()
        except Unsatisfiable:
            # Nothing to generate: e.g. negative data for an operation whose only parameters are the pinned
            # credentials. Not a finding about the implementation; the report lists the phase as empty.
            self.report.empty_phases.append(f"{self.operation.name} {phase}")

    def _coverage(self, operation: Operation) -> None:
        """schemathesis' coverage phase: each parameter at and beyond its bounds, missing, of another type,
        and each method the spec does not declare; judged by the kit's expectations and schemathesis' checks.

        Why schemathesis' and not the kit's own: it derives these cases from every keyword of the schema
        (lengths, bounds, patterns, enums, formats, body fields) and keeps up with the spec; the kit only
        says what each case must get. Cases about the credentials get their expectation from which
        credential differs (another valid token: 401; another valid instance: 403; a malformed one: only
        schemathesis' checks, which allow each documented rejection).
        """
        if not self.st_checks and not self.kit_checks & _COVERAGE_CHECKS:
            return
        api = operation.api
        config = api.schema.config.generation_for(operation=api, phase="coverage")
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        # A session of this run's own: schemathesis remembers per session which paths it already tried with
        # other methods (one probe per method and path); the schema's own memory would outlive this run.
        session = GenerationSession()
        cases = api.schema.iter_coverage_cases(
            api, generation_modes=modes, generation_config=config, session=session
        )
        for case in cases:
            if self._stopped is not None:
                self.report.not_sent += 1
                continue
            meta = case._meta
            data = meta.phase.data if meta is not None else None
            if not isinstance(data, CoveragePhaseData) or meta is None:
                continue
            positive = meta.generation.mode is GenerationMode.POSITIVE
            if data.scenario is CoverageScenario.UNSPECIFIED_HTTP_METHOD:
                if "unsupported_method_rejected" in self.kit_checks:
                    query = {key: value for key, value in (case.query or {}).items()}
                    self._method_request(case.method.upper(), dict(self.credentials), query, "coverage")
                continue
            if data.scenario in _CONTENT_TYPE_SCENARIOS:
                if operation.body:
                    # The JSON body under another media type: the spec declares no 415 and Green API does not
                    # document refusing it, so only schemathesis' checks judge the answer.
                    case.path_parameters = {**(case.path_parameters or {}), **self.credentials}
                    self._exchange("coverage", case, label=f"{data.description}")
                continue  # without a body, a media type says nothing
            label = f"{data.description}" + (f" ({data.parameter})" if data.parameter else "")
            if data.parameter in (INSTANCE_PARAM, TOKEN_PARAM):
                params = case.path_parameters or {}
                same_instance = str(params.get(INSTANCE_PARAM)) == str(self.id_instance)
                same_token = params.get(TOKEN_PARAM) == self._token
                if positive and same_instance and not same_token:
                    self._exchange(
                        "coverage", case, kit_check="wrong_token_rejected", expected=_E401, label=label
                    )
                elif positive and same_token and not same_instance:
                    self._exchange(
                        "coverage", case, kit_check="wrong_instance_rejected", expected=_E403, label=label
                    )
                else:
                    self._exchange("coverage", case, label=label)
                continue
            case.path_parameters = {**(case.path_parameters or {}), **self.credentials}
            if positive and operation.name in self._stateful:
                # An id the kit made up: the documented 400 (ID message notfound) is right too; only an id a
                # send answered gets its 200 (posted_status_lifecycle sends it).
                self._exchange(
                    "coverage",
                    case,
                    kit_check="valid_request_accepted",
                    expected=_E200 | _E400,
                    label=label,
                )
            elif operation.is_write and positive:
                # A write that succeeds posts a status: sent once, never re-sent on a 429.
                self._exchange(
                    "coverage", case, kit_check="valid_request_accepted", expected=_E200, label=label
                )
            elif positive:
                self._exchange(
                    "coverage",
                    case,
                    kit_check="valid_request_accepted",
                    expected=_E200,
                    retry=True,
                    label=label,
                )
            else:
                self._exchange(
                    "coverage",
                    case,
                    kit_check="invalid_parameter_rejected",
                    expected=_E400,
                    retry=True,
                    label=label,
                )

    def _probes(self, operation: Operation) -> None:
        for probe in probes_for(operation, self.supplied, self.id_instance, self._token):
            if probe.check not in self.kit_checks:
                continue
            if probe.check == "valid_request_accepted" and operation.name in self._stateful:
                continue  # its valid request needs an id a send answered: the lifecycle sends it
            if probe.check == "unsupported_method_rejected":
                self._method_request(probe.method, dict(probe.path_parameters), dict(probe.query), "probe")
                continue
            case = operation.api.Case(
                path_parameters=dict(probe.path_parameters), query=dict(probe.query), body=_body(probe.body)
            )
            posted = len(self._created)
            if probe.check == "valid_request_accepted" and operation.is_write:
                self._probed.add(operation.name)
            self._exchange(
                "probe",
                case,
                kit_check=probe.check,
                expected=probe.expected,
                retry=not (operation.is_write and probe.check == "valid_request_accepted"),
                label=probe.label,
            )
            if probe.check == "valid_request_accepted" and len(self._created) > posted:
                self._followed[operation.name] = list(self._created)[-1]

    def _unknown_id(self, operation: Operation) -> None:
        """An id nobody issued gets 200 and ``[]`` (the spec: "An unknown ... idMessage gives []")."""
        check = "unknown_id_answers_empty"
        if (
            check not in self.kit_checks
            or operation.is_write
            or not spec.operation(operation.name).returns_array
        ):
            return
        fresh = "".join(secrets.choice("0123456789ABCDEF") for _ in range(20))
        query = unknown_id_query(operation, self.supplied, fresh)
        if query is None:
            return
        case = operation.api.Case(path_parameters=self.credentials, query=query)
        label = "an idMessage nobody issued"
        response = self._call_with_retries("unknown-id", check, case)
        if response is None:
            self.report.unjudged[check] += 1
            return
        self._count("unknown-id", response.status_code)
        self._judge(case, response, "unknown-id")
        if response.status_code == 429:
            self.report.unjudged[check] += 1
            return
        self._ran(check)
        exchange = self._exchange_for_response("unknown-id", response)
        body = _json(response)
        if response.status_code != 200 or body != []:
            shown = (
                "not JSON"
                if body is _NOT_JSON
                else f"{len(body)} items"
                if isinstance(body, list)
                else "no list"
            )
            message = (
                f"{KIT_CHECKS[check]}\nProbe: {label}\nExpected: 200 []\n"
                f"Received: {response.status_code} ({shown})"
            )
            self._violate(
                check, f"{label}: expected [], got {response.status_code} ({shown})", message, exchange
            )

    # --- over time ----------------------------------------------------------------------------------------

    def _polled(self) -> list[tuple[Operation, dict[str, Any]]]:
        """The operations whose answer lists recipients with states, each with the query of the known id."""
        found = []
        for operation in self.operations:
            if operation.is_write or polled_schema(operation.name) is None:
                continue
            query = base_query(operation, self.supplied)
            if any(param.required for param in operation.query):
                found.append((operation, query))
        return found

    def _poll(self) -> None:
        """Read the known status once more and judge its recipients against every earlier answer."""
        if not self.kit_checks & set(TEMPORAL_CHECKS):
            return
        current = self.operation
        for operation, query in self._polled():
            self.operation = operation
            schema = polled_schema(operation.name)
            assert schema is not None
            history = self._histories.setdefault(operation.name, History(schema))
            case = operation.api.Case(path_parameters=self.credentials, query=query)
            response = self._call_with_retries("poll", "recipient_state_monotonic", case)
            self._last_poll = time.monotonic()
            if response is None:
                continue
            self._count("poll", response.status_code)
            self._judge(case, response, "poll")
            body = _json(response)
            if response.status_code != 200 or not isinstance(body, list):
                continue
            self.report.polls += 1
            self._poll_recipients += len(body)
            exchange = self._exchange_for_response("poll", response)
            for check in TEMPORAL_CHECKS:
                self._ran(check)
            for finding in history.add(body, time.time()):
                if finding.check in self.kit_checks:
                    message = f"{KIT_CHECKS[finding.check]}\n{finding.detail}"
                    self._violate(finding.check, finding.title, message, exchange)
        self.operation = current

    def _final_polls(self) -> None:
        """The last polls, ``poll_interval`` apart, until the status was read ``polls`` times."""
        if not self.kit_checks & set(TEMPORAL_CHECKS) or not self._polled():
            return
        attempts = 0
        while self.report.polls < self.polls and attempts < 2 * self.polls and self._stopped is None:
            attempts += 1
            wait = self._last_poll + self.poll_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._poll()

    def _rate_limit(self, operation: Operation) -> None:
        """More than the operation's ``x-rate-limit`` within its period must get a 429; each 429's
        ``Retry-After`` is judged against the spec's header schema (in :meth:`_judge`, for every 429).

        The burst goes through an unpaced session (``--rate-limit`` paces everything else): limit + 1 valid
        requests back to back. Writes are never burst (each would post a status).
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
        elapsed = time.monotonic() - started
        if check in self.kit_checks:
            if seen_429:
                self._ran(check)
            elif elapsed > limit.per_seconds:
                self.report.unjudged[check] += 1  # too slow to go over the limit: says nothing
            else:
                self._ran(check)
                shown = ", ".join(str(code) for code in answers)
                message = (
                    f"{KIT_CHECKS[check]}\nx-rate-limit: {limit.requests} per {limit.per_seconds:g} s; "
                    f"sent {len(answers)} valid requests in {elapsed:.2f} s\nReceived: {shown}"
                )
                title = f"{len(answers)} requests in {elapsed:.2f} s, no 429"
                exchange = Exchange(
                    _RATE_LIMIT_PHASE,
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
                headers=dict(_PREFER_429),
            )
            self._burst_call(case)

    def _burst_call(self, case: _Case) -> Response | None:
        response = self._send(
            _RATE_LIMIT_PHASE,
            "rate_limit_enforced",
            lambda: self._exchange_for_case(_RATE_LIMIT_PHASE, case),
            lambda: case.call(
                base_url=self.base_url, session=self.burst_session, timeout=self.limits.request_timeout
            ),
        )
        if response is not None:
            self._count(_RATE_LIMIT_PHASE, response.status_code)
            self._judge(case, response, _RATE_LIMIT_PHASE)
        return response

    # --- writes -------------------------------------------------------------------------------------------

    def _note_created(self, response: Response) -> None:
        """Remember the id of a status a send's 200 answered: whatever the kit posts, it deletes."""
        life = self._creators.get(self.operation.name)
        if life is None or response.status_code != 200:
            return
        body = _json(response)
        created = body.get(life.source) if isinstance(body, dict) else None
        if isinstance(created, str) and created:
            self._created.setdefault(created, self.operation.name)
            self.report.posted += 1

    def _lifecycle(self) -> None:
        """Follow the status each send's valid request posted: listed, counted, deleted, gone."""
        check = "posted_status_lifecycle"
        if check not in self.kit_checks:
            return
        current = self.operation
        for life in self.lifecycles:
            created = self._followed.get(life.creator.name)
            if created is None and self._stopped is None and life.creator.name not in self._probed:
                # Its valid request was not sent (valid_request_accepted not selected). One sent already
                # that got no id is not sent again: without an answer it may have posted (not idempotent).
                created = self._post(life)
            if created is None or self._stopped is not None:
                self.operation = life.creator
                self.report.unjudged[check] += 1  # its valid request posted nothing to follow
                continue
            self._follow(life, created)
        self.operation = current

    def _post(self, life: Lifecycle) -> str | None:
        """Post one status with the send's valid body (once: not idempotent); its id, None if none came."""
        current, self.operation = self.operation, life.creator
        try:
            case = life.creator.api.Case(
                path_parameters=self.credentials, body=_body(base_body(life.creator, {}))
            )
            posted = len(self._created)
            response = self._call_with_retries("writes", "posted_status_lifecycle", case, attempts=1)
            if response is None:
                return None
            self._count("writes", response.status_code)
            self._judge(case, response, "writes")
            return list(self._created)[-1] if len(self._created) > posted else None
        finally:
            self.operation = current

    def _follow(self, life: Lifecycle, created: str) -> None:
        sent = base_body(life.creator, {}) or {}
        audience = sent.get("participants")
        shown = f"the status {created} posted by {life.creator.name}"
        # 1. The journal lists it, once, as posted through the API.
        if life.journal is not None:
            listed = self._wait(
                life.journal,
                {},
                lambda body: bool(_listed(body, life.source, created)),
                f"{shown} missing from {life.journal.name}",
            )
            if listed is not None:
                items = _listed(listed[1], life.source, created)
                if len(items) != 1:
                    self._lifecycle_failure(
                        listed[0], f"{shown} listed {len(items)} times, not once", "Expected: listed once"
                    )
                elif items[0].get(BY_API) is not True:
                    self._lifecycle_failure(
                        listed[0],
                        f"{shown} listed with {BY_API}: {items[0].get(BY_API)!r}",
                        f"Expected: {BY_API}: true (it was posted through the API)",
                    )
        # 2. Its statistics answer its recipients (among those it was sent to: unknown numbers are skipped).
        if life.statistics is not None:
            reader, link = life.statistics
            query = {link.name: created}
            counted = self._wait(
                reader,
                query,
                lambda body: isinstance(body, list) and bool(body),
                f"{reader.name} of {shown} has no recipient",
            )
            if counted is not None:
                strangers = sorted(
                    {
                        str(item.get("participant"))
                        for item in counted[1]
                        if isinstance(item, Mapping)
                        and isinstance(audience, list)
                        and audience
                        and item.get("participant") not in audience
                    }
                )
                if strangers:
                    self._lifecycle_failure(
                        counted[0],
                        f"statistics of {shown} name recipients it was not sent to",
                        f"Sent to: {audience}\nReceived recipients: {strangers[:5]}",
                    )
        # 3. Its delete gets 200 with an empty body.
        deleter, link = life.delete
        first = self._delete(deleter, link, created)
        if first is None:
            return
        if first.status_code != 200 or first.content.strip():
            self._lifecycle_failure(
                first,
                f"delete of {shown}: {first.status_code}" + (" with a body" if first.content.strip() else ""),
                "Expected: 200 with an empty body",
                operation=deleter.name,
            )
            return
        # 4. Gone: no longer listed, statistics [], a second delete 400.
        if life.journal is not None:
            self._wait(
                life.journal,
                {},
                lambda body: not _listed(body, life.source, created),
                f"{shown} still listed by {life.journal.name} after its delete",
            )
        if life.statistics is not None:
            reader, query_link = life.statistics
            self._wait(
                reader,
                {query_link.name: created},
                lambda body: body == [],
                f"{reader.name} of {shown} not [] after its delete",
            )
        again = self._delete(deleter, link, created)
        if again is not None and again.status_code != 400:
            self._lifecycle_failure(
                again,
                f"second delete of {shown}: {again.status_code}",
                "Expected: 400 (ID message notfound: deleted already)",
                operation=deleter.name,
            )

    def _wait(
        self, operation: Operation, query: Mapping[str, Any], until: Callable[[Any], bool], broken: str
    ) -> tuple[Response, Any] | None:
        """Read ``operation`` every --poll-interval until its 200 body meets ``until``, for up to
        ``write_wait`` s; a failure of ``posted_status_lifecycle`` when it never does (None: nothing judged,
        or it failed)."""
        check = "posted_status_lifecycle"
        current, self.operation = self.operation, operation
        try:
            case_query = {**base_query(operation, {}), **query}
            deadline = time.monotonic() + self.write_wait
            last: Response | None = None
            while self._stopped is None:
                case = operation.api.Case(path_parameters=self.credentials, query=case_query)
                response = self._call_with_retries("writes", check, case)
                if response is not None:
                    self._count("writes", response.status_code)
                    self._judge(case, response, "writes")
                    if response.status_code == 200:
                        last = response
                        body = _json(response)
                        if until(body):
                            self._ran(check)
                            return response, body
                if time.monotonic() + self.poll_interval > deadline:
                    break
                time.sleep(self.poll_interval)
            if last is None:
                self.report.unjudged[check] += 1
                return None
            self._ran(check)
            excerpt = self.redact.excerpt(last.text, _EXCERPT)
            self._lifecycle_failure(
                last, broken, f"Waited {self.write_wait:g} s (write_wait); last answer: {excerpt}"
            )
            return None
        finally:
            self.operation = current

    def _delete(self, deleter: Operation, link: Any, created: str) -> Response | None:
        """Send ``deleter`` once for ``created`` (a write: never re-sent); None when it got no answer."""
        current, self.operation = self.operation, deleter
        try:
            case = deleter.api.Case(path_parameters=self.credentials, body={link.name: created})
            response = self._call_with_retries("writes", "posted_status_lifecycle", case, attempts=1)
            if response is None:
                self.report.unjudged["posted_status_lifecycle"] += 1
                return None
            self._count("writes", response.status_code)
            self._judge(case, response, "writes")
            if response.status_code == 200:
                self._deleted.add(created)
                followed = self._followed.get(self._created.get(created, "")) == created
                if followed and "valid_request_accepted" in self.kit_checks:
                    self._ran("valid_request_accepted")  # the delete's valid request, with a real id
            if response.status_code == 429:
                self.report.unjudged["posted_status_lifecycle"] += 1
                return None
            self._ran("posted_status_lifecycle")
            return response
        finally:
            self.operation = current

    def _lifecycle_failure(
        self, response: Response, title: str, detail: str, *, operation: str | None = None
    ) -> None:
        check = "posted_status_lifecycle"
        current = self.operation
        if operation is not None:
            self.operation = next(op for op in self.operations if op.name == operation)
        try:
            exchange = self._exchange_for_response("writes", response)
            self._violate(check, title, f"{KIT_CHECKS[check]}\n{detail}", exchange)
        finally:
            self.operation = current

    def _cleanup(self) -> None:
        """Delete every status the run posted and has not deleted; list those it could not.

        Runs once, at the end or when the run is cut short (an error, the run timeout, a silent server):
        with its own time budget (one request timeout per status), since the run's may be spent. Each
        delete is sent once (not idempotent) through the delete's paced session.
        """
        if self._cleaned:
            return
        self._cleaned = True
        left = [created for created in self._created if created not in self._deleted]
        if not left or not self.lifecycles:
            return
        deleter, link = self.lifecycles[0].delete
        limits = Limits(self.limits.request_timeout, self.limits.max_bytes, self.limits.request_timeout)
        cleaning = requests.Session()
        rate = spec.operation(deleter.name).rate_limit.rate
        limiter = RateLimiter(rate=min(rate, self.rate_limit or rate), burst=1)
        adapter = BoundedAdapter(limits, limiter=limiter)
        cleaning.mount("http://", adapter)
        cleaning.mount("https://", adapter)
        current, self.operation = self.operation, deleter
        with cleaning:
            for created in left:
                limits.start()  # each delete its own request timeout, whatever the run's budget
                case = deleter.api.Case(path_parameters=self.credentials, body={link.name: created})
                try:
                    response = case.call(
                        base_url=self.base_url, session=cleaning, timeout=self.limits.request_timeout
                    )
                except (requests.RequestException, RunTimeUp, AnswerTooLarge):
                    self.report.undeleted.append(self.redact(created))
                    continue
                self._count("cleanup", response.status_code)
                if response.status_code == 200:
                    self._deleted.add(created)
                else:
                    self.report.undeleted.append(self.redact(created))
        self.operation = current

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

    def _positive(self, phase: str, case: _Case, pin: bool) -> None:
        pinned = {
            param.name: self.supplied[param.name]
            for param in self.operation.query
            if param.name in self.supplied
        }
        if pin and pinned:
            case.query = {**(case.query or {}), **pinned}
        self._exchange(phase, case)

    def _plain(self, phase: str, case: _Case, pin: bool) -> None:
        self._exchange(phase, case)

    def _wrong_token(self, phase: str, case: _Case, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get(TOKEN_PARAM) != self._token:
            self._exchange(phase, case, kit_check="wrong_token_rejected", expected=frozenset({401}))

    def _wrong_instance(self, phase: str, case: _Case, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get(INSTANCE_PARAM) != self.id_instance:
            self._exchange(phase, case, kit_check="wrong_instance_rejected", expected=frozenset({403}))

    # --- one exchange -------------------------------------------------------------------------------------

    def _exchange(
        self,
        phase: str,
        case: _Case,
        *,
        kit_check: str | None = None,
        expected: frozenset[int] = frozenset(),
        retry: bool = False,
        label: str | None = None,
    ) -> None:
        purpose = kit_check if label is None else f"{kit_check}: {label}"
        response = self._call_with_retries(
            phase, purpose, case, attempts=_RATE_LIMIT_ATTEMPTS if retry else 1
        )
        if response is None:
            if kit_check is not None and kit_check in self.kit_checks:
                self.report.unjudged[kit_check] += 1
            return
        self._count(phase, response.status_code)
        exchange = self._judge(case, response, phase)
        if kit_check is not None and kit_check in self.kit_checks:
            if response.status_code == 429:
                # Rate limited (on every attempt when re-sent): says nothing about the rule. Not a failure,
                # but no evidence either: the verdict weighs it (INCONCLUSIVE when a check judged nothing).
                self.report.unjudged[kit_check] += 1
                return
            self._ran(kit_check)
            if response.status_code not in expected:
                want = " or ".join(str(code) for code in sorted(expected))
                probe = "" if label is None else f"\nProbe: {label}"
                message = (
                    f"{KIT_CHECKS[kit_check]}{probe}\nExpected: {want}\nReceived: {response.status_code}"
                )
                title = f"Expected {want}, got {response.status_code}"
                self._violate(kit_check, title if label is None else f"{label}: {title}", message, exchange)

    def _call_with_retries(
        self, phase: str, purpose: str | None, case: _Case, *, attempts: int = _RATE_LIMIT_ATTEMPTS
    ) -> Response | None:
        """Send ``case``; on a 429 wait (its Retry-After, capped) and re-send, up to ``attempts`` in all.

        Every 429 but the last is judged here (its Retry-After too); the caller judges the last answer.
        """
        response: Response | None = None
        for attempt in range(attempts):
            response = self._send(
                phase,
                purpose,
                lambda: self._exchange_for_case(phase, case),
                lambda: case.call(
                    base_url=self.base_url,
                    session=self.write_sessions.get(self.operation.name, self.session),
                    timeout=self.limits.request_timeout,
                ),
            )
            if response is not None:
                self._note_created(response)
            if (
                response is None
                or response.status_code != 429
                or attempt == attempts - 1
                or self.operation.is_write  # never re-sent: a write is not idempotent
            ):
                break
            self._count(phase, 429)
            self._judge(case, response, phase)
            time.sleep(_retry_after(response.headers))
        return response

    def _judge(self, case: _Case, response: Response, phase: str) -> Exchange:
        """Apply the selected schemathesis checks to one answer, and the Retry-After rule to a 429."""
        exchange = self._exchange_for_response(phase, response)
        for name, check in self.st_checks:
            if (
                name == "positive_data_acceptance"
                and response.status_code == 400
                and self.operation.name in self._stateful
            ):
                continue  # a valid id nobody posted: the documented 400 accepts valid data here
            self._ran(name)
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                for failure in group.exceptions:
                    self._violate(name, failure.title, failure.message, exchange)
        if response.status_code == 429:
            self._judge_retry_after(_header(response.headers, "retry-after"), exchange)
        return exchange

    def _judge_retry_after(self, value: str | None, exchange: Exchange) -> None:
        check = "retry_after_conformance"
        if check not in self.kit_checks:
            return
        self._ran(check)
        declared = spec.response_header(self.operation.name, 429, "Retry-After")
        if declared is None:
            return  # the spec documents no Retry-After for this 429: nothing to hold it to
        schema, required = declared
        problem = _header_problem(value, schema, required=required)
        if problem is not None:
            message = (
                f"{KIT_CHECKS[check]}\nSchema: {json.dumps(dict(schema))}\nReceived: Retry-After: {value!r}"
            )
            self._violate(check, f"429 with {problem}", message, exchange)

    def _method_request(
        self, method: str, path_parameters: dict[str, Any], query: dict[str, Any], phase: str
    ) -> None:
        """A method the spec does not declare on the path: 405 with Allow naming the declared ones.

        HEAD may instead be answered as GET is, without a body (RFC 9110 9.3.2: a server that supports GET
        should support HEAD), so a HEAD answered with the valid GET's 200 passes too.
        """
        check = "unsupported_method_rejected"
        case = self.operation.api.Case(path_parameters=path_parameters, query=query)
        path = case.formatted_path
        shown_query = "&".join(f"{key}=…" for key in query)
        raw: requests.Response | None = None
        for attempt in range(_RATE_LIMIT_ATTEMPTS):
            raw = self._send(
                phase,
                f"{check} ({method})",
                lambda: Exchange(phase, method, path, shown_query, None, None, ""),
                lambda: self.session.request(
                    method, self.base_url + path, params=query, timeout=self.limits.request_timeout
                ),
            )
            if raw is None or raw.status_code != 429 or attempt == _RATE_LIMIT_ATTEMPTS - 1:
                break
            time.sleep(_retry_after({key: [value] for key, value in raw.headers.items()}))
        if raw is None:
            self.report.unjudged[check] += 1
            return
        self._count(phase, raw.status_code)
        response = Response.from_requests(raw, verify=True)
        exchange = self._exchange_for_response(phase, response)
        if raw.status_code == 429:
            self.report.unjudged[check] += 1
            return
        self._ran(check)
        allow = {part.strip().upper() for part in raw.headers.get("Allow", "").split(",") if part.strip()}
        declared = sorted(self.operation.path_methods)
        as_get = method == HEAD_METHOD and "GET" in declared and raw.status_code == 200
        if raw.status_code != 405 and not as_get:
            message = f"{KIT_CHECKS[check]}\nExpected: 405\nReceived: {raw.status_code}"
            self._violate(check, f"{method} not rejected with 405", message, exchange)
        elif raw.status_code == 405 and not set(declared) <= allow:
            # The header is the server's text: it may echo the token (the report would show it).
            shown = None if (value := raw.headers.get("Allow")) is None else self.redact(value)
            naming = ", ".join(declared)
            message = (
                f"{KIT_CHECKS[check]}\nA 405 must carry Allow (RFC 9110) naming {naming}\nReceived: {shown!r}"
            )
            self._violate(check, f"405 without an Allow header naming {naming}", message, exchange)

    def _send(
        self,
        phase: str,
        purpose: str | None,
        unanswered: Callable[[], Exchange],
        call: Callable[[], _T],
    ) -> _T | None:
        """Send one request through ``call``; None when no usable answer came (the failure is recorded).

        ``purpose`` (the kit check a probe serves) and ``phase`` name the request in a failure message;
        ``unanswered`` describes what was sent when there is no response to describe it.
        """
        if self._stopped is not None:
            self.report.not_sent += 1
            return None
        check = "answer_within_limits"
        self._ran(check)
        who = f"{phase} request" + (f" ({purpose})" if purpose else "")
        try:
            result = call()
        except RunTimeUp:
            self._stopped = f"the run timeout ({self.limits.run_timeout:g} s) was reached"
            self._ran(check, -1)
            self.report.not_sent += 1
            return None
        except AnswerTooLarge as exc:
            self._silent_in_a_row = 0
            self._count(phase, exc.status_code)
            exchange = dataclasses.replace(
                unanswered(), status_code=exc.status_code, content_type=exc.content_type
            )
            title = f"Answer larger than {exc.limit:,} bytes"
            message = f"{LIMIT_CHECKS[check]}\nThe {who} got an {exc}; the connection was closed."
            self._violate(check, title, message, exchange)
            return None
        except NoAnswerInTime as exc:
            self._count(phase, None)
            message = f"{LIMIT_CHECKS[check]}\nThe {who} got {exc}; the connection was closed."
            self._violate(check, f"No answer within {exc.seconds:g} s", message, unanswered())
            self._silent_in_a_row += 1
            if self._silent_in_a_row >= _MAX_SILENT_IN_A_ROW:
                self._stopped = f"{self._silent_in_a_row} requests in a row got no answer in time"
            return None
        except requests.RequestException as exc:
            self._silent_in_a_row = 0
            self._count(phase, None)
            self._violate("not_a_server_error", "No response", f"{type(exc).__name__}: {exc}", unanswered())
            return None
        self._silent_in_a_row = 0
        return result

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

    # --- bookkeeping --------------------------------------------------------------------------------------

    def _ran(self, check: str, times: int = 1, *, operation: str | None = None) -> None:
        """Count a check as applied (to the current operation unless ``operation`` is given)."""
        name = self.operation.name if operation is None else operation
        self.report.check_runs[check] += times
        self.report.check_runs_by_operation[(name, check)] += times

    def _count(self, phase: str, status: int | None) -> None:
        report = self.report
        report.cases += 1
        report.cases_by_operation[self.operation.name] += 1
        report.phases[phase] += 1
        if status is not None:
            report.statuses[status] += 1
            report.statuses_by_operation[(self.operation.name, status)] += 1
            report.statuses_by_phase[(phase, status)] += 1
            if phase != _RATE_LIMIT_PHASE:
                self._unasked += 1
                self._unasked_429 += status == 429
                if (
                    self._stopped is None
                    and self._unasked >= _RATE_LIMITED_AFTER
                    and self._unasked_429 / self._unasked > self.max_429_share
                ):
                    # Going on would only collect more 429s (and wait out each one): the verdict is already
                    # INCONCLUSIVE, and saying so now is faster than minutes of rate-limited requests.
                    self._rate_limited = True
                    self._stopped = f"{self._unasked_429} of the first {self._unasked} answers were 429"
        if self.progress is not None:
            self._planned = max(self._planned, report.cases)
            self.progress(
                ProgressEvent(
                    self.operation.name,
                    phase,
                    report.cases,
                    self._planned,
                    report.statuses[200],
                    report.statuses[429],
                )
            )

    def _violate(
        self, check: str, title: str, message: str, exchange: Exchange, *, operation: str | None = None
    ) -> None:
        """Record a failure of the current operation (or of ``operation``; "" for the whole run).

        The one door into ``report.violations``: every string is redacted HERE.

        Why here and not at each caller: a message built from anything the server sent (a header, a body, a
        schemathesis text quoting either) can carry the token; redacting structurally means a new message
        cannot forget it.
        """
        title, message = self.redact(title), self.redact(message)
        exchange = dataclasses.replace(
            exchange,
            method=self.redact(exchange.method),
            path=self.redact(exchange.path),
            query=self.redact(exchange.query),
            content_type=None if exchange.content_type is None else self.redact(exchange.content_type),
            body_excerpt=self.redact(exchange.body_excerpt),
        )
        name = self.operation.name if operation is None else operation
        self.report.check_failures[check] += 1
        self.report.check_failures_by_operation[(name, check)] += 1
        first_line = message.strip().splitlines()[0] if message.strip() else ""
        key = (name, check, title, first_line)
        index = self._seen.get(key)
        if index is not None:
            old = self.report.violations[index]
            self.report.violations[index] = dataclasses.replace(old, occurrences=old.occurrences + 1)
            return
        if sum(1 for seen in self._seen if seen[:2] == (name, check)) >= _MAX_DISTINCT_PER_CHECK:
            return  # counted in check_failures; the report already shows enough distinct examples
        self._seen[key] = len(self.report.violations)
        self.report.violations.append(Violation(check, title, message, exchange, operation=name))

    def _exchange_for_response(self, phase: str, response: Response) -> Exchange:
        request = response.request
        parts = urlsplit(str(request.url))
        content_type = _header(response.headers, "content-type")
        body = response.content[:_BODY_WINDOW].decode("utf-8", "replace")
        if len(response.content) > _BODY_WINDOW:
            body += "…"
        return Exchange(
            phase=phase,
            method=str(request.method),
            path=self.redact(unquote(parts.path)),
            query=self.redact.excerpt(unquote(parts.query), _EXCERPT),
            status_code=response.status_code,
            content_type=content_type,
            body_excerpt=self.redact.excerpt(body, _EXCERPT),
        )

    def _exchange_for_case(self, phase: str, case: _Case) -> Exchange:
        query = "&".join(f"{key}={value}" for key, value in (case.query or {}).items())
        return Exchange(
            phase,
            case.method.upper(),
            self.redact(case.formatted_path),
            self.redact.excerpt(query, _EXCERPT),
            None,
            None,
            "",
        )


def _listed(body: Any, field: str, created: str) -> list[Mapping[str, Any]]:
    """The items of a journal answer whose ``field`` is ``created``."""
    if not isinstance(body, list):
        return []
    return [item for item in body if isinstance(item, Mapping) and item.get(field) == created]


def _header(headers: Mapping[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return None


def _retry_after(headers: Mapping[str, list[str]]) -> float:
    value = _header(headers, "retry-after")
    if value is not None and value.strip().isdigit():
        return min(float(value.strip()), _MAX_RETRY_AFTER)
    return 1.0


# The kit checks the coverage phase serves (besides all of schemathesis' checks).
_COVERAGE_CHECKS: Final = frozenset(
    {
        "valid_request_accepted",
        "invalid_parameter_rejected",
        "unsupported_method_rejected",
        "wrong_token_rejected",
        "wrong_instance_rejected",
    }
)
_E200: Final = frozenset({200})
_E400: Final = frozenset({400})
_E401: Final = frozenset({401})
_E403: Final = frozenset({403})
_NOT_JSON: Final = object()


def _body(body: Mapping[str, Any] | None) -> Any:
    """A probe's JSON body for ``Case(body=...)``: schemathesis' "no body" marker when there is none."""
    from schemathesis.core import NOT_SET

    return NOT_SET if body is None else dict(body)


def _json(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _header_problem(value: str | None, schema: Mapping[str, Any], *, required: bool) -> str | None:
    """What is wrong with a header's value under its spec schema (None: nothing). Only what a header
    schema of this spec uses is understood: ``type: string`` and ``pattern``, lengths."""
    if value is None:
        return "no Retry-After" if required else None
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, value) is None:
        return f"a Retry-After not matching {pattern}"
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    if isinstance(min_length, int) and len(value) < min_length:
        return "a Retry-After shorter than its minLength"
    if isinstance(max_length, int) and len(value) > max_length:
        return "a Retry-After longer than its maxLength"
    return None
