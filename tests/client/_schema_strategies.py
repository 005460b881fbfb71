"""Hypothesis strategies built from a JSON Schema (the subset the spec uses).

Why not ``hypothesis_jsonschema.from_schema``: its last release (0.23.1, 2024-02) crashes on every object
schema with the locked hypothesis 6.170 (``'many' object has no attribute 'more'``: it drives hypothesis
internals that were rewritten). This module walks the spec's own schema instead of re-typing it, refuses any
keyword it does not understand (so a spec change cannot be silently ignored), and every generated value is
checked against the schema with ``jsonschema`` (the reference validator) in :func:`from_schema`.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from hypothesis import strategies as st

# x-rule: the human wording of a pattern (openapi.yaml), no constraint of its own.
_IGNORED = {"description", "title", "examples", "example", "format", "default", "x-rule"}
_KNOWN = {
    "type",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "pattern",
} | _IGNORED
_EXTRA_NAMES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


def _strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    unknown = set(schema) - _KNOWN
    if unknown:
        raise NotImplementedError(f"schema keywords not supported by the test generator: {sorted(unknown)}")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if (
            schema.get("format") == "uri"
        ):  # a pattern alone admits non-URIs (`http://"`): plain URLs that match
            urls = st.from_regex(
                r"https?://[a-z0-9]{1,20}(\.[a-z]{2,5})?(/[A-Za-z0-9._~-]{0,20}){0,3}", fullmatch=True
            )
            return urls.filter(
                lambda s: (
                    re.search(schema.get("pattern", ""), s) is not None
                    and schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**9)
                )
            )
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**9)
            )
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 40))
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        lower = schema.get("minimum", -(2**63))
        upper = schema.get("maximum", 2**63 - 1)
        return st.integers(lower, upper)
    if kind == "array":
        return st.lists(
            _strategy(schema.get("items", {})),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 8),
        )
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = st.fixed_dictionaries(
            {name: _strategy(sub) for name, sub in properties.items() if name in required},
            optional={name: _strategy(sub) for name, sub in properties.items() if name not in required},
        )
        if schema.get("additionalProperties", True) is False:
            return fixed
        extra = st.dictionaries(_EXTRA_NAMES.filter(lambda n: n not in properties), _ANY_JSON, max_size=2)
        return st.builds(lambda declared, more: {**more, **declared}, fixed, extra)
    raise NotImplementedError(f"schema type not supported by the test generator: {kind!r}")


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (asserted with jsonschema), extra object members included."""
    validator = jsonschema.Draft202012Validator(schema)

    def checked(value: Any) -> Any:
        validator.validate(value)
        return value

    return _strategy(schema).map(checked)
