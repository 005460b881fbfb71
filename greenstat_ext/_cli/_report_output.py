"""``greenstat report`` on a terminal (the statuses, their total and a chart of reads over time), as JSON
and as CSV.

The statuses are laid out here, in fixed-width columns, not by a Rich table: an idMessage must never fold
(a folded id cannot be copied), and a 32-character id leaves no room at 80 columns for its six figures on
the same line, which a Rich table (no cell spans two columns) cannot lay out otherwise. So when the widest
id fits beside the figures, each status is one line; when it does not, each id gets a line of its own,
whole, and its figures go on the next. The chart stays a Rich table of :class:`rich.bar.Bar` cells, with
each run of empty bins collapsed into one line; on a terminal, only the latest statuses that fit with the
chart are listed (a line counts the older ones, which the total includes): the default report fits one screen.

Every server string (idMessage, kind) is escaped and passed as :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from rich.bar import Bar
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._common import printable
from ._echoed import json_safe
from ._report_data import Report, ReportRow, format_time, window_text

__all__ = [
    "CSV_COLUMNS",
    "REACHED_MEANS",
    "print_report",
    "rate_text",
    "render_json",
    "statuses_lines",
    "write_csv",
]

CSV_COLUMNS = ("id_message", "kind", "last_action_utc", "recipients", "reached", "read", "read_rate")
#: What the ``reached`` column counts, said under the title (``stats`` counts ``delivered`` apart).
REACHED_MEANS = "reached = delivered or read"
_BAR_WIDTH = 40
_MIN_BAR_WIDTH = 24  # room for "· no reads for 29 days 8 hours" to shrink into, at 60 columns
#: The figure columns after the id: header, and whether it is right-aligned.
_FIGURES = (
    ("kind", False),
    ("last action", False),
    ("recipients", True),
    ("reached", True),
    ("read", True),
    ("rate", True),
)
_GAP = "  "


def rate_text(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def _figures(row: ReportRow, *, is_total: bool = False) -> tuple[str, ...]:
    return (
        "" if is_total else printable(row.kind),
        "" if is_total else format_time(row.last_action),
        str(row.recipients),
        str(row.reached),
        str(row.read),
        rate_text(row.read_rate),
    )


def _line(cells: tuple[str, ...], widths: list[int], aligned: tuple[bool, ...]) -> str:
    padded = (c.rjust(w) if right else c.ljust(w) for c, w, right in zip(cells, widths, aligned, strict=True))
    return _GAP.join(padded).rstrip()


def statuses_lines(report: Report, width: int, max_rows: int | None = None) -> Iterator[Text]:
    """The statuses and their total, each line at most ``width`` wide unless one id alone is wider.

    ``max_rows``: show only the first (latest) statuses, and one line saying how many older ones the total
    also counts.
    """
    shown = report.rows if max_rows is None else report.rows[:max_rows]
    hidden = len(report.rows) - len(shown)
    more = Text(
        f"… {hidden} older status{'es' if hidden > 1 else ''} (in the total; --csv lists all)", style="dim"
    )
    ids = [printable(row.id_message) for row in shown]
    figures = [_figures(row) for row in shown]
    total = _figures(report.total, is_total=True)
    headers = tuple(name for name, _ in _FIGURES)
    aligned = tuple(right for _, right in _FIGURES)
    widths = [max(len(cells[i]) for cells in [headers, total, *figures]) for i in range(len(_FIGURES))]
    figures_width = sum(widths) + len(_GAP) * (len(widths) - 1)
    id_width = max(len("idMessage"), *(len(i) for i in ids))
    yield Text(f"Outgoing statuses of the last {window_text(report.minutes)} (times UTC; {REACHED_MEANS})")
    if id_width + len(_GAP) + figures_width <= width:  # one line a status
        widths = [id_width, *widths]
        aligned = (False, *aligned)
        yield Text(_line(("idMessage", *headers), widths, aligned), style="bold")
        rule = "─" * (sum(widths) + len(_GAP) * (len(widths) - 1))
        yield Text(rule, style="dim")
        for id_message, cells in zip(ids, figures, strict=True):
            yield Text(_line((id_message, *cells), widths, aligned))
        if hidden:
            yield more
        yield Text(rule, style="dim")
        yield Text(_line(("total", *total), widths, aligned), style="bold")
        return
    # Each id on a line of its own, whole; its figures indented under it.
    indent = "  "
    yield Text("idMessage", style="bold")
    yield Text(indent + _line(headers, widths, aligned), style="bold")
    rule = "─" * (len(indent) + figures_width)
    yield Text(rule, style="dim")
    for id_message, cells in zip(ids, figures, strict=True):
        yield Text(id_message)
        yield Text(indent + _line(cells, widths, aligned))
    if hidden:
        yield more
    yield Text(rule, style="dim")
    yield Text("total" + _line(total, widths, aligned)[len("total") - len(indent) :], style="bold")


def _runs(report: Report) -> Iterator[tuple[int, int, int]]:
    """(first bin, bins, reads): each bin that holds reads alone, each run of empty bins as one."""
    bins = report.reads_per_bin
    index = 0
    while index < len(bins):
        if bins[index]:
            yield index, 1, bins[index]
            index += 1
            continue
        end = index
        while end < len(bins) and not bins[end]:
            end += 1
        yield index, end - index, 0
        index = end


def _duration(hours: int) -> str:
    """``1 hour``, ``23 hours``, ``29 days 8 hours``: days from two of them on."""
    days, rest = divmod(hours, 24) if hours >= 48 else (0, hours)
    parts = [f"{days} days"] if days else []
    if rest or not days:
        parts.append("1 hour" if rest == 1 else f"{rest} hours")
    return " ".join(parts)


def _chart(report: Report, width: int) -> Table:
    """The bars narrow to fit ``width`` (down to :data:`_MIN_BAR_WIDTH`); the times and counts never do."""
    unit = "hour" if report.bin_hours == 1 else f"{report.bin_hours} hours"
    table = Table(title=Text(f"Reads per {unit} (UTC)"), title_justify="left", box=None, show_header=False)
    peak = max(report.reads_per_bin, default=0) or 1
    # Three columns padded by one space each side: the time (16), the bar, the count.
    bar_width = max(_MIN_BAR_WIDTH, min(_BAR_WIDTH, width - 16 - len(str(peak)) - 6))
    table.add_column("from", no_wrap=True)
    table.add_column("bar", width=bar_width, no_wrap=True)
    table.add_column("reads", justify="right", no_wrap=True)
    starts = report.bin_starts()
    for first, count, reads in _runs(report):
        when = Text(format_time(starts[first]))
        if reads:
            table.add_row(when, Bar(size=peak, begin=0, end=reads, width=bar_width), Text(str(reads)))
        else:
            span = f"no reads for {_duration(count * report.bin_hours)}"
            table.add_row(when, Text(f"· {span}", style="dim"), Text("0", style="dim"))
    return table


def print_report(console: Console, report: Report) -> None:
    if not report.rows:
        console.print(
            Text(f"No outgoing statuses in the last {window_text(report.minutes)} (--minutes widens it)."),
            soft_wrap=True,
        )
        return
    chart = _chart(report, console.width)
    title, *lines = statuses_lines(report, console.width)
    if console.is_terminal:  # one screen: the latest statuses that fit; the total still counts every one
        options = console.options
        title_height = len(console.render_lines(title, options, pad=False))
        # Below the statuses: a blank line, the chart, the uncharted reads' line, and the shell's prompt.
        below = 1 + len(console.render_lines(chart, options, pad=False)) + bool(report.reads_outside) + 1
        rows = len(report.rows)
        while rows > 1 and title_height + len(lines) + below > console.size.height:
            rows -= 1
            title, *lines = statuses_lines(report, console.width, max_rows=rows)
    console.print(title)  # wrapped at a word on a narrow terminal
    for line in lines:  # never folded: an id wider than the terminal is still one line, to be copied
        console.print(line, soft_wrap=True, overflow="ignore", crop=False)
    console.print()
    console.print(chart)
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
        writer.writerow((*cells, row.recipients, row.reached, row.read, rate))
    total = report.total
    rate = "" if total.read_rate is None else f"{total.read_rate:.4f}"
    writer.writerow(("", "total", "", total.recipients, total.reached, total.read, rate))
