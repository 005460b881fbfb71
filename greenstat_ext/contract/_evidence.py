"""Whether a run saw enough to say PASSED: each reason it did not, in one line, with what to do about it.

Why its own module: a verdict is only as good as the evidence behind it (a run that got 429 on almost every
request once printed "PASSED"), and the rules for "too little" are a policy of their own, judged on the
finished report alone. A pure function of the report and the run's settings, so each rule is easy to read and
to change without touching how requests are sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from ._checks import TEMPORAL_CHECKS
from ._results import ContractReport, Inconclusive

__all__ = ["CLEANUP_PHASE", "RATE_LIMIT_PHASE", "Evidence", "weigh"]

# The phase whose 429s the kit asks for (the rate-limit bursts): they are not a sign of a too-fast run.
RATE_LIMIT_PHASE: Final = "rate-limit"
# The deletes of what the run posted, after the checks: their 429s (each then waited out and re-sent) judge
# nothing and are not the run's evidence.
CLEANUP_PHASE: Final = "cleanup"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules need beyond the report: the run's settings and what it saw of the polled status."""

    kit_checks: Collection[str]
    min_ok: int
    max_429_share: float
    pace: str  # the flag that paces a run at the spec's slowest rate, e.g. "--rate-limit 1"
    polled: bool  # some operation of the run was polled over time
    poll_recipients: int  # recipients in all the polled answers
    rate_limited: bool  # the run stopped early because most answers were 429


def weigh(report: ContractReport, evidence: Evidence) -> list[Inconclusive]:
    """Every reason ``report`` is too thin to pass, in a stable order (empty: the evidence suffices)."""
    reasons: list[Inconclusive] = []
    pace = evidence.pace
    unasked = {
        key: count
        for key, count in report.statuses_by_phase.items()
        if key[0] not in (RATE_LIMIT_PHASE, CLEANUP_PHASE)
    }
    answers = sum(unasked.values())
    limited = sum(count for (_, status), count in unasked.items() if status == 429)
    if answers and limited / answers > evidence.max_429_share:
        stopped = "; the run stopped there" if evidence.rate_limited else ""
        reasons.append(
            Inconclusive(
                f"{limited} of {answers} answers ({limited / answers:.0%}) were 429 (rate limited), more "
                f"than {evidence.max_429_share:.0%}{stopped}: most requests were not judged",
                f"pace the run at the implementation's rate limit: {pace} (the spec's x-rate-limit)",
            )
        )
    if evidence.rate_limited:
        return reasons  # the one reason above explains every check left unjudged
    for name in report.operations:
        ok = report.statuses_by_operation[(name, 200)]
        if ok < evidence.min_ok:
            fix = (
                f"pace the run: {pace}"
                if report.statuses_by_operation[(name, 429)]
                else "pass valid credentials and --id-message of a status the implementation knows"
            )
            reasons.append(Inconclusive(f"{name}: {ok} answers of 200, fewer than {evidence.min_ok}", fix))
    temporal = tuple(name for name in TEMPORAL_CHECKS if name in evidence.kit_checks)
    if temporal and evidence.polled:
        if report.polls < 2:
            reasons.append(
                Inconclusive(
                    f"the polled status got {report.polls} answers of 200, fewer than 2: nothing to compare",
                    f"pace the run ({pace}) and pass valid credentials",
                    temporal,
                )
            )
        elif evidence.poll_recipients == 0:
            reasons.append(
                Inconclusive(
                    "the polled status had no recipient in any answer: the temporal checks saw nothing",
                    "pass --id-message of a status the implementation knows, with recipients",
                    temporal,
                )
            )
    for name in report.checks:  # the report's order, so the reasons come out in the same order every run
        if name not in evidence.kit_checks or name in TEMPORAL_CHECKS or report.check_runs[name]:
            continue
        if report.unjudged[name]:
            why = f"{report.unjudged[name]} of its requests got no judgeable answer (429 or none)"
            reasons.append(Inconclusive(f"{name} judged nothing: {why}", f"pace the run: {pace}", (name,)))
        elif name == "retry_after_conformance":
            reasons.append(
                Inconclusive(
                    f"{name} judged nothing: no answer was a 429",
                    "none: an implementation that never rate limits fails rate_limit_enforced",
                    (name,),
                )
            )
    return reasons
