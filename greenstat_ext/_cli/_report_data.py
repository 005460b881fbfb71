"""The figures of ``greenstat report``: one row per outgoing status, the total, and reads over time.

Why a module of its own: the terminal, JSON, CSV and HTML renderings (``_report_output``, ``_report_html``)
all print the same numbers; they are computed once here, from the API's models, and tested once.

One meaning per word, in every rendering: ``reached`` is the recipients who have the status delivered *or*
read (a read status was delivered), a name of its own because ``greenstat stats`` (and the API) count
``delivered`` apart from ``read``; ``kind`` is the journal's ``typeMessage`` shortened once here
(``imageMessage`` -> ``image``, ``extendedTextMessage`` -> ``text``); a time is :func:`format_time`'s
``YYYY-MM-DD HH:MM`` UTC (JSON adds the UNIX seconds beside it, for scripts).

Bounded by construction: the chart's bins cover the report's window only (at most :data:`MAX_BINS` of
them, a bin is a whole number of hours), whatever timestamps a server sends; a read outside the window is
counted in ``reads_outside``, not given a bin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from greenstat_client.models import OutgoingStatus, StatusStatistic

__all__ = [
    "MAX_BINS",
    "MAX_REACH_HOURS",
    "Reach",
    "Report",
    "ReportRow",
    "build_report",
    "format_time",
    "reach_of",
    "short_kind",
    "window_text",
]

#: At most this many bars in a chart (a 30-day window touches 722 whole hours: bins then hold 16 each).
MAX_BINS = 48
#: A reach curve's hours since posting (WhatsApp shows a status 24 h; the monitor watches 26 h by default):
#: a later step counts in the last hour, so a hostile timestamp cannot make a curve long.
MAX_REACH_HOURS = 48
_HOUR = 3600


def format_time(timestamp: int) -> str:
    """``YYYY-MM-DD HH:MM`` UTC, the report's one time format; beyond what datetime holds, the raw number."""
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return f"{timestamp} (raw)"


def short_kind(kind: str) -> str:
    """``imageMessage`` -> ``image``, ``extendedTextMessage`` -> ``text``: the report's one spelling."""
    short = kind.removesuffix("Message")
    return "text" if short == "extendedText" else short


#: For the window in words; equals the journal's default ``minutes`` by coincidence (a day is a day).
_MINUTES_PER_DAY = 1440


def window_text(minutes: int) -> str:
    """The window in words: ``30 days``, ``24 hours``, ``90 minutes`` (not "43200 minute(s)")."""

    def plural(count: int, unit: str) -> str:
        return f"{count} {unit}" if count == 1 else f"{count} {unit}s"

    if minutes % _MINUTES_PER_DAY == 0 and minutes > _MINUTES_PER_DAY:
        return plural(minutes // _MINUTES_PER_DAY, "day")
    if minutes % 60 == 0:
        return plural(minutes // 60, "hour")
    return plural(minutes, "minute")


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One outgoing status and how it did. ``reached``: delivered or read (a read status was delivered)."""

    id_message: str
    kind: str  # short_kind of the journal's typeMessage
    last_action: int  # the journal's timestamp: the last action on the status (UNIX seconds), per the spec
    recipients: int
    reached: int
    read: int

    @property
    def read_rate(self) -> float | None:
        return self.read / self.recipients if self.recipients else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id_message": self.id_message,
            "kind": self.kind,
            "last_action_utc": format_time(self.last_action),
            "last_action_timestamp": self.last_action,
            "recipients": self.recipients,
            "reached": self.reached,
            "read": self.read,
            "read_rate": self.read_rate,
        }


@dataclass(frozen=True, slots=True)
class Reach:
    """How one status's reach grew, from the monitor's history (``greenstat report --db``): recipients
    reached (delivered or read: a read status was delivered) and read by the end of each hour since
    posting, cumulative, by the API's timestamps."""

    id_message: str
    posted_at: int
    recipients: int
    reached: tuple[int, ...]
    read: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id_message": self.id_message,
            "posted_at": self.posted_at,
            "recipients": self.recipients,
            "reached_by_hour": list(self.reached),
            "read_by_hour": list(self.read),
        }


def reach_of(
    id_message: str, posted_at: int, recipients: int, transitions: Iterable[tuple[str, str, int]]
) -> Reach:
    """The curve from the monitor's transitions, (participant, state, API timestamp). A recipient the monitor
    first saw at ``read`` has no ``delivered`` step: it counts as delivered when it read."""
    delivered_at: dict[str, int] = {}
    read_at: dict[str, int] = {}
    for participant, state, api_ts in transitions:
        if state == "read":
            read_at[participant] = min(api_ts, read_at.get(participant, api_ts))
        if state in ("delivered", "read"):
            delivered_at[participant] = min(api_ts, delivered_at.get(participant, api_ts))
    last = max([*delivered_at.values(), posted_at])
    hours = min(MAX_REACH_HOURS, max(1, math.ceil((last - posted_at + 1) / _HOUR)))

    def curve(times: dict[str, int]) -> tuple[int, ...]:
        counts = [0] * hours
        for ts in times.values():
            counts[min(hours - 1, max(0, (ts - posted_at) // _HOUR))] += 1
        total, out = 0, []
        for count in counts:
            total += count
            out.append(total)
        return tuple(out)

    return Reach(id_message, posted_at, recipients, curve(delivered_at), curve(read_at))


@dataclass(frozen=True, slots=True)
class Report:
    """Every row, the window, and the reads per bin (``bin_hours`` hours each, from ``start``)."""

    minutes: int
    start: int  # UNIX seconds, on an hour boundary
    bin_hours: int
    reads_per_bin: tuple[int, ...]
    reads_outside: int
    rows: tuple[ReportRow, ...] = field(default_factory=tuple)
    reach: tuple[Reach, ...] = ()  # from the monitor's history (report --db), for the statuses it has

    @property
    def total(self) -> ReportRow:
        """The sum of every row (``id_message`` "total", no kind, ``last_action`` the window's start)."""
        return ReportRow(
            id_message="total",
            kind="",
            last_action=self.start,
            recipients=sum(row.recipients for row in self.rows),
            reached=sum(row.reached for row in self.rows),
            read=sum(row.read for row in self.rows),
        )

    def bin_starts(self) -> list[int]:
        return [self.start + index * self.bin_hours * _HOUR for index in range(len(self.reads_per_bin))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "minutes": self.minutes,
            "window": window_text(self.minutes),
            "statuses": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
            "reads_over_time": {
                "bin_hours": self.bin_hours,
                "bins": [
                    {"start": start, "reads": reads}
                    for start, reads in zip(self.bin_starts(), self.reads_per_bin, strict=True)
                ],
                "reads_outside_window": self.reads_outside,
            },
            **({"reach": [curve.to_dict() for curve in self.reach]} if self.reach else {}),
        }


def _row(status: OutgoingStatus, items: Sequence[StatusStatistic]) -> ReportRow:
    from .._summary import summarize  # here: the models it imports are not needed to declare the command

    counts = summarize(items).counts
    return ReportRow(
        id_message=status.id_message,
        kind=short_kind(str(status.type_message.value)),
        last_action=status.timestamp,
        recipients=len(items),
        reached=counts["delivered"] + counts["read"],
        read=counts["read"],
    )


def build_report(
    minutes: int, now: float, statistics: Iterable[tuple[OutgoingStatus, Sequence[StatusStatistic]]]
) -> Report:
    """The report of the window ``[now - minutes, now]`` from each status and its recipients.

    ``statistics`` is consumed once, one status at a time, and no recipient list is kept: a month of daily
    statuses to 100,000 contacts each is summarised in the memory of one of them (the CLI passes a generator
    that fetches each status's recipients as it is asked for).
    """
    end_hour = math.floor(now / _HOUR) + 1
    start_hour = math.floor((now - minutes * 60) / _HOUR)
    hours = end_hour - start_hour
    bin_hours = max(1, math.ceil(hours / MAX_BINS))
    bins = [0] * math.ceil(hours / bin_hours)
    start = start_hour * _HOUR
    outside = 0
    rows: list[ReportRow] = []
    for status, items in statistics:
        for item in items:
            if item.status != "read":
                continue
            index = (item.timestamp - start) // (bin_hours * _HOUR)
            if 0 <= index < len(bins):
                bins[index] += 1
            else:
                outside += 1
        rows.append(_row(status, items))
    return Report(minutes, start, bin_hours, tuple(bins), outside, tuple(rows))
