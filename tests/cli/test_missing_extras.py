"""Without an extra, what needs it names it (and how to install it); with it, an import failure is not
"install the extra" but the module that failed and the installed version (issue 18: typer 0.29 removed a
private module the CLI imported, and ``greenstat`` told users who had typer to install it)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from packaging.requirements import Requirement

import greenstat_ext._spec
from greenstat_ext._extras import EXTRAS, is_dependency_mismatch
from greenstat_ext.cli import INSTALL_HINT

# Runs Python with some distributions made absent as pip uninstall would leave them: every finder on
# sys.meta_path answers "no such module" and lists no such distribution (importlib.metadata asks the same
# finders). Modules named in the second argument are blocked (None in sys.modules: ModuleNotFoundError on
# import) while their distribution stays installed: an installed version that cannot be imported.
PROGRAM = """
import importlib.metadata, sys
hidden = {name for name in sys.argv[1].split(",") if name}
for name in (name for name in sys.argv[2].split(",") if name):
    sys.modules[name] = None

class Absent:
    def __init__(self, inner):
        self.inner = inner

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in hidden:
            return None
        return self.inner.find_spec(name, path, target)

    def find_distributions(self, context=importlib.metadata.DistributionFinder.Context()):
        found = getattr(self.inner, "find_distributions", None)
        for dist in found(context) if found else ():
            if dist.metadata["Name"].lower() not in hidden:
                yield dist

    def __getattr__(self, name):
        return getattr(self.inner, name)

sys.meta_path[:] = [Absent(finder) for finder in sys.meta_path]
sys.argv = ["greenstat", *sys.argv[3:]]
exec(sys.stdin.read())
"""
RUN_CLI = "from greenstat_ext.cli import main\nmain()\n"


def _python(absent: str, blocked: str, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", PROGRAM, absent, blocked, *args],
        input=code,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("absent", "args", "extra"),
    [
        ("starlette,uvicorn", ["mock", "--port", "0"], "mock"),
        ("schemathesis", ["contract-test", "--url", "http://127.0.0.1:9"], "contract"),
    ],
)
def test_a_missing_extra_is_a_one_line_usage_error(absent: str, args: list[str], extra: str) -> None:
    result = _python(absent, "", RUN_CLI, *args)
    assert result.returncode == 2
    assert f"pip install 'greenstat[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_without_the_cli_extra_the_command_says_how_to_install_it() -> None:
    result = _python("typer", "", RUN_CLI, "--help")
    assert (result.returncode, result.stderr.strip()) == (1, INSTALL_HINT)


def test_an_installed_typer_that_fails_to_import_is_named_with_its_version_not_an_install_hint() -> None:
    result = _python("", "typer.core", RUN_CLI, "--help")
    assert result.returncode == 1
    typer_version = importlib.metadata.version("typer")
    assert result.stderr.startswith("greenstat: the command line could not import typer.core ")
    assert f"(typer {typer_version} is installed; greenstat needs typer>=" in result.stderr
    assert "pip install" not in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_typer_release_without_a_name_the_cli_uses_is_named_with_its_version() -> None:
    # typer 0.27.0-0.27.1 have no TyperException: an AttributeError at import, not a traceback
    result = _python("", "", "import typer\ndel typer.TyperException\n" + RUN_CLI, "--help")
    assert result.returncode == 1
    version = importlib.metadata.version("typer")
    assert result.stderr.strip().splitlines() == [
        f"greenstat: the command line could not import typer (typer {version} is installed; greenstat needs "
        f"typer>=0.27.2): module 'typer' has no attribute 'TyperException'"
    ]


def test_an_import_failure_inside_greenstat_itself_stays_a_traceback() -> None:
    # a bug of ours is not a dependency's version: no "install" or "version" line hides it
    code = "import greenstat_ext._cli._common as c\ndel c.RedactedClickError\n" + RUN_CLI
    result = _python("", "", code, "--help")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "ImportError: cannot import name 'RedactedClickError'" in result.stderr
    assert "is installed" not in result.stderr


@pytest.mark.parametrize(
    ("exc", "mismatch"),
    [
        (ModuleNotFoundError("No module named 'typer._types'", name="typer._types"), True),
        (ImportError("cannot import name 'X' from 'typer'", name="typer"), True),
        (AttributeError("no TyperException", name="TyperException", obj=typer), True),
        (ImportError("cannot import name 'X'", name="greenstat_ext._cli._common"), False),
        (ModuleNotFoundError("No module named 'greenstat_client.x'", name="greenstat_client.x"), False),
        (AttributeError("no operation", name="operation", obj=greenstat_ext._spec), False),
        (AttributeError("'str' object has no attribute 'x'", name="x", obj="s"), False),
    ],
)
def test_a_dependency_mismatch_is_told_from_a_bug_of_greenstat(exc: BaseException, mismatch: bool) -> None:
    assert is_dependency_mismatch(exc) is mismatch


def test_an_installed_mock_extra_that_fails_to_import_is_named_with_its_version() -> None:
    result = _python("", "starlette.routing", RUN_CLI, "mock", "--port", "0")
    assert result.returncode == 1
    version = importlib.metadata.version("starlette")
    assert f"could not import starlette.routing (starlette {version} is installed" in result.stderr
    assert result.stderr.count("could not import") == 1
    assert "pip install" not in result.stderr


def test_stats_needs_no_extra() -> None:
    result = _python("starlette,uvicorn,schemathesis", "", RUN_CLI, "stats", "--help")
    assert result.returncode == 0
    assert "ID_MESSAGE" in result.stdout


@pytest.mark.parametrize(
    ("module", "absent", "extra", "missing"),
    [
        ("greenstat_ext.mock", "uvicorn", "mock", "uvicorn"),
        ("greenstat_ext.contract", "schemathesis", "contract", "schemathesis"),
        ("greenstat_ext.otel", "opentelemetry,opentelemetry-api", "otel", "opentelemetry-api"),
    ],
)
def test_importing_a_feature_without_its_extra_names_the_extra(
    module: str, absent: str, extra: str, missing: str
) -> None:
    result = _python(absent, "", f"import {module}\n")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        f"ModuleNotFoundError: {module} needs {missing}, part of the {extra} extra: "
        f"pip install 'greenstat[{extra}]'"
    )


def _extra_names(extras: dict[str, list[str]], extra: str) -> set[str]:
    """The distributions ``extra`` brings, following its references to greenstat's other extras."""
    names: set[str] = set()
    for line in extras[extra]:
        requirement = Requirement(line)
        if requirement.name == "greenstat":
            for other in requirement.extras:
                names |= _extra_names(extras, other)
        else:
            names.add(requirement.name)
    return names


def test_the_extras_greenstat_asks_about_are_pyprojects() -> None:
    # _extras.EXTRAS decides "not installed: pip install ..." or "installed, but failed": a copy of
    # pyproject's lists, less the mock's accelerators (uvicorn picks httptools/uvloop up by itself;
    # greenstat imports neither, so their absence is no missing extra)
    root = Path(__file__).resolve().parents[2]
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for extra, distributions in EXTRAS.items():
        assert set(distributions) == _extra_names(extras, extra) - {"httptools", "uvloop"}, extra
