"""Retry notices stay off the terminal unless ``-v``: a failing command prints its one line, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, FaultSettings, MockServer, MockSettings

# Retry-After 0 keeps the retry instant; every answer is an injected 502.
FAULTS = FaultSettings(rate=1.0, seed=1, kinds=("502",), retry_after=0)


@pytest.fixture(scope="module")
def failing() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0, faults=FAULTS)) as server:
        yield server


def _greenstat(server: MockServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GREEN_API_URL": server.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", "from greenstat_ext.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_v_an_error_is_one_line(failing: MockServer) -> None:
    result = _greenstat(failing, "stats", "BAE5F4886F6F2D05", "--max-retries", "1")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("greenstat stats: error: HTTP 502")


def test_with_v_the_retries_are_logged_redacted(failing: MockServer) -> None:
    result = _greenstat(failing, "-v", "stats", "BAE5F4886F6F2D05", "--max-retries", "1")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("greenstat: WARNING greenstat.retry:") for line in lines), result.stderr
    assert lines[-1].startswith("greenstat stats: error: HTTP 502")
    assert DEMO_TOKEN not in result.stderr
