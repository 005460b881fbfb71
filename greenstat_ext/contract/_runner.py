"""Run the contract against a live implementation: schemathesis-generated cases plus a few explicit probes.

Why this shape: schemathesis turns ``openapi.yaml`` into positive and negative requests and judges every
response with its own checks; the kit only decides *which* requests (credentials pinned so the 200 branch is
reached, wrong credentials so rejection is tested) and adds the probes whose expected answer the spec states
in prose (401, 403, 400, 405), built from each operation's parameters (:mod:`._probes`). Every operation of
the spec gets the same phases and its own probes, one operation after the other, and every finding names its
operation. Every random choice is driven by one seed, and every phase is bounded
by ``max_examples``, so a run is reproducible and its length predictable. Every request goes through
:class:`~._bounded.BoundedAdapter` (a deadline per answer, a maximum size), the run has an overall time
budget, and a server that stops answering ends the run early: a hostile server gets a report, never a hang.
"""

from __future__ import annotations

import dataclasses
import math
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode, Response
from schemathesis.core.failures import FailureGroup

from greenstat_ext import _spec as spec
from greenstat_ext._ratelimit import MIN_RATE, RateLimiter
from greenstat_ext._redact import Redactor, redact

from ._bounded import AnswerTooLarge, BoundedAdapter, Limits, NoAnswerInTime, RunTimeUp
from ._checks import KIT_CHECKS, LIMIT_CHECKS, SCHEMATHESIS_CHECKS, resolve_checks, schemathesis_check
from ._errors import ContractUsageError
from ._probes import Probe, probes_for
from ._results import ContractReport, Exchange, Violation
from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation, Parameter, load_operations

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_RUN_TIMEOUT",
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
    selected = resolve_checks(checks)
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
    )
    # One adapter for every request the run sends (generated cases and probes alike): the limits, and the
    # token bucket's pacing when asked for.
    limiter = RateLimiter(rate=rate_limit, burst=1) if rate_limit else None
    adapter = BoundedAdapter(limits, limiter=limiter)
    run.session.mount("http://", adapter)
    run.session.mount("https://", adapter)
    limits.start()
    with run.session:
        run.execute()
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


def _fits(param: Parameter, value: str) -> bool:
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
            raise ContractUsageError(f"cannot reach {redact(base_url)}: {_no_answer_reason(exc)}") from None


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
        self.operations = load_operations()
        self.operation: Operation = self.operations[0]  # the one being checked; every finding names it
        self.st_checks = [(name, schemathesis_check(name)) for name in checks if name in SCHEMATHESIS_CHECKS]
        self.kit_checks = frozenset(name for name in checks if name in KIT_CHECKS)
        self.report = ContractReport(
            url=self.redact(base_url),
            seed=seed,
            checks=checks,
            operations=tuple(operation.name for operation in self.operations),
        )
        self._seen: dict[tuple[str, str, str, str], int] = {}
        self._silent_in_a_row = 0
        self._stopped: str | None = None  # why the run stopped sending, once it has

    @property
    def credentials(self) -> dict[str, Any]:
        return {INSTANCE_PARAM: self.id_instance, TOKEN_PARAM: self._token}

    # --- phases -------------------------------------------------------------------------------------------

    def execute(self) -> None:
        for operation in self.operations:
            self.operation = operation
            self._phases(operation)
            self._probes(operation)
        self._conclude()

    def _phases(self, operation: Operation) -> None:
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

    def _probes(self, operation: Operation) -> None:
        for probe in probes_for(operation, self.supplied, self.id_instance, self._token):
            if probe.check not in self.kit_checks:
                continue
            if probe.check == "unsupported_method_rejected":
                self._method_probe(probe)
                continue
            case = operation.api.Case(path_parameters=dict(probe.path_parameters), query=dict(probe.query))
            self._exchange(
                "probe", case, kit_check=probe.check, expected=probe.expected, retry=True, label=probe.label
            )

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
        attempts = _RATE_LIMIT_ATTEMPTS if retry else 1
        for attempt in range(attempts):
            response = self._send(
                phase,
                kit_check if label is None else f"{kit_check}: {label}",
                lambda: self._exchange_for_case(phase, case),
                lambda: case.call(
                    base_url=self.base_url, session=self.session, timeout=self.limits.request_timeout
                ),
            )
            if response is None:
                return
            if response.status_code != 429 or attempt == attempts - 1:
                break
            time.sleep(_retry_after(response.headers))
        assert response is not None  # attempts >= 1
        self._count(phase, response.status_code)
        exchange = self._exchange_for_response(phase, response)
        for name, check in self.st_checks:
            self._ran(name)
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                for failure in group.exceptions:
                    self._violate(name, failure.title, failure.message, exchange)
        if kit_check is not None and kit_check in self.kit_checks:
            if response.status_code == 429 and not retry:
                return  # rate limited: says nothing about the credentials; the schemathesis checks still ran
            self._ran(kit_check)
            if response.status_code not in expected:
                want = " or ".join(str(code) for code in sorted(expected))
                note = f" (rate limited on all {attempts} attempts)" if response.status_code == 429 else ""
                probe = "" if label is None else f"\nProbe: {label}"
                message = (
                    f"{KIT_CHECKS[kit_check]}{probe}\nExpected: {want}\n"
                    f"Received: {response.status_code}{note}"
                )
                title = f"Expected {want}, got {response.status_code}"
                self._violate(kit_check, title if label is None else f"{label}: {title}", message, exchange)

    def _method_probe(self, probe: Probe) -> None:
        check = probe.check
        method = probe.method
        case = self.operation.api.Case(path_parameters=dict(probe.path_parameters), query=dict(probe.query))
        path = case.formatted_path
        shown_query = "&".join(f"{key}=…" for key in probe.query)
        for attempt in range(_RATE_LIMIT_ATTEMPTS):
            raw = self._send(
                "probe",
                f"{check} ({method})",
                lambda: Exchange("probe", method, path, shown_query, None, None, ""),
                lambda: self.session.request(
                    method,
                    self.base_url + path,
                    params=dict(probe.query),
                    timeout=self.limits.request_timeout,
                ),
            )
            if raw is None:
                return
            if raw.status_code != 429 or attempt == _RATE_LIMIT_ATTEMPTS - 1:
                break
            time.sleep(_retry_after({key: [value] for key, value in raw.headers.items()}))
        assert raw is not None  # _RATE_LIMIT_ATTEMPTS >= 1
        self._count("probe", raw.status_code)
        response = Response.from_requests(raw, verify=True)
        exchange = self._exchange_for_response("probe", response)
        self._ran(check)
        allow = {part.strip().upper() for part in raw.headers.get("Allow", "").split(",") if part.strip()}
        declared = sorted(self.operation.path_methods)
        if raw.status_code != 405:
            message = f"{KIT_CHECKS[check]}\nExpected: 405\nReceived: {raw.status_code}"
            self._violate(check, f"{method} not rejected with 405", message, exchange)
        elif not set(declared) <= allow:
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
        if self._stopped is None:
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
        self.report.cases += 1
        self.report.cases_by_operation[self.operation.name] += 1
        self.report.phases[phase] += 1
        if status is not None:
            self.report.statuses[status] += 1
            self.report.statuses_by_operation[(self.operation.name, status)] += 1

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
