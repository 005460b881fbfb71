"""No token in anyone's OpenTelemetry, even with the httpx auto-instrumentation on and without our plugin.

The user's world: ``opentelemetry-sdk`` with in-memory exporters and ``opentelemetry-instrumentation-httpx``'s
``HTTPXClientInstrumentor().instrument()`` (what zero-code ``opentelemetry-instrument`` does), instrumented
before or after the client is made; a real server on loopback; sync and async; a success, a 401, a 5xx
retried until the retries run out, a 429 retried the same way, and a refused connection. Every exported span,
span event and metric data point is searched for the token, as written and percent-encoded.
:func:`test_the_check_sees_a_leak` shows the same pipeline catching the token of a plain httpx request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, suppress

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.trace import SpanKind

from greenstat_ext import AsyncGreenStat, GreenStat, GreenStatError
from greenstat_ext.otel import OpenTelemetryPlugin
from tests._servers import free_port, serve
from tests.client._helpers import ID_INSTANCE, ID_MESSAGE, TOKEN, fast_policy
from tests.client._server import app
from tests.plugins._telemetry import Telemetry, httpx_instrumented, telemetry, token_forms

#: idMessage -> what the test server answers (tests/client/_server.py); "refused": nothing listens.
PATHS = {
    "success": ID_MESSAGE,
    "401": "status-401",
    "retried-5xx": "status-503",
    "429": "status-429",
    "refused": ID_MESSAGE,
    "redirect": "redirect",
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(app) as base_url:
        yield base_url


def _url(server: str, path: str) -> str:
    return f"http://127.0.0.1:{free_port()}" if path == "refused" else server


def _made_then_called(
    kind: str,
    api_url: str,
    id_message: str,
    plugins: list[OpenTelemetryPlugin],
    instrument: ExitStack,
    pipeline: Telemetry,
    order: str,
) -> None:
    """Make the client, call it; the instrumentation goes on before the client is made or after."""
    if order == "before":
        instrument.enter_context(httpx_instrumented(pipeline))
    if kind == "sync":
        client = GreenStat(
            id_instance=ID_INSTANCE,
            api_token=TOKEN,
            api_url=api_url,
            rate_limit=0,
            retry_policy=fast_policy(max_retries=2),
            plugins=plugins,
        )
        if order == "after":
            instrument.enter_context(httpx_instrumented(pipeline))
        with client, suppress(GreenStatError):
            client.get_status_statistic(id_message)
        return

    async def main() -> None:
        client = AsyncGreenStat(
            id_instance=ID_INSTANCE,
            api_token=TOKEN,
            api_url=api_url,
            rate_limit=0,
            retry_policy=fast_policy(max_retries=2),
            plugins=plugins,
        )
        if order == "after":
            instrument.enter_context(httpx_instrumented(pipeline))
        async with client:
            with suppress(GreenStatError):
                await client.get_status_statistic(id_message)

    asyncio.run(main())


@pytest.mark.parametrize("with_plugin", [False, True], ids=["no-plugin", "otel-plugin"])
@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("path", list(PATHS))
def test_no_token_in_any_exported_span_event_or_metric(
    server: str, path: str, kind: str, order: str, with_plugin: bool
) -> None:
    with telemetry() as pipeline, ExitStack() as instrument:
        plugins = (
            [
                OpenTelemetryPlugin(
                    tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
                )
            ]
            if with_plugin
            else []
        )
        _made_then_called(kind, _url(server, path), PATHS[path], plugins, instrument, pipeline, order)
        spans = pipeline.finished()
        pipeline.assert_token_free(TOKEN, f"{kind} {path}, instrumented {order}")
    if not with_plugin:
        # The wire request's span is suppressed (it has the token): nothing stands in without the plugin.
        assert spans == ()
        return
    # Ours stands in for it: exactly one CLIENT span for the call, its URL masked.
    (span,) = spans
    assert span.kind is SpanKind.CLIENT
    assert span.attributes is not None
    assert str(span.attributes["url.full"]).endswith("/getStatusStatistic/***?idMessage=" + PATHS[path])
    # A connection refused by a loopback address fails at once (nothing listens; no retry makes it appear).
    resends = {"retried-5xx": 2, "429": 2}.get(path)
    if path == "redirect":  # not followed by greenstat's own client: the 307 is the answer
        assert span.attributes["http.response.status_code"] == 307
    assert span.attributes.get("http.request.resend_count") == resends
    assert len(span.events) == (resends or 0)


def test_a_client_instrumented_on_its_own_is_suppressed_too(server: str) -> None:
    """``HTTPXClientInstrumentor.instrument_client(http_client)`` on the caller's own client."""
    with telemetry() as pipeline:
        http_client = httpx.Client()
        HTTPXClientInstrumentor.instrument_client(
            http_client, tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
        )
        with http_client:
            client = GreenStat(
                id_instance=ID_INSTANCE,
                api_token=TOKEN,
                api_url=server,
                rate_limit=0,
                http_client=http_client,
            )
            client.get_status_statistic(ID_MESSAGE)
            assert pipeline.finished() == ()
            # The same client, used directly, is traced: the suppression is greenstat's calls only.
            http_client.get(f"{server}/waInstance{ID_INSTANCE}/getStatusStatistic/other?idMessage=x")
            assert len(pipeline.finished()) == 1
        pipeline.assert_token_free(TOKEN, "instrument_client")


@pytest.mark.parametrize("with_plugin", [False, True], ids=["no-plugin", "otel-plugin"])
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("path", ["success", "401", "redirect"])
def test_the_callers_own_http_client_under_the_global_instrumentation(
    server: str, path: str, kind: str, with_plugin: bool
) -> None:
    """``http_client=`` a caller's own ``httpx.Client``/``AsyncClient`` (made after
    ``HTTPXClientInstrumentor().instrument()``, set to follow redirects, which greenstat never does): its wire
    requests are suppressed like greenstat's own; its requests of its own are still traced."""
    id_message = PATHS[path]
    own_url = f"{server}/waInstance{ID_INSTANCE}/getStatusStatistic/other?idMessage=x"
    with telemetry() as pipeline, httpx_instrumented(pipeline):
        plugins = (
            [
                OpenTelemetryPlugin(
                    tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider
                )
            ]
            if with_plugin
            else []
        )
        settings = {
            "id_instance": ID_INSTANCE,
            "api_token": TOKEN,
            "api_url": server,
            "rate_limit": 0,
            "retry_policy": fast_policy(max_retries=2),
            "plugins": plugins,
        }
        if kind == "sync":
            with httpx.Client(follow_redirects=True) as http_client:
                with GreenStat(http_client=http_client, **settings) as client, suppress(GreenStatError):  # type: ignore[arg-type]
                    client.get_status_statistic(id_message)
                http_client.get(own_url)
        else:

            async def main() -> None:
                async with httpx.AsyncClient(follow_redirects=True) as http_client:
                    async with AsyncGreenStat(http_client=http_client, **settings) as client:  # type: ignore[arg-type]
                        with suppress(GreenStatError):
                            await client.get_status_statistic(id_message)
                    await http_client.get(own_url)

            asyncio.run(main())
        spans = pipeline.finished()
        pipeline.assert_token_free(TOKEN, f"{kind} {path} through the caller's http_client")
    ours = [
        span
        for span in spans
        if span.instrumentation_scope is not None and span.instrumentation_scope.name == "greenstat"
    ]
    theirs = [span for span in spans if span not in ours]
    assert len(ours) == (1 if with_plugin else 0)
    # Only the caller's own request is traced by the instrumentation (with its URL: the control).
    assert len(theirs) == 1
    assert "/getStatusStatistic/other" in str(theirs[0].attributes)
    if with_plugin and path == "redirect":  # never followed, whatever the caller's client says: the 307
        assert ours[0].attributes is not None
        assert ours[0].attributes["http.response.status_code"] == 307


def test_the_check_sees_a_leak(server: str) -> None:
    """The same pipeline and search catch the token of a plain httpx request (sync and async): the check
    above can fail, and the instrumentation does record URLs."""
    url = f"{server}/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}?idMessage=x"

    async def plain_async() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(url)

    with telemetry() as pipeline, httpx_instrumented(pipeline):
        with httpx.Client() as client:
            client.get(url)
        asyncio.run(plain_async())
        assert len(pipeline.finished()) == 2
        exported = pipeline.exported()
        assert all(form in exported for form in token_forms(TOKEN)[:1])
        with pytest.raises(AssertionError, match="token leaked"):
            pipeline.assert_token_free(TOKEN, "a plain httpx request")
