"""``greenstat report --db``: final statuses come from the monitor's store (no request), live ones are
polled, and the HTML page draws each status's reach over time from the stored transitions.

A real mock on loopback with the test's clock, a real store fed by the monitor library; the report runs
in-process (CliRunner) so the test can count the ``getStatusStatistic`` calls it makes."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from greenstat_ext import GreenStat
from greenstat_ext._cli import report as report_command
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer
from greenstat_ext.monitor import Monitor, MonitorSettings, Store

from .conftest import FakeClock, async_client, sync_client

SVG = "{http://www.w3.org/2000/svg}"
AUDIENCE = [f"7922{n:07d}@c.us" for n in range(25)]
runner = CliRunner()


async def _feed(server: MockServer, clock: FakeClock, db: Path) -> tuple[list[str], str]:
    """Post 3 statuses and watch them to their end, then post a fourth: 3 final, 1 live in the store."""
    rng = random.Random(5)
    settings = MonitorSettings(final_after=600, discover_every=30, max_interval=60)
    with sync_client(server) as client:
        final = [
            client.send_text_status("hi", participants=rng.sample(AUDIENCE, rng.randint(5, 25))).id_message
            for _ in range(3)
        ]
    with Store(db) as store:
        async with async_client(server) as client:
            monitor = Monitor(client, store, settings=settings, clock=clock)
            for _ in range(1000):  # bounded: 600 s to final at 7 s a step is about 90 steps
                await monitor.step()
                clock.advance(7)
                if store.statuses() and not monitor.live:
                    break
            assert len(store.statuses()) == 3
            assert not monitor.live
            with sync_client(server) as poster:
                live = poster.send_text_status("later", participants=AUDIENCE[:9]).id_message
            clock.advance(31)
            await monitor.step()  # a discovery: the fourth is in the store, live
            clock.advance(1)
            await monitor.step()  # and polled once
        assert [row.id_message for row in store.statuses(live_only=True)] == [live]
    return final, live


def _env(server: MockServer) -> dict[str, str]:
    return {"GREEN_API_URL": server.base_url, "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
            "GREEN_API_TOKEN": DEMO_TOKEN}  # fmt: skip


def test_final_statuses_come_from_the_store_and_the_page_draws_their_reach(
    mock: MockServer, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "m.db"
    final, live = anyio.run(_feed, mock, clock, db)
    monkeypatch.setattr(report_command, "_rate_limit", 0)
    polled: list[str] = []
    original = GreenStat.get_status_statistic

    def counting(self: GreenStat, id_message: str, **kwargs: Any) -> Any:
        polled.append(id_message)
        return original(self, id_message, **kwargs)

    monkeypatch.setattr(GreenStat, "get_status_statistic", counting)
    page = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--json", "--html", str(page)], env=_env(mock))
    assert result.exit_code == 0, result.output
    assert polled == [live]  # only the live one was asked for
    document = json.loads(result.stdout)
    rows = {row["id_message"]: row for row in document["statuses"]}
    assert set(rows) == {*final, live}
    with Store(db, readonly=True) as store:
        assert any(
            state == "read" for i in final for state, _ in store.recipients(DEMO_ID_INSTANCE, i).values()
        )
        for id_message in final:
            recipients = store.recipients(DEMO_ID_INSTANCE, id_message)
            assert rows[id_message]["recipients"] == len(recipients)
            assert rows[id_message]["read"] == sum(state == "read" for state, _ in recipients.values())
        reach = {curve["id_message"]: curve for curve in document["reach"]}
        assert set(reach) == {*final, live}
        root = ET.fromstring(page.read_text(encoding="utf-8").removeprefix("<!DOCTYPE html>\n"))  # noqa: S314
        charts = {svg.get("data-status"): svg for svg in root.iter(f"{SVG}svg") if svg.get("data-status")}
        assert set(charts) == {*final, live}
        for id_message in final:
            steps = store.transitions(DEMO_ID_INSTANCE, id_message)
            readers = {t.participant for t in steps if t.state == "read"}
            delivered = {t.participant for t in steps if t.state in ("delivered", "read")}
            read_curve = [int(v) for v in (charts[id_message].get("data-read") or "").split()]
            delivered_curve = [int(v) for v in (charts[id_message].get("data-reached") or "").split()]
            assert read_curve == reach[id_message]["read_by_hour"]
            assert read_curve[-1] == len(readers)
            assert delivered_curve[-1] == len(delivered)
            assert read_curve == sorted(read_curve)  # cumulative
            assert all(r <= d for r, d in zip(read_curve, delivered_curve, strict=True))
    assert DEMO_TOKEN not in page.read_text(encoding="utf-8")


def test_without_db_every_status_is_polled(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_command, "_rate_limit", 0)
    with sync_client(mock) as client:
        client.send_text_status("hi", participants=AUDIENCE[:3])
    result = runner.invoke(app, ["report", "--json"], env=_env(mock))
    assert result.exit_code == 0, result.output
    assert "reach" not in json.loads(result.stdout)


def test_a_db_that_is_not_a_store_is_a_usage_error(mock: MockServer, tmp_path: Path) -> None:
    bad = tmp_path / "not.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    result = runner.invoke(app, ["report", "--db", str(bad)], env=_env(mock))
    assert result.exit_code == 2
    assert "--db:" in result.stderr
    assert "not a greenstat store" in result.stderr
    missing = runner.invoke(app, ["report", "--db", str(tmp_path / "none.db")], env=_env(mock))
    assert missing.exit_code == 2
    assert "no store at" in missing.stderr
