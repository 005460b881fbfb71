"""The core install is the client only, and the CLI starts without the kit's or the mock's libraries.

Without a fresh virtualenv (slow, and needs the registry): the CLI's libraries are blocked in a subprocess
(a None entry in sys.modules fails the import as a missing package does), and pyproject's lists are checked.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_LIBRARIES = ("typer", "rich", "click", "pydantic", "pygments", "shellingham")
HEAVY = ("schemathesis", "hypothesis", "starlette", "uvicorn")
#: What `--help` does not need either: the client, httpx and the generated package (~0.2 s together).
CLIENT = ("httpx", "greenstat_client", "greenstat_ext._client")


def _run(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=60, check=False
    )


def _name(requirement: str) -> str:
    return requirement.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()


def test_pyproject_core_is_the_client_and_cli_is_an_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_name(requirement) for requirement in project["dependencies"]}
    assert core == {"httpx", "attrs", "msgspec", "tenacity", "anyio", "sniffio"}
    extras = project["optional-dependencies"]
    assert {_name(requirement) for requirement in extras["cli"]} == {"typer", "rich"}
    (everything,) = extras["all"]  # one self-reference: greenstat[...] with every extra
    assert everything.startswith("greenstat[")
    # Every runtime extra; `docs` (the site's build tools) and `dev` are for working on greenstat.
    assert set(everything.removeprefix("greenstat[").removesuffix("]").split(",")) == set(extras) - {
        "all",
        "dev",
        "docs",
    }
    assert project["scripts"]["greenstat"] == "greenstat_ext.cli:main"


def test_the_client_imports_without_the_cli_libraries() -> None:
    program = (
        "import sys\n"
        f"for name in {CLI_LIBRARIES!r}: sys.modules[name] = None\n"
        "import greenstat_ext, greenstat_ext.cli\n"
        "print(greenstat_ext.GreenStat.__name__)\n"
    )
    result = _run(program)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "GreenStat\n"


@pytest.mark.parametrize("args", [[], ["--help"], ["stats", "X"]])
def test_greenstat_without_the_cli_extra_prints_the_install_hint(args: list[str]) -> None:
    program = (
        "import sys\n"
        f"for name in {CLI_LIBRARIES!r}: sys.modules[name] = None\n"
        "sys.argv = ['greenstat', *sys.argv[1:]]\n"
        "from greenstat_ext.cli import main\n"
        "main()\n"
    )
    result = _run(program, *args)
    assert result.returncode == 1
    assert result.stderr == "greenstat: the command line needs its extra: pip install 'greenstat[cli]'\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["stats", "--help"],
        ["report", "--help"],
        ["mock", "--help"],
        ["post", "--help"],
        ["post", "text", "--help"],
        ["post", "media", "--help"],
        ["post", "voice", "--help"],
        ["delete", "--help"],
    ],
)
def test_help_loads_neither_the_kit_nor_the_mock_nor_the_client(args: list[str]) -> None:
    program = (
        "import sys\n"
        "sys.argv = ['greenstat', *sys.argv[1:]]\n"
        "from greenstat_ext.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(name for name in {HEAVY + CLIENT!r} if name in sys.modules))\n"
    )
    result = _run(program, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_contract_test_loads_the_kit_when_run() -> None:
    program = (
        "import sys\n"
        "sys.argv = ['greenstat', 'contract-test', '--help']\n"
        "from greenstat_ext.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('schemathesis' in sys.modules)\n"
    )
    result = _run(program)
    assert "--max-examples" in result.stdout  # its real options, not a placeholder
    assert result.stdout.splitlines()[-1] == "True"


def test_the_package_exports_every_public_name_lazily() -> None:
    program = (
        "import sys, greenstat_ext\n"
        "print('greenstat_ext._client' in sys.modules)\n"
        "missing = [name for name in greenstat_ext.__all__ if getattr(greenstat_ext, name, None) is None]\n"
        "print(missing, sorted(greenstat_ext._HOME) == sorted(greenstat_ext.__all__))\n"
        "from greenstat_ext import GreenStat\n"
        "from greenstat_ext._client import GreenStat as Home\n"
        "print(GreenStat is Home)\n"
    )
    result = _run(program)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False", "[] True", "True"]
