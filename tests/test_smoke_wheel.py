"""``scripts/smoke_wheel.py``, the part of ``make smoke`` that reads the built wheel and sdist (issue 18).

Why here: ``make smoke`` builds the real artefacts and runs in CI after ``make test``; these show, on small
archives made here, that each of its checks fails when what it checks is missing (a check that cannot fail
checks nothing), and that the oldest-versions run gets every requirement of ``[all]`` and nothing of ``dev``.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "smoke_wheel.py"
README_TEXT = "# greenstat\n\n" + "A typed SDK for Green API's Statuses methods. " * 10

METADATA = f"""\
Metadata-Version: 2.4
Name: greenstat
Version: 0.1.0
Summary: Typed Python SDK, reference mock server and contract-test kit
Project-URL: Green API: getStatusStatistic, https://green-api.com/en/docs/api/statuses/GetStatusStatistic/
License-Expression: MIT
License-File: LICENSE
Classifier: Programming Language :: Python :: 3 :: Only
Classifier: Typing :: Typed
Requires-Python: >=3.11
Requires-Dist: httpx<0.29,>=0.27
Requires-Dist: anyio>=4
Provides-Extra: all
Requires-Dist: greenstat[cli,mock]; extra == 'all'
Provides-Extra: cli
Requires-Dist: typer>=0.27.2; extra == 'cli'
Provides-Extra: mock
Requires-Dist: uvicorn>=0.30; extra == 'mock'
Requires-Dist: uvloop>=0.19; python_version < '3' and extra == 'mock'
Requires-Dist: starlette>=0.40; python_version >= '3' and extra == 'mock'
Provides-Extra: dev
Requires-Dist: greenstat[all]; extra == 'dev'
Requires-Dist: pytest; extra == 'dev'
Description-Content-Type: text/markdown

{README_TEXT}
"""
TYPED = ["greenstat_ext/py.typed", "greenstat_client/py.typed"]


def _wheel(path: Path, metadata: str = METADATA, typed: list[str] = TYPED) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in [*typed, "greenstat_ext/__init__.py"]:
            archive.writestr(name, "")
        archive.writestr("greenstat-0.1.0.dist-info/METADATA", metadata)
        archive.writestr("greenstat-0.1.0.dist-info/licenses/LICENSE", "MIT License")
    return path


def _sdist(path: Path, metadata: str = METADATA) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in (("PKG-INFO", metadata), ("LICENSE", "MIT License")):
            data = text.encode()
            info = tarfile.TarInfo(f"greenstat-0.1.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_complete_wheel_passes_and_lists_the_requirements_of_all(tmp_path: Path) -> None:
    result = _run("inspect", _wheel(tmp_path / "w.whl"), _sdist(tmp_path / "s.tar.gz"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "py.typed: both packages" in result.stdout
    # [all] -> cli, mock (markers evaluated here: uvloop's excludes it, starlette's admits it);
    # nothing of dev, not greenstat itself.
    assert (tmp_path / "all.txt").read_text().splitlines() == [
        "anyio>=4",
        "httpx<0.29,>=0.27",
        "starlette>=0.40",
        "typer>=0.27.2",
        "uvicorn>=0.30",
    ]
    # a plain `pip install greenstat`: the core only
    assert (tmp_path / "core.txt").read_text().splitlines() == ["anyio>=4", "httpx<0.29,>=0.27"]


@pytest.mark.parametrize(
    ("wheel_metadata", "typed", "sdist_metadata", "message"),
    [
        (METADATA, TYPED[:1], METADATA, "the wheel has no greenstat_client/py.typed"),
        (METADATA.replace("Project-URL:", "X-URL:"), TYPED, METADATA, "the wheel has no Project-URL"),
        (METADATA.replace("License-Expression: MIT\n", ""), TYPED, METADATA, "has no License-Expression"),
        (METADATA.replace("text/markdown", "text/plain"), TYPED, METADATA, "is not markdown"),
        (METADATA.replace(README_TEXT, "short"), TYPED, METADATA, "carries no README"),
        (METADATA.replace("Classifier: Typing :: Typed\n", ""), TYPED, METADATA, "'Typing :: Typed'"),
        (METADATA, TYPED, METADATA.replace("Summary: ", "X-Summary: "), "the sdist has no Summary"),
    ],
)
def test_each_check_fails_when_what_it_checks_is_missing(
    tmp_path: Path, wheel_metadata: str, typed: list[str], sdist_metadata: str, message: str
) -> None:
    wheel = _wheel(tmp_path / "w.whl", wheel_metadata, typed)
    sdist = _sdist(tmp_path / "s.tar.gz", sdist_metadata)
    result = _run("inspect", wheel, sdist, tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "all.txt").exists()


def test_the_snippet_is_the_first_block_that_makes_a_client(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "```python\nimport greenstat_ext\n```\n\n```python\nwith GreenStat() as client:\n    pass\n```\n"
        "```python\nclient = GreenStat()\n```\n"
    )
    result = _run("snippet", readme)
    assert (result.returncode, result.stdout) == (0, "with GreenStat() as client:\n    pass\n")
    readme.write_text("no code\n")
    assert "has no Python block that makes a client" in _run("snippet", readme).stderr
