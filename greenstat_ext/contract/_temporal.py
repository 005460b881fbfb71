"""Properties that only show across calls: a status polled over the run must never go back in time.

Why the kit has these: every contract tool in the field (schemathesis included) judges one answer at a time,
and each answer of a broken statistic is valid on its own: ``[]`` is a documented answer, ``delivered`` is a
documented state. What breaks is the sequence (a recipient ``read`` at one poll and ``delivered`` at the next,
a timestamp that goes down, a recipient that was there and is gone while its data is still within the
retention window, the open Green API report of statistics going back to ``[]`` after re-authorisation).

What is read from the spec, never retyped (:func:`polled_schema`): an operation is polled when the items of
its 200 answer have an identity (``participant``), a state whose schema is an enum (its order is the order
states move in: the spec's ``StatusValue`` says "States only move forward, in this order") and an integer
``timestamp``. The retention window is the largest ``minutes`` window the spec allows (its description:
"at most 43200 = 30 days, the retention of status data"), read from the spec, in seconds.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from greenstat_ext import _spec as spec

__all__ = ["Finding", "History", "PolledSchema", "polled_schema", "retention_seconds"]

# The field names of a recipient item this module understands (their types and the state order come from
# the spec; see polled_schema).
IDENTITY: Final = "participant"
STATE: Final = "status"
TIME: Final = "timestamp"
# The query parameter whose largest value is the retention window, in minutes (see the module docstring).
WINDOW_PARAMETER: Final = "minutes"


@dataclass(frozen=True, slots=True)
class PolledSchema:
    """How to read one recipient item: the states in the order they move in."""

    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken temporal rule: the check's name, a title and what was seen."""

    check: str
    title: str
    detail: str


def polled_schema(operation_id: str) -> PolledSchema | None:
    """How ``operation_id``'s 200 items read when they are recipients with states (None: they are not)."""
    found = spec.operation(operation_id)
    if not found.returns_array or found.result_schema is None:
        return None
    schemas = spec.document().get("components", {}).get("schemas", {})
    item = schemas.get(found.result_schema, {})
    properties = item.get("properties", {})
    if not {IDENTITY, STATE, TIME} <= set(properties):
        return None
    ref = properties[STATE].get("$ref", "")
    if not isinstance(ref, str) or not ref.startswith("#/components/schemas/"):
        return None
    try:
        states = spec.schema_enum(ref.rsplit("/", 1)[-1])
    except KeyError:
        return None
    return PolledSchema(states)


@functools.cache
def retention_seconds() -> float:
    """How long the spec says status data is kept: the largest ``minutes`` window of any operation, in s."""
    windows = [
        param.maximum
        for operation in spec.operations().values()
        for param in operation.query_parameters
        if param.name == WINDOW_PARAMETER and param.maximum is not None
    ]
    if not windows:
        raise spec.SpecError(f"no operation bounds {WINDOW_PARAMETER}: the retention window is unknown")
    return float(max(windows)) * 60


@dataclass
class _Seen:
    state: str
    rank: int
    timestamp: int
    answer: str  # which answer showed it: "answer 3 (coverage)"


@dataclass
class History:
    """The recipients of one polled status, answer after answer; :meth:`add` judges each new answer.

    Why every answer and not only the kit's polls: a statistic that goes back once, between two polls (during
    the coverage cases, say), is as broken as one that goes back at a poll; the runner feeds every 200 answer
    for the status, from any phase, in the order the answers arrived, and each finding names the two answers
    (their number and phase) that disagree.
    """

    schema: PolledSchema
    recipients: dict[str, _Seen] = field(default_factory=dict)
    polls: int = 0  # answers judged so far

    def add(self, items: Sequence[Any], now: float, phase: str = "poll") -> list[Finding]:
        """Judge the answer ``items`` (a 200 body already checked against the schema) received at ``now``
        in ``phase``.

        Items that do not have the declared shape are skipped here: the schema check reports them.
        """
        self.polls += 1
        answer = f"answer {self.polls} ({phase})"
        findings: list[Finding] = []
        current: dict[str, Mapping[str, Any]] = {}
        for item in items:
            if not isinstance(item, Mapping):
                continue
            who, state, when = item.get(IDENTITY), item.get(STATE), item.get(TIME)
            if isinstance(who, str) and isinstance(state, str) and _is_int(when):
                current[who] = item
        for who, item in current.items():
            state, when = item[STATE], int(item[TIME])
            rank = self.schema.states.index(state) if state in self.schema.states else -1
            before = self.recipients.get(who)
            if before is not None:
                if rank >= 0 and before.rank >= 0 and rank < before.rank:
                    findings.append(
                        Finding(
                            "recipient_state_monotonic",
                            f"{who}: {before.state} then {state}",
                            f"{before.answer}: {before.state}; {answer}: {state} "
                            f"(states move only forward: {' -> '.join(self.schema.states)})",
                        )
                    )
                if when < before.timestamp:
                    findings.append(
                        Finding(
                            "recipient_timestamp_monotonic",
                            f"{who}: timestamp {before.timestamp} then {when}",
                            f"{before.answer}: {before.timestamp}; {answer}: {when}",
                        )
                    )
            if before is None or rank >= before.rank:
                self.recipients[who] = _Seen(
                    state, rank, max(when, before.timestamp if before else when), answer
                )
            else:  # keep the furthest state seen, so one step back is reported once, not at every later poll
                self.recipients[who] = _Seen(before.state, before.rank, max(when, before.timestamp), answer)
        horizon = now - retention_seconds()
        for who in list(self.recipients):
            if who in current:
                continue
            seen = self.recipients.pop(who)
            if seen.timestamp >= horizon:
                findings.append(
                    Finding(
                        "recipient_retained",
                        f"{who} disappeared",
                        f"present until {seen.answer} ({seen.state}, timestamp {seen.timestamp}), "
                        f"missing at {answer}, although its data is within the retention window "
                        f"({retention_seconds() / 86400:g} days)",
                    )
                )
        return findings


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
