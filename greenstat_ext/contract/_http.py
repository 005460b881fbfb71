"""Small readers of what a server answered (headers, Retry-After, JSON) and of what a case sends: shared by
the runner's phases, each bounded (a Retry-After is capped, a body that is not JSON is a marker, not an
exception)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from schemathesis import Response

from ._defaults import MAX_RETRY_AFTER

__all__ = ["NOT_JSON", "case_body", "header", "header_problem", "items_with", "json_of", "retry_after"]

NOT_JSON: Final = object()


def items_with(body: Any, field: str, created: str) -> list[Mapping[str, Any]]:
    """The items of a journal answer whose ``field`` is ``created``."""
    if not isinstance(body, list):
        return []
    return [item for item in body if isinstance(item, Mapping) and item.get(field) == created]


def header(headers: Mapping[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return None


def retry_after(headers: Mapping[str, list[str]]) -> float:
    value = header(headers, "retry-after")
    if value is not None and value.strip().isdigit():
        return min(float(value.strip()), MAX_RETRY_AFTER)
    return 1.0


def case_body(body: Mapping[str, Any] | None) -> Any:
    """A probe's JSON body for ``Case(body=...)``: schemathesis' "no body" marker when there is none."""
    from schemathesis.core import NOT_SET

    return NOT_SET if body is None else dict(body)


def json_of(response: Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return NOT_JSON


def header_problem(value: str | None, schema: Mapping[str, Any], *, required: bool) -> str | None:
    """What is wrong with a header's value under its spec schema (None: nothing). Only what a header
    schema of this spec uses is understood: ``type: string`` and ``pattern``, lengths."""
    if value is None:
        return "no Retry-After" if required else None
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, value) is None:
        return f"a Retry-After not matching {pattern}"
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    if isinstance(min_length, int) and len(value) < min_length:
        return "a Retry-After shorter than its minLength"
    if isinstance(max_length, int) and len(value) > max_length:
        return "a Retry-After longer than its maxLength"
    return None
