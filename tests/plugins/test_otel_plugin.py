"""The OpenTelemetry plugin: its span follows the HTTP client conventions, its metrics count what they say,
its span is a child of the caller's and its context reaches the server; greenstat never imports
OpenTelemetry unless this plugin is used. Real SDK, in-memory exporters (tests/plugins/_telemetry.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import HistogramDataPoint, NumberDataPoint
from opentelemetry.trace import SpanKind, StatusCode, format_span_id, format_trace_id

from greenstat_ext import AuthenticationError, OutcomeUnknownError, RateLimitError
from greenstat_ext.otel import OpenTelemetryPlugin
from tests.client._helpers import (
    BODY,
    ID_MESSAGE,
    TOKEN,
    FakeClock,
    Recorder,
    fast_policy,
    json_response,
    make_async,
    make_sync,
)
from tests.plugins._telemetry import Telemetry, telemetry

TEMPLATE = "/waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}"


def _plugin(pipeline: Telemetry) -> OpenTelemetryPlugin:
    return OpenTelemetryPlugin(
        tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
    )


def _points(pipeline: Telemetry, name: str) -> list[Any]:
    data = pipeline.metrics.get_metrics_data()
    assert data is not None
    return [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


def test_a_call_with_two_retries_is_one_client_span_with_the_conventions_attributes() -> None:
    clock = FakeClock()
    recorder = Recorder(json_response(503, {}), json_response(503, {}), json_response(200, BODY))
    with telemetry() as pipeline:
        with make_sync(recorder, policy=fast_policy(clock), plugins=[_plugin(pipeline)]) as client:
            client.get_status_statistic(ID_MESSAGE)
        (span,) = pipeline.finished()
        assert span.name == f"GET {TEMPLATE}"
        assert span.kind is SpanKind.CLIENT
        assert span.status.status_code is StatusCode.UNSET
        assert dict(span.attributes or {}) == {
            "http.request.method": "GET",
            "url.full": f"https://api.example.test/waInstance1101000001/getStatusStatistic/***?idMessage={ID_MESSAGE}",
            "url.template": TEMPLATE,
            "server.address": "api.example.test",
            "server.port": 443,
            "http.response.status_code": 200,
            "http.request.resend_count": 2,
            "greenstat.operation.id": "getStatusStatistic",
            "greenstat.operation.name": "get_status_statistic",
            "greenstat.operation.is_write": False,
            "greenstat.rate_limit.wait": 0.0,
            "greenstat.outcome": "result",
        }
        assert [event.name for event in span.events] == ["greenstat.retry", "greenstat.retry"]
        assert [dict(event.attributes or {}) for event in span.events] == [
            {
                "greenstat.retry.attempt": n,
                "greenstat.retry.cause": "HTTP 503",
                "greenstat.retry.wait": wait,
                "http.response.status_code": 503,
            }
            for n, wait in zip((1, 2), clock.sleeps, strict=True)
        ]
        durations = _points(pipeline, "http.client.request.duration")
        by_status = {point.attributes["http.response.status_code"]: point for point in durations}
        assert {status: point.count for status, point in by_status.items()} == {503: 2, 200: 1}
        assert all(isinstance(point, HistogramDataPoint) for point in durations)
        assert by_status[503].attributes["error.type"] == "503"
        assert "error.type" not in by_status[200].attributes
        waits = _points(pipeline, "greenstat.client.rate_limit.wait")
        assert sum(point.count for point in waits) == 3
        for point in [*durations, *waits]:
            assert not any(key.startswith("url.") for key in point.attributes)
        pipeline.assert_token_free(TOKEN, "the plugin's span and metrics")


def test_429s_errors_and_unknown_outcomes_are_counted_and_marked() -> None:
    with telemetry() as pipeline:
        plugin = _plugin(pipeline)
        recorder = Recorder(json_response(429, {}))
        with make_sync(recorder, plugins=[plugin], max_retries=1) as client, pytest.raises(RateLimitError):
            client.get_status_statistic(ID_MESSAGE)
        client = make_sync(Recorder(json_response(401, {})), plugins=[plugin])
        with client, pytest.raises(AuthenticationError):
            client.get_status_statistic(ID_MESSAGE)
        client = make_sync(Recorder(json_response(503, {})), plugins=[plugin])
        with client, pytest.raises(OutcomeUnknownError):
            client.send_text_status("Hello")
        rate_limited, unknown = (
            _points(pipeline, "greenstat.client.rate_limited"),
            _points(pipeline, "greenstat.client.outcome_unknown"),
        )
        assert [(p.value, p.attributes["greenstat.operation.id"]) for p in rate_limited] == [
            (2, "getStatusStatistic")
        ]
        assert [(p.value, p.attributes["greenstat.operation.id"]) for p in unknown] == [(1, "sendTextStatus")]
        assert all(isinstance(p, NumberDataPoint) for p in [*rate_limited, *unknown])
        assert len(pipeline.finished()) == 3
        for span in pipeline.finished():
            attributes = span.attributes or {}
            assert span.status.status_code is StatusCode.ERROR
            assert attributes["error.type"] == str(attributes["http.response.status_code"])
        post = next(s for s in pipeline.finished() if s.name.startswith("POST"))
        assert (post.attributes or {})["greenstat.outcome"] == "outcome_unknown"
        pipeline.assert_token_free(TOKEN, "error spans")


def test_the_span_is_a_child_of_the_callers_and_its_context_reaches_the_server() -> None:
    def check(pipeline: Telemetry, recorder: Recorder) -> None:
        parent, child = sorted(pipeline.finished(), key=lambda s: s.name != "caller")
        assert parent.name == "caller"
        assert child.parent is not None
        assert child.parent.span_id == parent.context.span_id
        assert child.context.trace_id == parent.context.trace_id
        (request,) = recorder.requests
        # W3C trace context: version-trace id-parent id (greenstat's span)-flags
        assert request.headers["traceparent"].startswith(
            f"00-{format_trace_id(child.context.trace_id)}-{format_span_id(child.context.span_id)}-"
        )

    with telemetry() as pipeline:
        tracer = pipeline.tracer_provider.get_tracer("app")
        recorder = Recorder(json_response(200, BODY))
        with (
            make_sync(recorder, plugins=[_plugin(pipeline)]) as client,
            tracer.start_as_current_span("caller"),
        ):
            client.get_status_statistic(ID_MESSAGE)
        check(pipeline, recorder)

    with telemetry() as pipeline:
        tracer = pipeline.tracer_provider.get_tracer("app")
        recorder = Recorder(json_response(200, BODY))

        async def main() -> None:
            async with make_async(recorder, plugins=[_plugin(pipeline)]) as client:
                with tracer.start_as_current_span("caller"):
                    await client.get_status_statistic(ID_MESSAGE)

        asyncio.run(main())
        check(pipeline, recorder)


def test_context_propagation_can_be_switched_off() -> None:
    with telemetry() as pipeline:
        recorder = Recorder(json_response(200, BODY))
        plugin = OpenTelemetryPlugin(tracer_provider=pipeline.tracer_provider, propagate_context=False)
        with make_sync(recorder, plugins=[plugin]) as client:
            client.get_status_statistic(ID_MESSAGE)
        assert "traceparent" not in recorder.requests[0].headers
        assert len(pipeline.finished()) == 1


def test_greenstat_imports_opentelemetry_only_for_the_plugin() -> None:
    program = (
        "import sys\n"
        "import greenstat_ext.plugins\n"
        "from greenstat_ext import GreenStat\n"
        "GreenStat(id_instance=1, api_token='abc123def456', rate_limit=0).close()\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'imported'\n"
        "import greenstat_ext.otel\n"
        "assert 'opentelemetry.trace' in sys.modules\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
