"""``summarize``: the figures people compute from a status's recipients, done once and correctly.

Unknown status values (a newer API) are counted under their own string, never dropped or merged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from greenstat_client.models import StatusStatistic, StatusValue

#: The known states in the order they progress.
STATUS_ORDER: tuple[str, ...] = ("pending", "sent", "delivered", "read")


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """Counts per status (every known one, 0 included, then unknown ones), total, read rate, time span."""

    total: int
    counts: Mapping[str, int]
    read_rate: float | None
    first_timestamp: int | None
    last_timestamp: int | None
    unknown_statuses: tuple[str, ...]

    def __str__(self) -> str:
        """One line a person reads (what ``print(summarize(stats))`` shows):
        ``12 recipient(s): pending 0, sent 0, delivered 2, read 10; read rate 83%``, unknown values of a
        newer API listed after the known ones."""
        counts = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        rate = "n/a" if self.read_rate is None else f"{self.read_rate:.0%}"
        return f"{self.total} recipient(s): {counts}; read rate {rate}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``--json`` output and logs)."""
        return {
            "total": self.total,
            "counts": dict(self.counts),
            "read_rate": self.read_rate,
            "first_timestamp": self.first_timestamp,
            "last_timestamp": self.last_timestamp,
            "unknown_statuses": list(self.unknown_statuses),
        }


def summarize(stats: Iterable[StatusStatistic]) -> StatusSummary:
    """Summarize the recipients of one status. ``read_rate`` is None when there are no recipients."""
    items = list(stats)
    seen = Counter(str(StatusValue(item.status).value) for item in items)
    unknown = tuple(sorted(value for value in seen if value not in STATUS_ORDER))
    counts = {value: seen.get(value, 0) for value in (*STATUS_ORDER, *unknown)}
    total = len(items)
    timestamps = [item.timestamp for item in items]
    return StatusSummary(
        total=total,
        counts=counts,
        read_rate=counts["read"] / total if total else None,
        first_timestamp=min(timestamps) if timestamps else None,
        last_timestamp=max(timestamps) if timestamps else None,
        unknown_statuses=unknown,
    )
