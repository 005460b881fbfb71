"""A write's JSON request body: read within a bound, decoded, and checked member by member against the spec.

Why a bound, and why this one: the body is the client's to choose, so it is read in chunks and refused (400,
the spec's answer to an invalid request) as soon as it outgrows what the operation can legitimately need,
never buffered whole first. That bound is derived from the spec, not typed: the longest each member can be
written (every character of its ``maxLength`` as a ``\\uXXXX\\uXXXX`` escape, every item of its
``maxItems``) plus :data:`SLACK` bytes for whitespace and members the spec does not know. A string member
bounded only by its pattern (``backgroundColor``) is allowed :data:`SLACK` bytes. For the sends it is
~0.9 MB (1,024 participants), for ``deleteStatus`` ~70 KB. An array without ``maxItems`` or an object would
make the bound meaningless, so :func:`body_limit` refuses such a spec (``SpecError``) instead of guessing.

Why the checks of :mod:`greenstat_ext._fields`: the client refuses a bad argument with the very same rules
before sending, so the two can never disagree; the 400's message is its ``field: problem`` text
(``backgroundColor: must be a colour written #RRGGBB ...``, the spec's ``x-rule``), which never repeats the
value itself. Members the spec does not list are ignored (the request schemas leave
``additionalProperties`` open).
"""

from __future__ import annotations

import functools
import re
from typing import Final

import msgspec
from starlette.requests import ClientDisconnect, Request

from greenstat_ext._fields import FieldError, checker
from greenstat_ext._spec import OperationSpec, ParameterSpec, SpecError

__all__ = ["SLACK", "BodyRefused", "body_limit", "body_members", "read_body"]

SLACK: Final = 64 * 1024
"""Bytes allowed beyond the longest spec-valid members: whitespace, pretty-printing, unknown members."""

_BYTES_PER_CHARACTER: Final = 12
"""The most one character (code point) can take in JSON text: a surrogate pair written as two escapes."""


class BodyRefused(Exception):
    """The body cannot be served; ``message`` says why (the 400's message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _longest(field: ParameterSpec) -> int:
    """The most bytes a spec-valid value of ``field`` can take in JSON text."""
    if field.type == "string":
        if field.max_length is not None:
            longest = field.max_length
        elif field.enum is not None:
            longest = max(len(str(value)) for value in field.enum)
        else:  # a pattern-only string (backgroundColor): its pattern bounds it, not a length keyword
            return SLACK
        return longest * _BYTES_PER_CHARACTER + 2
    if field.type in ("integer", "number", "boolean"):
        return 32
    if field.type == "array" and field.items is not None and field.max_items is not None:
        return field.max_items * (_longest(field.items) + 1) + 2
    raise SpecError(f"body member {field.name} has no bound on its size (type {field.type})")


@functools.cache
def body_limit(operation: OperationSpec) -> int:
    """The largest body of ``operation`` read, in bytes (see the module docstring)."""
    members = sum(len(f.name) * _BYTES_PER_CHARACTER + 4 + _longest(f) for f in operation.body)
    return members + 2 + SLACK


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyRefused` once it is longer than ``limit`` bytes (never buffered beyond).

    A ``Content-Length`` over the limit is refused before any byte is read.
    """
    declared = request.headers.get("content-length", "")
    too_long = BodyRefused(f"request body: longer than {limit} bytes, the most this operation accepts")
    if declared.isdigit() and int(declared[:20]) > limit:
        raise too_long
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_long
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyRefused("request body: the client disconnected before sending all of it") from None
    return b"".join(chunks)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


#: A JSON escape of a UTF-16 surrogate (``\ud800``): valid only in pairs; alone it is no Unicode text.
_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def body_members(operation: OperationSpec, raw: bytes) -> dict[str, object]:
    """The spec's members of the JSON object ``raw``, each checked; :class:`BodyRefused` naming the problem.

    Missing required members are named together; then the first member that breaks its field's rules.
    """
    if not raw.strip():
        raise BodyRefused("request body: missing; a JSON object is required")
    try:
        decoded = msgspec.json.decode(raw)
    except UnicodeDecodeError as exc:
        raise BodyRefused(f"request body: not valid UTF-8 (byte {exc.start} of a string)") from None
    except msgspec.DecodeError as exc:
        if _SURROGATE_ESCAPE.search(raw):  # msgspec says "truncated" for a lone one, which misleads
            raise BodyRefused(
                "request body: not valid JSON (a \\uD800-\\uDFFF escape that is not half of a surrogate pair)"
            ) from None
        raise BodyRefused(f"request body: not valid JSON ({exc})") from None
    except RecursionError:
        raise BodyRefused("request body: not valid JSON (nested too deeply)") from None
    if not isinstance(decoded, dict):
        raise BodyRefused(f"request body: must be a JSON object, got {_kind(decoded)}")
    missing = [field.name for field in operation.body if field.required and field.name not in decoded]
    if missing:
        names = ", ".join(missing)
        raise BodyRefused(f"{names}: required member{'s' if len(missing) > 1 else ''} missing from the body")
    members: dict[str, object] = {}
    for field in operation.body:
        if field.name not in decoded:
            continue
        value = decoded[field.name]
        try:
            checker(field)(field.name, value)
        except FieldError as exc:
            raise BodyRefused(str(exc)) from None
        members[field.name] = value
    return members
