"""The core every phase of a contract run shares: one exchange (send, re-send on 429, judge) and the
bookkeeping of the report, safe for the operations' threads.

Why one core under the phases: every request of every phase is bounded the same way (:mod:`._bounded`), judged
by the same checks and counted in the same report, and every finding is redacted at one door
(:meth:`_Core._violate`). The phases (:mod:`._phase_cases`, :mod:`._phase_probes`, :mod:`._phase_polls`,
:mod:`._phase_bursts`, :mod:`._phase_writes`) add what they send; :mod:`._runner` orders them.

Why a lock and a thread-local operation: the operations run concurrently, each in its own thread and paced
at its own ``x-rate-limit``; the operation a finding names is the one its thread is checking, and the
report's counters are updated under one lock, so the counts add up whatever the interleaving. Every 200
answer of a polled operation feeds its status's :class:`~._temporal.History` here, in arrival order, whatever
the phase that sent it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from schemathesis import Case, Response
from schemathesis.core.failures import FailureGroup

from greenstat_ext import _spec as spec
from greenstat_ext._ratelimit import RateLimiter
from greenstat_ext._redact import Redactor

from ._bounded import AnswerTooLarge, Limits, NoAnswerInTime, RunTimeUp
from ._checks import KIT_CHECKS, LIMIT_CHECKS, SCHEMATHESIS_CHECKS, TEMPORAL_CHECKS, schemathesis_check
from ._defaults import (
    BODY_WINDOW,
    DEFAULT_MAX_429_SHARE,
    DEFAULT_MIN_OK,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_POLLS,
    DEFAULT_WRITE_WAIT,
    EXCERPT,
    MAX_DISTINCT_PER_CHECK,
    MAX_SILENT_IN_A_ROW,
    RATE_LIMIT_ATTEMPTS,
    RATE_LIMITED_AFTER,
    ProgressEvent,
)
from ._evidence import RATE_LIMIT_PHASE
from ._http import header, header_problem, json_of, retry_after
from ._probes import HEAD_METHOD, base_query
from ._results import ContractReport, Exchange, Violation
from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation, load_operations
from ._temporal import History, polled_schema
from ._writes import lifecycles, needs_state

__all__ = ["E200", "E400", "E401", "E403", "Case_", "_Core"]

Case_ = Case[Any]
_T = TypeVar("_T")
E200: Final = frozenset({200})
E400: Final = frozenset({400})
E401: Final = frozenset({401})
E403: Final = frozenset({403})
# Histories kept at most (one per idMessage answered with recipients): a server answering recipients to
# every made-up id cannot grow the run's memory without bound.
_MAX_HISTORIES: Final = 200


class _Core:
    """One contract run's shared state: sends requests, applies the selected checks, fills the report."""

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
        # One session per operation, each paced at the operation's own rate (set by the runner); the
        # rate-limit phase's bursts go through their own, unpaced one.
        self.sessions: dict[str, requests.Session] = {}
        # The limiter pacing each paced operation's session (a write's always): the clean-up's deletes
        # share theirs, so its first delete is spaced from the run's last one.
        self.limiters: dict[str, RateLimiter] = {}
        self.burst_session = requests.Session()
        self._lock = threading.RLock()  # the report's counters and findings, the histories
        self._local = threading.local()  # the operation this thread is checking, the id its send posted
        self.allow_writes = allow_writes
        self.min_ok = min_ok
        self.max_429_share = max_429_share
        self.polls = polls or 0  # 0: only the polls at the start and after each operation
        self.poll_interval = poll_interval
        self.write_wait = write_wait
        self.rate_limit = 0.0  # --rate-limit (0: each write at its spec pace only), set by run_contract_test
        self.progress = progress
        # Every status this run posted (id -> the send that answered it), and those deleted since: what is
        # left is deleted at the end. The id each send's valid request posted is followed by the lifecycle.
        self._created: dict[str, str] = {}
        self._deleted: set[str] = set()
        self._followed: dict[str, str] = {}
        self._probed: set[str] = set()  # the writes whose valid request was sent (posted or not)
        self._cleaned = False
        every = load_operations()
        # A write that creates something no operation of the spec can delete (no x-deletes of its kind fed
        # by one of its links) is never sent, even with --allow-writes: the kit could not clean up after it.
        cleanable = {life.creator.name for life in lifecycles(every)}
        uncleanable = tuple(op.name for op in every if op.creates is not None and op.name not in cleanable)
        self.operations = tuple(
            op for op in every if (allow_writes or not op.is_write) and op.name not in uncleanable
        )
        self._first = self.operations[0]
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
            skipped_operations=tuple(
                op.name for op in every if op not in self.operations and op.name not in uncleanable
            ),
            uncleanable_operations=uncleanable,
        )
        self._planned = 0  # about how many requests the run sends (the runner plans it)
        # The answers of each polled status so far, by (operation, its identifying query): every 200 answer
        # for it, from any phase, is judged against the earlier ones (the temporal checks).
        self._histories: dict[tuple[str, tuple[tuple[str, str], ...]], History] = {}
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

    @property
    def operation(self) -> Operation:
        """The operation this thread is checking: every finding and count names it."""
        found: Operation | None = getattr(self._local, "operation", None)
        return self._first if found is None else found

    @operation.setter
    def operation(self, operation: Operation) -> None:
        self._local.operation = operation

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

    def _observe(self, case: Case_, response: Response, phase: str) -> None:
        """Feed a 200 answer of a polled operation to its status's history, and judge it against every
        earlier answer for that status (whatever phase sent them, in the order they arrived).

        A status the run posted itself is left out: the run deletes it, and a deleted status's recipients
        rightly vanish.
        """
        if response.status_code != 200 or not self.kit_checks & set(TEMPORAL_CHECKS):
            return
        operation = self.operation
        schema = polled_schema(operation.name)
        if schema is None or operation.is_write:
            return
        query = case.query or {}
        key = tuple((param.name, str(query.get(param.name))) for param in operation.query if param.required)
        if not key or any(value in self._created for _, value in key):
            return
        body = json_of(response)
        if not isinstance(body, list):
            return  # the schema check reports it
        with self._lock:
            history = self._histories.get((operation.name, key))
            if history is None:
                if len(self._histories) >= _MAX_HISTORIES:
                    return
                history = self._histories[(operation.name, key)] = History(schema)
            findings = history.add(body, time.time(), phase)
            for check in TEMPORAL_CHECKS:
                self._ran(check)
            if not findings:
                return
            exchange = self._exchange_for_response(phase, response)
            for finding in findings:
                if finding.check in self.kit_checks:
                    message = f"{KIT_CHECKS[finding.check]}\n{finding.detail}"
                    self._violate(finding.check, finding.title, message, exchange)

    # --- one exchange -------------------------------------------------------------------------------------

    def _exchange(
        self,
        phase: str,
        case: Case_,
        *,
        kit_check: str | None = None,
        expected: frozenset[int] = frozenset(),
        retry: bool = False,
        label: str | None = None,
    ) -> None:
        purpose = kit_check if label is None else f"{kit_check}: {label}"
        response = self._call_with_retries(phase, purpose, case, attempts=RATE_LIMIT_ATTEMPTS if retry else 1)
        if response is None:
            if kit_check is not None and kit_check in self.kit_checks:
                self._unjudge(kit_check)
            return
        self._count(phase, response.status_code)
        exchange = self._judge(case, response, phase)
        if kit_check is not None and kit_check in self.kit_checks:
            if response.status_code == 429:
                # Rate limited (on every attempt when re-sent): says nothing about the rule. Not a failure,
                # but no evidence either: the verdict weighs it (INCONCLUSIVE when a check judged nothing).
                self._unjudge(kit_check)
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
        self, phase: str, purpose: str | None, case: Case_, *, attempts: int = RATE_LIMIT_ATTEMPTS
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
                    session=self.sessions[self.operation.name],
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
            time.sleep(retry_after(response.headers))
        return response

    def _judge(self, case: Case_, response: Response, phase: str) -> Exchange:
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
            self._judge_retry_after(header(response.headers, "retry-after"), exchange)
        self._observe(case, response, phase)
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
        problem = header_problem(value, schema, required=required)
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
        for attempt in range(RATE_LIMIT_ATTEMPTS):
            raw = self._send(
                phase,
                f"{check} ({method})",
                lambda: Exchange(phase, method, path, shown_query, None, None, ""),
                lambda: self.sessions[self.operation.name].request(
                    method, self.base_url + path, params=query, timeout=self.limits.request_timeout
                ),
            )
            if raw is None or raw.status_code != 429 or attempt == RATE_LIMIT_ATTEMPTS - 1:
                break
            time.sleep(retry_after({key: [value] for key, value in raw.headers.items()}))
        if raw is None:
            self._unjudge(check)
            return
        self._count(phase, raw.status_code)
        response = Response.from_requests(raw, verify=True)
        exchange = self._exchange_for_response(phase, response)
        if raw.status_code == 429:
            self._unjudge(check)
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
            self._not_sent(1)
            return None
        check = "answer_within_limits"
        self._ran(check)
        who = f"{phase} request" + (f" ({purpose})" if purpose else "")
        try:
            result = call()
        except RunTimeUp:
            self._stopped = f"the run timeout ({self.limits.run_timeout:g} s) was reached"
            self._ran(check, -1)
            self._not_sent(1)
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
            if self._silent_in_a_row >= MAX_SILENT_IN_A_ROW:
                self._stopped = f"{self._silent_in_a_row} requests in a row got no answer in time"
            return None
        except requests.RequestException as exc:
            self._silent_in_a_row = 0
            self._count(phase, None)
            self._violate("not_a_server_error", "No response", f"{type(exc).__name__}: {exc}", unanswered())
            return None
        self._silent_in_a_row = 0
        return result

    # --- bookkeeping --------------------------------------------------------------------------------------

    def _ran(self, check: str, times: int = 1, *, operation: str | None = None) -> None:
        """Count a check as applied (to the current operation unless ``operation`` is given)."""
        with self._lock:
            name = self.operation.name if operation is None else operation
            self.report.check_runs[check] += times
            self.report.check_runs_by_operation[(name, check)] += times

    def _count(self, phase: str, status: int | None) -> None:
        with self._lock:
            report = self.report
            report.cases += 1
            report.cases_by_operation[self.operation.name] += 1
            report.phases[phase] += 1
            if status is not None:
                report.statuses[status] += 1
                report.statuses_by_operation[(self.operation.name, status)] += 1
                report.statuses_by_phase[(phase, status)] += 1
                if phase != RATE_LIMIT_PHASE:
                    self._unasked += 1
                    self._unasked_429 += status == 429
                    if (
                        self._stopped is None
                        and self._unasked >= RATE_LIMITED_AFTER
                        and self._unasked_429 / self._unasked > self.max_429_share
                    ):
                        # Going on would only collect more 429s (and wait out each one): the verdict is
                        # already INCONCLUSIVE, and saying so now is faster than minutes of 429s.
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
                        status,
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
        with self._lock:
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
            if sum(1 for seen in self._seen if seen[:2] == (name, check)) >= MAX_DISTINCT_PER_CHECK:
                return  # counted in check_failures; the report already shows enough distinct examples
            self._seen[key] = len(self.report.violations)
            self.report.violations.append(Violation(check, title, message, exchange, operation=name))

    def _unjudge(self, check: str) -> None:
        """A request this check could not judge (429 on every attempt, or no usable answer)."""
        with self._lock:
            self.report.unjudged[check] += 1

    def _not_sent(self, count: int) -> None:
        """Requests planned but not sent (the run had stopped)."""
        with self._lock:
            self.report.not_sent += count

    def _exchange_for_response(self, phase: str, response: Response) -> Exchange:
        request = response.request
        parts = urlsplit(str(request.url))
        content_type = header(response.headers, "content-type")
        body = response.content[:BODY_WINDOW].decode("utf-8", "replace")
        if len(response.content) > BODY_WINDOW:
            body += "…"
        return Exchange(
            phase=phase,
            method=str(request.method),
            path=self.redact(unquote(parts.path)),
            query=self.redact.excerpt(unquote(parts.query), EXCERPT),
            status_code=response.status_code,
            content_type=content_type,
            body_excerpt=self.redact.excerpt(body, EXCERPT),
        )

    def _exchange_for_case(self, phase: str, case: Case_) -> Exchange:
        query = "&".join(f"{key}={value}" for key, value in (case.query or {}).items())
        return Exchange(
            phase,
            case.method.upper(),
            self.redact(case.formatted_path),
            self.redact.excerpt(query, EXCERPT),
            None,
            None,
            "",
        )

    def _note_created(self, response: Response) -> None:
        """Remember the id of a status a send's 200 answered: whatever the kit posts, it deletes."""
        life = self._creators.get(self.operation.name)
        if life is None or response.status_code != 200:
            return
        body = json_of(response)
        created = body.get(life.source) if isinstance(body, dict) else None
        if isinstance(created, str) and created:
            with self._lock:
                self._created.setdefault(created, self.operation.name)
                self.report.posted += 1
            self._local.created = created  # the id this thread's last send posted

    def _last_created(self) -> str | None:
        """The id this thread's last send posted (None: none yet); another thread's sends do not count."""
        found: str | None = getattr(self._local, "created", None)
        return found

    def _forget_created(self) -> None:
        self._local.created = None
