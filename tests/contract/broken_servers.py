"""The reference implementation of the contract (the mock itself), and deliberately broken variants of it.

Why the mock: it is greenstat's one reference implementation (the kit's own acceptance runs pass it); a
second, minimal one here drifted from it and had to be kept in step by hand. Each broken server is the mock
with ONE behaviour changed, in a few lines over its answer, so a failing assertion points at exactly one
rule; those in :data:`BROKEN_ONE_OPERATION` break it in one operation only, so the kit must name that
operation and pass the others. The operations are chosen by shape from the spec's operation table
(:data:`OPERATIONS`, :data:`SENDS`, :data:`POLLED`...), so an operation added to the spec is covered
without touching this file. What a variant answers instead is the reference's own answer to another
request (a GET without a query), or, where the fault is in the data, written out here (``ITEMS``,
``OUTGOING``): a test fixture states the broken data independently of the kit's reading of the spec.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Final

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from greenstat_ext import _spec as spec
from greenstat_ext.contract import ALL_CHECKS
from greenstat_ext.contract._checks import WRITE_CHECKS
from greenstat_ext.contract._temporal import polled_schema
from greenstat_ext.mock import MockSettings, create_app, get_state
from greenstat_ext.mock._posted import PostedStatuses
from greenstat_ext.mock._state import mid_cycle_clock

ID_INSTANCE = 7103000042
TOKEN = "Zq7sEcretT0kenUsedOnlyByTheContractTests"
ID_MESSAGE = "BAE5F4886F6F2D05"
ITEMS = [
    {"participant": "79001234567@c.us", "timestamp": 1700000000, "status": "pending"},
    {"participant": "79001234568@c.us", "timestamp": 1700000005, "status": "sent"},
    {"participant": "79001234569@c.us", "timestamp": 1700000010, "status": "delivered"},
    {"participant": "79001234570@c.us", "timestamp": 1700000042, "status": "read"},
]
OUTGOING = [
    {
        "type": "outgoing",
        "idMessage": ID_MESSAGE,
        "timestamp": 1700000000,
        "statusMessage": "read",
        "sendByApi": True,
        "typeMessage": "extendedTextMessage",
        "chatId": "70000000001@c.us",
        "participants": ["79001234567@c.us", "120363041234567890@lid"],
        "textMessage": "Good morning!",
        "extendedTextMessage": {"text": "Good morning!", "backgroundColor": "#228B22", "font": "SERIF"},
    },
    {
        "type": "outgoing",
        "idMessage": "3EB0C767D097B7C7C030",
        "timestamp": 1700000600,
        "statusMessage": "sent",
        "sendByApi": False,
        "typeMessage": "imageMessage",
        "chatId": "70000000001@c.us",
        "participants": [],
        "downloadUrl": "https://example.org/3EB0C767D097B7C7C030.jpg",
        "fileName": "3EB0C767D097B7C7C030.jpg",
        "mimeType": "image/jpeg",
    },
]
# The operations by shape, from the spec's operation table (``greenstat_ext._spec``), in the spec's order:
# the tests choose operations by what they do (``x-creates``, ``x-deletes``, ``x-idempotent``, the method),
# never by name, so an operation added to the spec is covered the day it lands (CONTRIBUTING.md).
_TABLE: Final = spec.operations()
ALL_OPERATIONS: Final = tuple(_TABLE)
OPERATIONS: Final = tuple(name for name, op in _TABLE.items() if not op.is_write)
"""The reads: what the kit checks without --allow-writes."""
_DELETED_KINDS: Final = frozenset(op.deletes for op in _TABLE.values() if op.deletes is not None)
_UNCLEANABLE: Final = frozenset(
    name for name, op in _TABLE.items() if op.creates is not None and op.creates not in _DELETED_KINDS
)
WRITES: Final = tuple(name for name, op in _TABLE.items() if op.is_write and name not in _UNCLEANABLE)
"""Every call that may change something and that the kit could clean up after: sent only with
--allow-writes (one that creates what nothing deletes is never sent, tests/contract/test_writes.py)."""
SENDS: Final = tuple(name for name, op in _TABLE.items() if op.creates in _DELETED_KINDS)
"""The calls that create something an operation deletes: what the write-side check follows and deletes."""
DELETE: Final = next(name for name, op in _TABLE.items() if op.deletes is not None)
POLLED: Final = next(name for name in OPERATIONS if polled_schema(name) is not None)
"""The read whose answer lists recipients with states: the one the kit polls over a run."""
PATH = "/waInstance{id_instance}/{operation}/{token}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

Handler = Callable[[Request], Awaitable[Response]]


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


def posted() -> PostedStatuses:
    """The statuses posted to the reference mock so far."""
    return get_state(MOCK).posted


def app_for(handler: Handler) -> Starlette:
    return Starlette(routes=[Route(PATH, handler, methods=METHODS)])


# --- The broken variants: each breaks one rule of the contract. ---


async def server_error_on_missing_id_message(request: Request) -> Response:
    if request.method == "GET" and "idMessage" not in request.query_params:
        return PlainTextResponse("NullPointerException", status_code=500)
    return await reference(request)


async def status_outside_enum(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 200 and request.query_params.get("idMessage") == ID_MESSAGE:
        return JSONResponse(
            [{"participant": "79001234567@c.us", "timestamp": 1700000000, "status": "played"}]
        )
    return response


async def item_without_timestamp(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 200:
        return JSONResponse([{"participant": "79001234567@c.us", "status": "read"}])
    return response


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


# --- Broken in one of the new operations only: the kit must name that operation, and only that one. ---


async def outgoing_item_without_send_by_api(request: Request) -> Response:
    response = await reference(request)
    if response.status_code == 200 and request.path_params["operation"] == "getOutgoingStatuses":
        return JSONResponse([{key: value for key, value in OUTGOING[0].items() if key != "sendByApi"}])
    return response


def _as_get_without_query(request: Request) -> Request:
    """``request`` as the reference's GET of the same operation without a query: what the mock answers
    when no parameter is given (each has a default), to answer a request it should refuse."""

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    return Request({**request.scope, "method": "GET", "query_string": b""}, no_body)


async def incoming_minutes_unchecked(request: Request) -> Response:
    response = await reference(request)
    rejected_minutes = response.status_code == 400 and b"minutes" in bytes(response.body)
    if rejected_minutes and request.path_params["operation"] == "getIncomingStatuses":
        return await reference(_as_get_without_query(request))  # any minutes at all is taken
    return response


async def outgoing_wrong_token_accepted(request: Request) -> Response:
    if request.path_params["operation"] == "getOutgoingStatuses":
        request.path_params["token"] = TOKEN  # the token is never checked for this operation
    return await reference(request)


async def incoming_post_accepted(request: Request) -> Response:
    if request.method == "POST" and request.path_params["operation"] == "getIncomingStatuses":
        return await reference(_as_get_without_query(request))  # answered as the GET it is not
    return await reference(request)


BROKEN_ONE_OPERATION: dict[str, tuple[str, Handler]] = {
    "outgoing_item_without_send_by_api": ("getOutgoingStatuses", outgoing_item_without_send_by_api),
    "incoming_minutes_unchecked": ("getIncomingStatuses", incoming_minutes_unchecked),
    "outgoing_wrong_token_accepted": ("getOutgoingStatuses", outgoing_wrong_token_accepted),
    "incoming_post_accepted": ("getIncomingStatuses", incoming_post_accepted),
}

BROKEN: dict[str, Handler] = {
    "server_error_on_missing_id_message": server_error_on_missing_id_message,
    "status_outside_enum": status_outside_enum,
    "item_without_timestamp": item_without_timestamp,
    "wrong_token_accepted": wrong_token_accepted,
    "text_plain_200": text_plain_200,
    "too_many_requests_without_body": too_many_requests_without_body,
}


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
        operation = request.path_params["operation"]
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
        and request.path_params["operation"] == POLLED
        and request.query_params.get("idMessage") == ID_MESSAGE
    )


def state_moves_backward() -> Handler:
    """The last recipient is ``read`` in the first answers, ``delivered`` in every later one."""
    polls = [0]

    async def handler(request: Request) -> Response:
        response = await reference(request)
        if not _polled(request, response):
            return response
        polls[0] += 1
        first = {**ITEMS[3], "status": "read" if polls[0] <= _GOOD_ANSWERS else "delivered"}
        return JSONResponse([*ITEMS[:3], first])

    return handler


def timestamp_decreases() -> Handler:
    """The last recipient's timestamp goes down by 60 s after the first answers (its state stays ``read``)."""
    polls = [0]

    async def handler(request: Request) -> Response:
        response = await reference(request)
        if not _polled(request, response):
            return response
        polls[0] += 1
        timestamp = int(str(ITEMS[3]["timestamp"])) - (0 if polls[0] <= _GOOD_ANSWERS else 60)
        last = {**ITEMS[3], "timestamp": timestamp}
        return JSONResponse([*ITEMS[:3], last])

    return handler


def recipient_vanishes() -> Handler:
    """A recipient seen a minute ago (well within the 30-day retention) is missing after the first answers."""
    polls = [0]
    now = int(time.time()) - 60
    fresh = [{**item, "timestamp": now} for item in ITEMS]

    async def handler(request: Request) -> Response:
        response = await reference(request)
        if not _polled(request, response):
            return response
        polls[0] += 1
        return JSONResponse(fresh if polls[0] <= _GOOD_ANSWERS else fresh[1:])

    return handler


def unknown_id_answers_recipients() -> Handler:
    """Any idMessage at all gets the known status's recipients (Stoplight Prism does this)."""

    async def handler(request: Request) -> Response:
        response = await reference(request)
        known = request.path_params["operation"] == POLLED and response.status_code == 200
        return JSONResponse(ITEMS) if known else response

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


async def posted_missing_from_journal(request: Request) -> Response:
    """Posts and deletes as it should, but the journal never lists what was posted."""
    response = await reference(request)
    if request.path_params["operation"] == "getOutgoingStatuses" and response.status_code == 200:
        ours = posted()
        items = json.loads(bytes(response.body))
        return JSONResponse([item for item in items if item["idMessage"] not in ours])
    return response


def still_listed_after_delete() -> Handler:
    """deleteStatus answers 200 but removes nothing: the journal and the statistics keep the status."""

    async def handler(request: Request) -> Response:
        if request.path_params["operation"] == DELETE and request.method == "POST":
            try:
                created = json.loads(await request.body()).get("idMessage")
            except (ValueError, AttributeError):
                created = None
            if isinstance(created, str) and created in posted():
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
