"""Every Python example in README.md and in the documentation site's pages (docs/**/*.md) runs, as written,
against the reference mock: an example moved from the README to a page is still run, and so is one a new
page brings.

Why: a README whose examples rot is worse than none. The only edits are the placeholders a reader fills in
(their URL and token), which are pointed at a mock started here; the environment variables the examples
read are set to the mock's demo instance.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests.ratelimit_store._redis import RedisServer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: The README first (its first block is the quickstart), then every page of the site, in path order.
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _examples() -> list[tuple[str, str]]:
    """Every ```python block, named by where it lives: ``README.md[0]``, ``docs/client.md[3]``."""
    found: list[tuple[str, str]] = []
    for page in PAGES:
        blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
        found += [(f"{page.relative_to(ROOT)}[{index}]", block) for index, block in enumerate(blocks)]
    return found


EXAMPLES = _examples()
BLOCKS = [block for _, block in EXAMPLES]
BLOCK_IDS = [name for name, _ in EXAMPLES]


#: The Redis an example names; a redis-server is started for the examples that name it (and only then).
README_REDIS = "redis://localhost:6379/0"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(MockSettings(rate_limit=0)) as server:
        yield server


@pytest.fixture(scope="module")
def readme_redis() -> Iterator[str]:
    with RedisServer() as server:
        yield server.url


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("source", BLOCKS, ids=BLOCK_IDS)
def test_readme_example_runs(
    source: str,
    mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
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
    if README_REDIS in code:
        code = code.replace(README_REDIS, request.getfixturevalue("readme_redis"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, BLOCK_IDS[BLOCKS.index(source)], "exec"), {"__name__": "__readme__"})  # noqa: S102
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


#: The README's client examples (python blocks that make a client, and `python -c` one-liners in shell
#: blocks), each run in its own interpreter under `-X dev`, where an unclosed client's sockets warn.
_ONE_LINERS = [
    line
    for page in PAGES
    for line in re.findall(r"python -X dev -c '(.*?)'", page.read_text(encoding="utf-8"), flags=re.S)
]
_CLIENT_BLOCKS = [block for block in BLOCKS if "GreenStat()" in block and "asyncio" not in block]


def test_the_readme_has_client_examples_to_run_under_dev_mode() -> None:
    assert _ONE_LINERS
    assert len(_CLIENT_BLOCKS) >= 3


@pytest.mark.parametrize("source", [*_ONE_LINERS, *_CLIENT_BLOCKS])
def test_client_examples_close_their_client(source: str, mock: MockServer) -> None:
    env = {
        **os.environ,
        "GREEN_API_URL": mock.base_url,
        "GREEN_API_ID_INSTANCE": str(DEMO_ID_INSTANCE),
        "GREEN_API_TOKEN": DEMO_TOKEN,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and README
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", source],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "ResourceWarning" not in result.stderr
    assert result.returncode == 0, result.stderr[-2000:]
