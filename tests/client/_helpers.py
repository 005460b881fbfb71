"""Shared test helpers: a fake clock, canned bodies, clients wired to ``httpx.MockTransport``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from greenstat_ext import AsyncGreenStat, GreenStat, RateLimiter, RetryPolicy

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
ID_INSTANCE = 1101000001
API_URL = "https://api.example.test"
ID_MESSAGE = "BAE5F4886F6F2D05"
BODY: list[dict[str, Any]] = [
    {"participant": "79001234567@c.us", "timestamp": 1700000000, "status": "pending"},
    {"participant": "79001234568@c.us", "timestamp": 1700000005, "status": "sent"},
    {"participant": "79001234569@c.us", "timestamp": 1700000010, "status": "delivered"},
    {"participant": "79001234570@c.us", "timestamp": 1700000042, "status": "read"},
]

Handler = Callable[[httpx.Request], httpx.Response]

#: How many "token absent from X" assertions ran in this session (printed in the terminal summary).
LEAK_CHECKS = [0]


def assert_no_token(token: str, text: object, where: str) -> None:
    """One counted leak check."""
    LEAK_CHECKS[0] += 1
    assert token not in str(text), f"token leaked in {where}"


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def fast_policy(clock: FakeClock | None = None, **changes: Any) -> RetryPolicy:
    """A policy that never really sleeps: waits land on ``clock`` (or a throwaway one)."""
    clock = clock or FakeClock()
    policy = RetryPolicy(sleep=clock.sleep, async_sleep=clock.async_sleep, clock=clock.clock)
    return policy.replace(**changes) if changes else policy


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    # The Content-Type a JSON API sends: a 200 without it is refused (ResponseValidationError).
    headers = {"Content-Type": "application/json", **(headers or {})}
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


def make_sync(
    handler: Handler,
    *,
    token: str = TOKEN,
    policy: RetryPolicy | None = None,
    rate_limit: float | RateLimiter = 0,
    **kwargs: Any,
) -> GreenStat:
    return GreenStat(
        id_instance=ID_INSTANCE,
        api_token=token,
        api_url=API_URL,
        retry_policy=policy or fast_policy(),
        rate_limit=rate_limit,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **kwargs,
    )


def make_async(
    handler: Handler,
    *,
    token: str = TOKEN,
    policy: RetryPolicy | None = None,
    rate_limit: float | RateLimiter = 0,
    **kwargs: Any,
) -> AsyncGreenStat:
    return AsyncGreenStat(
        id_instance=ID_INSTANCE,
        api_token=token,
        api_url=API_URL,
        retry_policy=policy or fast_policy(),
        rate_limit=rate_limit,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **kwargs,
    )


class Recorder:
    """A MockTransport handler that answers from a script and records what it was sent."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            if isinstance(item, httpx.RequestError):
                item = type(item)(str(item), request=request)
            raise item
        # A fresh response each time: a transport's response is closed once used. A scripted body without a
        # Content-Type is sent as JSON, as every JSON API does (a 200 without one is refused by the client).
        headers = httpx.Headers(item.headers)
        headers.setdefault("Content-Type", "application/json")
        return httpx.Response(item.status_code, headers=headers, content=item.content)
