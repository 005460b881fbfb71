"""One check of a value against what the spec says of its field, for the client and the mock alike.

Why one module: the client refuses a bad argument before any request (``_validate``) and the mock answers
400 to a bad request (``mock._app``); both must agree with the spec and with each other, so both ask this
module, which reads the rules (types, lengths, patterns, enums, item counts) from :mod:`._spec` and retypes
none. Layering: it sits below Core, Mock and Kit (standard library and ``_spec`` only), like ``_redact``.

The words: a field whose spec gives an ``x-rule`` ("must be an http(s):// URL") is refused in those words
whenever its text is too short or breaks its pattern (``maxLength`` keeps its count, which says by how
much, and ``format`` its own words, which say what the pattern could not): the spec's regex means nothing
to a person typing ``--file-name hello.ogg``. A field without one is refused by the keyword it breaks.

The value is a JSON value (what a body decodes to, or a Python argument of the same shape): ``str``, ``int``,
``float``, ``bool``, lists. Text is checked in code points, as JSON Schema's ``maxLength`` counts; a pattern
is searched, as JSON Schema does (the spec's patterns are anchored anyway).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Final

from ._spec import ParameterSpec

__all__ = ["FieldError", "checker"]

Check = Callable[[str, object], None]


class FieldError(ValueError):
    """``value`` breaks the spec: ``field`` (``participants[2]``) and ``problem`` say how, for a person."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


# RFC 3986's URI grammar (section 3 and appendix A), which JSON Schema's ``format: uri`` means and which
# schemathesis checks a server against: an absolute URI, ASCII only, ``%`` followed by two hex digits.
_UNRESERVED: Final = r"A-Za-z0-9\-._~"
_SUB_DELIMS: Final = r"!$&'()*+,;="
_PCT: Final = r"%[0-9A-Fa-f]{2}"
_PCHAR: Final = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_URI: Final = re.compile(
    rf"(?P<scheme>[A-Za-z][A-Za-z0-9+\-.]*):"
    rf"(?:"
    rf"//(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"  # userinfo
    rf"(?:\[(?P<literal>[^\]]*)\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"  # host
    rf"(?::[0-9]*)?"  # port
    rf"(?:/{_PCHAR}*)*"  # path-abempty
    rf"|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"  # path-absolute
    rf"|{_PCHAR}+(?:/{_PCHAR}*)*"  # path-rootless
    rf"|"  # path-empty
    rf")"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?"  # query
    rf"(?:#(?:{_PCHAR}|[/?])*)?"  # fragment
)
_IP_FUTURE: Final = re.compile(rf"v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+")


def _is_uri(value: str) -> bool:
    """Whether ``value`` is an absolute URI by RFC 3986 (an IPv6 literal checked by :mod:`ipaddress`)."""
    match = _URI.fullmatch(value)
    if match is None:
        return False
    literal = match.group("literal")
    if literal is None or _IP_FUTURE.fullmatch(literal):
        return True
    if "%" in literal:  # RFC 3986 has no zone ids; ipaddress would accept one
        return False
    try:
        ipaddress.IPv6Address(literal)
    except ValueError:
        return False
    return True


_FORMATS: Final[dict[str, tuple[Callable[[str], bool], str]]] = {
    "uri": (_is_uri, "must be an absolute URI (RFC 3986)"),
}
"""String formats with a meaning (JSON Schema's): the check and its problem. Others are annotations."""


def _string_check(spec: ParameterSpec) -> Check:
    min_length, max_length, pattern = spec.min_length, spec.max_length, spec.regex
    fmt = _FORMATS.get(spec.format or "")
    allowed = frozenset(spec.enum) if spec.enum is not None else None
    rule = spec.rule

    def check(name: str, value: object) -> None:
        if not isinstance(value, str):
            raise FieldError(name, f"must be a string, got {_kind(value)}")
        if min_length is not None and len(value) < min_length:
            if rule is not None:
                raise FieldError(name, rule)
            problem = "must not be empty" if min_length == 1 else f"must be at least {min_length} characters"
            raise FieldError(name, f"{problem} (got {len(value)})" if value else problem)
        if max_length is not None and len(value) > max_length:
            raise FieldError(name, f"must be at most {max_length} characters (got {len(value)})")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate (os.fsdecode, a bad JSON escape) cannot go on the wire.
            raise FieldError(
                name, f"must be valid Unicode text (position {exc.start} is a lone surrogate)"
            ) from None
        if allowed is not None and value not in allowed:
            raise FieldError(name, f"must be one of {', '.join(sorted(allowed))}")
        if pattern is not None and pattern.search(value) is None:
            raise FieldError(name, rule or f"must match the pattern {pattern.pattern!r}")
        if fmt is not None and not fmt[0](value):
            raise FieldError(name, fmt[1])

    return check


def _integer_check(spec: ParameterSpec) -> Check:
    low, high = spec.bounds or (None, None)

    def check(name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(name, f"must be an integer, got {_kind(value)}")
        if low is not None and value < low:
            raise FieldError(name, f"must be >= {low} (got {value})")
        if high is not None and value > high:
            raise FieldError(name, f"must be <= {high} (got {value})")

    return check


def _number_check(spec: ParameterSpec) -> Check:
    low, high = spec.minimum, spec.maximum

    def check(name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise FieldError(name, f"must be a finite number, got {_kind(value)}")
        if low is not None and value < low:
            raise FieldError(name, f"must be >= {low} (got {value})")
        if high is not None and value > high:
            raise FieldError(name, f"must be <= {high} (got {value})")

    return check


def _boolean_check(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise FieldError(name, f"must be a boolean, got {_kind(value)}")


def _array_check(spec: ParameterSpec) -> Check:
    min_items, max_items = spec.min_items, spec.max_items
    item = checker(spec.items) if spec.items is not None else None

    def check(name: str, value: object) -> None:
        # A str is a Sequence too, and ["a", "b"] spelled "ab" is a classic slip: refuse it.
        if isinstance(value, str | bytes | bytearray) or not isinstance(value, Sequence):
            raise FieldError(name, f"must be a list, got {_kind(value)}")
        if max_items is not None and len(value) > max_items:
            raise FieldError(name, f"must have at most {max_items} items (got {len(value)})")
        if min_items is not None and len(value) < min_items:
            raise FieldError(name, f"must have at least {min_items} items (got {len(value)})")
        if item is not None:
            for index, element in enumerate(value):
                item(f"{name}[{index}]", element)

    return check


def _no_check(name: str, value: object) -> None:
    """A field of a type this module has no rule for (an object): the generated models check its shape."""


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


@cache
def checker(spec: ParameterSpec) -> Check:
    """The check of a value of ``spec``'s field: ``checker(spec)(name, value)`` raises :class:`FieldError`.

    Built once per field (``ParameterSpec`` is frozen and hashable): a call pays only the checks.
    """
    if spec.type == "string":
        return _string_check(spec)
    if spec.type == "integer":
        return _integer_check(spec)
    if spec.type == "number":
        return _number_check(spec)
    if spec.type == "boolean":
        return _boolean_check
    if spec.type == "array":
        return _array_check(spec)
    return _no_check
