"""The modules of each ``greenstat_ext`` package import each other in one direction only, annotations
included.

A circle (``_retry`` imported ``_transport``'s ``CallContext`` for its annotations while ``_transport``
imported ``_retry``) makes the import order matter and the two modules one in all but name. The retry policy
(``_retry``), a call's context (``_call``), the retry loop (``_retrying``) and the transport now form a line.
Imports under ``TYPE_CHECKING`` count: they are the same dependency, deferred. The same holds in every
subpackage: the mock's gateway (``mock/_app``) and its handlers (``mock/_handlers``) were such a pair, through
the handlers' annotation of the app's state (now ``mock/_instance``, which both import).
"""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "greenstat_ext"
PACKAGES = sorted(path.parent for path in CORE.rglob("__init__.py"))


def _core_imports(package: Path = CORE) -> dict[str, set[str]]:
    """Each module of ``package`` (``greenstat_ext/*.py`` by default) and the modules of the same package it
    imports (relative imports of level 1)."""
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [alias.name for alias in node.names]
                imported.update(name.split(".")[0] for name in names)
        graph[path.stem] = {name for name in imported if (package / f"{name}.py").is_file()}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module, or of one that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component: list[str] = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in graph[module]:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_core_modules_import_in_one_direction() -> None:
    graph = _core_imports()
    assert {"_retry", "_call", "_retrying", "_transport", "_client"} <= graph.keys()
    assert _circles(graph) == []


def test_every_subpackage_imports_in_one_direction() -> None:
    assert {path.name for path in PACKAGES} >= {"mock", "contract", "monitor"}
    found = {path.name: _circles(_core_imports(path)) for path in PACKAGES}
    assert {name: circles for name, circles in found.items() if circles} == {}


def test_the_check_sees_a_circle() -> None:
    """The detector finds what the old layout had: ``_retry`` -> ``_transport`` -> ``_retry``."""
    graph = _core_imports()
    graph["_retry"] = graph["_retry"] | {"_transport"}
    assert ["_call", "_retry", "_retrying", "_transport"] in _circles(graph)
