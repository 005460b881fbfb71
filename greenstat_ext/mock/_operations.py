"""The mock's routing table, derived from the spec: every operation's method, path, parameters and rate.

Why derived and not written: the mock is the reference implementation of ``openapi.yaml``, so what it routes,
which methods it allows, which query parameters it validates (and with which bounds) and how fast it lets
each operation be called must be what the spec says, read from the spec bundled in the generated package.
Adding a GET operation to the spec then costs the mock one handler (:mod:`._handlers`), nothing here.

:func:`_spec_operations` is the one place that reads the spec; everything else uses :data:`OPERATIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

__all__ = [
    "OPERATIONS",
    "Operation",
    "Parameter",
    "RateLimit",
    "Route",
    "match_route",
    "parameter",
    "path_bounds",
]

_TEMPLATE_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of an operation, with the constraints of its schema (``None``: not constrained)."""

    name: str
    location: str
    required: bool
    type: str
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: object = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The operation's documented gateway limit: ``requests`` per ``per_seconds`` per instance."""

    requests: int
    per_seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.per_seconds


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, as the gateway sees it."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    rate_limit: RateLimit

    @property
    def query(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")


@dataclass(frozen=True, slots=True)
class Route:
    """A path template compiled for raw-path matching, and the operations it serves, by HTTP method."""

    pattern: re.Pattern[bytes]
    names: tuple[str, ...]
    by_method: Mapping[str, Operation]

    @property
    def allow(self) -> str:
        """The ``Allow`` header of a 405: the spec's methods, plus HEAD wherever GET is served."""
        methods = sorted(self.by_method)
        if "GET" in methods and "HEAD" not in methods:
            methods.insert(methods.index("GET") + 1, "HEAD")
        return ", ".join(methods)


def _parameter(raw: Mapping[str, Any]) -> Parameter:
    schema: Mapping[str, Any] = raw.get("schema", {})
    return Parameter(
        name=raw["name"],
        location=raw["in"],
        required=bool(raw.get("required", False)),
        type=str(schema.get("type", "string")),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=schema.get("pattern"),
        default=schema.get("default"),
    )


def _spec_operations() -> list[Operation]:
    """Every operation of the bundled spec. The one function that reads the spec document itself."""
    from importlib.resources import files

    import yaml

    document: dict[str, Any] = yaml.safe_load((files("greenstat_client") / "openapi.yaml").read_text("utf-8"))
    components = document.get("components", {}).get("parameters", {})

    def resolve(item: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = item.get("$ref")
        return components[ref.rsplit("/", 1)[1]] if isinstance(ref, str) else item

    operations: list[Operation] = []
    for path, item in document["paths"].items():
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method, body in item.items():
            if method in ("parameters", "summary", "description", "servers"):
                continue
            rate = body.get("x-rate-limit", {"requests": 1, "per_seconds": 1})
            operations.append(
                Operation(
                    operation_id=body["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=tuple(
                        _parameter(p) for p in [*shared, *map(resolve, body.get("parameters", []))]
                    ),
                    rate_limit=RateLimit(int(rate["requests"]), float(rate["per_seconds"])),
                )
            )
    return operations


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


def _routes(operations: Sequence[Operation]) -> tuple[Route, ...]:
    grouped: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        grouped.setdefault(operation.path, {})[operation.method] = operation
    routes: list[Route] = []
    for path, by_method in grouped.items():
        pattern, names = _compile(path)
        routes.append(Route(pattern=pattern, names=names, by_method=by_method))
    return tuple(routes)


OPERATIONS: Final[Mapping[str, Operation]] = {op.operation_id: op for op in _spec_operations()}
"""operationId → :class:`Operation`, for every operation of the spec."""

_ROUTES: Final = _routes(list(OPERATIONS.values()))


def match_route(raw_path: bytes) -> tuple[Route, dict[str, bytes]] | None:
    """The route whose template matches the whole raw (still percent-encoded) path, and its path values."""
    for route in _ROUTES:
        match = route.pattern.fullmatch(raw_path)
        if match is not None:
            return route, dict(zip(route.names, match.groups(), strict=True))
    return None


@cache
def path_bounds(name: str) -> Parameter:
    """The path parameter ``name`` (``idInstance``, ``apiTokenInstance``): the same in every operation."""
    for operation in OPERATIONS.values():
        for parameter in operation.parameters:
            if parameter.name == name and parameter.location == "path":
                return parameter
    raise KeyError(f"no path parameter {name!r} in the spec")


def parameter(operation_id: str, name: str) -> Parameter:
    """The parameter ``name`` of operation ``operation_id``, as the spec declares it."""
    for candidate in OPERATIONS[operation_id].parameters:
        if candidate.name == name:
            return candidate
    raise KeyError(f"{operation_id} has no parameter {name!r}")
