"""No token in what Sentry's httpx integration records: breadcrumbs, spans, error events with local variables,
and the stacks (with every frame's locals) Sentry attaches to errors logged by greenstat or by a plugin
while a call runs.

The scenario (tests/plugins/_sentry_scenario.py) runs in its own process, because ``sentry_sdk.init`` patches
httpx and sets process-wide state for good; it talks to a real server on loopback only, and its envelopes
stay in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._servers import free_port, serve
from tests.client._helpers import TOKEN, assert_no_token
from tests.client._server import app
from tests.plugins._telemetry import token_forms

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(app) as base_url:
        yield base_url


def test_no_token_in_sentry_breadcrumbs_spans_or_events(server: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.plugins._sentry_scenario", server, f"http://127.0.0.1:{free_port()}"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    greenstat = "\n".join(found["greenstat"])
    # What was recorded is what the check needs to see: httpx breadcrumbs and spans for greenstat's calls,
    # error events with the frames' local variables.
    assert greenstat.count('"category":"httplib"') >= 10
    assert "/getStatusStatistic/" in greenstat
    assert '"vars"' in greenstat
    assert '"AuthenticationError"' in greenstat
    for form in token_forms(TOKEN):
        assert_no_token(form, greenstat, "Sentry envelopes of greenstat calls")
    # With a raising plugin and one that logs errors: events logged from inside the call (the transport's
    # frames hold the request as sent), each with the stack and its frames' local variables.
    plugins = "\n".join(found["plugins"])
    assert "plugin Raising raised in on_event" in plugins
    assert plugins.count("saw AttemptStarted") >= 10
    assert '"handle_request"' in plugins
    assert '"handle_async_request"' in plugins
    assert '"wire"' in plugins
    assert "WireRequest" in plugins
    for form in token_forms(TOKEN):
        assert_no_token(form, plugins, "Sentry events logged by plugins during greenstat calls")
    # Through the caller's own httpx client, whose send Sentry records as it records greenstat's own.
    own_client = "\n".join(found["own_client"])
    assert own_client.count('"category":"httplib"') >= 10
    assert "/getStatusStatistic/_token_" in own_client  # the placeholder, as for greenstat's own client
    for form in token_forms(TOKEN):
        assert_no_token(form, own_client, "Sentry envelopes of calls through the caller's http_client")
    # The controls: a plain httpx request with the token in its URL is recorded with it, and so is a token
    # held in a local of a frame whose error is logged.
    assert TOKEN in "\n".join(found["control"])
    assert TOKEN in "\n".join(found["control_locals"])
