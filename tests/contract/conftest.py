from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._servers import serve
from tests.contract.broken_servers import app_for, reference


@pytest.fixture(scope="module")
def reference_url() -> Iterator[str]:
    """The correct minimal implementation, shared by a module's tests (it keeps no state)."""
    with serve(app_for(reference)) as url:
        yield url
