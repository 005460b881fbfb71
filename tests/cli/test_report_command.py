"""``greenstat report`` against the real mock (its demo statuses), and its figures on fixed data."""

from __future__ import annotations

import csv
import gc
import io
import json
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
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
from greenstat_ext._cli._report_data import MAX_BINS, build_report
from greenstat_ext._cli._report_html import render_html
from greenstat_ext._cli._report_output import write_csv
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
NOW = 1_700_000_000.0


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
    assert {row["id_message"] for row in statuses} <= set(DEMO_MESSAGES)
    assert statuses
    total = document["total"]
    for key in ("recipients", "delivered", "read"):
        assert total[key] == sum(row[key] for row in statuses)
    for row in statuses:
        assert row["read"] <= row["delivered"] <= row["recipients"]
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
    assert "Outgoing statuses of the last 120 minute(s)" in result.stdout
    assert "total" in result.stdout
    assert "Reads per hour (UTC)" in result.stdout
    assert "BAE5F4886F6F2D05" in result.stdout


def test_csv_rows_and_total(mock: MockServer) -> None:
    result = runner.invoke(app, ["report", "--csv"], env=_env(mock))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    *statuses, total = rows
    assert (total["id_message"], total["kind"]) == ("", "total")
    assert int(total["recipients"]) == sum(int(row["recipients"]) for row in statuses)
    assert {row["kind"] for row in statuses} <= {kind.value for kind in StatusMessageType}


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
    assert report.rows[0].delivered == 5
    assert report.rows[0].read == 4
    month = build_report(43_200, NOW, [(_status("A"), items)])
    assert len(month.reads_per_bin) <= MAX_BINS
    assert month.bin_hours == 16  # 722 whole hours touch a 30-day window


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
