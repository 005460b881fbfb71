"""The monitor's tests: the reference mock under uvicorn on loopback with a clock the test moves, demo
statuses blanked out (each test posts its own, whose schedules are the ground truth)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from greenstat_ext import AsyncGreenStat, GreenStat
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, MockServer, MockSettings


class FakeClock:
    """A UNIX clock that only moves when the test says so (whole seconds: the mock answers per second)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def quiet_settings(clock: object) -> MockSettings:
    """A mock that lists only what the test posts: every demo status is replaced by an empty one."""
    return MockSettings(rate_limit=0, clock=clock, data={id_message: [] for id_message in DEMO_MESSAGES})  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mock(clock: FakeClock) -> Iterator[MockServer]:
    with MockServer(quiet_settings(clock), log_level="warning") as server:
        yield server


def sync_client(server: MockServer) -> GreenStat:
    return GreenStat(
        id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url, rate_limit=0
    )


def async_client(server: MockServer) -> AsyncGreenStat:
    return AsyncGreenStat(
        id_instance=DEMO_ID_INSTANCE, api_token=DEMO_TOKEN, api_url=server.base_url, rate_limit=0
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
