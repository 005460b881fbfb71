"""Deterministic status bodies of a given size, served by the mock for the benchmark and used by the tests.

Why not the 100,000-recipient demo status: it progresses with time, so two rounds would not decode the same
body; these are fixed (``MockSettings(data=...)`` serves them as given).
"""

from __future__ import annotations

from greenstat_client.models import StatusStatistic, StatusValue

#: 12 is a real audience (Green API sends a status to at most 1,024 contacts); 100k is the stress case.
SIZES = (12, 1_000, 10_000, 100_000)
_STATES = (StatusValue.PENDING, StatusValue.SENT, StatusValue.DELIVERED, StatusValue.READ)


def id_message_for(size: int) -> str:
    """The ``idMessage`` under which the benchmark serves ``size`` recipients."""
    return f"BENCH{size:07d}"


def statuses(size: int) -> list[StatusStatistic]:
    """``size`` recipients with unique 11-digit chat ids, a realistic state mix and rising timestamps."""
    return [
        StatusStatistic(
            participant=f"7{9_000_000_000 + i * 7919 % 1_000_000_000:010d}@c.us",
            timestamp=1_700_000_000 + i,
            status=_STATES[(i * 7) % 11 % 4],
        )
        for i in range(size)
    ]


def bench_data(sizes: tuple[int, ...] = SIZES) -> dict[str, list[StatusStatistic]]:
    return {id_message_for(size): statuses(size) for size in sizes}
