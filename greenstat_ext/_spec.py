"""The spec, read at run time: every limit, pattern and rate limit of greenstat comes from here.

Why one module: ``openapi.yaml`` is the single source of truth, but a limit copied into code (the instance id
maximum, the token pattern, the ``idMessage`` length, a rate) silently outlives a change of the spec. So the
client, the mock and the contract kit ask this module instead, and ``tests/test_no_spec_copies.py`` fails
when a hand-written copy of a spec constant appears in ``greenstat_ext/``.

Where the spec comes from: the copy bundled in the generated package, as JSON (``scripts/generate.sh`` writes
``greenstat_client/openapi.json`` beside ``openapi.yaml``), read once through :mod:`importlib.resources` (so
it works from a wheel, not only a checkout) and cached. JSON, not YAML: no YAML parser at run time, and the
standard library's ``json`` parses the ~40 KB document in well under a millisecond.

Layering: this module sits below Core, Mock and Kit (like ``_redact``) and imports only the standard library,
so the mock reads its limits without the client. The bundled file is located without importing
``greenstat_client`` (whose ``__init__`` loads the generated client and httpx): see :func:`_bundled_spec`.

Accessors return frozen dataclasses; :func:`document` returns the raw parsed document, which callers must
treat as read-only (it is shared).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "IDEMPOTENT_METHODS",
    "SAFE_METHODS",
    "Operation",
    "OperationSpec",
    "Parameter",
    "ParameterSpec",
    "RateLimit",
    "SpecError",
    "TokenLimits",
    "document",
    "id_instance_range",
    "integer_format_bounds",
    "listing",
    "operation",
    "operations",
    "parameter",
    "response_header",
    "schema_enum",
    "schema_field",
    "slowest_rate",
    "snake_case",
    "token_limits",
]

#: The package whose bundled ``openapi.json`` is read.
SPEC_PACKAGE: Final = "greenstat_client"
SPEC_RESOURCE: Final = "openapi.json"
_HTTP_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The methods whose calls HTTP calls idempotent (RFC 9110 §9.2.2): the default of ``x-idempotent``.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
#: The methods HTTP calls safe (RFC 9110 §9.2.1): an operation of another method is a write by default.
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: What ``x-creates``/``x-deletes`` name: a kind of thing (``status``), lower case.
_KIND: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: ``int32``, ``int64`` (OpenAPI's own), and any other ``intN`` a spec may use (as the contract kit reads).
_INTEGER_FORMAT: Final = re.compile(r"int([1-9][0-9]{0,3})")
#: The shape of a token pattern this module can split into an alphabet: ``^[...]+$``.
_CHAR_CLASS_PATTERN: Final = re.compile(r"\^?(\[[^\]]+\])\+\$?")


class SpecError(RuntimeError):
    """The bundled spec lacks something greenstat needs (a broken build, not a user error)."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """An operation's documented rate limit, from its ``x-rate-limit`` vendor extension.

    **The one meaning** (docs/spec.md, "Rate limits"): at most ``requests`` requests, per instance and per
    method, in any window of ``per_seconds`` seconds (a sliding window over the requests the server
    *accepted*; a refused one counts for nothing). :meth:`wait` is that rule as one function, and the three
    parts that act on it use it or are proven against it: the mock's gateway refuses with it, the contract
    kit's ``rate_limit_enforced`` judges a burst with it, and the client's limiter paces at :attr:`rate`
    with every start at least ``1 / rate`` after the previous answer, which it never refuses
    (``tests/test_rate_limit_meaning.py``, a property test over rates from 0.1/s to 50/s).

    Why a window and not a token bucket of capacity ``requests``: a bucket refills *during* a burst, so
    "11 requests in 0.15 s" at 10/s passed a bucket while the kit, reading "10 per second", expected a 429.
    """

    requests: int
    per_seconds: float

    @property
    def rate(self) -> float:
        """Requests per second: the pace that never breaks the window (``requests`` spaced evenly)."""
        return self.requests / self.per_seconds

    def wait(self, accepted: Sequence[float], now: float) -> float:
        """Seconds until one more request is within the limit: ``0.0`` when one arriving at ``now`` is.

        ``accepted`` are the arrival times of the requests accepted so far, ascending, on the same clock as
        ``now`` (only the last ``requests`` of them matter). A request at ``now`` is within the limit when
        fewer than ``requests`` accepted ones arrived in ``(now - per_seconds, now]``.
        """
        if len(accepted) < self.requests:
            return 0.0
        oldest_in_window = accepted[-self.requests]
        return max(0.0, oldest_in_window + self.per_seconds - now)


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter (path or query) or request-body field of an operation, with its constraints.

    Absent constraints are ``None``. ``default`` is ``None`` when the spec gives none (no parameter of this
    spec has a ``null`` default). ``python_name`` is the generated client's argument name (snake_case).
    """

    name: str
    location: str
    required: bool
    type: str | None
    format: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: Any = None
    description: str = ""
    #: The allowed values (``enum``), when the spec closes the set.
    enum: tuple[Any, ...] | None = None
    #: For an array: ``minItems``, ``maxItems`` and what each item must be.
    min_items: int | None = None
    max_items: int | None = None
    items: ParameterSpec | None = None
    #: The field's rule in a user's words (its ``x-rule``, e.g. "must be an http(s):// URL"): the message
    #: of every check of its text (length, pattern, format) that fails, in the client, the CLI and the mock.
    rule: str | None = None

    @property
    def python_name(self) -> str:
        """``idInstance`` → ``id_instance``: the generated client's (and greenstat's) argument name."""
        return snake_case(self.name)

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The integer range a value must fall in: ``minimum``/``maximum`` tightened by the format's bounds.

        ``None`` for a non-integer parameter. An integer without either keyword and without ``intN`` format
        is unbounded on that side, which this spec never does (every integer has a format).
        """
        if self.type != "integer":
            return None
        low, high = integer_format_bounds(self.format) if self.format else (None, None)
        if self.minimum is not None:
            low = int(self.minimum) if low is None else max(low, int(self.minimum))
        if self.maximum is not None:
            high = int(self.maximum) if high is None else min(high, int(self.maximum))
        if low is None or high is None:
            raise SpecError(f"parameter {self.name} is an integer without a bound and without an intN format")
        return low, high

    @property
    def length_bounds(self) -> tuple[int, int]:
        """``(minLength or 0, maxLength)`` of a string; ``SpecError`` when the spec gives no ``maxLength``."""
        if self.max_length is None:
            raise SpecError(f"parameter {self.name} has no maxLength")
        return self.min_length or 0, self.max_length

    @property
    def regex(self) -> re.Pattern[str] | None:
        """``pattern`` compiled; use ``fullmatch`` (the spec's patterns are anchored anyway)."""
        return None if self.pattern is None else _compile(self.pattern)


@dataclass(frozen=True, slots=True)
class OperationSpec:
    """One operation of the spec: what a client sends, what a mock routes, how fast either may go."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[ParameterSpec, ...]
    body: tuple[ParameterSpec, ...]
    rate_limit: RateLimit
    summary: str = ""
    #: The component schema name of the 200 answer (of its items when :attr:`returns_array`), if any.
    result_schema: str | None = None
    returns_array: bool = False
    #: ``x-idempotent``: whether repeating the call after the request went out is safe (a retry after a
    #: timeout or a 5xx). Default: the HTTP method's idempotency (:data:`IDEMPOTENT_METHODS`).
    idempotent: bool = True
    #: ``x-creates``: the kind of thing a call creates (``status``), which the kit's write checks follow
    #: and must clean up; ``None`` when it creates nothing.
    creates: str | None = None
    #: ``x-deletes``: the kind of thing a call removes (``status``), what the kit cleans up with.
    deletes: str | None = None
    #: ``x-lists``: the kind of thing a read lists (``status``): where to look after a write of that kind
    #: whose outcome is unknown (:func:`listing`); ``None`` when it lists nothing a write acts on.
    lists: str | None = None
    #: ``x-lists-note``: what that listing may miss, in words that follow "which" ("lists statuses sent
    #: through the API only while …"); empty when it misses nothing.
    lists_note: str = ""

    @property
    def python_name(self) -> str:
        """``getOutgoingStatuses`` → ``get_outgoing_statuses``: the generated module and the facade method."""
        return snake_case(self.operation_id)

    @property
    def is_write(self) -> bool:
        """Whether a call may change something on the server: it creates or deletes (``x-creates``,
        ``x-deletes``), is not idempotent, or its method is not safe.

        Why not the method alone: the spec says what a call does (Green API has GETs that act, and POSTs
        that only read would be as possible); the method is only the default.
        """
        return (
            self.creates is not None
            or self.deletes is not None
            or not self.idempotent
            or self.method not in SAFE_METHODS
        )

    @property
    def path_parameters(self) -> tuple[ParameterSpec, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_parameters(self) -> tuple[ParameterSpec, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    def parameter(self, name: str) -> ParameterSpec:
        """A parameter or body field by its wire name (``idMessage``) or Python name (``id_message``)."""
        for candidate in (*self.parameters, *self.body):
            if name in (candidate.name, candidate.python_name):
                return candidate
        raise KeyError(f"{self.operation_id} has no parameter {name!r}")


@dataclass(frozen=True, slots=True)
class TokenLimits:
    """What ``apiTokenInstance`` may be: the spec's pattern and lengths, and the alphabet they imply."""

    pattern: str
    min_length: int
    max_length: int

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern compiled; match with ``fullmatch`` and check the lengths apart."""
        return _compile(self.pattern)

    @property
    def char_class(self) -> str:
        """The pattern's alphabet as a regex bracket expression (``[A-Za-z0-9]`` today), for redaction."""
        match = _CHAR_CLASS_PATTERN.fullmatch(self.pattern)
        if match is None:
            raise SpecError(f"the token pattern {self.pattern!r} is not of the form ^[...]+$")
        return match.group(1)

    @property
    def bounded_regex(self) -> re.Pattern[str]:
        """One regex for alphabet and length (``[A-Za-z0-9]{1,128}``), for ``fullmatch``."""
        return _compile(f"{self.char_class}{{{self.min_length},{self.max_length}}}")

    def matches(self, value: str) -> bool:
        """Whether ``value`` is a token the spec accepts."""
        return self.min_length <= len(value) <= self.max_length and self.regex.fullmatch(value) is not None


def snake_case(name: str) -> str:
    """``getOutgoingStatuses`` → ``get_outgoing_statuses`` (what openapi-python-client does to names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def integer_format_bounds(fmt: str) -> tuple[int, int]:
    """What an ``intN`` format holds: ``int64`` → ``(-2**63, 2**63 - 1)``; ``SpecError`` otherwise."""
    match = _INTEGER_FORMAT.fullmatch(fmt)
    if match is None:
        raise SpecError(f"{fmt!r} is not an integer format (intN)")
    bits = int(match.group(1))
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _bundled_spec() -> Traversable:
    """The bundled ``openapi.json``, found without running ``greenstat_client/__init__.py``.

    Why: that ``__init__`` imports the generated client and httpx (~0.1 s), which a caller that only needs
    the spec's limits (``greenstat --help``, the mock) should not pay. ``find_spec`` locates the package's
    folder without executing it; a package that is not a folder (a zip import) falls back to
    :func:`importlib.resources.files`, which imports it.
    """
    found = importlib.util.find_spec(SPEC_PACKAGE)
    folders = list(found.submodule_search_locations or []) if found is not None else []
    if folders:
        return Path(folders[0]) / SPEC_RESOURCE
    return files(SPEC_PACKAGE) / SPEC_RESOURCE


@functools.cache
def document() -> Mapping[str, Any]:
    """The bundled spec, parsed once. Shared: never mutate it."""
    try:
        text = _bundled_spec().read_text(encoding="utf-8")
    except FileNotFoundError:  # pragma: no cover - a package not built by scripts/generate.sh
        raise SpecError(f"{SPEC_PACKAGE}/{SPEC_RESOURCE} is missing: run `make generate`") from None
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise SpecError(f"{SPEC_PACKAGE}/{SPEC_RESOURCE} is not a JSON object")
    return MappingProxyType(parsed)


def _resolve(node: Any) -> Any:
    """Follow local ``$ref`` s (``#/components/...``) until a node that is not a reference."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise SpecError(f"unsupported or circular $ref {ref!r}")
        seen.add(ref)
        target: Any = document()
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _field(
    name: str, location: str, required: bool, schema: Mapping[str, Any], description: str
) -> ParameterSpec:
    schema = _resolve(schema)
    kind = schema.get("type")
    enum = schema.get("enum")
    items = schema.get("items")
    return ParameterSpec(
        name=name,
        location=location,
        required=required,
        type=kind if isinstance(kind, str) else None,
        format=schema.get("format"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=schema.get("pattern"),
        default=schema.get("default"),
        description=description or schema.get("description", ""),
        enum=tuple(enum) if isinstance(enum, list) else None,
        min_items=schema.get("minItems"),
        max_items=schema.get("maxItems"),
        items=_field(f"{name}[]", location, True, items, "") if isinstance(items, Mapping) else None,
        rule=schema.get("x-rule") if isinstance(schema.get("x-rule"), str) else None,
    )


def _rate_limit(operation_id: str, raw: Any) -> RateLimit:
    if not isinstance(raw, Mapping):
        raise SpecError(f"operation {operation_id} has no x-rate-limit: {{requests: N, per_seconds: S}}")
    requests, per_seconds = raw.get("requests"), raw.get("per_seconds")
    if not (isinstance(requests, int) and not isinstance(requests, bool) and requests > 0):
        raise SpecError(f"operation {operation_id}: x-rate-limit.requests must be a positive integer")
    if not (isinstance(per_seconds, int | float) and not isinstance(per_seconds, bool) and per_seconds > 0):
        raise SpecError(f"operation {operation_id}: x-rate-limit.per_seconds must be a positive number")
    return RateLimit(requests=requests, per_seconds=per_seconds)


def _idempotent(operation_id: str, method: str, raw: Any) -> bool:
    if raw is None:
        return method in IDEMPOTENT_METHODS
    if not isinstance(raw, bool):
        raise SpecError(f"operation {operation_id}: x-idempotent must be true or false")
    return raw


def _kind(operation_id: str, key: str, raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or _KIND.fullmatch(raw) is None:
        raise SpecError(f"operation {operation_id}: {key} must name a kind of thing, e.g. status")
    return raw


def _result(responses: Mapping[str, Any]) -> tuple[str | None, bool]:
    ok = _resolve(responses.get("200", {}))
    schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
    is_array = schema.get("type") == "array"
    target = schema.get("items", {}) if is_array else schema
    ref = target.get("$ref") if isinstance(target, Mapping) else None
    name = (
        ref.rsplit("/", 1)[-1] if isinstance(ref, str) and ref.startswith("#/components/schemas/") else None
    )
    return name, is_array


def _operation(path: str, method: str, raw: Mapping[str, Any], shared: list[Any]) -> OperationSpec:
    operation_id = raw.get("operationId")
    if not isinstance(operation_id, str):
        raise SpecError(f"{method.upper()} {path} has no operationId")
    parameters = []
    for entry in [*shared, *raw.get("parameters", [])]:
        param = _resolve(entry)
        parameters.append(
            _field(
                param["name"],
                param["in"],
                bool(param.get("required", False)),
                param.get("schema", {}),
                param.get("description", ""),
            )
        )
    body: list[ParameterSpec] = []
    request_body = _resolve(raw.get("requestBody", {}))
    body_schema = _resolve(request_body.get("content", {}).get("application/json", {}).get("schema", {}))
    required = set(body_schema.get("required", []))
    for name, schema in body_schema.get("properties", {}).items():
        body.append(_field(name, "body", name in required, schema, ""))
    result_schema, returns_array = _result(raw.get("responses", {}))
    return OperationSpec(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        parameters=tuple(parameters),
        body=tuple(body),
        rate_limit=_rate_limit(operation_id, raw.get("x-rate-limit")),
        summary=raw.get("summary", ""),
        result_schema=result_schema,
        returns_array=returns_array,
        idempotent=_idempotent(operation_id, method.upper(), raw.get("x-idempotent")),
        creates=_kind(operation_id, "x-creates", raw.get("x-creates")),
        deletes=_kind(operation_id, "x-deletes", raw.get("x-deletes")),
        lists=_kind(operation_id, "x-lists", raw.get("x-lists")),
        lists_note=_lists_note(operation_id, raw),
    )


def _lists_note(operation_id: str, raw: Mapping[str, Any]) -> str:
    note = raw.get("x-lists-note", "")
    if not isinstance(note, str) or (note and "x-lists" not in raw):
        raise SpecError(f"operation {operation_id}: x-lists-note must be text, beside an x-lists")
    return " ".join(note.split())


@functools.cache
def operations() -> Mapping[str, OperationSpec]:
    """Every operation of the spec, by ``operationId``, in the spec's order."""
    table: dict[str, OperationSpec] = {}
    for path, item in document().get("paths", {}).items():
        shared = list(item.get("parameters", []))
        for method in _HTTP_METHODS:
            if method in item:
                spec = _operation(path, method, item[method], shared)
                if spec.operation_id in table:
                    raise SpecError(f"operationId {spec.operation_id} is used twice")
                table[spec.operation_id] = spec
    if not table:
        raise SpecError("the bundled spec has no operation")
    return MappingProxyType(table)


def operation(operation_id: str) -> OperationSpec:
    """An operation, by operationId or by Python name (``getOutgoingStatuses``, ``get_outgoing_statuses``)."""
    table = operations()
    if operation_id in table:
        return table[operation_id]
    for spec in table.values():
        if spec.python_name == operation_id:
            return spec
    raise KeyError(f"the spec has no operation {operation_id!r} (it has: {', '.join(table)})")


def listing(kind: str) -> OperationSpec | None:
    """The read that lists things of ``kind`` (its ``x-lists``), or ``None`` when no operation does.

    Why: after a write whose outcome is unknown, the advice is "look for it first" -- with the operation
    that lists what the write creates or deletes, which only the spec knows (a ``sendMessage`` creating a
    ``message`` is not found among the statuses). ``make lint-spec`` allows one such read per kind, and
    the same rule as here: a read creates and deletes nothing and may be repeated (its method's default or a
    stated ``x-idempotent: true``: Green API reads such as ``getChatHistory`` are POSTs).
    """
    for spec in operations().values():
        if spec.lists == kind and spec.creates is None and spec.deletes is None and spec.idempotent:
            return spec
    return None


def parameter(operation_id: str, name: str) -> ParameterSpec:
    """A parameter, by wire or Python name (``parameter("getOutgoingStatuses", "minutes")``)."""
    return operation(operation_id).parameter(name)


def _shared_parameter(name: str) -> ParameterSpec:
    """A parameter every operation has (``idInstance``, ``apiTokenInstance``), checked to be the same in all.

    Why the check: the client validates credentials once, for every operation; if one operation of a future
    spec bounded them differently, one answer would be wrong, so that is refused loudly here.
    """
    found = [op.parameter(name) for op in operations().values()]
    first = replace(found[0], description="")
    if any(replace(other, description="") != first for other in found[1:]):
        raise SpecError(f"the operations disagree on the parameter {name}")
    return found[0]


def schema_field(schema_name: str, name: str) -> ParameterSpec:
    """A component schema's property and its constraints: ``schema_field("StatusStatistic", "timestamp")``.

    ``location`` is ``"schema"``; ``required`` is whether the schema lists it in ``required``.
    """
    schema = _resolve(document().get("components", {}).get("schemas", {}).get(schema_name))
    if not isinstance(schema, Mapping) or name not in schema.get("properties", {}):
        raise KeyError(f"the spec has no schema property {schema_name}.{name}")
    required = name in schema.get("required", [])
    return _field(name, "schema", required, schema["properties"][name], "")


def response_header(operation_id: str, status: int, name: str) -> tuple[Mapping[str, Any], bool] | None:
    """The schema of header ``name`` of ``operation_id``'s ``status`` answer, and whether it is required.

    None when the spec does not declare it. Why: a header's value rule (``Retry-After``'s pattern) lives in
    the spec; the contract kit judges the header with it instead of retyping the pattern. Header names are
    compared case-insensitively (HTTP).
    """
    found = operation(operation_id)
    raw = document()["paths"][found.path][found.method.lower()]
    response = _resolve(raw.get("responses", {}).get(str(status), {}))
    for header, definition in response.get("headers", {}).items():
        if header.lower() == name.lower():
            resolved = _resolve(definition)
            schema = _resolve(resolved.get("schema", {}))
            return MappingProxyType(dict(schema)), bool(resolved.get("required", False))
    return None


def schema_enum(schema_name: str) -> tuple[str, ...]:
    """The ``enum`` of a component schema, in the spec's order (``StatusValue``: its states, in order)."""
    schema = _resolve(document().get("components", {}).get("schemas", {}).get(schema_name))
    if not isinstance(schema, Mapping) or not isinstance(schema.get("enum"), list):
        raise KeyError(f"the spec has no enum schema {schema_name}")
    return tuple(str(value) for value in schema["enum"])


@functools.cache
def slowest_rate() -> float:
    """The lowest ``x-rate-limit`` rate of all operations (requests per second).

    Why: the default of a limiter that is not told its operation (``RateLimiter()``, the mock's
    ``rate_limit``): never faster than any method of the spec allows.
    """
    return min(op.rate_limit.rate for op in operations().values())


@functools.cache
def id_instance_range() -> tuple[int, int]:
    """The smallest and largest ``idInstance`` the spec accepts (its ``minimum`` and ``maximum``)."""
    bounds = _shared_parameter("idInstance").bounds
    if bounds is None:
        raise SpecError("idInstance is not an integer")
    return bounds


@functools.cache
def token_limits() -> TokenLimits:
    """The spec's ``apiTokenInstance`` pattern and lengths."""
    token = _shared_parameter("apiTokenInstance")
    if token.pattern is None or token.min_length is None or token.max_length is None:
        raise SpecError("apiTokenInstance needs a pattern, a minLength and a maxLength")
    return TokenLimits(pattern=token.pattern, min_length=token.min_length, max_length=token.max_length)


#: Shorter names, as the client's interim stand-in of this module called them.
Operation = OperationSpec
Parameter = ParameterSpec
