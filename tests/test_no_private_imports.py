"""No module of the project imports a private name from a dependency (issue 18).

Why a test besides ruff's ``PLC2701``: ruff cannot tell the project's own private modules (``tests`` and
``bench`` import ``greenstat_ext._spec`` on purpose) from a dependency's, so the rule is on for the shipped
package only. This walks every Python file of the project, ``generated/`` (what the templates make),
``tests/``, ``scripts/`` and ``bench/`` included, and refuses ``from typer._types import ...``,
``from typer import _click``, ``import typer._click``: typer 0.29 removed the private module the CLI
imported, and ``pip install 'greenstat[cli]'`` never started.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The project's own top-level packages: their private modules are the project's to import.
FIRST_PARTY = frozenset({"greenstat_ext", "greenstat_client", "tests", "bench", "scripts"})
SOURCES = ("greenstat_ext", "generated", "tests", "scripts", "bench")  # generated/: what templates/ make


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_dependency(top: str, directory: Path) -> bool:
    """``top`` names a third-party distribution's module (not ours, not the standard library's)."""
    if top in FIRST_PARTY or top in sys.stdlib_module_names:
        return False
    # a sibling module of a script (bench/_paths.py, imported as `_paths` by the scripts beside it)
    return not ((directory / f"{top}.py").exists() or (directory / top).is_dir())


def private_imports(source: str, directory: Path) -> list[str]:
    """Every ``module.name`` of ``source`` that imports a private name from a dependency."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not _is_dependency(node.module.partition(".")[0], directory):
                continue
            parts = node.module.split(".")
            found += [f"{node.module}.{a.name}" for a in node.names if any(map(_private, [*parts, a.name]))]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_dependency(alias.name.partition(".")[0], directory):
                    found += [alias.name] if any(map(_private, alias.name.split("."))) else []
    return found


def _project_files() -> list[Path]:
    return sorted(path for top in SOURCES for path in (ROOT / top).rglob("*.py") if ".venv" not in path.parts)


def test_no_project_file_imports_a_private_name_from_a_dependency() -> None:
    files = _project_files()
    assert len(files) > 100  # the walk sees the project, not an empty folder
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := private_imports(path.read_text(encoding="utf-8"), path.parent))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from typer._types import TyperChoice", ["typer._types.TyperChoice"]),
        ("from typer import _click as click", ["typer._click"]),
        ("import typer._click", ["typer._click"]),
        ("from httpx._transports.default import HTTPTransport", ["httpx._transports.default.HTTPTransport"]),
        ("from typer.core import TyperGroup\nimport typer", []),
        ("from greenstat_ext._spec import operation", []),  # our own
        ("from __future__ import annotations\nimport _thread", []),  # the standard library's
        ("from . import _common", []),  # relative: our own
    ],
)
def test_the_check_sees_each_form_of_private_import(source: str, expected: list[str]) -> None:
    assert private_imports(source, ROOT / "greenstat_ext") == expected
