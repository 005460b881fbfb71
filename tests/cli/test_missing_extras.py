"""Without the ``mock``/``contract`` extras, the commands that need them say how to install them (exit 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Runs the CLI with some modules made unimportable (a None entry in sys.modules makes `import` fail with
# ModuleNotFoundError, exactly as when the package is not installed).
PROGRAM = """
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None
sys.argv = ["greenstat", *sys.argv[2:]]
from greenstat_ext.cli import main
main()
"""


def _greenstat_without(hidden: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", PROGRAM, hidden, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("hidden", "args", "extra"),
    [
        ("starlette,uvicorn", ["mock", "--port", "0"], "mock"),
        ("schemathesis", ["contract-test", "--url", "http://127.0.0.1:9"], "contract"),
    ],
)
def test_a_missing_extra_is_a_one_line_usage_error(hidden: str, args: list[str], extra: str) -> None:
    result = _greenstat_without(hidden, *args)
    assert result.returncode == 2
    assert f"pip install 'greenstat[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_stats_needs_no_extra() -> None:
    result = _greenstat_without("starlette,uvicorn,schemathesis", "stats", "--help")
    assert result.returncode == 0
    assert "ID_MESSAGE" in result.stdout


def test_importing_the_mock_without_its_extra_names_the_extra() -> None:
    program = "import sys\nsys.modules['uvicorn'] = None\nimport greenstat_ext.mock\n"
    result = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ModuleNotFoundError: greenstat_ext.mock needs uvicorn, part of the mock extra: "
        "pip install 'greenstat[mock]'"
    )
