"""The contract the kit checks: every operation of the bundled spec, with what the probes need.

Two views of one spec, both read through ``greenstat_ext._spec`` (the one reader of the bundled spec, below
Core, Mock and Kit). schemathesis gets the spec document itself (``Operation.api``), to generate and judge
requests. The kit's probes get plain facts about each operation (:class:`Operation`): its id, method, path and
each parameter as ``greenstat_ext._spec.ParameterSpec`` (the one description of a parameter, shared with the
client and the mock; an integer's bounds are its ``bounds``), plus the spec's example values, from which
:mod:`._probes` builds a valid request. No limit is retyped here.

Why a transformation: the spec types ``timestamp`` (and ``idInstance``) as ``integer`` with ``format: int64``,
but JSON Schema validators, schemathesis' included, do not enforce integer formats: a ``timestamp`` of
``2**63`` passed ``response_schema_conformance`` although no int64 can hold it. Rather than a check of our own
beside schemathesis', the kit turns every ``format: intN`` into the ``minimum``/``maximum`` that ``intN``
implies (``greenstat_ext._spec.integer_format_bounds``; an existing, tighter bound is kept), so
schemathesis' own schema check judges it with its usual message and schema path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import schemathesis
from schemathesis import APIOperation
from schemathesis.core.result import Ok

from greenstat_ext import _spec as spec

__all__ = [
    "INSTANCE_PARAM",
    "TOKEN_PARAM",
    "Link",
    "Operation",
    "enforce_integer_formats",
    "load_operations",
]

# The two path parameters that carry the credentials in every Green API path: the kit pins them.
INSTANCE_PARAM: Final = "idInstance"
TOKEN_PARAM: Final = "apiTokenInstance"  # noqa: S105 - a parameter's name, not a secret


@dataclass(frozen=True, slots=True)
class Link:
    """One OpenAPI link of a 200 answer: ``target`` takes the answer's ``source`` field as its ``name``.

    ``location`` is ``query`` or ``body`` (a link's ``parameters`` or ``requestBody``). Why the kit reads
    them: they are how the spec says which operations act on what a send created (``getStatusStatistic``
    reads it, ``deleteStatus`` removes it), so the write-side checks follow the links instead of naming
    operations.
    """

    target: str  # an operationId
    name: str  # the parameter or body field the value goes into
    location: str  # "query" or "body"
    source: str  # the field of the 200 answer's JSON body (``$response.body#/<source>``)


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec: its facts for the probes and its schemathesis twin for generation."""

    name: str  # the operationId, which names the operation in every finding
    method: str  # upper case
    path: str  # the template, e.g. /waInstance{idInstance}/getOutgoingStatuses/{apiTokenInstance}
    parameters: tuple[spec.ParameterSpec, ...]  # greenstat_ext._spec's own, shared with the client and mock
    path_methods: frozenset[str]  # every method the spec declares on this path (what a 405's Allow names)
    api: APIOperation[Any, Any, Any, Any]
    body: tuple[spec.ParameterSpec, ...] = ()  # the JSON request body's fields (write operations)
    # the spec's example value of a parameter, by name (a valid value to send), where it gives one
    examples: Mapping[str, Any] = field(default_factory=dict)
    # the spec's examples of the JSON request body, in spec order (each a valid body: the first is sent)
    body_examples: tuple[Mapping[str, Any], ...] = ()
    # the OpenAPI links of its 200 answer: which operation takes which field of that answer, and where
    links: tuple[Link, ...] = ()

    @property
    def query(self) -> tuple[spec.ParameterSpec, ...]:
        return tuple(param for param in self.parameters if param.location == "query")

    @property
    def is_write(self) -> bool:
        """Whether calling it may change something: the spec's ``x-creates``/``x-deletes``/``x-idempotent``,
        else its method (``greenstat_ext._spec.OperationSpec.is_write``).

        Why it matters: such a call posts a real status (or deletes one) on the implementation under test,
        so the kit sends it only with ``--allow-writes``, and never re-sends it.
        """
        return spec.operation(self.name).is_write

    @property
    def creates(self) -> str | None:
        """The kind of thing a call creates (the spec's ``x-creates``), which the write checks clean up."""
        return spec.operation(self.name).creates

    @property
    def deletes(self) -> str | None:
        """The kind of thing a call removes (the spec's ``x-deletes``): the kit's clean-up."""
        return spec.operation(self.name).deletes


@functools.cache
def load_operations() -> tuple[Operation, ...]:
    """Every operation of the bundled spec, in spec order (works from a wheel, not only a checkout)."""
    document = enforce_integer_formats(dict(spec.document()))  # a copy: the shared document stays as is
    # An explicit Config: a stray schemathesis.toml in the user's directory must not change the contract.
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    apis: dict[tuple[str, str], APIOperation[Any, Any, Any, Any]] = {}
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"the bundled spec has an invalid operation: {result.err()}")
        api = result.ok()
        apis[(api.method.upper(), api.path)] = api
    facts = spec.operations().values()
    methods: dict[str, set[str]] = {}
    for fact in facts:
        methods.setdefault(fact.path, set()).add(fact.method)
    operations = []
    for fact in facts:
        api = apis[(fact.method, fact.path)]
        examples = {
            param.name: example
            for param in api.iter_parameters()
            if (example := _example(param.definition)) is not None
        }
        operations.append(
            Operation(
                fact.operation_id,
                fact.method,
                fact.path,
                fact.parameters,
                frozenset(methods[fact.path]),
                api,
                fact.body,
                examples,
                _body_examples(fact.path, fact.method),
                _links(fact.path, fact.method),
            )
        )
    return tuple(operations)


def _raw(path: str, method: str) -> Mapping[str, Any]:
    raw = spec.document()["paths"][path][method.lower()]
    return raw if isinstance(raw, Mapping) else {}


def _body_examples(path: str, method: str) -> tuple[Mapping[str, Any], ...]:
    """The named examples of the operation's JSON request body (``requestBody.content.*.examples``)."""
    body = _deref(_raw(path, method).get("requestBody", {}))
    media = body.get("content", {}).get("application/json", {}) if isinstance(body, Mapping) else {}
    found = [
        _deref(example).get("value")
        for example in (media.get("examples") or {}).values()
        if isinstance(_deref(example), Mapping)
    ]
    if isinstance(media.get("example"), Mapping):
        found.append(media["example"])
    return tuple(value for value in found if isinstance(value, Mapping))


def _links(path: str, method: str) -> tuple[Link, ...]:
    """The links of the operation's 200 answer whose values come from its JSON body."""
    answer = _deref(_raw(path, method).get("responses", {}).get("200", {}))
    found = []
    for link in (answer.get("links") or {}).values():
        link = _deref(link)
        target = link.get("operationId")
        if not isinstance(target, str):
            continue
        sources = [("query", link.get("parameters") or {}), ("body", link.get("requestBody") or {})]
        for location, values in sources:
            if not isinstance(values, Mapping):
                continue
            for name, expression in values.items():
                prefix = "$response.body#/"
                if isinstance(expression, str) and expression.startswith(prefix):
                    found.append(Link(target, name, location, expression[len(prefix) :]))
    return tuple(found)


def _deref(node: Any) -> Mapping[str, Any]:
    """``node`` with its local ``$ref`` followed (the spec's responses and examples are often shared)."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 8:
        target: Any = spec.document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}


def _example(definition: Mapping[str, Any]) -> Any:
    """The spec's example of a parameter (its ``example``, its schema's ``example`` or first ``examples``)."""
    schema = definition.get("schema") or {}
    examples = schema.get("examples")
    return definition.get(
        "example", schema.get("example", examples[0] if isinstance(examples, list) and examples else None)
    )


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
    if isinstance(fmt, str) and is_integer:
        try:
            low, high = spec.integer_format_bounds(fmt)
        except spec.SpecError:  # another kind of format: not ours to bound
            return copy
        copy["minimum"] = max(_bound(node.get("minimum"), low), low)
        copy["maximum"] = min(_bound(node.get("maximum"), high), high)
    return copy


def _bound(value: Any, default: int) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return default
