"""Checking a call's arguments against the spec's limits, before any request, for every operation.

Why before: a value the server would refuse costs a request from the rate limit and an HTTP error that says
less than :class:`InvalidRequestError` can (which argument, what is wrong). Why from the spec: the limits
(types, lengths, bounds, patterns) live in ``openapi.yaml`` only; this module reads them through ``_spec``
and retypes none, so an operation added to the spec is validated with no code here.

Rules are built once per operation and cached: a call pays a dict lookup and the checks themselves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from greenstat_client.api.statuses import Operation

from . import _spec
from ._errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the spec says about one parameter: the check of its value."""

    name: str
    required: bool
    check: Callable[[str, object], None]


def _string_check(
    min_length: int | None, max_length: int | None, pattern: re.Pattern[str] | None
) -> Callable[[str, object], None]:

    def check(name: str, value: object) -> None:
        if not isinstance(value, str):
            raise InvalidRequestError(name, f"must be a string, got {type(value).__name__}")
        if min_length is not None and len(value) < min_length:
            problem = "must not be empty" if min_length == 1 else f"must be at least {min_length} characters"
            raise InvalidRequestError(name, f"{problem} (got {len(value)})" if value else problem)
        if max_length is not None and len(value) > max_length:
            raise InvalidRequestError(name, f"must be at most {max_length} characters (got {len(value)})")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate (e.g. from os.fsdecode or a bad JSON escape) cannot go in a URL.
            where = exc.start
            problem = f"must be valid Unicode text (position {where} is a lone surrogate or not encodable)"
            raise InvalidRequestError(name, problem) from None
        if pattern is not None and pattern.search(value) is None:  # JSON Schema: a search, not a match
            raise InvalidRequestError(name, f"must match the pattern {pattern.pattern!r}")

    return check


def _integer_check(minimum: int | None, maximum: int | None) -> Callable[[str, object], None]:
    def check(name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequestError(name, f"must be an integer, got {type(value).__name__}")
        if minimum is not None and value < minimum:
            raise InvalidRequestError(name, f"must be >= {minimum} (got {value})")
        if maximum is not None and value > maximum:
            raise InvalidRequestError(name, f"must be <= {maximum} (got {value})")

    return check


def _number_check(minimum: float | None, maximum: float | None) -> Callable[[str, object], None]:
    def check(name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidRequestError(name, f"must be a finite number, got {value!r}")
        if minimum is not None and value < minimum:
            raise InvalidRequestError(name, f"must be >= {minimum} (got {value})")
        if maximum is not None and value > maximum:
            raise InvalidRequestError(name, f"must be <= {maximum} (got {value})")

    return check


def _boolean_check(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidRequestError(name, f"must be a boolean, got {type(value).__name__}")


def _any_check(name: str, value: object) -> None:
    """A parameter type this module has no rule for (arrays, objects): the generated layer serializes it."""


def _rule(parameter: _spec.ParameterSpec, python_name: str) -> _Rule:
    if parameter.type == "string":
        check = _string_check(parameter.min_length, parameter.max_length, parameter.regex)
    elif parameter.type == "integer":
        bounds = parameter.bounds  # minimum/maximum tightened by the format's (int32, int64) range
        check = _integer_check(*bounds) if bounds is not None else _integer_check(None, None)
    elif parameter.type == "number":
        check = _number_check(parameter.minimum, parameter.maximum)
    elif parameter.type == "boolean":
        check = _boolean_check
    else:
        check = _any_check
    return _Rule(python_name, parameter.required, check)


@cache
def _rules(operation: Operation[Any]) -> tuple[_Rule, ...]:
    spec = _spec.operation(operation.operation_id)
    return tuple(_rule(spec.parameter(p.wire_name), p.name) for p in operation.parameters)


def arguments(operation: Operation[Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` checked against the operation's parameters in the spec; raises :class:`InvalidRequestError`.

    ``None`` for an optional parameter leaves it out of the request (the server's default applies).
    """
    for rule in _rules(operation):
        value = params.get(rule.name)
        if value is None:
            if rule.required:
                raise InvalidRequestError(rule.name, "is required")
            continue
        rule.check(rule.name, value)
    return params
