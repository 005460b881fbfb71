"""The contract the kit checks: the bundled ``openapi.yaml``, with its integer formats made enforceable.

Why a transformation: the spec types ``timestamp`` (and ``idInstance``) as ``integer`` with ``format: int64``,
but JSON Schema validators, schemathesis' included, do not enforce integer formats: a ``timestamp`` of
``2**63`` passed ``response_schema_conformance`` although no int64 can hold it. Rather than a check of our own
beside schemathesis', the kit turns every ``format: intN`` into the ``minimum``/``maximum`` that ``intN``
implies (the bound computed from ``N`` in the format name; an existing, tighter bound is kept), so
schemathesis' own schema check judges it with its usual message and schema path.
"""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Any, Final

import schemathesis
import yaml
from schemathesis import APIOperation
from schemathesis.core.result import Ok

__all__ = ["enforce_integer_formats", "load_operation"]

# "int32", "int64" (OpenAPI's own), and any other "intN" a spec may use.
_INTEGER_FORMAT: Final = re.compile(r"int([1-9][0-9]{0,3})")


def load_operation() -> APIOperation[Any, Any, Any, Any]:
    """The one operation of the spec bundled in ``greenstat_client`` (works from a wheel, not a checkout)."""
    text = (files("greenstat_client") / "openapi.yaml").read_text(encoding="utf-8")
    spec = enforce_integer_formats(yaml.safe_load(text))
    # An explicit Config: a stray schemathesis.toml in the user's directory must not change the contract.
    schema = schemathesis.openapi.from_dict(spec, config=schemathesis.Config())
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            return result.ok()
        raise AssertionError(f"the bundled openapi.yaml has an invalid operation: {result.err()}")
    raise AssertionError("the bundled openapi.yaml has no operation")  # pragma: no cover


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
        copy["minimum"] = max(_number(node.get("minimum"), low), low)
        copy["maximum"] = min(_number(node.get("maximum"), high), high)
    return copy


def _number(value: Any, default: int) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return default
