"""The monitor's figures as OpenTelemetry metrics, read by the real SDK's in-memory metric reader, while the
monitor runs against the mock (its calls traced by the OpenTelemetry plugin): the points equal the
monitor's own figures, and nothing exported holds the token."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from typer.testing import CliRunner

from greenstat_ext import AsyncGreenStat
from greenstat_ext.cli import app
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer
from greenstat_ext.monitor import (
    Deliverer,
    JsonLinesSink,
    Monitor,
    MonitorSettings,
    Sink,
    Store,
    WebhookSink,
)
from greenstat_ext.otel import MonitorMetrics, OpenTelemetryPlugin
from tests.plugins._telemetry import Telemetry, telemetry, token_forms

from ._receiver import SECRET
from .conftest import FakeClock, free_port, quiet_settings, sync_client

AUDIENCE = [f"7900{n:07d}@c.us" for n in range(10)]


def _points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, Any], float]]]:
    """Every metric the reader collects now: name -> [(attributes, value)] (a histogram's: its count)."""
    data = reader.get_metrics_data()
    out: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points = out.setdefault(metric.name, [])
                for point in metric.data.data_points:
                    value = point.count if isinstance(point, HistogramDataPoint) else point.value  # type: ignore[union-attr]
                    points.append((dict(point.attributes or {}), value))
    return out


def _value(points: dict[str, list[tuple[dict[str, Any], float]]], name: str, **attributes: Any) -> float:
    matches = [
        value for attrs, value in points[name] if all(attrs.get(k) == v for k, v in attributes.items())
    ]
    assert len(matches) == 1, (name, attributes, points[name])
    return matches[0]


async def _run(
    server: MockServer, clock: FakeClock, db: Path, out: Path, pipeline: Telemetry
) -> dict[str, Any]:
    with sync_client(server) as poster:
        for size in (3, 7):
            poster.send_text_status("hello", participants=AUDIENCE[:size])
    metrics = MonitorMetrics(meter_provider=pipeline.meter_provider)
    plugin = OpenTelemetryPlugin(
        tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
    )
    dead_port = free_port()  # a receiver that is down: its deliveries stay pending
    with Store(db) as store:
        async with AsyncGreenStat(
            id_instance=DEMO_ID_INSTANCE,
            api_token=DEMO_TOKEN,
            api_url=server.base_url,
            rate_limit=0,
            plugins=[plugin],
        ) as client:
            sinks: list[Sink] = [
                JsonLinesSink(str(out)),
                WebhookSink(f"http://127.0.0.1:{dead_port}/hook", SECRET),
            ]
            deliverer = Deliverer(store, sinks)
            settings = MonitorSettings(final_after=60, discover_every=30, max_interval=10)
            monitor = metrics.watch(
                Monitor(client, store, deliverer=deliverer, settings=settings, clock=clock)
            )
            for _ in range(12):
                await monitor.step()
                clock.advance(2)
            during = _points(pipeline.metrics)
            seen = {"counters": dict(monitor.counters), "live": monitor.live, "pending": store.pending()}
            clock.advance(120)  # past final: one last poll of each
            for _ in range(4):
                await monitor.step()
                clock.advance(2)
            after = _points(pipeline.metrics)
            seen_after = {
                "counters": dict(monitor.counters),
                "final": monitor.final,
                "pending": store.pending(),
            }
            await deliverer.aclose()
            del monitor
            gc.collect()
            gone = _points(pipeline.metrics)
    return {"during": during, "seen": seen, "after": after, "seen_after": seen_after, "gone": gone}


def test_the_monitor_figures_are_metrics_and_token_free(
    mock: MockServer, clock: FakeClock, tmp_path: Path
) -> None:
    with telemetry() as pipeline:
        run = anyio.run(_run, mock, clock, tmp_path / "m.db", tmp_path / "events.jsonl", pipeline)
        pipeline.assert_token_free(DEMO_TOKEN, "the monitor's metrics and the plugin's spans and metrics")
        assert pipeline.finished(), "the plugin traced the monitor's calls"
    instance = {"greenstat.instance.id": DEMO_ID_INSTANCE}
    during, seen = run["during"], run["seen"]
    for key in ("polls", "discoveries", "events", "errors"):
        assert _value(during, f"greenstat.monitor.{key}", **instance) == seen["counters"][key]
    assert seen["counters"]["polls"] > 0
    assert seen["counters"]["events"] > 0
    assert (
        _value(during, "greenstat.monitor.statuses", **instance, **{"greenstat.monitor.status.state": "live"})
        == 2
    )
    assert seen["live"] == 2
    assert _value(during, "greenstat.monitor.deliveries.pending") == seen["pending"] > 0
    assert _value(during, "greenstat.monitor.dead_letters") == 0
    after, seen_after = run["after"], run["seen_after"]
    final = {"greenstat.monitor.status.state": "final"}
    assert _value(after, "greenstat.monitor.statuses", **instance, **final) == seen_after["final"] == 2
    assert (
        _value(after, "greenstat.monitor.statuses", **instance, **{"greenstat.monitor.status.state": "live"})
        == 0
    )
    assert _value(after, "greenstat.monitor.polls", **instance) == seen_after["counters"]["polls"]
    assert _value(after, "greenstat.monitor.deliveries.pending") == seen_after["pending"]
    # The plugin's client metrics came from the monitor's calls too.
    assert "http.client.request.duration" in during
    # A monitor that is gone is reported no more (held weakly).
    assert all(not points for name, points in run["gone"].items() if name.startswith("greenstat.monitor."))


def test_otel_without_the_extra_is_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(DEMO_ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", DEMO_TOKEN)
    for name in [m for m in sys.modules if m == "opentelemetry" or m.startswith("opentelemetry.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in ("greenstat_ext.otel", "greenstat_ext._otel_monitor"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # Python's "blocked import": as if absent
    result = CliRunner().invoke(app, ["monitor", "--otel", "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 2, result.output
    assert "pip install 'greenstat[otel]'" in result.stderr
    assert not (tmp_path / "m.db").exists()  # refused before any work


_WITH_SDK = """
import sys
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

out = open(sys.argv[1], "w")  # what an application's SDK exports: written when the process ends
reader = PeriodicExportingMetricReader(ConsoleMetricExporter(out=out), export_interval_millis=3_600_000)
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
tracer_provider = TracerProvider()
tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
trace.set_tracer_provider(tracer_provider)
sys.argv = ["greenstat", *sys.argv[2:]]
from greenstat_ext.cli import main
main()
"""


def test_the_command_with_otel_exports_through_the_applications_sdk(tmp_path: Path) -> None:
    """``greenstat monitor --otel`` in a process whose SDK is set up (as ``opentelemetry-instrument`` does):
    the monitor's metrics and the calls' spans reach the exporter, the token does not."""
    exported, events, log = tmp_path / "otel.json", tmp_path / "events.jsonl", tmp_path / "monitor.log"
    with MockServer(quiet_settings(time.time), log_level="warning") as server:
        with sync_client(server) as poster:
            poster.send_text_status("hello", participants=AUDIENCE[:3])
        env = {**os.environ, "GREEN_API_TOKEN": DEMO_TOKEN, "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
               "GREEN_API_URL": server.base_url}  # fmt: skip
        args = ["monitor", "--otel", "--db", str(tmp_path / "m.db"), "--jsonl", str(events)]
        with log.open("wb") as err:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
                [sys.executable, "-c", _WITH_SDK, str(exported), *args], env=env, stderr=err
            )
        try:
            deadline = time.monotonic() + 120  # a ceiling for a busy machine, not a measurement
            while not (b"watching" in log.read_bytes() and events.exists() and events.stat().st_size):
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the monitor never delivered its first event"
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = exported.read_text()
    for name in (
        "greenstat.monitor.discoveries",
        "greenstat.monitor.statuses",
        "http.client.request.duration",
    ):
        assert f'"name": "{name}"' in text, name
    assert '"greenstat.operation.id": "getOutgoingStatuses"' in text  # the plugin's span
    assert f'"greenstat.instance.id": {DEMO_ID_INSTANCE}' in text
    for form in token_forms(DEMO_TOKEN):
        assert form not in text
