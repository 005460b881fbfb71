"""The runnable examples of docs/plugins.md run, as written, against the reference mock (README's run in
tests/test_readme.py)."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
BLOCKS = [
    block
    for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    if "with GreenStat(" in block
]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


def test_the_doc_has_runnable_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_plugins_doc_example_runs(source: str, mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREEN_API_URL", mock.base_url)
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(DEMO_ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", DEMO_TOKEN)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "docs/plugins.md", "exec"), {"__name__": "__doc__"})  # noqa: S102
    assert DEMO_TOKEN not in out.getvalue()
