"""The reference implementation of the contract (the mock itself), and deliberately broken variants of it.

Why the mock: it is greenstat's one reference implementation (the kit's own acceptance runs pass it); a
second, minimal one here drifted from it and had to be kept in step by hand. Each broken server is the mock
with ONE fault injected, in a few lines over its answer, so a failing assertion points at exactly one rule;
those in :data:`BROKEN_ONE_OPERATION` inject it in one operation only, so the kit must name that operation
and pass the others.

Why by shape: no operation is named here. Each variant finds what it breaks in the spec's operation table
(``greenstat_ext._spec.operations()``: read or write, what it creates and deletes, its method, its query
parameters and their bounds, whether it answers a list and of which schema) and in the schemas of the
answers (their required members, their enums), and what it answers instead is the reference's own answer,
altered (a required member dropped, a value moved outside its enum, a recipient one state back) or the
reference's answer to another request (the same one without the parameter it should have refused). So an
operation added to the spec is covered without touching this file, and a fault never depends on which
operations the spec has today.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from greenstat_ext import _spec as spec
from greenstat_ext.contract import ALL_CHECKS
from greenstat_ext.contract._checks import WRITE_CHECKS
from greenstat_ext.contract._temporal import STATE, TIME, polled_schema
from greenstat_ext.mock import MockSettings, create_app, get_state
from greenstat_ext.mock._posted import PostedStatuses
from greenstat_ext.mock._state import mid_cycle_clock

ID_INSTANCE = 7103000042
TOKEN = "Zq7sEcretT0kenUsedOnlyByTheContractTests"
ID_MESSAGE = "BAE5F4886F6F2D05"

# --- The operations by shape, from the spec's operation table, in the spec's order. ---
# The tests choose operations by what they do (x-creates, x-deletes, x-idempotent, the method, the
# parameters, the answer's schema), never by name, so an operation added to the spec is covered the day it
# lands (CONTRIBUTING.md).

_TABLE: Final = spec.operations()
ALL_OPERATIONS: Final = tuple(_TABLE)
OPERATIONS: Final = tuple(name for name, op in _TABLE.items() if not op.is_write)
"""The reads: what the kit checks without --allow-writes."""
_DELETED_KINDS: Final = frozenset(op.deletes for op in _TABLE.values() if op.deletes is not None)
UNCLEANABLE: Final = tuple(
    name for name, op in _TABLE.items() if op.creates is not None and op.creates not in _DELETED_KINDS
)
"""The writes that create a kind of thing no operation deletes: the kit never sends them."""
WRITES: Final = tuple(name for name, op in _TABLE.items() if op.is_write and name not in UNCLEANABLE)
"""Every call that may change something and that the kit could clean up after: sent only with
--allow-writes (one that creates what nothing deletes is never sent, tests/contract/test_writes.py)."""
SENDS: Final = tuple(name for name, op in _TABLE.items() if op.creates in _DELETED_KINDS)
"""The calls that create something an operation deletes: what the write-side check follows and deletes."""
DELETE: Final = next(name for name, op in _TABLE.items() if op.deletes is not None)
POLLED: Final = next(name for name in OPERATIONS if polled_schema(name) is not None)
"""The read whose answer lists recipients with states: the one the kit polls over a run."""
ID_PARAMETER: Final = next(p.name for p in _TABLE[POLLED].query_parameters if p.required)
"""The query parameter that names the polled thing (the status's id)."""
LISTINGS: Final = tuple(
    name
    for name in OPERATIONS
    if _TABLE[name].returns_array and not any(p.required for p in _TABLE[name].query_parameters)
)
"""The reads that answer a list whatever they are asked (no required parameter): where what was created
may be listed."""
WITH_QUERY: Final = tuple(name for name in OPERATIONS if _TABLE[name].query_parameters)
"""The reads that take a query parameter."""
WITHOUT_REQUIRED: Final = tuple(
    name for name in OPERATIONS if not any(p.required for p in _TABLE[name].query_parameters)
)
"""The reads that require no parameter (any they take is optional)."""
PATH = "/waInstance{id_instance}/{operation}/{token}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

Handler = Callable[[Request], Awaitable[Response]]
Items = list[dict[str, Any]]


def resolve(node: Any) -> Any:
    """``node`` with local ``$ref`` s (``#/components/...``) followed, as the spec's readers do."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        target: Any = spec.document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@functools.cache
def answer_schema(name: str) -> Mapping[str, Any]:
    """The schema of one object of ``name``'s 200 answer, resolved: its items' when it answers a list."""
    op = _TABLE[name]
    raw = spec.document()["paths"][op.path][op.method.lower()]
    ok = resolve(raw.get("responses", {}).get("200", {}))
    schema = resolve(ok.get("content", {}).get("application/json", {}).get("schema", {}))
    if schema.get("type") == "array":
        schema = resolve(schema.get("items", {}))
    return schema if isinstance(schema, Mapping) else {}


def required_member(name: str) -> str | None:
    """The member of ``name``'s answer objects a broken server drops: the last its schema requires (the
    first is the identity of what is listed, which the kit's temporal checks follow)."""
    required = answer_schema(name).get("required", [])
    return str(required[-1]) if required else None


def _enums(name: str) -> dict[str, tuple[Any, ...]]:
    """The members of ``name``'s answer objects whose schema closes their values (``enum``)."""
    found = {}
    for member, schema in answer_schema(name).get("properties", {}).items():
        values = resolve(schema).get("enum")
        if isinstance(values, list):
            found[member] = tuple(values)
    return found


def _outside(values: Iterable[Any]) -> str:
    """A string that none of ``values`` is."""
    taken = set(values)
    value = "unknown"
    while value in taken:
        value += "_"
    return value


def _bounded_parameter(name: str) -> str | None:
    """The first bounded query parameter of ``name`` (an integer with a ``minimum`` or ``maximum``)."""
    bounded = (
        p.name
        for p in _TABLE[name].query_parameters
        if p.type == "integer" and (p.minimum is not None or p.maximum is not None)
    )
    return next(bounded, None)


def _first(names: Iterable[str]) -> str | None:
    return next(iter(names), None)


# The one operation each one-operation variant breaks, by shape (None: the spec has no operation of it).
LISTING: Final = _first(name for name in LISTINGS if required_member(name))
"""A read that answers a list whatever it is asked (no required parameter), of objects with required
members: whatever the kit sends it, the valid requests get items."""
BOUNDED: Final = _first(name for name in reversed(OPERATIONS) if _bounded_parameter(name))
"""A read with a bounded query parameter (the table's last): one to leave unchecked."""
TOKEN_UNCHECKED: Final = OPERATIONS[-1]
"""A read whose token is left unchecked: the table's last (not the first, where the credentials are
checked, so the fault shows in its own probes)."""
METHOD_UNCHECKED: Final = _first(reversed(WITHOUT_REQUIRED))
"""A read answered for any method (the table's last that needs no parameter, so the request it is taken for
succeeds without a query)."""


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


# The reference: greenstat's own mock (``greenstat_ext.mock``), for this test instance and token, rate limits
# off, its clock a third into the known status's cycle (what it answers is the same in every run). One app per
# process, like the minimal server it replaced: posted ids never repeat, so tests sharing it do not meet.
MOCK = create_app(
    MockSettings(id_instance=ID_INSTANCE, token=TOKEN, rate_limit=0, clock=mid_cycle_clock(ID_MESSAGE))
)


async def reference(request: Request) -> Response:
    """The reference mock's answer to ``request``, called in-process (ASGI), as a Starlette ``Response``.

    Why the mock and not a server of the tests' own: one reference implementation of the contract. The
    path is rebuilt from ``request.path_params``, so a broken variant changes what the mock sees by changing
    them (``wrong_token_accepted`` puts the right token in).
    """
    params = request.path_params
    path = PATH.format(
        id_instance=params["id_instance"], operation=params["operation"], token=params["token"]
    )
    scope = {**request.scope, "path": path, "raw_path": path.encode(), "root_path": ""}
    body = await request.body()
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:  # the mock never reads past the body; wait as a live connection would
            await anyio.sleep_forever()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    start: Message = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await MOCK(scope, receive, send)
    response = Response(b"".join(chunks), status_code=start["status"])
    response.raw_headers = list(start.get("headers", []))
    return response


def reference_answer(name: str, **query: str) -> Any:
    """The reference's 200 answer to a GET of read ``name`` with ``query``, parsed (for unit tests: the data
    a broken server alters, without a server)."""
    path = PATH.format(id_instance=ID_INSTANCE, operation=name, token=TOKEN)
    scope = {
        "type": "http",
        "method": _TABLE[name].method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": "&".join(f"{key}={value}" for key, value in query.items()).encode(),
        "headers": [],
        "path_params": {"id_instance": str(ID_INSTANCE), "operation": name, "token": TOKEN},
    }

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    response = anyio.run(reference, Request(scope, no_body))
    assert response.status_code == 200, response.body
    return json.loads(bytes(response.body))


def posted() -> PostedStatuses:
    """The statuses posted to the reference mock so far."""
    return get_state(MOCK).posted


def app_for(handler: Handler) -> Starlette:
    return Starlette(routes=[Route(PATH, handler, methods=METHODS)])


def _operation(request: Request) -> str:
    return str(request.path_params["operation"])


def _answered_objects(request: Request, response: Response) -> Items | None:
    """The objects of a 200 JSON answer of a spec operation (its items, or the object itself), to alter in
    place; None for any other answer."""
    if response.status_code != 200 or _operation(request) not in _TABLE:
        return None
    try:
        parsed = json.loads(bytes(response.body))
    except ValueError:
        return None
    found = parsed if isinstance(parsed, list) else [parsed]
    return found if all(isinstance(item, dict) for item in found) else None


def _answer(objects: Items, request: Request) -> JSONResponse:
    """``objects`` re-encoded as the answer's shape (a list, or its one object)."""
    return JSONResponse(objects if _TABLE[_operation(request)].returns_array else objects[0])


def _as_get_without_query(request: Request) -> Request:
    """``request`` as the reference's request of the same operation with its own method and no query: what
    the mock answers when no parameter is given (each optional one has a default), to answer a request it
    should refuse."""

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    method = _TABLE[_operation(request)].method
    return Request({**request.scope, "method": method, "query_string": b""}, no_body)


async def _with_query(request: Request, change: Callable[[str, str], str | None]) -> Request:
    """``request`` with each query value ``change`` d (``None``: left out), its body kept (read once)."""
    pairs = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    changed = [(key, change(key, value)) for key, value in pairs]
    query = urlencode([(key, value) for key, value in changed if value is not None]).encode()
    body = await request.body()  # cached by ``request``: the reference may have read it already

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({**request.scope, "query_string": query}, receive)


# --- The broken variants: each breaks one rule of the contract, in every operation. ---


async def server_error_on_missing_required_parameter(request: Request) -> Response:
    """A request of an operation's own method without one of its required query parameters: 500, not 400."""
    op = _TABLE.get(_operation(request))
    missing = op is not None and any(
        p.required and p.name not in request.query_params for p in op.query_parameters
    )
    if op is not None and request.method == op.method and missing:
        return PlainTextResponse("NullPointerException", status_code=500)
    return await reference(request)


async def value_outside_enum(request: Request) -> Response:
    """The first object of each answer has a value outside its schema's enum (the first enum member)."""
    response = await reference(request)
    objects = _answered_objects(request, response)
    enums = _enums(_operation(request))
    if not objects or not enums:
        return response
    member, values = next(iter(enums.items()))
    objects[0][member] = _outside(values)
    return _answer(objects, request)


async def object_without_required_member(request: Request) -> Response:
    """Every object of each answer lacks a member its schema requires (:func:`required_member`)."""
    response = await reference(request)
    objects = _answered_objects(request, response)
    member = required_member(_operation(request))
    if not objects or member is None:
        return response
    return _answer([{k: v for k, v in item.items() if k != member} for item in objects], request)


async def wrong_token_accepted(request: Request) -> Response:
    request.path_params["token"] = TOKEN  # the token is never checked
    return await reference(request)


async def text_plain_200(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 200:
        return PlainTextResponse(bytes(response.body).decode())
    return response


async def too_many_requests_without_body(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 200:
        return Response(status_code=429)  # rate limited, but no body and no content type
    return response


BROKEN: dict[str, Handler] = {
    "server_error_on_missing_required_parameter": server_error_on_missing_required_parameter,
    "value_outside_enum": value_outside_enum,
    "object_without_required_member": object_without_required_member,
    "wrong_token_accepted": wrong_token_accepted,
    "text_plain_200": text_plain_200,
    "too_many_requests_without_body": too_many_requests_without_body,
}


# --- Broken in one operation only, chosen by shape: the kit must name that operation, and only that one. ---


async def listed_object_without_required_member(request: Request) -> Response:
    if _operation(request) == LISTING:
        return await object_without_required_member(request)
    return await reference(request)


async def bounded_parameter_unchecked(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 400 and BOUNDED is not None and _operation(request) == BOUNDED:
        parameter = _bounded_parameter(BOUNDED)
        if parameter is not None and parameter in request.query_params:
            # any value at all is taken: answered as if it were not there (its default)
            return await reference(await _with_query(request, lambda k, v: None if k == parameter else v))
    return response


async def one_operations_token_unchecked(request: Request) -> Response:
    if _operation(request) == TOKEN_UNCHECKED:
        request.path_params["token"] = TOKEN  # the token is never checked for this operation
    return await reference(request)


async def one_operations_method_unchecked(request: Request) -> Response:
    op = _TABLE.get(_operation(request))
    if op is not None and op.operation_id == METHOD_UNCHECKED and request.method not in (op.method, "HEAD"):
        return await reference(_as_get_without_query(request))  # answered as the request it is not
    return await reference(request)


_ONE_OPERATION: Final[tuple[tuple[str, str | None, Handler], ...]] = (
    ("listed_object_without_required_member", LISTING, listed_object_without_required_member),
    ("bounded_parameter_unchecked", BOUNDED, bounded_parameter_unchecked),
    ("one_operations_token_unchecked", TOKEN_UNCHECKED, one_operations_token_unchecked),
    ("one_operations_method_unchecked", METHOD_UNCHECKED, one_operations_method_unchecked),
)
BROKEN_ONE_OPERATION: dict[str, tuple[str, Handler]] = {
    name: (operation, handler) for name, operation, handler in _ONE_OPERATION if operation is not None
}
"""Variant -> (the operation it breaks, the server); a variant whose shape the spec lacks is left out."""


# --- Broken over time or under load: the kit's temporal, unknown-id and rate-limit checks must name them. ---
# Each is a factory: the server keeps state (what it answered before), one per test.

# The known status's first answers are right (the kit's credentials check reads it first, then the polls):
# the broken behaviour starts after them, so the polls see it change.
_GOOD_ANSWERS = 2


def rate_limited(handler: Handler, retry_after: str | None = "1") -> Handler:
    """``handler`` behind each read's own ``x-rate-limit`` (the spec's one meaning, ``RateLimit.wait``):
    beyond it 429 (+ ``retry_after``). Reads only, as the kit's rate-limit checks burst reads only."""
    accepted: dict[str, list[float]] = {}

    async def limited(request: Request) -> Response:
        operation = _operation(request)
        if operation in OPERATIONS and request.method == _TABLE[operation].method:
            now, times = time.monotonic(), accepted.setdefault(operation, [])
            if _TABLE[operation].rate_limit.wait(times, now) > 0:
                headers = {} if retry_after is None else {"Retry-After": retry_after}
                return _error(429, "Too Many Requests", **headers)
            times.append(now)
        return await handler(request)

    return limited


def _polled(request: Request, response: Response) -> bool:
    return (
        response.status_code == 200
        and _operation(request) == POLLED
        and request.query_params.get(ID_PARAMETER) == ID_MESSAGE
    )


def _recipients_over_time(
    alter: Callable[[Items], Items], prepare: Callable[[Items], Items] = list
) -> Handler:
    """The known status's recipients as the reference first answered them (``prepare`` d), the same in the
    first :data:`_GOOD_ANSWERS` answers, then ``alter`` ed in every later one. Why remembered: the
    reference's clock runs, and its own recipients moving on between answers must not hide (or fake) the
    fault."""
    first: list[Items] = []
    polls = [0]

    async def handler(request: Request) -> Response:
        response = await reference(request)
        if not _polled(request, response):
            return response
        if not first:
            first.append(prepare(json.loads(bytes(response.body))))
            if not first[0]:
                raise AssertionError(f"the reference lists no recipient of {ID_MESSAGE}: nothing to alter")
        polls[0] += 1
        items = [dict(item) for item in first[0]]
        return JSONResponse(items if polls[0] <= _GOOD_ANSWERS else alter(items))

    return handler


def _furthest(items: Items) -> int:
    """The index of the recipient furthest along the polled states (the spec's order)."""
    schema = polled_schema(POLLED)
    assert schema is not None
    return max(range(len(items)), key=lambda index: schema.states.index(items[index][STATE]))


def state_moves_backward() -> Handler:
    """The recipient furthest along is one state back in every answer after the first ones."""
    schema = polled_schema(POLLED)
    assert schema is not None

    def back(items: Items) -> Items:
        index = _furthest(items)
        rank = schema.states.index(items[index][STATE])
        if rank == 0:
            raise AssertionError("no recipient of the known status is past the first state")
        items[index][STATE] = schema.states[rank - 1]
        return items

    return _recipients_over_time(back)


def timestamp_decreases() -> Handler:
    """One recipient's timestamp goes down by 60 s after the first answers (its state stays)."""

    def earlier(items: Items) -> Items:
        index = _furthest(items)
        items[index][TIME] = max(0, int(items[index][TIME]) - 60)
        return items

    return _recipients_over_time(earlier)


def recipient_vanishes() -> Handler:
    """A recipient seen a minute ago (well within the retention window) is missing after the first answers."""
    now = int(time.time()) - 60

    def fresh(items: Items) -> Items:
        return [{**item, TIME: now} for item in items]

    return _recipients_over_time(lambda items: items[1:], prepare=fresh)


def unknown_id_answers_recipients() -> Handler:
    """Any id at all gets the known status's recipients (Stoplight Prism does this)."""

    async def handler(request: Request) -> Response:
        if _operation(request) == POLLED and ID_PARAMETER in request.query_params:
            request = await _with_query(request, lambda k, v: ID_MESSAGE if k == ID_PARAMETER else v)
        return await reference(request)

    return handler


def retry_after_not_in_seconds() -> Handler:
    """Rate limited as the spec says, but its 429s carry ``Retry-After: soon`` (not seconds, not a date)."""
    return rate_limited(reference, retry_after="soon")


def never_rate_limited() -> Handler:
    """The reference itself: it never answers 429, however fast it is called."""
    return reference


BROKEN_OVER_TIME: dict[str, tuple[str, Callable[[], Handler]]] = {
    "state_moves_backward": ("recipient_state_monotonic", state_moves_backward),
    "timestamp_decreases": ("recipient_timestamp_monotonic", timestamp_decreases),
    "recipient_vanishes": ("recipient_retained", recipient_vanishes),
    "unknown_id_answers_recipients": ("unknown_id_answers_empty", unknown_id_answers_recipients),
    "retry_after_not_in_seconds": ("retry_after_conformance", retry_after_not_in_seconds),
    "never_rate_limited": ("rate_limit_enforced", never_rate_limited),
}


# --- Broken on the write side: a posted status must be listed, counted, deleted and gone. ---


async def posted_missing_from_listings(request: Request) -> Response:
    """Posts and deletes as it should, but no listing ever shows what was posted: every read's answer
    leaves out the objects that carry a posted id (the journal's items; the recipients of a posted status
    carry none, so they stay)."""
    response = await reference(request)
    objects = _answered_objects(request, response)
    if (
        objects is None
        or _TABLE[_operation(request)].is_write
        or not _TABLE[_operation(request)].returns_array
    ):
        return response
    ours = posted()
    return JSONResponse([item for item in objects if not any(value in ours for value in _strings(item))])


def _strings(item: Mapping[str, Any]) -> list[str]:
    return [value for value in item.values() if isinstance(value, str)]


def still_listed_after_delete() -> Handler:
    """The delete answers 200 but removes nothing: the listings and the statistics keep the status."""
    deleted = _TABLE[DELETE]

    async def handler(request: Request) -> Response:
        if _operation(request) == DELETE and request.method == deleted.method:
            try:
                body = json.loads(await request.body())
            except ValueError:
                body = None
            created = (
                [value for value in _strings(body) if value in posted()] if isinstance(body, dict) else []
            )
            if created:
                return Response(status_code=200)  # the status is still there; a second delete: 200 again
        return await reference(request)

    return handler


UNLIMITED_CHECKS = [
    name
    for name in ALL_CHECKS
    if name not in ("rate_limit_enforced", "retry_after_conformance", *WRITE_CHECKS)
]
"""Every check but the two that need a rate-limited implementation: the reference (and every broken variant
of it above) answers as fast as it is called, so those two would fail (no 429) or judge nothing (no
Retry-After to judge); the tests about them use :func:`rate_limited` and the over-time servers. The
write-side check judges only with --allow-writes: tests/contract/test_writes.py selects it."""
