"""From two views of a status's recipients to transitions and events: the one place that says what changed.

Rules (docs/monitor.md): states only move forward (``pending`` → ``sent`` → ``delivered`` → ``read``); an
answer that shows a recipient further back than already seen is ignored (a server glitch or a re-posted
status must not rewrite history). A recipient first seen at ``delivered`` gives ``recipient.delivered``;
first seen at ``read`` (or jumping from ``sent`` straight to ``read`` between two polls) gives
``recipient.read`` only: the monitor did not see it delivered and does not invent when it was. Values outside
the four (``failed``, ``noAccount``, future ones) are stored as transitions but give no event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._events import STATE_RANK, Event

__all__ = ["diff_recipients", "final_counts"]

StateRow = tuple[int, str, str, str, int, float]


def diff_recipients(
    instance_id: int,
    id_message: str,
    known: Mapping[str, tuple[str, int]],
    answer: Iterable[tuple[str, str, int]],
    now: float,
) -> tuple[list[StateRow], list[Event]]:
    """``known``: participant → (state, API timestamp) so far; ``answer``: (participant, state, timestamp)
    now. Returns the new states (store rows) and the events they give."""
    changes: list[StateRow] = []
    events: list[Event] = []
    seen: set[str] = set()
    for participant, state, api_ts in answer:
        if participant in seen:  # a duplicated row in a hostile answer: the first one counts
            continue
        seen.add(participant)
        before = known.get(participant)
        if before is not None and before[0] == state:
            continue
        new_rank = STATE_RANK.get(state, -1)
        old_rank = STATE_RANK.get(before[0], -1) if before is not None else -1
        if before is not None and new_rank != -1 and new_rank < old_rank:
            continue  # never backwards
        if before is not None and new_rank == -1 and old_rank == STATE_RANK["read"]:
            continue  # nothing comes after read
        changes.append((instance_id, id_message, participant, state, api_ts, now))
        if new_rank == STATE_RANK["read"]:
            events.append(
                Event("recipient.read", instance_id, id_message, api_ts, now, participant=participant)
            )
        elif new_rank == STATE_RANK["delivered"]:
            events.append(
                Event("recipient.delivered", instance_id, id_message, api_ts, now, participant=participant)
            )
    return changes, events


def final_counts(recipients: Mapping[str, tuple[str, int]]) -> dict[str, int]:
    """Recipients per state (the four, plus any other value seen)."""
    counts = dict.fromkeys(STATE_RANK, 0)
    for state, _ in recipients.values():
        counts[state] = counts.get(state, 0) + 1
    return counts
