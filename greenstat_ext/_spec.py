"""INTERIM stand-in for the spec engineer's ``_spec`` module (issue 9): replaced by theirs at the merge.

Reads the spec bundled in the generated package; only what the client needs (operations, parameters, rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    type: str | None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: Any = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    requests: int
    per_seconds: float


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    rate_limit: RateLimit | None


@cache
def _document() -> dict[str, Any]:
    text = files("greenstat_client").joinpath("openapi.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = _document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@cache
def operation(operation_id: str) -> Operation:
    for path, item in _document()["paths"].items():
        for method, data in item.items():
            if data.get("operationId") != operation_id:
                continue
            params = []
            for raw in data.get("parameters", []):
                p = _resolve(raw)
                s = _resolve(p.get("schema", {}))
                params.append(
                    Parameter(
                        name=p["name"],
                        location=p["in"],
                        required=bool(p.get("required", False)),
                        type=s.get("type"),
                        minimum=s.get("minimum"),
                        maximum=s.get("maximum"),
                        min_length=s.get("minLength"),
                        max_length=s.get("maxLength"),
                        pattern=s.get("pattern"),
                        default=s.get("default"),
                    )
                )
            rate = data.get("x-rate-limit")
            return Operation(
                operation_id,
                method.upper(),
                path,
                tuple(params),
                RateLimit(rate["requests"], rate["per_seconds"]) if rate else None,
            )
    raise KeyError(operation_id)
