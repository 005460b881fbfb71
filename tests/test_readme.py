"""Every Python example in README.md runs, as written, against the reference mock.

Why: a README whose examples rot is worse than none. The only edits are the placeholders a reader fills in
(their URL and token), which are pointed at a mock started here; the environment variables the examples
read are set to the mock's demo instance.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(
    source: str, mock: MockServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GREEN_API_URL", mock.base_url)
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(DEMO_ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", DEMO_TOKEN)
    monkeypatch.chdir(tmp_path)  # examples that write files (contract.xml) write them here
    code = (
        source.replace("http://127.0.0.1:8080", mock.base_url)
        .replace("https://api.green-api.com", mock.base_url)
        .replace("<apiTokenInstance>", DEMO_TOKEN)
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md[{BLOCKS.index(source)}]", "exec"), {"__name__": "__readme__"})  # noqa: S102
    assert DEMO_TOKEN not in out.getvalue()


def test_the_quickstart_example_prints_the_statistics(
    mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREEN_API_URL", mock.base_url)
    monkeypatch.setenv("GREEN_API_ID_INSTANCE", str(DEMO_ID_INSTANCE))
    monkeypatch.setenv("GREEN_API_TOKEN", DEMO_TOKEN)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[0], "README.md[0]", "exec"), {"__name__": "__readme__"})  # noqa: S102
    assert "12 recipient(s): pending " in out.getvalue()  # StatusSummary's readable str
