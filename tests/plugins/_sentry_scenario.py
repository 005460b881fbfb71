"""A user's Sentry setup around greenstat calls; run in its own process by test_sentry_leak.py.

``sentry-sdk`` with its httpx integration, tracing on, local variables captured and PII allowed (the most a
user can switch on), events captured by a transport that keeps the envelopes in memory (no network). Calls
on every path (success, 401, a retried 5xx, a 429, a refused connection), sync and async, each error sent
with ``capture_exception``; then, apart, a plain httpx request with the token in its URL (the control: the
same search must find it). Prints one JSON object: the serialised envelopes of each part and what they hold.

    python -m tests.plugins._sentry_scenario SERVER_URL REFUSED_URL
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import httpx
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.httpx import HttpxIntegration
from sentry_sdk.transport import Transport

from greenstat_ext import AsyncGreenStat, GreenStat, GreenStatError
from tests.client._helpers import ID_INSTANCE, ID_MESSAGE, TOKEN, fast_policy

ENVELOPES: list[Envelope] = []
PATHS = {"success": ID_MESSAGE, "401": "status-401", "retried-5xx": "status-503", "429": "status-429"}


class InMemory(Transport):
    def capture_envelope(self, envelope: Envelope) -> None:
        ENVELOPES.append(envelope)


def _client_settings(api_url: str) -> dict[str, Any]:
    return {
        "id_instance": ID_INSTANCE,
        "api_token": TOKEN,
        "api_url": api_url,
        "rate_limit": 0,
        "retry_policy": fast_policy(max_retries=2),
    }


def _sync(api_url: str, id_message: str) -> None:
    with GreenStat(**_client_settings(api_url)) as client:
        try:
            client.get_status_statistic(id_message)
        except GreenStatError as exc:
            sentry_sdk.capture_exception(exc)


async def _async(api_url: str, id_message: str) -> None:
    async with AsyncGreenStat(**_client_settings(api_url)) as client:
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
        integrations=[HttpxIntegration()],
        traces_sample_rate=1.0,
        # sentry-sdk 3's names for include_local_variables and send_default_pii
        data_collection={"stack_frame_variables": True, "user_info": True},
        max_breadcrumbs=200,
    )
    with sentry_sdk.start_span(name="greenstat calls"):
        for id_message in PATHS.values():
            _sync(server, id_message)
            asyncio.run(_async(server, id_message))
        _sync(refused, ID_MESSAGE)
        asyncio.run(_async(refused, ID_MESSAGE))
        sentry_sdk.capture_message("after the calls: every breadcrumb so far")
    sentry_sdk.flush()
    greenstat = _serialised()

    with sentry_sdk.start_span(name="a plain httpx request"), httpx.Client() as client:
        client.get(f"{server}/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}?idMessage=x")
        sentry_sdk.capture_message("after the plain request")
    sentry_sdk.flush()
    control = _serialised()
    print(json.dumps({"greenstat": greenstat, "control": control}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
