"""The kit's explicit probes of one operation, built from its parameters (and body) as the spec declares them.

Why derived and not written per operation: a probe states what the spec says in prose (a valid request gets
200, a wrong token 401, a wrong instance 403, HEAD 405 or GET's answer), and the valid request follows from
each parameter's declaration (its example, default or bounds; a write's JSON body from its body fields).
Adding an operation to the spec therefore adds its probes with no change here; only a value the spec cannot
supply (an ``idMessage`` the server really knows) comes from the user. The boundary and invalid values of
each parameter are not written here: schemathesis' coverage phase generates them (see ``_runner``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from greenstat_ext import _spec as spec

from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation

__all__ = ["HEAD_METHOD", "Probe", "base_body", "base_query", "probes_for", "unknown_id_query"]

# HEAD is the one method schemathesis' coverage phase does not try on a path (it tries every other one the
# spec does not declare there): the kit probes it itself.
HEAD_METHOD: Final = "HEAD"


@dataclass(frozen=True, slots=True)
class Probe:
    """One request and the status the spec's prose expects (``label`` says what is being tried)."""

    check: str
    label: str
    query: Mapping[str, Any]
    expected: frozenset[int]
    method: str = "GET"
    path_parameters: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None  # the JSON body of a write operation (None: no body)


def probes_for(
    operation: Operation, supplied: Mapping[str, str], id_instance: int, token: str
) -> list[Probe]:
    """Every probe of ``operation``; ``supplied`` holds user-given values by parameter name (e.g. idMessage).

    The order is the report's: accepted, wrong token, wrong instance, HEAD. The boundary values of each
    parameter (valid at its bounds, invalid beyond them, missing, of the wrong type) and the other methods
    come from schemathesis' coverage phase, which the runner judges with the same checks.
    """
    creds = {INSTANCE_PARAM: id_instance, TOKEN_PARAM: token}
    base = base_query(operation, supplied)
    body = base_body(operation, supplied)
    ok = frozenset({200})
    method = operation.method
    probes = [
        Probe("valid_request_accepted", _describe(base) or "no parameter", base, ok, method, creds, body)
    ]
    wrong_token = {INSTANCE_PARAM: id_instance, TOKEN_PARAM: _other_token(token)}
    probes.append(
        Probe("wrong_token_rejected", "another token", base, frozenset({401}), method, wrong_token, body)
    )
    wrong_instance = {INSTANCE_PARAM: _other_instance(id_instance), TOKEN_PARAM: token}
    probes.append(
        Probe(
            "wrong_instance_rejected",
            "another idInstance",
            base,
            frozenset({403}),
            method,
            wrong_instance,
            body,
        )
    )
    if HEAD_METHOD not in operation.path_methods:
        probes.append(
            Probe("unsupported_method_rejected", HEAD_METHOD, base, frozenset({405}), HEAD_METHOD, creds)
        )
    return probes


def unknown_id_query(operation: Operation, supplied: Mapping[str, str], fresh: str) -> dict[str, Any] | None:
    """The valid query with each required string parameter replaced by ``fresh`` (None: no such parameter).

    Why only required strings: an operation keyed by an opaque id (``idMessage``) takes it as a required
    string; an id nobody issued must give the documented empty answer (``[]``), not someone's recipients.
    ``fresh`` is cut to the parameter's ``maxLength`` and padded to its ``minLength``.
    """
    keys = [param for param in operation.query if param.required and param.type == "string"]
    if not keys:
        return None
    query = base_query(operation, supplied)
    for param in keys:
        value = fresh[: param.max_length] if param.max_length is not None else fresh
        query[param.name] = value.ljust(param.min_length or 0, "0")
    return query


def base_query(operation: Operation, supplied: Mapping[str, str]) -> dict[str, Any]:
    """The smallest valid query: each required query parameter at a valid value, optional ones left out."""
    return {
        param.name: _valid(param, supplied, operation.examples.get(param.name))
        for param in operation.query
        if param.required
    }


def base_body(operation: Operation, supplied: Mapping[str, str]) -> dict[str, Any] | None:
    """A valid JSON body of a write operation, None when it has no body.

    The spec's first request-body example when it gives one (the spec's examples are valid bodies: the
    published ones, their comments removed), else each required field at a valid value. Never a value of
    ``supplied``: the user's ``idMessage`` names a status they care about, and a write's body is where a
    delete would take it.
    """
    if not operation.body:
        return None
    if operation.body_examples:
        return dict(operation.body_examples[0])
    return {param.name: _valid(param, {}, None) for param in operation.body if param.required}


def _valid(param: spec.ParameterSpec, supplied: Mapping[str, str], example: Any) -> Any:
    """A value the spec accepts: the user's, else the spec's example or default, else one within bounds."""
    if param.name in supplied:
        return supplied[param.name]
    for candidate in (example, param.default):
        if candidate is not None:
            return candidate
    if param.type == "integer":
        low, high = param.bounds or (1, 1)
        return min(max(1, low), high)
    if param.type == "number":
        return param.minimum if param.minimum is not None else 1
    return "x" * max(param.min_length or 1, 1)


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
