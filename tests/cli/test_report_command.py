"""``greenstat report`` against the real mock (its demo statuses), and its figures on fixed data."""

from __future__ import annotations

import csv
import gc
import io
import itertools
import json
import re
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from greenstat_client.models import (
    OutgoingStatus,
    OutgoingStatusState,
    StatusDirection,
    StatusMessageType,
    StatusStatistic,
    StatusValue,
)
from greenstat_ext._cli import report as report_command
from greenstat_ext._cli._report_data import MAX_BINS, build_report, format_time, short_kind
from greenstat_ext._cli._report_html import render_html
from greenstat_ext._cli._report_output import print_report, write_csv
from greenstat_ext._summary import summarize
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
NOW = 1_700_000_000.0
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # bold and dim: on a terminal, even with NO_COLOR


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_command, "_rate_limit", 0)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


def _env(server: MockServer, **extra: str) -> dict[str, str]:
    base = {
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    return {**base, **extra}


def _page(path: Path) -> ET.Element:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>\n")
    # Our own page, written by the test's command: well-formed, or this raises.
    return ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))  # noqa: S314


def test_json_and_html_carry_the_same_figures(mock: MockServer, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--json", "--html", str(page)], env=_env(mock))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    statuses = document["statuses"]
    # the demo statuses, and their re-posts (each a status of its own: the documented id's leading digits)
    assert {row["id_message"][:-8] for row in statuses} <= {id_message[:-8] for id_message in DEMO_MESSAGES}
    assert statuses
    total = document["total"]
    for key in ("recipients", "reached", "read"):
        assert total[key] == sum(row[key] for row in statuses)
    for row in statuses:
        assert row["read"] <= row["reached"] <= row["recipients"]
        assert "delivered" not in row  # stats' "delivered" excludes read: the report's word is another
    chart = document["reads_over_time"]
    assert sum(bin_["reads"] for bin_ in chart["bins"]) + chart["reads_outside_window"] == total["read"]

    root = _page(page)
    assert not root.findall(".//script")  # self-contained: no script, no stylesheet link, no image
    assert not root.findall(".//link")
    assert not root.findall(".//img")
    bars = root.findall(f".//{SVG}rect")
    assert [(int(bar.get("data-start", "")), int(bar.get("data-reads", ""))) for bar in bars] == [
        (bin_["start"], bin_["reads"]) for bin_ in chart["bins"]
    ]
    peak = max(int(bar.get("height", "0").split(".")[0]) for bar in bars)
    assert peak > 0  # the tallest bar is drawn
    cells = [td.text for td in root.iter("td")]
    for row in statuses:
        assert row["id_message"] in cells
        assert str(row["recipients"]) in cells


def test_terminal_table_total_and_chart(mock: MockServer) -> None:
    env = _env(mock, TTY_COMPATIBLE="1", NO_COLOR="1", COLUMNS="120")
    result = runner.invoke(app, ["report", "--minutes", "120"], env=env)
    assert result.exit_code == 0, result.output
    assert "Outgoing statuses of the last 2 hours (times UTC; reached = delivered or read)" in result.stdout
    assert "total" in result.stdout
    assert "Reads per hour (UTC)" in result.stdout
    lines = result.stdout.splitlines()
    # At 120 columns each status is one line: its id, then its figures.
    assert any(line.startswith("BAE5F4886F6F2D05 ") and "text" in line for line in lines)


@pytest.mark.parametrize("columns", [80, 60])
def test_the_default_report_fits_one_screen_with_every_id_whole(mock: MockServer, columns: int) -> None:
    """The demo's statuses (a 32-character id among them) at 80 and 60 columns: no id is folded, no line
    is wider than the terminal, the 24 hours' chart collapses its empty hours, all of it in 24 lines."""
    env = _env(mock, TTY_COMPATIBLE="1", NO_COLOR="1", COLUMNS=str(columns), LINES="24")
    result = runner.invoke(app, ["report"], env=env)
    assert result.exit_code == 0, result.output
    lines = [ANSI.sub("", line) for line in result.stdout.splitlines()]
    listed = [row for row in DEMO_MESSAGES if any(row in line for line in lines)]
    assert listed  # the demo posts statuses in the last 24 hours
    assert max(len(row) for row in listed) == 32  # the widest id is there
    for id_message in listed:
        assert id_message in lines  # on a line of its own, whole: it can be copied
    assert [line for line in lines if len(line.rstrip()) > columns] == []
    assert len(lines) <= 24 - 1  # and the prompt
    assert "no reads for" in result.stdout  # the empty hours, collapsed


def test_empty_hours_are_collapsed_into_one_line() -> None:
    items = [_read(int(NOW) - 60), _read(int(NOW) - 13 * 3600)]
    report = build_report(24 * 60, NOW, [(_status("A"), items)])
    console = Console(width=80, file=io.StringIO(), color_system=None)
    print_report(console, report)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    chart = out[out.index("Reads per hour") :].splitlines()[1:]
    chart = [line for line in chart if line.strip()]
    # 25 hourly bins: empty run, a read, empty run, a read -> four lines, not 25.
    assert len(chart) == 4, chart
    assert "no reads for 11 hours" in chart[0]
    assert "no reads for 12 hours" in chart[2]
    assert [line.split()[-1] for line in chart] == ["0", "1", "0", "1"]


@pytest.mark.parametrize("every_bar", [False, True])
def test_the_html_chart_labels_the_bars_that_hold_data(every_bar: bool) -> None:
    """The newest bars (the ones with data, at the right edge) are labelled, and with data in every one of
    a 30-day chart's 46 bars, each still has its label and none overlaps its neighbour."""
    reads = [int(NOW) - hours * 3600 for hours in (range(0, 720, 15) if every_bar else (5, 0))]
    report = build_report(43_200, NOW, [(_status("A"), [_read(at) for at in reads])])
    root = ET.fromstring(render_html(report, NOW).removeprefix("<!DOCTYPE html>\n"))  # noqa: S314 - ours
    labels = [text for text in root.iter(f"{SVG}text") if text.get("class") == "label"]
    texts = {label.text for label in labels}
    with_data = [bar for bar in root.iter(f"{SVG}rect") if int(bar.get("data-reads", "0"))]
    assert with_data
    assert len(with_data) == len(report.reads_per_bin) or not every_bar
    for bar in with_data:
        assert format_time(int(bar.get("data-start", "")))[5:] in texts  # a bar with reads says when it is
    xs = sorted(float(label.get("x", "")) for label in labels)
    assert all(right - left >= 14 for left, right in itertools.pairwise(xs))  # a 12 px line apart, upright
    assert root.find(".//h1") is not None
    assert root.findtext(".//h1") == "Outgoing statuses of the last 30 days"
    assert "over the last 30 days" in (root.findtext(".//figcaption") or "")


def test_csv_rows_and_total(mock: MockServer) -> None:
    result = runner.invoke(app, ["report", "--csv"], env=_env(mock))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    *statuses, total = rows
    assert (total["id_message"], total["kind"]) == ("", "total")
    assert int(total["recipients"]) == sum(int(row["recipients"]) for row in statuses)
    # One spelling of a kind in every output: the terminal's short one (imageMessage -> image).
    assert {row["kind"] for row in statuses} <= {short_kind(kind.value) for kind in StatusMessageType}
    assert all(row["kind"] and not row["kind"].endswith("Message") for row in statuses)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--json", "--csv"], "--json and --csv: choose one"),
        (["--html", "/no/such/dir/r.html"], "--html: directory '/no/such/dir' does not exist"),
    ],
)
def test_bad_usage_is_one_line_exit_2(mock: MockServer, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["report", *args], env=_env(mock))
    assert result.exit_code == 2
    assert result.stderr == f"greenstat report: error: {expected}\n"


def test_minutes_out_of_the_spec_range_is_a_usage_error(mock: MockServer) -> None:
    result = runner.invoke(app, ["report", "--minutes", "43201"], env=_env(mock))
    assert result.exit_code == 2
    assert "--minutes" in result.stderr


def _status(id_message: str, kind: str = "imageMessage") -> OutgoingStatus:
    return OutgoingStatus(
        type_=StatusDirection.OUTGOING,
        id_message=id_message,
        timestamp=int(NOW) - 600,
        status_message=OutgoingStatusState("read"),
        send_by_api=True,
        type_message=StatusMessageType(kind),
        chat_id="79000000000@c.us",
    )


def _read(at: int) -> StatusStatistic:
    return StatusStatistic(participant="79000000001@c.us", timestamp=at, status=StatusValue.READ)


def test_bins_cover_the_window_only_whatever_the_timestamps() -> None:
    items = [
        _read(int(NOW) - 60),
        _read(int(NOW) - 3 * 3600),
        _read(0),  # long before the window
        _read(2**62),  # far beyond datetime: counted outside, no bin is made for it
        StatusStatistic(participant="x@c.us", timestamp=int(NOW), status=StatusValue.DELIVERED),
    ]
    report = build_report(24 * 60, NOW, [(_status("A"), items)])
    assert len(report.reads_per_bin) <= MAX_BINS
    assert sum(report.reads_per_bin) == 2
    assert report.reads_outside == 2
    assert report.rows[0].recipients == 5
    assert report.rows[0].reached == 5
    assert report.rows[0].read == 4
    month = build_report(43_200, NOW, [(_status("A"), items)])
    assert len(month.reads_per_bin) <= MAX_BINS
    assert month.bin_hours == 16  # 722 whole hours touch a 30-day window


def test_one_meaning_of_delivered_in_stats_and_report() -> None:
    """The same recipients, as ``stats`` and ``report`` count them: ``delivered`` is stats' (read apart),
    the report's "delivered or read" is ``reached``, named so in every rendering."""
    items = [
        *(StatusStatistic(participant=f"{n}@c.us", timestamp=int(NOW), status=StatusValue.DELIVERED)
          for n in range(3)),
        *(_read(int(NOW) - n) for n in range(9)),
        StatusStatistic(participant="p@c.us", timestamp=int(NOW), status=StatusValue.PENDING),
    ]  # fmt: skip
    counts = summarize(items).counts
    assert (counts["delivered"], counts["read"]) == (3, 9)
    report = build_report(60, NOW, [(_status("A"), items)])
    assert (report.rows[0].reached, report.rows[0].read) == (12, 9)

    console = Console(width=80, file=io.StringIO(), color_system=None)
    print_report(console, report)
    terminal = console.file.getvalue()  # type: ignore[attr-defined]
    out = io.StringIO()
    write_csv(out, report)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    page = ET.fromstring(render_html(report, NOW).removeprefix("<!DOCTYPE html>\n"))  # noqa: S314 - ours
    headings = [th.text or "" for th in page.iter("th")]
    heading = next(line for line in terminal.splitlines() if line.startswith("idMessage"))
    for columns in (heading.split(), header, headings):
        assert "delivered" not in columns
        assert any(column.startswith("reached") for column in columns)
    assert "reached = delivered or read" in terminal  # said once, under the title
    assert "reached (delivered or read)" in headings


def test_html_escapes_server_strings() -> None:
    hostile = '<script>alert(1)</script>&"'
    report = build_report(60, NOW, [(_status(hostile), [_read(int(NOW) - 10)])])
    page = render_html(report, NOW)
    assert "<script>" not in page
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))  # noqa: S314 - our own page
    assert hostile in [td.text for td in root.iter("td")]


def test_csv_cells_from_the_server_are_neither_escape_codes_nor_formulas() -> None:
    hostile = ["\x1b]0;PWNED\x07\x1b[31m", '=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "total"]
    report = build_report(60, NOW, [(_status(id_message), [_read(int(NOW) - 10)]) for id_message in hostile])
    out = io.StringIO()
    write_csv(out, report)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    *statuses, total = rows
    assert "\x1b" not in out.getvalue()
    assert "\x07" not in out.getvalue()
    assert [row["id_message"] for row in statuses] == [
        "\\x1b]0;PWNED\\x07\\x1b[31m",
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "total",  # a status may be called "total": the total row is the one without an id
    ]
    assert (total["id_message"], total["kind"]) == ("", "total")
    assert statuses[-1]["last_action_utc"]  # the status named "total" keeps its time


def test_the_report_keeps_no_recipient_list_it_has_summed() -> None:
    """A month of big statuses must not sit in memory at once: each list is summed and let go."""

    class Recipients(list[StatusStatistic]):
        """A list that can be weakly referenced (hashed by identity): does the report keep it?"""

        __hash__ = object.__hash__  # type: ignore[assignment]

    alive: weakref.WeakSet[Recipients] = weakref.WeakSet()
    most_alive = 0

    def fetched() -> Iterator[tuple[OutgoingStatus, Recipients]]:
        nonlocal most_alive
        for n in range(50):
            items = Recipients([_read(int(NOW) - 10)] * 100)
            alive.add(items)
            # The youngest generation only: a full collection per list cost ~6 s of CPU late in the suite
            # (a big heap). The lists die by reference counting (this passes with the GC off); a list kept
            # by a cycle that survived into an older generation would count as alive: stricter, not looser.
            gc.collect(0)
            most_alive = max(most_alive, len(alive))
            yield _status(f"S{n}"), items

    report = build_report(60, NOW, fetched())
    assert len(report.rows) == 50
    assert report.total.read == 50 * 100
    assert most_alive <= 2  # the one being summed and the next one, never the month


@pytest.mark.parametrize("columns", [120, 80, 60])
def test_many_statuses_on_a_terminal_list_the_latest_that_fit_and_count_the_rest(columns: int) -> None:
    """A journal of 40 statuses on a 24-line terminal: the statuses that fit with the chart are listed,
    one line says how many older ones the total counts, and the total is every status's; piped, all 40."""
    statuses = [(_status(f"ID{index:02d}"), [_read(int(NOW) - 60 * index)]) for index in range(40)]
    report = build_report(24 * 60, NOW, statuses)
    screen = Console(width=columns, height=24, file=io.StringIO(), force_terminal=True, color_system=None)
    print_report(screen, report)
    lines = screen.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) <= 24 - 1  # and the prompt
    listed = [row.id_message for row in report.rows if any(line.startswith(row.id_message) for line in lines)]
    assert 0 < len(listed) < 40
    assert listed == [row.id_message for row in report.rows[: len(listed)]]  # the latest, in order
    assert f"… {40 - len(listed)} older statuses (in the total; --csv lists all)" in lines
    assert any(line.startswith("total") and " 40 " in line for line in lines)
    piped = Console(width=columns, height=24, file=io.StringIO(), force_terminal=False, color_system=None)
    print_report(piped, report)
    assert all(row.id_message in piped.file.getvalue() for row in report.rows)  # type: ignore[attr-defined]
