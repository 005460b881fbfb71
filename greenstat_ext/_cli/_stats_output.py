"""How ``greenstat stats`` prints a status's recipients: a page (terminal), every row (``--all``), plain
tab-separated rows (a pipe or a file) or JSON.

Why not one Rich table for everything: a Rich table measures every cell of every row before drawing
(~0.4 ms a row: a 100,000-recipient status took a minute), and nobody reads 100,000 rows on a screen. A
terminal gets the summary and at most a page of rows as a table; ``--all`` and output that is not a
terminal get one line per row, formatted with plain string operations (within a few times the ``--json``
time, see ``bench/cli.py``). A page shows the latest changes (the last rows in time order, the newest just
above the summary): at post time the first rows of a big status are all ``pending``, and say nothing.

Each time is printed once: ``YYYY-MM-DD HH:MM:SS`` UTC on a terminal (the report's format, to the second),
ISO-8601 UTC beside the UNIX seconds in the tab-separated output, the API's UNIX seconds in JSON.

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
#: Lines of a page that are not rows: title, the table's rules and header, the "earlier" line, the summary
#: (two lines at 80 columns for a big status), the shell's prompt.
_PAGE_OVERHEAD = 9


def status_text(item: StatusStatistic) -> str:
    """The status as received: a known value or the unknown string of a newer API (``UNKNOWN.value``)."""
    return str(StatusValue(item.status).value)


def _times(timestamp: int) -> tuple[str, str]:
    """UTC for a person (``2026-12-07 07:14:52``) and ISO-8601 UTC for a program; a timestamp beyond what
    datetime holds (the spec allows any integer) is the raw number with a marker, never a crash."""
    try:
        when = datetime.fromtimestamp(timestamp, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return f"{timestamp} (raw)", "out of range"
    return when.strftime("%Y-%m-%d %H:%M:%S"), when.isoformat().replace("+00:00", "Z")


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
    """A Rich table of the latest ``rows`` changes (all when None) in time order, then the summary."""
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
    shown = ordered if rows is None else ordered[-rows:]
    title = Text(f"Status {printable(id_message)}: {len(items)} recipient(s)")
    table = Table(title=title, title_justify="left")
    table.add_column("participant", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("time (UTC)", no_wrap=True)
    for item in shown:
        status = status_text(item)
        table.add_row(
            Text(printable(item.participant)),
            Text(printable(status), style=_STATUS_STYLE.get(status, "magenta")),
            Text(_times(item.timestamp)[0]),
        )
    console.print(table)
    if len(shown) < len(ordered):
        earlier = len(ordered) - len(shown)
        console.print(Text(f"The latest {len(shown)} changes; {earlier} earlier: --all shows every row."))
    console.print(Text(summary_line(summarize(items))))  # wrapped at a word on a narrow terminal


def write_aligned(out: TextIO, id_message: str, items: Sequence[StatusStatistic]) -> None:
    """``--all`` on a terminal: every row as padded columns (no table measurement), then the summary."""
    times = _cached_times()
    rows = [
        (printable(item.participant), printable(status_text(item)), times(item.timestamp)[0])
        for item in _ordered(items)
    ]
    header = ("participant", "status", "time (UTC)")
    widths = [max([len(header[column]), *(len(row[column]) for row in rows)]) for column in range(2)]
    out.write(f"Status {printable(id_message)}: {len(items)} recipient(s)\n")
    lines = [header, *rows]
    out.write("".join(f"{p:<{widths[0]}}  {s:<{widths[1]}}  {t}\n" for p, s, t in lines))
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
