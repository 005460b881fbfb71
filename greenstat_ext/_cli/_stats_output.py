"""How ``greenstat stats`` prints a status's recipients: a page (terminal), every row (``--all``), plain
tab-separated rows (a pipe or a file) or JSON.

Why not one Rich table for everything: a Rich table measures every cell of every row before drawing
(~0.4 ms a row: a 100,000-recipient status took a minute), and nobody reads 100,000 rows on a screen. A
terminal gets the summary and at most a page of rows as a table; ``--all`` and output that is not a
terminal get one line per row, formatted with plain string operations (within a few times the ``--json``
time, see ``bench/cli.py``).

Every server or user string is escaped (:func:`printable`) and goes into Rich as :class:`rich.text.Text`,
never as markup: a participant named ``[/]`` is shown, not parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from greenstat_client.models import StatusStatistic, StatusValue

from .._summary import StatusSummary, summarize
from ._common import printable
from ._echoed import json_safe

__all__ = ["page_size", "print_page", "render_json", "summary_line", "write_aligned", "write_plain"]

_STATUS_STYLE = {"pending": "dim", "sent": "yellow", "delivered": "cyan", "read": "green"}
#: Lines of a page that are not rows: title, the table's rules and header, the "more" line, the summary,
#: the shell's prompt.
_PAGE_OVERHEAD = 8


def status_text(item: StatusStatistic) -> str:
    """The status as received: a known value or the unknown string of a newer API (``UNKNOWN.value``)."""
    return str(StatusValue(item.status).value)


def _times(timestamp: int) -> tuple[str, str]:
    """Local time and ISO-8601 UTC; a timestamp beyond what datetime holds (the spec allows any integer)
    is shown as the raw number with a marker rather than crashing the output."""
    try:
        local = datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        iso = datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):
        return f"{timestamp} (raw)", "out of range"
    return local, iso


def _cached_times() -> Callable[[int], tuple[str, str]]:
    """:func:`_times` memoized for one output: a big status's recipients share few distinct seconds."""
    cache: dict[int, tuple[str, str]] = {}

    def times(timestamp: int) -> tuple[str, str]:
        found = cache.get(timestamp)
        if found is None:
            found = cache[timestamp] = _times(timestamp)
        return found

    return times


def _ordered(items: Sequence[StatusStatistic]) -> list[StatusStatistic]:
    return sorted(items, key=lambda item: (item.timestamp, item.participant))


def _zone() -> str:
    return datetime.now().astimezone().strftime("%Z") or "local"


def summary_line(summary: StatusSummary) -> str:
    line = str(summary)
    if summary.unknown_statuses:
        line += f" (unknown status values from a newer API: {', '.join(summary.unknown_statuses)})"
    return printable(line)


def render_json(
    id_message: str, items: Sequence[StatusStatistic], extra: dict[str, Any] | None = None
) -> str:
    """The items as the API sends them, the summary, and ``extra`` (``--watch``'s outcome)."""
    document: dict[str, Any] = {
        "id_message": id_message,
        "items": [item.to_dict() for item in items],
        "summary": summarize(items).to_dict(),
    }
    if extra:
        document.update(extra)
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2))  # no raw terminal controls


def page_size(console: Console) -> int:
    """How many rows fit on the terminal under the title, header and summary (at least 5)."""
    return max(5, console.size.height - _PAGE_OVERHEAD)


def print_page(console: Console, id_message: str, items: Sequence[StatusStatistic], rows: int | None) -> None:
    """A Rich table of the first ``rows`` recipients (all when None) in time order, then the summary."""
    if not items:
        console.print(
            Text(
                f"No recipients for {printable(id_message)}: the status is unknown to this instance, "
                "older than 30 days, or not yet sent to anyone."
            ),
            soft_wrap=True,
        )
        console.print(Text(summary_line(summarize(items))), soft_wrap=True)
        return
    ordered = _ordered(items)
    shown = ordered if rows is None else ordered[:rows]
    title = Text(f"Status {printable(id_message)}: {len(items)} recipient(s)")
    table = Table(title=title, title_justify="left")
    table.add_column("participant", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column(f"time ({_zone()})", no_wrap=True)
    table.add_column("ISO-8601 (UTC)", no_wrap=True)
    for item in shown:
        status = status_text(item)
        local, iso = _times(item.timestamp)
        table.add_row(
            Text(printable(item.participant)),
            Text(printable(status), style=_STATUS_STYLE.get(status, "magenta")),
            Text(local),
            Text(iso),
        )
    console.print(table)
    if len(shown) < len(ordered):
        more = len(ordered) - len(shown)
        console.print(
            Text(f"... {more} more row(s): --all shows every row; a pipe or a file gets them all."),
            soft_wrap=True,
        )
    console.print(Text(summary_line(summarize(items))), soft_wrap=True)


def write_aligned(out: TextIO, id_message: str, items: Sequence[StatusStatistic]) -> None:
    """``--all`` on a terminal: every row as padded columns (no table measurement), then the summary."""
    times = _cached_times()
    rows = [
        (printable(item.participant), printable(status_text(item)), *times(item.timestamp))
        for item in _ordered(items)
    ]
    header = ("participant", "status", f"time ({_zone()})", "ISO-8601 (UTC)")
    widths = [max([len(header[column]), *(len(row[column]) for row in rows)]) for column in range(3)]
    out.write(f"Status {printable(id_message)}: {len(items)} recipient(s)\n")
    lines = [header, *rows]
    out.write(
        "".join(f"{p:<{widths[0]}}  {s:<{widths[1]}}  {t:<{widths[2]}}  {iso}\n" for p, s, t, iso in lines)
    )
    out.write(summary_line(summarize(items)) + "\n")


def write_plain(out: TextIO, items: Sequence[StatusStatistic]) -> None:
    """Output that is not a terminal: a header and one tab-separated row per recipient (participant,
    status, ISO-8601 UTC, UNIX time) in time order, then the summary as a ``#`` comment line."""
    times = _cached_times()
    out.write("participant\tstatus\ttime_utc\ttimestamp\n")
    out.write(
        "".join(
            f"{printable(item.participant)}\t{printable(status_text(item))}\t{times(item.timestamp)[1]}"
            f"\t{item.timestamp}\n"
            for item in _ordered(items)
        )
    )
    out.write("# " + summary_line(summarize(items)) + "\n")
