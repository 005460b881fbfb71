"""The contract the kit checks: every operation of the bundled ``openapi.yaml``, with what the probes need.

Two views of one spec. schemathesis gets the spec itself (``Operation.api``), to generate and judge requests.
The kit's probes get plain facts about each operation (:class:`Operation`, :class:`Parameter`): its id,
method, path and each parameter's location, requiredness and bounds, from which :mod:`._probes` builds a
valid request and the invalid ones. The facts are read in ONE function, :func:`_parameter`, so that the kit
follows whatever the spec declares and no limit is retyped here.

Why a transformation: the spec types ``timestamp`` (and ``idInstance``) as ``integer`` with ``format: int64``,
but JSON Schema validators, schemathesis' included, do not enforce integer formats: a ``timestamp`` of
``2**63`` passed ``response_schema_conformance`` although no int64 can hold it. Rather than a check of our own
beside schemathesis', the kit turns every ``format: intN`` into the ``minimum``/``maximum`` that ``intN``
implies (the bound computed from ``N`` in the format name; an existing, tighter bound is kept), so
schemathesis' own schema check judges it with its usual message and schema path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final

import schemathesis
import yaml
from schemathesis import APIOperation
from schemathesis.core.result import Ok

__all__ = [
    "INSTANCE_PARAM",
    "TOKEN_PARAM",
    "Operation",
    "Parameter",
    "credential",
    "enforce_integer_formats",
    "load_operations",
]

# The two path parameters that carry the credentials in every Green API path: the kit pins them.
INSTANCE_PARAM: Final = "idInstance"
TOKEN_PARAM: Final = "apiTokenInstance"  # noqa: S105 - a parameter's name, not a secret

# "int32", "int64" (OpenAPI's own), and any other "intN" a spec may use.
_INTEGER_FORMAT: Final = re.compile(r"int([1-9][0-9]{0,3})")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter as the spec declares it (``type`` is the JSON Schema type; bounds None when absent)."""

    name: str
    location: str  # "path" or "query"
    required: bool
    type: str | None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: Any = None
    example: Any = None


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec: its facts for the probes and its schemathesis twin for generation."""

    name: str  # the operationId, which names the operation in every finding
    method: str  # upper case
    path: str  # the template, e.g. /waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}
    parameters: tuple[Parameter, ...]
    path_methods: frozenset[str]  # every method the spec declares on this path (what a 405's Allow names)
    api: APIOperation[Any, Any, Any, Any]

    @property
    def query(self) -> tuple[Parameter, ...]:
        return tuple(param for param in self.parameters if param.location == "query")


@functools.cache
def load_operations() -> tuple[Operation, ...]:
    """Every operation of the spec bundled in ``greenstat_client``, in spec order (works from a wheel)."""
    text = (files("greenstat_client") / "openapi.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    spec = enforce_integer_formats(raw)
    # An explicit Config: a stray schemathesis.toml in the user's directory must not change the contract.
    schema = schemathesis.openapi.from_dict(spec, config=schemathesis.Config())
    apis = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"the bundled openapi.yaml has an invalid operation: {result.err()}")
        apis.append(result.ok())
    if not apis:
        raise AssertionError("the bundled openapi.yaml has no operation")  # pragma: no cover
    methods: dict[str, set[str]] = {}
    for api in apis:
        methods.setdefault(api.path, set()).add(api.method.upper())
    return tuple(
        Operation(
            name=str(api.definition.raw.get("operationId") or api.label),
            method=api.method.upper(),
            path=api.path,
            # Read from the spec as written (raw), not the int64-bounded copy: the probes test its limits.
            parameters=tuple(_parameter(param.definition, raw) for param in api.iter_parameters()),
            path_methods=frozenset(methods[api.path]),
            api=api,
        )
        for api in apis
    )


def credential(name: str) -> Parameter:
    """How the spec declares a credential path parameter: :data:`INSTANCE_PARAM` or :data:`TOKEN_PARAM`."""
    for operation in load_operations():
        for param in operation.parameters:
            if param.name == name and param.location == "path":
                return param
    raise AssertionError(f"no operation of the bundled openapi.yaml declares the path parameter {name}")


def _parameter(definition: Mapping[str, Any], raw: Mapping[str, Any]) -> Parameter:
    """The facts of one parameter, from its definition in the spec. The one place the kit reads limits."""
    schema = _resolve(definition.get("schema") or {}, raw)
    types = schema.get("type")
    if isinstance(types, list):
        types = next((kind for kind in types if kind != "null"), None)
    examples = schema.get("examples")
    example = definition.get(
        "example", schema.get("example", examples[0] if isinstance(examples, list) and examples else None)
    )
    return Parameter(
        name=str(definition["name"]),
        location=str(definition["in"]),
        required=bool(definition.get("required", False)),
        type=types if isinstance(types, str) else None,
        minimum=_number(schema.get("minimum")),
        maximum=_number(schema.get("maximum")),
        min_length=_integer(schema.get("minLength")),
        max_length=_integer(schema.get("maxLength")),
        pattern=schema.get("pattern") if isinstance(schema.get("pattern"), str) else None,
        default=schema.get("default"),
        example=example,
    )


def _resolve(node: Mapping[str, Any], raw: Mapping[str, Any]) -> Mapping[str, Any]:
    while isinstance(ref := node.get("$ref"), str) and ref.startswith("#/"):
        target: Any = raw
        for key in ref[2:].split("/"):
            target = target[key.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def enforce_integer_formats(node: Any) -> Any:
    """A copy of ``node`` where every integer schema with ``format: intN`` is bounded to what intN holds."""
    if isinstance(node, list):
        return [enforce_integer_formats(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: enforce_integer_formats(value) for key, value in node.items()}
    fmt = node.get("format")
    types = node.get("type")
    is_integer = types == "integer" or (isinstance(types, list) and "integer" in types)
    if isinstance(fmt, str) and is_integer and (match := _INTEGER_FORMAT.fullmatch(fmt)):
        bits = int(match.group(1))
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        copy["minimum"] = max(_bound(node.get("minimum"), low), low)
        copy["maximum"] = min(_bound(node.get("maximum"), high), high)
    return copy


def _bound(value: Any, default: int) -> int | float:
    number = _number(value)
    return default if number is None else number
