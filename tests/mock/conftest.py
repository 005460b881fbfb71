from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from greenstat_ext.contract._probes import base_body
from greenstat_ext.contract._spec import load_operations
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockSettings, create_app

PATH = f"/waInstance{DEMO_ID_INSTANCE}/getStatusStatistic/{DEMO_TOKEN}"

HANG_GUARD = 120.0
"""Seconds a test's HTTP client waits for an answer: a guard against a hang, never a speed requirement.

Why so long: a first journal read draws the 100,000-recipient demo schedule (~0.3-0.9 s of CPU idle, once per
process since it is memoised); on a machine at load 17 that took more than the 10 s these clients allowed, and
tests failed on a timeout that said nothing about the mock."""


def op_path(operation_id: str, token: str = DEMO_TOKEN, instance: object = DEMO_ID_INSTANCE) -> str:
    """The path of ``operation_id`` for the demo instance (or the given token and instance)."""
    return f"/waInstance{instance}/{operation_id}/{token}"


def example_body(operation_id: str) -> dict[str, Any]:
    """A valid request body of a write: the one the contract kit sends (``contract._probes.base_body``: the
    spec's first request example, else each required field at a valid value), read from the spec."""
    body = base_body(_KIT_OPERATIONS[operation_id], {})
    if body is None:
        raise AssertionError(f"{operation_id} has no request body")
    return body


_KIT_OPERATIONS: Final = {op.name: op for op in load_operations()}


class FakeClock:
    """A UNIX clock that only moves when the test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class TestClient:
    """Synchronous requests to the app in-process, through httpx's own ASGI transport."""

    __test__ = False

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def __enter__(self) -> TestClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


@pytest.fixture
def client(clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(create_app(MockSettings(rate_limit=0, clock=clock))) as test_client:
        yield test_client
