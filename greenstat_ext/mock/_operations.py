"""The mock's routing table, derived from the spec: every operation's method, path, parameters and rate.

Why derived and not written: the mock is the reference implementation of ``openapi.yaml``, so what it routes,
which methods it allows, which query parameters it validates (and with which bounds) and how fast it lets
each operation be called must be what the spec says, read from the spec bundled in the generated package.
Adding a GET operation to the spec then costs the mock one handler (:mod:`._handlers`), nothing here.

The spec is read by :mod:`greenstat_ext._spec` (below Core, Mock and Kit); :data:`OPERATIONS` and the
routes are built from it once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from greenstat_ext._spec import OperationSpec, operations

__all__ = ["OPERATIONS", "Route", "match_route"]

_TEMPLATE_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Route:
    """A path template compiled for raw-path matching, and the operations it serves, by HTTP method."""

    pattern: re.Pattern[bytes]
    names: tuple[str, ...]
    by_method: Mapping[str, OperationSpec]

    @property
    def allow(self) -> str:
        """The ``Allow`` header of a 405: the spec's methods, plus HEAD wherever GET is served."""
        methods = sorted(self.by_method)
        if "GET" in methods and "HEAD" not in methods:
            methods.insert(methods.index("GET") + 1, "HEAD")
        return ", ".join(methods)


def _spec_operations() -> list[OperationSpec]:
    """Every operation of the bundled spec (:mod:`greenstat_ext._spec` reads and checks it)."""
    return list(operations().values())


def _compile(path: str) -> tuple[re.Pattern[bytes], tuple[str, ...]]:
    """``/waInstance{idInstance}/x/{apiTokenInstance}`` → a raw-path regex, a parameter per group."""
    names: list[str] = []
    parts: list[str] = []
    position = 0
    for match in _TEMPLATE_PARAM.finditer(path):
        parts.append(re.escape(path[position : match.start()]))
        parts.append("([^/?]*)")
        names.append(match.group(1))
        position = match.end()
    parts.append(re.escape(path[position:]))
    return re.compile("".join(parts).encode("ascii")), tuple(names)


def _routes(table: Sequence[OperationSpec]) -> tuple[Route, ...]:
    grouped: dict[str, dict[str, OperationSpec]] = {}
    for operation in table:
        grouped.setdefault(operation.path, {})[operation.method] = operation
    routes: list[Route] = []
    for path, by_method in grouped.items():
        pattern, names = _compile(path)
        routes.append(Route(pattern=pattern, names=names, by_method=by_method))
    return tuple(routes)


OPERATIONS: Final[Mapping[str, OperationSpec]] = {op.operation_id: op for op in _spec_operations()}
"""operationId → :class:`~greenstat_ext._spec.OperationSpec`, for every operation of the spec."""

_ROUTES: Final = _routes(list(OPERATIONS.values()))


def match_route(raw_path: bytes) -> tuple[Route, dict[str, bytes]] | None:
    """The route whose template matches the whole raw (still percent-encoded) path, and its path values."""
    for route in _ROUTES:
        match = route.pattern.fullmatch(raw_path)
        if match is not None:
            return route, dict(zip(route.names, match.groups(), strict=True))
    return None
