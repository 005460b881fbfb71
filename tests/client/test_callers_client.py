"""Through a caller's own ``http_client``: its ``send`` (what Sentry, ddtrace and the like patch) is given the
URL with the token placeholder, the token goes in below it, and the client's own auth still runs after that.
tests/plugins/test_sentry_leak.py checks the same with the real sentry-sdk."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from greenstat_ext import AsyncGreenStat, GreenStat
from tests.client._helpers import API_URL, BODY, ID_INSTANCE, ID_MESSAGE, TOKEN, Recorder, json_response

SENT_PATH = f"/waInstance{ID_INSTANCE}/getStatusStatistic/{TOKEN}"
SHOWN_URL = f"{API_URL}/waInstance{ID_INSTANCE}/getStatusStatistic/_token_?idMessage={ID_MESSAGE}"


class SeenBySend:
    """What a wrapper of ``send`` (an integration's patch) is given."""

    def __init__(self) -> None:
        self.urls: list[str] = []


class WatchedClient(httpx.Client):
    def __init__(self, seen: SeenBySend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = seen

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        self.seen.urls.append(str(request.url))
        return super().send(request, **kwargs)


class WatchedAsyncClient(httpx.AsyncClient):
    def __init__(self, seen: SeenBySend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = seen

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        self.seen.urls.append(str(request.url))
        return await super().send(request, **kwargs)


class Challenge(httpx.Auth):
    """A two-step auth (Digest's shape): first without credentials, then again after a 401."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = "Answer 42"
            yield request


def _answers() -> Recorder:
    """401 to a request without the answer to the challenge, the statuses to one with it."""

    class Gate(Recorder):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.headers.get("Authorization") not in ("Answer 42", "Basic dTpw"):
                self.requests.append(request)
                return httpx.Response(401, json={"challenge": "yes"})
            return super().__call__(request)

    return Gate(json_response(200, BODY))


@pytest.mark.parametrize("auth", [("u", "p"), Challenge()], ids=["basic", "two-step"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_send_sees_the_placeholder_the_server_gets_the_token_and_the_clients_auth_runs(
    kind: str, auth: Any
) -> None:
    seen, recorder = SeenBySend(), _answers()
    settings: dict[str, Any] = {
        "id_instance": ID_INSTANCE,
        "api_token": TOKEN,
        "api_url": API_URL,
        "rate_limit": 0,
    }
    if kind == "sync":
        http_client = WatchedClient(seen, transport=httpx.MockTransport(recorder), auth=auth)
        with http_client, GreenStat(http_client=http_client, **settings) as client:
            assert len(client.get_status_statistic(ID_MESSAGE)) == len(BODY)
    else:

        async def main() -> None:
            http_client = WatchedAsyncClient(seen, transport=httpx.MockTransport(recorder), auth=auth)
            async with http_client, AsyncGreenStat(http_client=http_client, **settings) as client:
                assert len(await client.get_status_statistic(ID_MESSAGE)) == len(BODY)

        asyncio.run(main())
    assert seen.urls == [SHOWN_URL]
    assert all(TOKEN not in url for url in seen.urls)
    assert {request.url.path for request in recorder.requests} == {SENT_PATH}
    steps = 2 if isinstance(auth, Challenge) else 1
    assert len(recorder.requests) == steps


def test_the_callers_hooks_still_run() -> None:
    hooked: list[int] = []
    recorder = Recorder(json_response(200, BODY))

    def on_response(response: httpx.Response) -> None:
        hooked.append(response.status_code)

    http_client = httpx.Client(
        transport=httpx.MockTransport(recorder), event_hooks={"response": [on_response]}
    )
    with (
        http_client,
        GreenStat(
            id_instance=ID_INSTANCE, api_token=TOKEN, api_url=API_URL, rate_limit=0, http_client=http_client
        ) as client,
    ):
        client.get_status_statistic(ID_MESSAGE)
    assert hooked == [200]
    assert recorder.requests[0].url.path == SENT_PATH
