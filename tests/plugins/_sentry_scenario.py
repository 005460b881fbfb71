"""A user's Sentry setup around greenstat calls; run in its own process by test_sentry_leak.py.

``sentry-sdk`` with its httpx integration, tracing on, local variables captured and PII allowed, a stack
attached to every message and every greenstat log record from WARNING up sent as an event (the most a user
can switch on), events captured by a transport that keeps the envelopes in memory (no network). Calls on
every path (success, 401, a retried 5xx, a 429, a refused connection), sync and async, each error sent with
``capture_exception``: once without plugins, once with a plugin that raises (greenstat logs it, from inside
the transport, whose frames hold the request as sent) and one that logs an error of its own on every event,
and once more with both plugins through the caller's own ``http_client`` (whose ``send`` Sentry patches).
Then, apart, the controls: a plain httpx request with the token in its URL, and an error logged from a frame
holding the token in a local (the same search must find both). Prints one JSON object: the serialised
envelopes of each part.

    python -m tests.plugins._sentry_scenario SERVER_URL REFUSED_URL
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any

import httpx
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.httpx import HttpxIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.transport import Transport

from greenstat_ext import AsyncGreenStat, GreenStat, GreenStatError
from greenstat_ext.plugins import Event, Plugin
from tests.client._helpers import ID_INSTANCE, ID_MESSAGE, TOKEN, fast_policy

ENVELOPES: list[Envelope] = []
#: Each part's serialised envelopes, kept out of any frame's locals (the events' stacks would carry them).
PARTS: dict[str, list[str]] = {}
PATHS = {"success": ID_MESSAGE, "401": "status-401", "retried-5xx": "status-503", "429": "status-429"}


class InMemory(Transport):
    def capture_envelope(self, envelope: Envelope) -> None:
        ENVELOPES.append(envelope)


class Raising(Plugin):
    def on_event(self, event: Event) -> None:
        raise RuntimeError(f"the plugin failed on {type(event).__name__}")


class LoggingErrors(Plugin):
    """A plugin that reports through logging, as users' code does: Sentry attaches the stack to each."""

    def on_event(self, event: Event) -> None:
        logging.getLogger("user.plugin").error("saw %s", type(event).__name__)


PLUGINS: list[Plugin] = []
#: Send through the caller's own httpx.Client/AsyncClient (``http_client=``), whose ``send`` Sentry patches.
OWN_CLIENT: list[bool] = [False]


def _client_settings(api_url: str) -> dict[str, Any]:
    return {
        "id_instance": ID_INSTANCE,
        "api_token": TOKEN,
        "api_url": api_url,
        "rate_limit": 0,
        "retry_policy": fast_policy(max_retries=2),
        "plugins": PLUGINS,
    }


def _calls(server: str, refused: str) -> None:
    for id_message in PATHS.values():
        _sync(server, id_message)
        asyncio.run(_async(server, id_message))
    _sync(refused, ID_MESSAGE)
    asyncio.run(_async(refused, ID_MESSAGE))


def _log_with_the_token_in_a_local() -> None:
    url = f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"
    logging.getLogger("user.control").error("a frame holding %d characters of URL", len(url))


def _sync(api_url: str, id_message: str) -> None:
    with httpx.Client() as own:
        http_client = own if OWN_CLIENT[0] else None
        with GreenStat(**_client_settings(api_url), http_client=http_client) as client:
            try:
                client.get_status_statistic(id_message)
            except GreenStatError as exc:
                sentry_sdk.capture_exception(exc)


async def _async(api_url: str, id_message: str) -> None:
    async with httpx.AsyncClient() as own:
        http_client = own if OWN_CLIENT[0] else None
        async with AsyncGreenStat(**_client_settings(api_url), http_client=http_client) as client:
            try:
                await client.get_status_statistic(id_message)
            except GreenStatError as exc:
                sentry_sdk.capture_exception(exc)


def _serialised() -> list[str]:
    texts = [envelope.serialize().decode("utf-8", errors="replace") for envelope in ENVELOPES]
    ENVELOPES.clear()
    return texts


def main(server: str, refused: str) -> None:
    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1",
        transport=InMemory,
        integrations=[HttpxIntegration(), LoggingIntegration(event_level=logging.WARNING)],
        traces_sample_rate=1.0,
        # sentry-sdk 3's names for include_local_variables and send_default_pii
        data_collection={"stack_frame_variables": True, "user_info": True},
        attach_stacktrace=True,
        max_breadcrumbs=200,
    )
    with sentry_sdk.start_span(name="greenstat calls"):
        _calls(server, refused)
        sentry_sdk.capture_message("after the calls: every breadcrumb so far")
    sentry_sdk.flush()
    PARTS["greenstat"] = _serialised()

    PLUGINS.extend([Raising(), LoggingErrors()])
    with sentry_sdk.start_span(name="greenstat calls with plugins"):
        _calls(server, refused)
    sentry_sdk.flush()
    PARTS["plugins"] = _serialised()

    OWN_CLIENT[0] = True
    with sentry_sdk.start_span(name="greenstat calls through the caller's own client"):
        _calls(server, refused)
    sentry_sdk.flush()
    PARTS["own_client"] = _serialised()

    with sentry_sdk.start_span(name="a plain httpx request"), httpx.Client() as client:
        client.get(f"{server}/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}?idMessage=x")
        sentry_sdk.capture_message("after the plain request")
    sentry_sdk.flush()
    PARTS["control"] = _serialised()
    _log_with_the_token_in_a_local()
    sentry_sdk.flush()
    PARTS["control_locals"] = _serialised()
    print(json.dumps(PARTS))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
