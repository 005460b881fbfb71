from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._figures import record

from ._helpers import LEAK_CHECKS


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def _report_leak_checks() -> Iterator[None]:
    yield
    if LEAK_CHECKS[0]:
        record(
            "token redaction", f"{LEAK_CHECKS[0]} token-leak checks run (each one fails its test on a leak)"
        )
