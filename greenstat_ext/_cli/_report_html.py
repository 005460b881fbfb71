"""``greenstat report --html FILE``: one self-contained page (inline CSS and SVG, no script, no external
asset) that a person can open offline and share.

Why ElementTree builds it: every string from the server (idMessage, kind) is escaped by construction, and
the page is well-formed XML as well as HTML5, so tests parse it and read the chart's data back
(each bar carries ``data-start`` and ``data-reads``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from ._common import printable
from ._report_data import Reach, Report, ReportRow, format_time, window_text
from ._report_output import REACHED_MEANS, rate_text

__all__ = ["render_html"]

_WIDTH, _HEIGHT = 960, 352
_LEFT, _RIGHT, _TOP = 56, 16, 16
_BOTTOM = 88  # room for the time labels under the bars: "MM-DD HH:MM" at 12 px, upright, is ~75 px tall
# An upright label is one 12 px line wide: every bar has room for its own (MAX_BINS bars leave 18.5 px each).
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid #d9e2ec; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #52606d; }
svg text { font-size: 12px; fill: #52606d; }
svg .bar { fill: #2f9e44; }
svg .axis { stroke: #9aa5b1; }
svg .reached { fill: none; stroke: #74c0fc; stroke-width: 2; }
svg .read { fill: none; stroke: #2f9e44; stroke-width: 2; }
figure.reach { display: inline-block; margin: 0 1rem 1rem 0; }
"""
_REACH_WIDTH, _REACH_HEIGHT = 400, 160


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {key.rstrip("_").replace("_", "-"): v for key, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _table(body: ET.Element, report: Report) -> None:
    table = _sub(body, "table")
    head = _sub(_sub(table, "thead"), "tr")
    for name in ("idMessage", "kind", "last action (UTC)"):
        _sub(head, "th", name)
    for name in ("recipients", f"reached ({REACHED_MEANS.removeprefix('reached = ')})", "read", "read rate"):
        _sub(head, "th", name, class_="n")
    rows = _sub(table, "tbody")

    def add(row: ReportRow, css: str) -> None:
        tr = _sub(rows, "tr", class_=css)
        last_action = "" if css == "total" else format_time(row.last_action)
        for value in (printable(row.id_message), printable(row.kind), last_action):
            _sub(tr, "td", value)
        for value in (str(row.recipients), str(row.reached), str(row.read), rate_text(row.read_rate)):
            _sub(tr, "td", value, class_="n")

    for row in report.rows:
        add(row, "status")
    add(report.total, "total")


def _chart(body: ET.Element, report: Report) -> None:
    figure = _sub(body, "figure")
    unit = "hour" if report.bin_hours == 1 else f"{report.bin_hours} hours"
    svg = _sub(figure, "svg", xmlns="http://www.w3.org/2000/svg", width=str(_WIDTH), height=str(_HEIGHT),
               viewBox=f"0 0 {_WIDTH} {_HEIGHT}", role="img", aria_label=f"Reads per {unit}")  # fmt: skip
    plot_width, plot_height = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    peak = max(report.reads_per_bin, default=0)
    scale = plot_height / peak if peak else 0.0
    step = plot_width / max(1, len(report.reads_per_bin))
    baseline = _TOP + plot_height
    _sub(
        svg,
        "line",
        class_="axis",
        x1=str(_LEFT),
        y1=str(baseline),
        x2=str(_LEFT + plot_width),
        y2=str(baseline),
    )
    _sub(svg, "text", str(peak), x=str(_LEFT - 6), y=str(_TOP + 10), text_anchor="end")
    _sub(svg, "text", "0", x=str(_LEFT - 6), y=str(baseline), text_anchor="end")
    last = len(report.reads_per_bin) - 1
    for index, (start, reads) in enumerate(zip(report.bin_starts(), report.reads_per_bin, strict=True)):
        height = reads * scale
        x = _LEFT + index * step
        bar = _sub(svg, "rect", class_="bar", x=f"{x + 1:.1f}", y=f"{baseline - height:.1f}",
                   width=f"{max(1.0, step - 2):.1f}", height=f"{height:.1f}",
                   data_start=str(start), data_reads=str(reads))  # fmt: skip
        _sub(bar, "title", f"{format_time(start)} UTC: {reads} read(s)")
        # Every bar that holds data says when it is, and so do the window's ends; the labels stand upright
        # under their bars, so none overlaps another however many bars hold data.
        if reads or index in (0, last):
            centre, top = x + step / 2 + 4, baseline + 6
            _sub(svg, "text", format_time(start)[5:], class_="label", x=f"{centre:.1f}", y=str(top),
                 text_anchor="end", transform=f"rotate(-90 {centre:.1f} {top})")  # fmt: skip
    caption = f"Reads per {unit}, UTC, over the last {window_text(report.minutes)}."
    if report.reads_outside:
        caption += f" {report.reads_outside} read(s) timed outside the window are not charted."
    _sub(figure, "figcaption", caption)


def _reach_chart(parent: ET.Element, reach: Reach) -> None:
    """One status's reached (delivered or read) and read recipients by hours since posting, as two step
    lines; the ``svg`` carries the figures (``data-reached``, ``data-read``: cumulative, one per hour) for
    tests and scripts."""
    figure = _sub(parent, "figure", class_="reach")
    hours = len(reach.read)
    svg = _sub(figure, "svg", xmlns="http://www.w3.org/2000/svg", width=str(_REACH_WIDTH),
               height=str(_REACH_HEIGHT), viewBox=f"0 0 {_REACH_WIDTH} {_REACH_HEIGHT}", role="img",
               aria_label=f"Reach of {printable(reach.id_message)} by hours since posting",
               data_status=printable(reach.id_message), data_recipients=str(reach.recipients),
               data_reached=" ".join(map(str, reach.reached)),
               data_read=" ".join(map(str, reach.read)))  # fmt: skip
    plot_width, plot_height = _REACH_WIDTH - _LEFT - _RIGHT, _REACH_HEIGHT - _TOP - 32
    baseline = _TOP + plot_height
    top = max(reach.recipients, *reach.reached, 1)
    step = plot_width / hours
    _sub(svg, "line", class_="axis", x1=str(_LEFT), y1=str(baseline), x2=str(_LEFT + plot_width),
         y2=str(baseline))  # fmt: skip
    _sub(svg, "text", str(top), x=str(_LEFT - 6), y=str(_TOP + 10), text_anchor="end")
    _sub(svg, "text", "0", x=str(_LEFT - 6), y=str(baseline), text_anchor="end")
    _sub(svg, "text", "0 h", x=str(_LEFT), y=str(baseline + 18))
    _sub(svg, "text", f"{hours} h", x=str(_LEFT + plot_width), y=str(baseline + 18), text_anchor="end")
    for css, values in (("reached", reach.reached), ("read", reach.read)):
        points = [f"{_LEFT},{baseline}"]
        level = float(baseline)
        for index, value in enumerate(values):
            x = _LEFT + index * step
            points.append(f"{x:.1f},{level:.1f}")
            level = baseline - value * plot_height / top
            points.append(f"{x:.1f},{level:.1f}")
        points.append(f"{_LEFT + plot_width:.1f},{level:.1f}")
        _sub(svg, "polyline", class_=css, points=" ".join(points))
    reached, read = (reach.reached[-1], reach.read[-1])
    _sub(figure, "figcaption", f"{printable(reach.id_message)}: {reached} reached (delivered or read, blue) "
         f"and {read} read (green) of {reach.recipients}, by hours since posting.")  # fmt: skip


def render_html(report: Report, now: float) -> str:
    """The page: a title, the table of statuses with its total, and the chart of reads over time."""
    html = ET.Element("html", lang="en")
    head = _sub(html, "head")
    _sub(head, "meta", charset="utf-8")
    _sub(head, "title", "greenstat report")
    _sub(head, "style", _STYLE)
    body = _sub(html, "body")
    _sub(body, "h1", f"Outgoing statuses of the last {window_text(report.minutes)}")
    made = datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    _sub(body, "p", f"Made by greenstat report at {made}; {len(report.rows)} status(es).")
    if report.rows:
        _table(body, report)
    _chart(body, report)
    if report.reach:
        _sub(body, "h2", "Reach over time (from the monitor's history)")
        for reach in report.reach:
            _reach_chart(body, reach)
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="xml") + "\n"
