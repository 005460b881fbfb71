"""The in-process client paths the benchmark compares. Each is built once and then fetches one ``idMessage``
per call, returning the decoded result (the benchmark checks its length, so no path can skip work).

Imports are inside the builders so that a memory subprocess loads only the path it measures.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sized
from typing import Any

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN

Fetch = Callable[[str], Sized]
PATH_LABELS = {
    "floor": "`httpx` + `json.loads`, untyped (the floor)",
    "floor_async": "`httpx.AsyncClient` + `json.loads`, untyped",
    "greenstat_sync": "greenstat `GreenStat` (typed, validated)",
    "greenstat_async": "greenstat `AsyncGreenStat` (typed, validated)",
    "raw_generated": "openapi-python-client output, untemplated",
    "official": "official SDK `whatsapp-api-client-python` 0.0.55, untyped",
}
IN_PROCESS = ("floor", "floor_async", "greenstat_sync", "greenstat_async", "raw_generated")
RAW_PACKAGE = "raw_greenstat_client"
_PATH = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"


def build(name: str, base_url: str, raw_dir: str | None = None) -> tuple[Fetch, Callable[[], None]]:
    """``(fetch, close)`` for the path ``name``."""
    return _BUILDERS[name](base_url, raw_dir)


def _floor(base_url: str, _raw_dir: str | None) -> tuple[Fetch, Callable[[], None]]:
    import json

    import httpx

    client = httpx.Client(base_url=base_url, timeout=30.0)

    def fetch(id_message: str) -> Sized:
        response = client.get(_PATH, params={"idMessage": id_message})
        response.raise_for_status()
        result: list[Any] = json.loads(response.content)
        return result

    return fetch, client.close


def _greenstat_sync(base_url: str, _raw_dir: str | None) -> tuple[Fetch, Callable[[], None]]:
    from greenstat_ext import GreenStat

    client = GreenStat(id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=base_url, rate_limit=0)
    return client.get_status_statistic, client.close


def _greenstat_async(base_url: str, _raw_dir: str | None) -> tuple[Fetch, Callable[[], None]]:
    import asyncio

    from greenstat_ext import AsyncGreenStat

    # One loop for every call, entered with run_until_complete: asyncio.Runner.run would add a SIGINT
    # handler round trip per call, which is the harness's cost, not the client's.
    loop = asyncio.new_event_loop()
    client = AsyncGreenStat(
        id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=base_url, rate_limit=0
    )

    def fetch(id_message: str) -> Sized:
        return loop.run_until_complete(client.get_status_statistic(id_message))

    def close() -> None:
        loop.run_until_complete(client.close())
        loop.close()

    return fetch, close


def _floor_async(base_url: str, _raw_dir: str | None) -> tuple[Fetch, Callable[[], None]]:
    import asyncio
    import json

    import httpx

    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0)

    async def get(id_message: str) -> list[Any]:
        response = await client.get(_PATH, params={"idMessage": id_message})
        response.raise_for_status()
        result: list[Any] = json.loads(response.content)
        return result

    def fetch(id_message: str) -> Sized:
        return loop.run_until_complete(get(id_message))

    def close() -> None:
        loop.run_until_complete(client.aclose())
        loop.close()

    return fetch, close


def _raw_generated(base_url: str, raw_dir: str | None) -> tuple[Fetch, Callable[[], None]]:
    import importlib

    if raw_dir is None:
        raise ValueError("raw_generated needs the folder the untemplated client was generated into")
    sys.path.insert(0, raw_dir)
    package = importlib.import_module(RAW_PACKAGE)
    endpoint = importlib.import_module(f"{RAW_PACKAGE}.api.statuses.get_status_statistic")
    client = package.Client(base_url=base_url)

    def fetch(id_message: str) -> Sized:
        response = endpoint.sync_detailed(DEMO_ID_INSTANCE, DEMO_TOKEN, client=client, id_message=id_message)
        if response.status_code != 200:
            raise RuntimeError(f"raw client: HTTP {response.status_code}")
        parsed: list[Any] = response.parsed
        return parsed

    return fetch, client.get_httpx_client().close


_BUILDERS: dict[str, Callable[[str, str | None], tuple[Fetch, Callable[[], None]]]] = {
    "floor": _floor,
    "floor_async": _floor_async,
    "greenstat_sync": _greenstat_sync,
    "greenstat_async": _greenstat_async,
    "raw_generated": _raw_generated,
}
