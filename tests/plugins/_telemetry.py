"""Real OpenTelemetry SDK pipelines held in memory, and the token's forms to look for in what they export."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.client._helpers import assert_no_token


def token_forms(token: str) -> list[str]:
    """The token as written and percent-encoded (upper and lower case hex), as a URL may carry it."""
    encoded = "".join(f"%{byte:02X}" for byte in token.encode())
    return [token, encoded, encoded.lower()]


@dataclass
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def finished(self) -> tuple[ReadableSpan, ...]:
        return self.spans.get_finished_spans()

    def exported(self) -> str:
        """Everything exported, as an exporter would serialise it: spans (attributes, events, links,
        resource) and metrics (every data point's attributes)."""
        parts = [span.to_json() for span in self.finished()]
        data = self.metrics.get_metrics_data()
        if data is not None:
            parts.append(data.to_json())
        return "\n".join(parts)

    def assert_token_free(self, token: str, where: str) -> None:
        exported = self.exported()
        for form in token_forms(token):
            assert_no_token(form, exported, where)


@contextmanager
def telemetry() -> Iterator[Telemetry]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    metrics = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[metrics])
    try:
        yield Telemetry(spans, metrics, tracer_provider, meter_provider)
    finally:
        tracer_provider.shutdown()
        meter_provider.shutdown()


@contextmanager
def httpx_instrumented(pipeline: Telemetry) -> Iterator[None]:
    """``HTTPXClientInstrumentor().instrument()``, as ``opentelemetry-instrument`` does, into ``pipeline``."""
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider)
    try:
        yield
    finally:
        instrumentor.uninstrument()
