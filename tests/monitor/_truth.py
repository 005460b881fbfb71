"""Ground truth: what the mock's schedules say each recipient of a posted status did, and when.

The mock draws a posted status's schedule once (``PostedStatus.schedule``: per recipient, the seconds after
posting at which it reaches ``sent``, ``delivered``, ``read``; ``inf`` for never) and answers every request
from it. The tests read it through the mock's state, never through the monitor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from greenstat_ext.mock import MockServer


@dataclass(frozen=True)
class Steps:
    participant: str
    delivered: float  # absolute UNIX time, inf = never
    read: float


def schedule(server: MockServer, id_message: str) -> list[Steps]:
    posted = server.state.posted._live[id_message]  # the mock's own record of what it posted
    sched = posted.schedule
    base = posted.sent_at
    return [
        Steps(p, base + d, base + r)
        for p, d, r in zip(sched.participants, sched.delivered, sched.read, strict=True)
    ]


def expected_events(steps: list[Steps], polls: list[float]) -> set[tuple[str, str, int]]:
    """(type, participant, occurred_at) the monitor must emit, given the times it polled this status.

    The mock answers the state at ``floor(t)``: a recipient is seen at ``delivered`` by a poll at ``t`` when
    ``delivered <= floor(t) < read``; it gets ``recipient.read`` once a poll sees ``read <= floor(t)``.
    """
    out: set[tuple[str, str, int]] = set()
    for step in steps:
        seen = [math.floor(t) for t in polls]
        if any(step.delivered <= t < step.read for t in seen):
            out.add(("recipient.delivered", step.participant, int(step.delivered)))
        if any(step.read <= t for t in seen):
            out.add(("recipient.read", step.participant, int(step.read)))
    return out
