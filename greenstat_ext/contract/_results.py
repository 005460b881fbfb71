"""What a contract run found, as plain data: rendering (text, JUnit) lives elsewhere.

Why plain frozen dataclasses: the same result feeds the rich report, the JUnit writer, the exit code and the
Python API, and tests assert on it directly. Every string in here is already redacted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["ContractReport", "Exchange", "Inconclusive", "Verdict", "Violation"]


class Verdict(Enum):
    """What a run concludes, and the exit code the CLI gives it."""

    PASSED = 0
    FAILED = 1
    INCONCLUSIVE = 3

    @property
    def exit_code(self) -> int:
        return self.value


@dataclass(frozen=True, slots=True)
class Inconclusive:
    """Why some check could not be judged: what was missing, in one line, and what to do about it."""

    reason: str
    fix: str
    checks: tuple[str, ...] = ()  # the checks this leaves unjudged (all of them when empty)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the kit sent and what came back (``status_code`` is None when no answer came)."""

    phase: str
    method: str
    path: str
    query: str
    status_code: int | None
    content_type: str | None
    body_excerpt: str


@dataclass(frozen=True, slots=True)
class Violation:
    """One distinct broken rule: the check, its title and message, and the first exchange that broke it.

    ``operation`` is the operationId of the request that broke it ("" for a finding about the whole run).
    """

    check: str
    title: str
    message: str
    exchange: Exchange
    occurrences: int = 1
    operation: str = ""


@dataclass(slots=True)
class ContractReport:
    """The outcome of :func:`run_contract_test`; ``ok`` is True only when no check failed.

    The plain counters are totals over the run; the ``by_operation`` ones split them per operationId
    (``operations``, in spec order), keyed ``(operation, check)`` for checks. A finding about the whole run
    (``run_completed``) counts under the operation "".
    """

    url: str
    seed: int
    checks: tuple[str, ...]
    operations: tuple[str, ...] = ()
    cases: int = 0
    not_sent: int = 0  # planned requests a run that stopped early (see ``run_completed``) did not send
    statuses: Counter[int] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    check_runs: Counter[str] = field(default_factory=Counter)
    check_failures: Counter[str] = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)
    cases_by_operation: Counter[str] = field(default_factory=Counter)
    statuses_by_operation: Counter[tuple[str, int]] = field(default_factory=Counter)
    # "<operation> <phase>" of each generated phase that had nothing to generate (no parameter to negate)
    empty_phases: list[str] = field(default_factory=list)
    check_runs_by_operation: Counter[tuple[str, str]] = field(default_factory=Counter)
    check_failures_by_operation: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (phase, status) of every answer: the 429s of the rate-limit phase are asked for, the others are not
    statuses_by_phase: Counter[tuple[str, int]] = field(default_factory=Counter)
    # requests a check could not judge (each answered 429 on every attempt, or no usable answer)
    unjudged: Counter[str] = field(default_factory=Counter)
    # set when the given credentials were rejected on the first valid request: then nothing else was sent
    credentials_rejected: str | None = None
    inconclusive: list[Inconclusive] = field(default_factory=list)
    # write operations left out because --allow-writes was not given (they post real statuses)
    skipped_operations: tuple[str, ...] = ()
    # writes never sent, even with --allow-writes: what they create (x-creates) no operation of the spec
    # deletes (x-deletes of that kind, fed by one of their links), so the kit could not clean up after them
    uncleanable_operations: tuple[str, ...] = ()
    polls: int = 0  # answers of 200 to the polled status (the temporal checks' evidence)
    # with --allow-writes: statuses the kit posted (every answer of 200 to a send), and the ids of those it
    # could not delete at the end (they are still on the implementation: delete them by hand)
    posted: int = 0
    undeleted: list[str] = field(default_factory=list)
    # how long each operation's share took (its coverage cases, probes and generated phases), in seconds:
    # the operations run at once, so the run takes about as long as the longest share
    seconds_by_operation: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False  # stopped by Ctrl-C: the report covers what was judged until then

    @property
    def ok(self) -> bool:
        """True only for a PASSED run: no failure, and every check had enough evidence."""
        return self.verdict is Verdict.PASSED

    @property
    def verdict(self) -> Verdict:
        """FAILED when a rule was broken; else INCONCLUSIVE when evidence was missing; else PASSED.

        Why a failure wins: a broken rule is a finding whatever else could not be judged. Rejected
        credentials are INCONCLUSIVE: the run stopped before anything could be judged.
        """
        if self.credentials_rejected is not None:
            return Verdict.INCONCLUSIVE
        if self.violations:
            return Verdict.FAILED
        return Verdict.INCONCLUSIVE if self.inconclusive else Verdict.PASSED

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """The selected checks that failed, then the kit's always-on limits that failed."""
        extra = [name for name in self.check_failures if name not in self.checks]
        return tuple(name for name in (*self.checks, *extra) if self.check_failures[name])

    def failed_checks_of(self, operation: str) -> tuple[str, ...]:
        """The checks that failed on ``operation``, in the order of :attr:`failed_checks`."""
        return tuple(
            name for name in self.failed_checks if self.check_failures_by_operation[(operation, name)]
        )
