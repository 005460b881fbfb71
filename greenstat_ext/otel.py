"""greenstat's first-party OpenTelemetry plugin: one CLIENT span per call, HTTP client metrics, no token;
and :class:`MonitorMetrics`, the monitor's figures as metrics (``greenstat_ext/_otel_monitor.py``).

``pip install 'greenstat[otel]'`` brings ``opentelemetry-api`` only: the SDK, its exporters and its
configuration are the application's, as OpenTelemetry asks of libraries. Importing this module imports
OpenTelemetry; nothing else in greenstat does (``greenstat_ext`` never needs it; ``greenstat monitor --otel``
imports this module).

Why a span per *call* rather than per HTTP request: a greenstat call is what the caller asked for; its
attempts and the waits between them (rate-limit bucket, backoff) are detail of that one operation. The span
follows the semantic conventions of an HTTP client span (``http.request.method``, ``url.full`` with the token
segment masked, ``server.address``/``server.port``, ``http.response.status_code`` of the last answer,
``http.request.resend_count``, ``error.type``), adds ``url.template`` and greenstat's own attributes
(``greenstat.operation.id``, ``greenstat.rate_limit.wait``, ``greenstat.outcome``), and gets one
``greenstat.retry`` event per retry. The span of the wire request that ``opentelemetry-instrumentation-httpx``
would make (its URL holds the token) is suppressed by the client whenever that instrumentation is loaded,
plugin or not; this span stands in for it. Metrics: ``http.client.request.duration`` per attempt (the
convention's histogram, in seconds), ``greenstat.client.rate_limited`` (429 answers),
``greenstat.client.rate_limit.wait`` (seconds each attempt waited for its bucket) and
``greenstat.client.outcome_unknown`` (writes whose outcome is unknown). Metric attributes never hold a URL.

The span is started in the caller's context (a child of the caller's current span) and its context is
propagated to the server in the attempt's headers (``traceparent``) through the globally configured
propagator. docs/plugins.md maps every field.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from ._extras import extra_imports
from ._otel_monitor import MonitorMetrics
from ._version import __version__

# Without the `otel` extra: an error that names it, not a bare ModuleNotFoundError from opentelemetry.
with extra_imports("greenstat_ext.otel", "otel"):
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from .plugins import (
    AttemptFinished,
    AttemptStarted,
    CallFinished,
    CallStarted,
    Event,
    OperationInfo,
    Plugin,
    RetryScheduled,
)

__all__ = ["MonitorMetrics", "OpenTelemetryPlugin"]

#: The semantic conventions' advice for ``http.client.request.duration`` (seconds).
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
_WAIT_BUCKETS = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _operation_attributes(operation: OperationInfo) -> dict[str, str]:
    return {"greenstat.operation.id": operation.operation_id, "http.request.method": operation.method}


class _Call:
    """One call's span and the attributes its metrics share."""

    __slots__ = ("attributes", "span")

    def __init__(self, span: Span, attributes: dict[str, str | int]) -> None:
        self.span = span
        self.attributes = attributes


class OpenTelemetryPlugin(Plugin):
    """Traces and measures every call of the client it is given to (``GreenStat(plugins=[...])``).

    ``tracer_provider``/``meter_provider``/``propagate_context``: by default the global providers (the
    application's SDK, or OpenTelemetry's no-op ones) and the global propagator.
    """

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        propagate_context: bool = True,
    ) -> None:
        self._tracer = trace.get_tracer("greenstat", __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter("greenstat", __version__, meter_provider=meter_provider)
        self._duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests (each attempt of a greenstat call).",
            explicit_bucket_boundaries_advisory=list(_DURATION_BUCKETS),
        )
        self._rate_limited = meter.create_counter(
            "greenstat.client.rate_limited",
            unit="{response}",
            description="Answers HTTP 429 (rate limited) received.",
        )
        self._wait = meter.create_histogram(
            "greenstat.client.rate_limit.wait",
            unit="s",
            description="Time each attempt waited for its turn in the client-side rate-limit bucket.",
            explicit_bucket_boundaries_advisory=list(_WAIT_BUCKETS),
        )
        self._unknown = meter.create_counter(
            "greenstat.client.outcome_unknown",
            unit="{call}",
            description="Writes (sends, deletes) whose outcome is unknown: the server may have acted.",
        )
        self._propagate = propagate_context
        self._calls: dict[int, _Call] = {}
        self._lock = threading.Lock()

    def on_event(self, event: Event) -> None:
        if isinstance(event, CallStarted):
            self._start(event)
        elif isinstance(event, AttemptStarted):
            call = self._calls.get(event.call_id)
            if call is not None:
                self._wait.record(event.rate_limit_wait, call.attributes)
        elif isinstance(event, AttemptFinished):
            self._attempt_finished(event)
        elif isinstance(event, RetryScheduled):
            self._retry(event)
        elif isinstance(event, CallFinished):
            self._finish(event)

    def request_headers(self, event: AttemptStarted) -> Mapping[str, str] | None:
        call = self._calls.get(event.call_id)
        if not self._propagate or call is None:
            return None
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(call.span))
        return carrier

    def _start(self, event: CallStarted) -> None:
        operation = event.operation
        attributes: dict[str, str | int] = {
            **_operation_attributes(operation),
            "server.address": event.server_address,
            "server.port": event.server_port,
        }
        span = self._tracer.start_span(
            f"{operation.method} {operation.url_template}",
            kind=SpanKind.CLIENT,
            attributes={
                **attributes,
                "url.full": event.url,
                "url.template": operation.url_template,
                "greenstat.operation.name": operation.name,
                "greenstat.operation.is_write": operation.is_write,
            },
        )
        with self._lock:
            self._calls[event.call_id] = _Call(span, attributes)

    def _attempt_finished(self, event: AttemptFinished) -> None:
        call = self._calls.get(event.call_id)
        if call is None:
            return
        attributes = dict(call.attributes)
        if event.status_code is not None:
            attributes["http.response.status_code"] = event.status_code
        error_type = _error_type(event.status_code, event.error_type)
        if error_type is not None:
            attributes["error.type"] = error_type
        self._duration.record(event.duration, attributes)
        if event.status_code == 429:
            self._rate_limited.add(1, call.attributes)

    def _retry(self, event: RetryScheduled) -> None:
        call = self._calls.get(event.call_id)
        if call is None:
            return
        attributes: dict[str, str | int | float] = {
            "greenstat.retry.attempt": event.attempt,
            "greenstat.retry.cause": event.cause,
            "greenstat.retry.wait": event.wait,
        }
        if event.status_code is not None:
            attributes["http.response.status_code"] = event.status_code
        call.span.add_event("greenstat.retry", attributes)

    def _finish(self, event: CallFinished) -> None:
        with self._lock:
            call = self._calls.pop(event.call_id, None)
        if call is None:
            return
        span = call.span
        if event.status_code is not None:
            span.set_attribute("http.response.status_code", event.status_code)
        if event.retries:
            span.set_attribute("http.request.resend_count", event.retries)
        span.set_attribute("greenstat.rate_limit.wait", event.rate_limit_wait)
        span.set_attribute("greenstat.outcome", event.outcome)
        if event.outcome != "result":
            error_type = _error_type(event.status_code, event.error_type) or "_OTHER"
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR, event.error_message))
        if event.outcome == "outcome_unknown":
            self._unknown.add(1, call.attributes)
        span.end()


def _error_type(status_code: int | None, error_type: str | None) -> str | None:
    """The convention's ``error.type``: the status code of an error answer, else the failure's class name."""
    if status_code is not None and status_code >= 400:
        return str(status_code)
    return error_type
