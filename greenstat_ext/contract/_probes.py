"""The kit's explicit probes of one operation, built from its parameters as the spec declares them.

Why derived and not written per operation: a probe states what the spec says in prose (a valid request gets
200, a wrong token 401, a wrong instance 403, an invalid parameter 400, another method 405), and which
requests are valid or invalid follows from each parameter's declaration: a required parameter can be left
out, a string has lengths, an integer bounds and a type. Adding an operation to the spec therefore adds its
probes with no change here; only a value the spec cannot supply (an ``idMessage`` the server really knows)
comes from the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from greenstat_ext import _spec as spec

from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation, Parameter

__all__ = ["UNSUPPORTED_METHODS", "Probe", "base_query", "probes_for"]

# The methods a probe tries on a path; those the spec declares on it are left out.
UNSUPPORTED_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True, slots=True)
class Probe:
    """One request and the status the spec's prose expects (``label`` says what is being tried)."""

    check: str
    label: str
    query: Mapping[str, Any]
    expected: frozenset[int]
    method: str = "GET"
    path_parameters: Mapping[str, Any] = field(default_factory=dict)


def probes_for(
    operation: Operation, supplied: Mapping[str, str], id_instance: int, token: str
) -> list[Probe]:
    """Every probe of ``operation``; ``supplied`` holds user-given values by parameter name (e.g. idMessage).

    The order is the report's: accepted, wrong token, wrong instance, invalid parameters, other methods.
    """
    creds = {INSTANCE_PARAM: id_instance, TOKEN_PARAM: token}
    base = base_query(operation, supplied)
    ok, bad = frozenset({200}), frozenset({400})
    probes = [
        Probe("valid_request_accepted", _describe(base) or "no parameter", base, ok, operation.method, creds)
    ]
    for param in operation.query:
        for value in _boundaries(param):
            query = {**base, param.name: value}
            label = f"{param.name}={value} (its {'minimum' if value == param.minimum else 'maximum'})"
            probes.append(Probe("valid_request_accepted", label, query, ok, operation.method, creds))
    wrong_token = {INSTANCE_PARAM: id_instance, TOKEN_PARAM: _other_token(token)}
    probes.append(
        Probe("wrong_token_rejected", "another token", base, frozenset({401}), operation.method, wrong_token)
    )
    wrong_instance = {INSTANCE_PARAM: _other_instance(id_instance), TOKEN_PARAM: token}
    probes.append(
        Probe(
            "wrong_instance_rejected",
            "another idInstance",
            base,
            frozenset({403}),
            operation.method,
            wrong_instance,
        )
    )
    for param in operation.query:
        for value, label in _invalid(param):
            query = {key: val for key, val in base.items() if key != param.name}
            if value is not _MISSING:
                query[param.name] = value
            probes.append(Probe("invalid_parameter_rejected", label, query, bad, operation.method, creds))
    for method in UNSUPPORTED_METHODS:
        if method not in operation.path_methods:
            probes.append(Probe("unsupported_method_rejected", method, base, frozenset({405}), method, creds))
    return probes


def base_query(operation: Operation, supplied: Mapping[str, str]) -> dict[str, Any]:
    """The smallest valid query: each required query parameter at a valid value, optional ones left out."""
    return {param.name: _valid(param, supplied) for param in operation.query if param.required}


_MISSING: Final = object()


def _valid(param: Parameter, supplied: Mapping[str, str]) -> Any:
    """A value the spec accepts: the user's, else the spec's example or default, else one within bounds."""
    if param.name in supplied:
        return supplied[param.name]
    for candidate in (param.example, param.default):
        if candidate is not None:
            return candidate
    if param.type == "integer" or param.type == "number":
        if param.minimum is not None:
            return param.minimum
        return param.maximum if param.maximum is not None and param.maximum < 1 else 1
    return "x" * max(param.min_length or 1, 1)


def _boundaries(param: Parameter) -> list[Any]:
    """An integer's bounds are valid values too, and where an implementation's check is most often off."""
    if param.type != "integer":
        return []
    return [bound for bound in (param.minimum, param.maximum) if bound is not None]


def _invalid(param: Parameter) -> list[tuple[Any, str]]:
    """Values the spec rejects, each with a label saying what is wrong: missing, out of bounds, wrong type."""
    name = param.name
    values: list[tuple[Any, str]] = []
    if param.required:
        values.append((_MISSING, f"{name} missing"))
    if param.type == "string":
        if param.min_length is not None and param.min_length >= 1:
            size = param.min_length - 1
            values.append(("x" * size, f"{name} of {size} characters (minLength {param.min_length})"))
        if param.max_length is not None:
            size = param.max_length + 1
            values.append(("x" * size, f"{name} of {size} characters (maxLength {param.max_length})"))
    elif param.type == "integer":
        if param.minimum is not None:
            below = param.minimum - 1
            values.append((below, f"{name}={below} (below its minimum {param.minimum})"))
        if param.maximum is not None:
            above = param.maximum + 1
            values.append((above, f"{name}={above} (above its maximum {param.maximum})"))
        values.append(("x", f"{name}=x (not an integer)"))
    return values


def _other_token(token: str) -> str:
    """A well-formed token other than ``token`` that reveals nothing of it: one digit, repeated."""
    limits = spec.token_limits()
    size = min(max(len(token), limits.min_length), limits.max_length)
    for digit in "01":
        if (other := digit * size) != token:
            return other
    raise AssertionError("unreachable: two different strings of one length")  # pragma: no cover


def _other_instance(id_instance: int) -> int:
    """A well-formed idInstance next to ``id_instance``, within the spec's range."""
    return id_instance + 1 if id_instance < spec.id_instance_range()[1] else id_instance - 1


def _describe(query: Mapping[str, Any]) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items())
