"""Run the contract against a live implementation: schemathesis-generated cases plus a few explicit probes.

Why this shape: schemathesis turns ``openapi.yaml`` into positive and negative requests and judges every
response with its own checks; the kit only decides *which* requests (credentials pinned so the 200 branch is
reached, wrong credentials so rejection is tested) and adds the probes whose expected answer the spec states
in prose (401, 403, 400, 405). Every random choice is driven by one seed, and every phase is bounded
by ``max_examples``, so a run is reproducible and its length predictable. Every request goes through
:class:`~._bounded.BoundedAdapter` (a deadline per answer, a maximum size), the run has an overall time
budget, and a server that stops answering ends the run early: a hostile server gets a report, never a hang.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode, Response
from schemathesis.core.failures import FailureGroup

from greenstat_ext._ratelimit import MIN_RATE, RateLimiter
from greenstat_ext._redact import redact
from greenstat_ext._spec import id_instance_range, parameter, token_limits

from ._bounded import AnswerTooLarge, BoundedAdapter, Limits, NoAnswerInTime, RunTimeUp
from ._checks import KIT_CHECKS, LIMIT_CHECKS, SCHEMATHESIS_CHECKS, resolve_checks, schemathesis_check
from ._errors import ContractUsageError
from ._redact import Redactor
from ._results import ContractReport, Exchange, Violation
from ._spec import load_operation

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
# A default run (5 phases of 100 plus 8 probes) paced at 1 request/s takes ~510 s: 30 minutes leaves room.
DEFAULT_RUN_TIMEOUT: Final = 1800.0
REACHABILITY_TIMEOUT: Final = 3.0
# A server that let this many requests in a row time out is not answering: the rest would only add waits.
_MAX_SILENT_IN_A_ROW: Final = 3
EXAMPLE_ID_MESSAGE: Final = "BAE5F4886F6F2D05"
UNSUPPORTED_METHODS: Final = ("POST", "PUT", "PATCH", "DELETE")
_TOKEN_RE: Final = token_limits().bounded_regex
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

    ``id_instance``/``token`` are valid credentials of that implementation: they are pinned into positive
    cases so the 200 branch is exercised. ``id_message`` (optional) names a status the implementation knows,
    so non-empty answers are checked too. ``max_examples`` bounds each generated phase. ``checks`` selects
    checks by name (default: all, see :data:`ALL_CHECKS`). ``seed`` makes the run reproducible (random when
    None; the report carries it). ``rate_limit`` paces every request to at most that many per second
    (``0``: no pacing; use ``1`` against Green API itself, whose limit for this method is 1 request/s, or
    most answers are 429s that say nothing about the rest of the contract).

    Bounds, so that a hostile implementation gets a report and never a hang: every answer must be complete
    (connect, head and body) within ``request_timeout`` seconds and at most ``max_response_bytes`` long, on
    the wire and inflated (else an ``answer_within_limits`` failure, the connection is closed); the whole run
    stops after ``run_timeout`` seconds, or after 3 requests in a row got no answer in time (a
    ``run_completed`` failure counting what was not sent). Raises :class:`ContractUsageError` for bad
    arguments or an unreachable URL.
    """
    base_url = _validate_url(url)
    _validate_credentials(id_instance, token)
    low, high = parameter("getStatusStatistic", "idMessage").length_bounds
    if id_message is not None and not max(low, 1) <= len(id_message) <= high:
        raise ContractUsageError(f"--id-message must be 1 to {high} characters")
    if not 1 <= max_examples <= MAX_MAX_EXAMPLES:
        raise ContractUsageError(
            f"--max-examples must be between 1 and {MAX_MAX_EXAMPLES}, got {max_examples}"
        )
    _validate_seconds("--request-timeout", request_timeout)
    _validate_seconds("--run-timeout", run_timeout)
    if (
        isinstance(max_response_bytes, bool)
        or not isinstance(max_response_bytes, int)
        or max_response_bytes < 1
    ):
        raise ContractUsageError(
            f"--max-response-bytes must be a positive number of bytes, got {max_response_bytes!r}"
        )
    if not (isinstance(rate_limit, int | float) and (rate_limit == 0 or MIN_RATE <= rate_limit <= 1000)):
        raise ContractUsageError(
            f"--rate-limit must be 0 (off) or from {MIN_RATE} to 1000 requests/s, got {rate_limit}"
        )
    selected = resolve_checks(checks)
    _check_reachable(base_url, max_response_bytes)
    limits = Limits(request_timeout, max_response_bytes, run_timeout)
    run = _Run(
        base_url=base_url,
        id_instance=id_instance,
        token=token,
        id_message=id_message,
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
        raise ContractUsageError(f"--url is not a valid URL ({exc}): {shown!r}") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ContractUsageError(f"--url must be an http(s) URL such as http://127.0.0.1:8080, got {shown!r}")
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in url.strip()):
        raise ContractUsageError(f"--url must not contain spaces or control characters, got {shown!r}")
    if parts.query or parts.fragment:
        raise ContractUsageError("--url must not carry a query or a fragment")
    return url.strip().rstrip("/")


def _validate_credentials(id_instance: int, token: str) -> None:
    low, high = id_instance_range()
    if not low <= id_instance <= high:
        raise ContractUsageError(f"--id-instance must be an integer from {low} to {high}")
    if not _TOKEN_RE.fullmatch(token):
        # Never echo the value: it may be a real token with a typo.
        limits = token_limits()
        raise ContractUsageError(
            f"--token must be {limits.min_length} to {limits.max_length} ASCII letters and digits"
        )


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
            reason = "connection refused" if isinstance(exc, requests.ConnectionError) else type(exc).__name__
            raise ContractUsageError(f"cannot reach {redact(base_url)}: {reason}") from None


class _Run:
    """One contract run: sends requests, applies the selected checks, fills :class:`ContractReport`."""

    def __init__(
        self,
        *,
        base_url: str,
        id_instance: int,
        token: str,
        id_message: str | None,
        max_examples: int,
        checks: tuple[str, ...],
        seed: int,
        limits: Limits,
    ) -> None:
        self.base_url = base_url
        self.id_instance = id_instance
        self._token = token
        self.id_message = id_message
        self.max_examples = max_examples
        self.seed = seed
        self.limits = limits
        self.redact = Redactor(token)
        self.session = requests.Session()
        self.operation = load_operation()
        self.st_checks = [(name, schemathesis_check(name)) for name in checks if name in SCHEMATHESIS_CHECKS]
        self.kit_checks = frozenset(name for name in checks if name in KIT_CHECKS)
        self.report = ContractReport(url=self.redact(base_url), seed=seed, checks=checks)
        self._seen: dict[tuple[str, str, str], int] = {}
        self._silent_in_a_row = 0
        self._stopped: str | None = None  # why the run stopped sending, once it has

    @property
    def credentials(self) -> dict[str, Any]:
        return {"idInstance": self.id_instance, "apiTokenInstance": self._token}

    # --- phases -------------------------------------------------------------------------------------------

    def execute(self) -> None:
        creds = self.credentials
        positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
        self._generate(
            "positive", self.operation.as_strategy(positive, path_parameters=creds), self._positive
        )
        self._generate("negative", self.operation.as_strategy(negative, path_parameters=creds), self._plain)
        only_instance = {"idInstance": self.id_instance}
        self._generate(
            "wrong-token",
            self.operation.as_strategy(positive, path_parameters=only_instance),
            self._wrong_token,
        )
        only_token = {"apiTokenInstance": self._token}
        self._generate(
            "wrong-instance",
            self.operation.as_strategy(positive, path_parameters=only_token),
            self._wrong_instance,
        )
        self._generate("negative-credentials", self.operation.as_strategy(negative), self._plain)
        self._probes()
        self._conclude()

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

        run()

    def _positive(self, phase: str, case: _Case, pin: bool) -> None:
        if pin and self.id_message is not None:
            case.query = {**(case.query or {}), "idMessage": self.id_message}
        self._exchange(phase, case)

    def _plain(self, phase: str, case: _Case, pin: bool) -> None:
        self._exchange(phase, case)

    def _wrong_token(self, phase: str, case: _Case, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get("apiTokenInstance") != self._token:
            self._exchange(phase, case, kit_check="wrong_token_rejected", expected=frozenset({401}))

    def _wrong_instance(self, phase: str, case: _Case, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get("idInstance") != self.id_instance:
            self._exchange(phase, case, kit_check="wrong_instance_rejected", expected=frozenset({403}))

    def _probes(self) -> None:
        creds = self.credentials
        if "valid_request_accepted" in self.kit_checks:
            query = {"idMessage": self.id_message or EXAMPLE_ID_MESSAGE}
            case = self.operation.Case(path_parameters=creds, query=query)
            self._exchange(
                "probe", case, kit_check="valid_request_accepted", expected=frozenset({200}), retry=True
            )
        if "invalid_id_message_rejected" in self.kit_checks:
            for query in ({}, {"idMessage": ""}, {"idMessage": "x" * 257}):
                case = self.operation.Case(path_parameters=creds, query=query)
                self._exchange(
                    "probe",
                    case,
                    kit_check="invalid_id_message_rejected",
                    expected=frozenset({400}),
                    retry=True,
                )
        if "unsupported_method_rejected" in self.kit_checks:
            for method in UNSUPPORTED_METHODS:
                self._method_probe(method)

    # --- one exchange -------------------------------------------------------------------------------------

    def _exchange(
        self,
        phase: str,
        case: _Case,
        *,
        kit_check: str | None = None,
        expected: frozenset[int] = frozenset(),
        retry: bool = False,
    ) -> None:
        attempts = _RATE_LIMIT_ATTEMPTS if retry else 1
        for attempt in range(attempts):
            response = self._send(
                phase,
                kit_check,
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
            self.report.check_runs[name] += 1
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                for failure in group.exceptions:
                    self._violate(name, failure.title, failure.message, exchange)
        if kit_check is not None and kit_check in self.kit_checks:
            if response.status_code == 429 and not retry:
                return  # rate limited: says nothing about the credentials; the schemathesis checks still ran
            self.report.check_runs[kit_check] += 1
            if response.status_code not in expected:
                want = " or ".join(str(code) for code in sorted(expected))
                note = f" (rate limited on all {attempts} attempts)" if response.status_code == 429 else ""
                message = f"{KIT_CHECKS[kit_check]}\nExpected: {want}\nReceived: {response.status_code}{note}"
                self._violate(kit_check, f"Expected {want}, got {response.status_code}", message, exchange)

    def _method_probe(self, method: str) -> None:
        check = "unsupported_method_rejected"
        path = f"/waInstance{self.id_instance}/getStatusStatistic/{self._token}"
        query = {"idMessage": self.id_message or EXAMPLE_ID_MESSAGE}
        for attempt in range(_RATE_LIMIT_ATTEMPTS):
            raw = self._send(
                "probe",
                f"{check} ({method})",
                lambda: Exchange("probe", method, path, "idMessage=…", None, None, ""),
                lambda: self.session.request(
                    method, self.base_url + path, params=query, timeout=self.limits.request_timeout
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
        self.report.check_runs[check] += 1
        allow = {part.strip().upper() for part in raw.headers.get("Allow", "").split(",") if part.strip()}
        if raw.status_code != 405:
            message = f"{KIT_CHECKS[check]}\nExpected: 405\nReceived: {raw.status_code}"
            self._violate(check, f"{method} not rejected with 405", message, exchange)
        elif "GET" not in allow:
            # The header is the server's text: it may echo the token (the report would show it).
            shown = None if (value := raw.headers.get("Allow")) is None else self.redact(value)
            message = (
                f"{KIT_CHECKS[check]}\nA 405 must carry Allow (RFC 9110) naming GET\nReceived: {shown!r}"
            )
            self._violate(check, "405 without an Allow header naming GET", message, exchange)

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
        self.report.check_runs[check] += 1
        who = f"{phase} request" + (f" ({purpose})" if purpose else "")
        try:
            result = call()
        except RunTimeUp:
            self._stopped = f"the run timeout ({self.limits.run_timeout:g} s) was reached"
            self.report.check_runs[check] -= 1
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
        self.report.check_runs[check] += 1
        if self._stopped is None:
            return
        message = (
            f"{LIMIT_CHECKS[check]}\nThe run stopped sending because {self._stopped}; "
            f"planned requests not sent: {self.report.not_sent}."
        )
        exchange = Exchange("run", "", "(the whole run)", "", None, None, "")
        self._violate(check, "Run stopped early", message, exchange)

    # --- bookkeeping --------------------------------------------------------------------------------------

    def _count(self, phase: str, status: int | None) -> None:
        self.report.cases += 1
        self.report.phases[phase] += 1
        if status is not None:
            self.report.statuses[status] += 1

    def _violate(self, check: str, title: str, message: str, exchange: Exchange) -> None:
        """Record a failure. The one door into ``report.violations``: every string is redacted HERE.

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
        self.report.check_failures[check] += 1
        first_line = message.strip().splitlines()[0] if message.strip() else ""
        key = (check, title, first_line)
        index = self._seen.get(key)
        if index is not None:
            old = self.report.violations[index]
            self.report.violations[index] = Violation(
                old.check, old.title, old.message, old.exchange, old.occurrences + 1
            )
            return
        if sum(1 for seen in self._seen if seen[0] == check) >= _MAX_DISTINCT_PER_CHECK:
            return  # counted in check_failures; the report already shows enough distinct examples
        self._seen[key] = len(self.report.violations)
        self.report.violations.append(Violation(check, title, message, exchange))

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
