"""Helpers for exercising the generated client through httpx.MockTransport (no network)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

import httpx
import pytest
import yaml

from greenstat_client import Client

ID_INSTANCE = 1101000001
TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
BASE_URL = "https://7103.api.greenapi.com"

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **kwargs: Any) -> Client:
    return Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(handler)}, **kwargs)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The spec as bundled in the generated package (the copy users get from a wheel)."""
    text = files("greenstat_client").joinpath("openapi.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded
