"""A correct minimal implementation of the contract (every operation), and deliberately broken variants.

Why here and not in the package: these exist only to prove that the kit catches real deviations (and passes a
correct implementation). Each broken server changes ONE behaviour of the reference, in a few lines, so a
failing assertion points at exactly one rule; those in :data:`BROKEN_ONE_OPERATION` break it in one of the
new operations only, so the kit must name that operation and pass the others. The paths and the ``minutes``
bounds are written out here on purpose: a test fixture states the contract independently of the kit's reading
of the spec. The write operations' bodies are the exception: their rules (patterns, enums, lengths, item
counts of four bodies) are checked with ``greenstat_ext._fields``, the one check the client and the mock use;
what the write-side tests are about (a posted status listed once, counted, deleted, gone) is written out.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from greenstat_ext import _spec as spec
from greenstat_ext._fields import FieldError, checker
from greenstat_ext.contract import ALL_CHECKS
from greenstat_ext.contract._checks import WRITE_CHECKS

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
INCOMING = [
    {
        "type": "incoming",
        "idMessage": "3EB0A1B2C3D4E5F60718",
        "timestamp": 1700000000,
        "typeMessage": "videoMessage",
        "chatId": "120363041234567890@lid",
        "senderId": "120363041234567890@lid",
        "senderName": "Anna",
        "senderContactName": "Anna (work)",
        "downloadUrl": "https://example.org/3EB0A1B2C3D4E5F60718.mp4",
        "fileName": "3EB0A1B2C3D4E5F60718.mp4",
        "mimeType": "video/mp4",
    }
]
OPERATIONS = ("getStatusStatistic", "getOutgoingStatuses", "getIncomingStatuses")
SENDS = ("sendTextStatus", "sendVoiceStatus", "sendMediaStatus")
DELETE = "deleteStatus"
WRITES = (*SENDS, DELETE)
ALL_OPERATIONS = (*OPERATIONS, *WRITES)
MINUTES = (1, 43200)  # the spec's bounds of minutes
PATH = "/waInstance{id_instance}/{operation}/{token}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


async def reference(request: Request) -> Response:
    """The contract, minimally: 404 unknown operation, 405, 400 malformed instance, 403, 401, 400, 200."""
    operation = request.path_params["operation"]
    if operation not in ALL_OPERATIONS:
        return _error(404, "Not Found")
    method = "POST" if operation in WRITES else "GET"
    if request.method != method:
        return _error(405, "Method Not Allowed", Allow=method)
    id_instance = request.path_params["id_instance"]
    if not id_instance.isascii() or not id_instance.isdigit() or not 1 <= int(id_instance) <= 9999999999:
        return _error(400, "idInstance: must be an integer of 1 to 10 digits")
    if int(id_instance) != ID_INSTANCE:
        return _error(403, "Forbidden")
    if request.path_params["token"] != TOKEN:
        return _error(401, "Unauthorized")
    if operation in WRITES:
        return await _write(request, operation, POSTED)
    if operation != "getStatusStatistic":
        return _journal(request, operation)
    id_message = request.query_params.get("idMessage")
    if id_message is None:
        return _error(400, "idMessage: required query parameter is missing")
    if not 1 <= len(id_message) <= 256:
        return _error(400, "idMessage: must be 1 to 256 characters")
    if id_message in POSTED.statuses:
        return JSONResponse(POSTED.statistics(id_message))
    return JSONResponse(ITEMS if id_message == ID_MESSAGE else [])


@dataclass
class Posted:
    """The statuses posted to a reference server: id -> its journal item. Ids never repeat (a counter)."""

    statuses: dict[str, dict[str, object]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def post(self, body: dict[str, object]) -> str:
        created = f"BAE5{next(self.ids):012X}"
        participants = body.get("participants") or []
        self.statuses[created] = {
            **OUTGOING[1],
            "idMessage": created,
            "timestamp": int(time.time()),
            "statusMessage": "pending",
            "sendByApi": True,
            "participants": participants,
        }
        return created

    def statistics(self, created: str) -> list[dict[str, object]]:
        """Every recipient pending, as just posted (to the first contact when sent to everyone)."""
        participants = self.statuses[created]["participants"]
        who = participants if isinstance(participants, list) and participants else [ITEMS[0]["participant"]]
        return [
            {"participant": one, "timestamp": self.statuses[created]["timestamp"], "status": "pending"}
            for one in who
        ]

    def journal(self) -> list[dict[str, object]]:
        return [*OUTGOING, *self.statuses.values()]


POSTED = Posted()  # the reference's: ids are unique per process, so tests sharing it do not meet


async def _write(request: Request, operation: str, posted: Posted) -> Response:
    """A send posts (200 ``{idMessage}``); deleteStatus removes a posted one (200, empty body) or 400."""
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        return _error(400, "request body: not valid JSON")
    if not isinstance(body, dict):
        return _error(400, "request body: must be a JSON object")
    for member in spec.operation(operation).body:
        if member.name not in body:
            if member.required:
                return _error(400, f"{member.name}: required member missing from the body")
            continue
        try:
            checker(member)(member.name, body[member.name])
        except FieldError as exc:
            return _error(400, str(exc))
    if operation != DELETE:
        return JSONResponse({"idMessage": posted.post(body)})
    if posted.statuses.pop(str(body["idMessage"]), None) is None:
        return _error(400, "ID message notfound")
    return Response(status_code=200)


def _journal(request: Request, operation: str) -> Response:
    """getOutgoingStatuses / getIncomingStatuses: an optional integer ``minutes`` within its bounds."""
    minutes = request.query_params.get("minutes")
    if minutes is not None and (
        not re.fullmatch(r"-?[0-9]{1,12}", minutes) or not MINUTES[0] <= int(minutes) <= MINUTES[1]
    ):
        return _error(400, f"minutes: must be an integer from {MINUTES[0]} to {MINUTES[1]}")
    return JSONResponse(POSTED.journal() if operation == "getOutgoingStatuses" else INCOMING)


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


async def incoming_minutes_unchecked(request: Request) -> Response:
    response = await reference(request)
    rejected_minutes = response.status_code == 400 and b"minutes" in bytes(response.body)
    if rejected_minutes and request.path_params["operation"] == "getIncomingStatuses":
        return JSONResponse(INCOMING)  # any minutes at all is taken
    return response


async def outgoing_wrong_token_accepted(request: Request) -> Response:
    if request.path_params["operation"] == "getOutgoingStatuses":
        request.path_params["token"] = TOKEN  # the token is never checked for this operation
    return await reference(request)


async def incoming_post_accepted(request: Request) -> Response:
    if request.method == "POST" and request.path_params["operation"] == "getIncomingStatuses":
        return JSONResponse(INCOMING)
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

RATE_LIMIT_PERIOD = 1.0  # the spec's x-rate-limit of each operation: 1 request per second (written out here)
# The known status's first answers are right (the kit's credentials check reads it first, then the polls):
# the broken behaviour starts after them, so the polls see it change.
_GOOD_ANSWERS = 2


def rate_limited(handler: Handler, retry_after: str | None = "1") -> Handler:
    """``handler`` behind a per-operation limit of 1 request per second: beyond it 429 (+ ``retry_after``)."""
    last: dict[str, float] = {}

    async def limited(request: Request) -> Response:
        operation = request.path_params["operation"]
        if operation in OPERATIONS and request.method == "GET":
            now = time.monotonic()
            if now - last.get(operation, -math.inf) < RATE_LIMIT_PERIOD:
                headers = {} if retry_after is None else {"Retry-After": retry_after}
                return _error(429, "Too Many Requests", **headers)
            last[operation] = now
        return await handler(request)

    return limited


def _polled(request: Request, response: Response) -> bool:
    return (
        response.status_code == 200
        and request.path_params["operation"] == "getStatusStatistic"
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
        known = request.path_params["operation"] == "getStatusStatistic" and response.status_code == 200
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
    if request.path_params["operation"] == "getOutgoingStatuses" and request.method == "GET":
        response = await reference(request)
        return JSONResponse(OUTGOING) if response.status_code == 200 else response
    return await reference(request)


def still_listed_after_delete() -> Handler:
    """deleteStatus answers 200 but removes nothing: the journal and the statistics keep the status."""

    async def handler(request: Request) -> Response:
        if request.path_params["operation"] == DELETE and request.method == "POST":
            response = await reference(request)
            if response.status_code == 200:
                # Put it back: the status is still there, and a second delete gets 200 again.
                created = str(json.loads(await request.body())["idMessage"])
                POSTED.statuses[created] = {
                    **OUTGOING[1],
                    "idMessage": created,
                    "sendByApi": True,
                    "participants": [],
                }
            return response
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
