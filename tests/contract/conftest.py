from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from greenstat_ext.contract import _core
from tests._servers import serve
from tests.contract.broken_servers import app_for, reference


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    """The correct minimal implementation, shared by a module's tests (it keeps no state)."""
    with serve(app_for(reference)) as url:
        yield url


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The kit's waits before re-sending a request answered 429: recorded here instead of slept.

    Why: a server answering 429 to every request that should succeed makes the kit re-send each probe twice,
    waiting 1 s (no Retry-After) before each re-send; over the spec's three operations that was ~14 s of
    sleeping per run, which is not what the tests using this fixture are about. The requests, the attempts
    and the verdict are unchanged, and the waits can be asserted.
    """
    waits: list[float] = []
    monkeypatch.setattr(
        _core, "time", SimpleNamespace(sleep=waits.append, monotonic=time.monotonic, time=time.time)
    )
    return waits
