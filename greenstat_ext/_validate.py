"""Checking a call's arguments against the spec's limits, before any request, for every operation.

Why before: a value the server would refuse costs a request from the rate limit and an HTTP error that says
less than :class:`InvalidRequestError` can (which argument, what is wrong). Why from the spec: the limits
(types, lengths, bounds, patterns) live in ``openapi.yaml`` only; this module reads them through ``_spec``
and retypes none, so an operation added to the spec is validated with no code here.

Rules are built once per operation and cached: a call pays a dict lookup and the checks themselves. The
checks are :mod:`._fields`' (the mock answers 400 by the same ones); the body members of a write are checked
like query parameters, before the generated model is built from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from greenstat_client.api import Operation

from . import _fields, _spec
from ._errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the spec says about one parameter: the check of its value (``_fields``)."""

    name: str
    required: bool
    check: Callable[[str, object], None]


@cache
def _rules(operation: Operation[Any]) -> tuple[_Rule, ...]:
    spec = _spec.operation(operation.operation_id)
    return tuple(
        _Rule(p.name, p.required, _fields.checker(spec.parameter(p.wire_name))) for p in operation.parameters
    )


def _plain(value: object) -> object:
    """``value`` as the plain JSON type it stands for, checked and sent as that very object.

    Why: a ``str`` subclass (``numpy.str_``, a typed id, a ``StrEnum`` member) or a sequence other than a
    list (a tuple, a ``deque``) is a fine argument, but the encoder refuses it, and a subclass may lie about
    its ``len``; the check and the request must see the same, plain value. A str is never made a list.
    """
    if isinstance(value, str):
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if type(value) is int else int.__index__(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray | memoryview):
        return [_plain(item) for item in value]
    return value


def arguments(operation: Operation[Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked against the operation's parameters in the spec; raises :class:`InvalidRequestError`.

    ``None`` for an optional parameter leaves it out of the request (the server's default applies). Values
    are made plain first (:func:`_plain`), in ``params`` itself: what was checked is what is sent.
    """
    for rule in _rules(operation):
        value = params.get(rule.name)
        if value is None:
            if rule.required:
                raise InvalidRequestError(rule.name, "is required")
            continue
        params[rule.name] = value = _plain(value)
        try:
            rule.check(rule.name, value)
        except _fields.FieldError as exc:
            raise InvalidRequestError(exc.field, exc.problem) from None
    return params


def generated_arguments(operation: Operation[Any], params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the operation's generated call: its query parameters, and ``body`` (the
    operation's ``body_type`` built from the body members given) when it takes one.

    ``params`` must have passed :func:`arguments` (so its values are plain). A member left ``None`` is left
    out of the body (the server's default applies).
    """
    if operation.body_type is None:
        return params
    query: dict[str, Any] = {}
    members: dict[str, Any] = {}
    for parameter in operation.parameters:
        value = params.get(parameter.name)
        if parameter.location != "body":
            query[parameter.name] = value
        elif value is not None:
            members[parameter.name] = value
    return {**query, "body": operation.body_type(**members)}
