"""What a contract run found, as plain data: rendering (text, JUnit) lives elsewhere.

Why plain frozen dataclasses: the same result feeds the rich report, the JUnit writer, the exit code and the
Python API, and tests assert on it directly. Every string in here is already redacted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ContractReport", "Exchange", "Violation"]


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
    """One distinct broken rule: the check, its title and message, and the first exchange that broke it."""

    check: str
    title: str
    message: str
    exchange: Exchange
    occurrences: int = 1


@dataclass(slots=True)
class ContractReport:
    """The outcome of :func:`run_contract_test`; ``ok`` is True only when no check failed."""

    url: str
    seed: int
    checks: tuple[str, ...]
    cases: int = 0
    not_sent: int = 0  # planned requests a run that stopped early (see ``run_completed``) did not send
    statuses: Counter[int] = field(default_factory=Counter)
    phases: Counter[str] = field(default_factory=Counter)
    check_runs: Counter[str] = field(default_factory=Counter)
    check_failures: Counter[str] = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """The selected checks that failed, then the kit's always-on limits that failed."""
        extra = [name for name in self.check_failures if name not in self.checks]
        return tuple(name for name in (*self.checks, *extra) if self.check_failures[name])
