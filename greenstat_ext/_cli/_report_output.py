"""``greenstat report`` on a terminal (a Rich table and a bar chart of reads over time), as JSON and as CSV.

Why the chart is a Rich table of :class:`rich.bar.Bar` cells: Rich is already the CLI's library; a bar per
time bin with its count beside it reads well in any terminal width and needs no plotting dependency.
Every server string (idMessage, kind) is escaped and passed as :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import TextIO

from rich import box
from rich.bar import Bar
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._common import printable
from ._echoed import json_safe
from ._report_data import Report, ReportRow

__all__ = [
    "CSV_COLUMNS",
    "format_time",
    "print_report",
    "rate_text",
    "render_json",
    "short_kind",
    "write_csv",
]

CSV_COLUMNS = ("id_message", "kind", "last_action_utc", "recipients", "delivered", "read", "read_rate")
_BAR_WIDTH = 40


def format_time(timestamp: int) -> str:
    """ISO-8601 UTC to the minute; a timestamp beyond what datetime holds is shown as the raw number."""
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return f"{timestamp} (raw)"


def rate_text(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def short_kind(kind: str) -> str:
    """``imageMessage`` -> ``image``, ``extendedTextMessage`` -> ``text``: the kinds fit a narrow column."""
    short = kind.removesuffix("Message")
    return "text" if short == "extendedText" else short


def _cells(row: ReportRow, *, is_total: bool = False) -> list[Text]:
    values = (
        printable(row.id_message),
        printable(short_kind(row.kind)),
        "" if is_total else format_time(row.last_action)[5:],
        str(row.recipients),
        str(row.delivered),
        str(row.read),
        rate_text(row.read_rate),
    )
    return [Text(value) for value in values]


def _statuses_table(report: Report) -> Table:
    title = Text(f"Outgoing statuses of the last {report.minutes} minute(s)")
    # SIMPLE_HEAD: no vertical rules, so the seven columns fit 80 characters; a long idMessage folds.
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("idMessage", overflow="fold", min_width=8)
    for name in ("kind", "last action (UTC)"):
        table.add_column(name, no_wrap=True)
    for name in ("recipients", "delivered", "read", "rate"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in report.rows:
        table.add_row(*_cells(row))
    table.add_section()
    table.add_row(*_cells(report.total, is_total=True), style="bold")
    return table


def _chart(report: Report) -> Table:
    unit = "hour" if report.bin_hours == 1 else f"{report.bin_hours} hours"
    table = Table(title=Text(f"Reads per {unit} (UTC)"), title_justify="left", box=None, show_header=False)
    table.add_column("from", no_wrap=True)
    table.add_column("bar", width=_BAR_WIDTH, no_wrap=True)
    table.add_column("reads", justify="right", no_wrap=True)
    peak = max(report.reads_per_bin, default=0) or 1
    for start, reads in zip(report.bin_starts(), report.reads_per_bin, strict=True):
        table.add_row(
            Text(format_time(start)), Bar(size=peak, begin=0, end=reads, width=_BAR_WIDTH), Text(str(reads))
        )
    return table


def print_report(console: Console, report: Report) -> None:
    if not report.rows:
        console.print(
            Text(f"No outgoing statuses in the last {report.minutes} minute(s) (--minutes to widen)."),
            soft_wrap=True,
        )
        return
    console.print(_statuses_table(report))
    console.print(_chart(report))
    if report.reads_outside:
        console.print(Text(f"{report.reads_outside} read(s) timed outside the window are not charted."))


def render_json(report: Report) -> str:
    return json_safe(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))  # no raw terminal controls


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection): it gets a leading ``'``.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(text: str) -> str:
    """A server string made safe for a CSV cell: control characters escaped (no escape sequence reaches a
    terminal that shows the file), and never read as a formula by a spreadsheet."""
    shown = printable(text)
    return f"'{shown}" if shown.startswith(_FORMULA_STARTS) else shown


def write_csv(out: TextIO, report: Report) -> None:
    """One row per status, then the total (empty ``id_message``, kind ``total``: no status id can be
    empty); times ISO-8601 UTC, rate 0 to 1. Server strings go through :func:`_csv_text`."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        iso = format_time(row.last_action)
        rate = "" if row.read_rate is None else f"{row.read_rate:.4f}"
        cells = (_csv_text(row.id_message), _csv_text(row.kind), iso)
        writer.writerow((*cells, row.recipients, row.delivered, row.read, rate))
    total = report.total
    rate = "" if total.read_rate is None else f"{total.read_rate:.4f}"
    writer.writerow(("", "total", "", total.recipients, total.delivered, total.read, rate))
