"""The monitor's figures as OpenTelemetry metrics (``greenstat_ext.otel.MonitorMetrics``).

Why asynchronous (observable) instruments read from the monitors, rather than counters the loop increments:
the figures already exist (``Monitor.counters``, ``live``, ``final``, the outbox counts the log line
shows), so the metrics are a view of them, never a second count that could drift; and a metric reader
collects them when it wants, in its own thread, without the loop calling OpenTelemetry at all.

Why one object for many monitors: an OpenTelemetry meter registers an instrument name once (a second
registration returns the first instrument and drops the new callbacks), and one process may run a monitor
per instance (``--instances``). So one :class:`MonitorMetrics` watches any number of monitors (held weakly:
a monitor that is gone is no longer reported), each point tagged with its ``greenstat.instance.id``.

The callbacks read only plain numbers the monitor keeps: they never touch the store's SQLite connection
(which belongs to the loop's thread), the client or the credentials. Attributes are the instance id (a
number) and fixed words: the token cannot reach a metric.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable

from ._extras import extra_imports
from ._version import __version__
from .monitor import Monitor  # at run time too: typing.get_type_hints resolves the annotations

with extra_imports("greenstat_ext.otel", "otel"):
    from opentelemetry import metrics
    from opentelemetry.metrics import CallbackOptions, Observation

__all__ = ["MonitorMetrics"]

_INSTANCE = "greenstat.instance.id"
_STATE = "greenstat.monitor.status.state"

#: Monitor.counters key -> (metric name, unit, description): monotonic counts since the monitor started.
_COUNTERS = {
    "polls": ("greenstat.monitor.polls", "{call}", "getStatusStatistic calls the monitor made."),
    "discoveries": ("greenstat.monitor.discoveries", "{call}", "getOutgoingStatuses calls the monitor made."),
    "events": ("greenstat.monitor.events", "{event}", "Events stored (and queued for every sink)."),
    "errors": ("greenstat.monitor.errors", "{step}", "Steps whose API call failed (logged as WARNING)."),
}


class MonitorMetrics:
    """Exposes the figures of the monitors it watches as OpenTelemetry metrics (docs/monitor.md).

    ``meter_provider``: by default the global one (the application's SDK, or OpenTelemetry's no-op).
    ``watch(monitor)`` adds a monitor; one ``MonitorMetrics`` serves every monitor of a process.
    """

    def __init__(self, *, meter_provider: metrics.MeterProvider | None = None) -> None:
        self._monitors: weakref.WeakSet[Monitor] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._provider = meter_provider
        meter = metrics.get_meter("greenstat.monitor", __version__, meter_provider=meter_provider)
        for key, (name, unit, description) in _COUNTERS.items():
            meter.create_observable_counter(
                name, callbacks=[self._counter(key)], unit=unit, description=description
            )
        meter.create_observable_up_down_counter(
            "greenstat.monitor.statuses",
            callbacks=[self._statuses],
            unit="{status}",
            description="Statuses watched (state=live) and seen to their end (state=final).",
        )
        meter.create_observable_up_down_counter(
            "greenstat.monitor.deliveries.pending",
            callbacks=[self._store_figure("pending")],
            unit="{delivery}",
            description="Events waiting in the outbox, one per sink (as of the last step).",
        )
        meter.create_observable_up_down_counter(
            "greenstat.monitor.dead_letters",
            callbacks=[self._store_figure("dead_letters")],
            unit="{delivery}",
            description="Deliveries given up after every attempt (greenstat monitor dead-letters).",
        )

    def watch(self, monitor: Monitor) -> Monitor:
        """Report ``monitor``'s figures from now on (returns it)."""
        with self._lock:
            self._monitors.add(monitor)
        return monitor

    def flush(self, timeout: float = 2.0) -> bool:
        """Export now, if the provider can (the SDK's ``force_flush``); False when it cannot or timed out.

        Why: a monitor is reported while it exists, and a process's last export happens at exit, when its
        monitors are gone. ``greenstat monitor`` calls this as it stops, so the final figures are exported.
        Bounded: ``timeout`` seconds at most (an exporter whose collector is down must not hold the stop).
        """
        provider = self._provider if self._provider is not None else metrics.get_meter_provider()
        force_flush = getattr(provider, "force_flush", None)  # the SDK's; the API's providers have none
        if not callable(force_flush):
            return False
        return bool(force_flush(timeout_millis=timeout * 1000))

    def _watched(self) -> list[Monitor]:
        with self._lock:
            return list(self._monitors)

    def _counter(self, key: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            return [Observation(m.counters[key], {_INSTANCE: m.instance_id}) for m in self._watched()]

        return observe

    def _statuses(self, options: CallbackOptions) -> Iterable[Observation]:
        points = []
        for monitor in self._watched():
            points.append(Observation(monitor.live, {_INSTANCE: monitor.instance_id, _STATE: "live"}))
            points.append(Observation(monitor.final, {_INSTANCE: monitor.instance_id, _STATE: "final"}))
        return points

    def _store_figure(self, name: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        """The outbox is the store's, shared by the monitors on it: one figure per store, summed."""

        def observe(options: CallbackOptions) -> Iterable[Observation]:
            per_store: dict[int, int] = {}
            for monitor in self._watched():
                per_store[id(monitor.store)] = getattr(monitor, name)
            return [Observation(sum(per_store.values()))] if per_store else []

        return observe
