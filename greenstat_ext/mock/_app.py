"""The ASGI app: every operation of the spec, ``/waInstance{idInstance}/{operation}/{apiTokenInstance}``.

Why one catch-all endpoint (the router's default) and our own matching on ``raw_path``: the token and
``idInstance`` are parts of path segments, and a negative test sends them percent-encoded (``%2F`` and
``%0A`` included). Starlette matches the decoded path, so ``a%2Fb`` would become two segments and a 404
the spec does not document; matching the raw path keeps every request to an operation on the operation,
answered with a documented code. The routes themselves come from the spec (:mod:`._operations`).

Why one gateway in front of small handlers: Green API's gateway runs the same checks for every method, so
they live in one place, in the order a gateway runs them: route (404), method (405 + ``Allow``), injected
fault, instance syntax (400), instance (403), token (401), beta access (403), then the request itself: its
query parameters and, for a write, its JSON body against the spec (400 naming the parameter or member; see
:mod:`._body`), then the operation's own rate limit (429 + ``Retry-After``), quota (466), and the
operation's handler (:mod:`._handlers`) for the 200.

Why the request is checked before the rate limit: a gateway refuses a malformed request before it spends
anything on it, so an invalid request neither earns a 429 nor uses up the method's budget (the README's curl
block, pasted at once, used to get a 429 for its third, invalid, line instead of the 400 that says what is
wrong).

Why a fault may come after the handler: see :mod:`._faults`. For a write, a late fault lets the handler act
(the status is created or deleted) and then answers the fault instead (or drops the connection).
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final
from urllib.parse import parse_qsl, unquote_to_bytes

import anyio
import anyio.lowlevel
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from greenstat_client.models import CorrespondentsQuotaStatus, Error, InvokeQuotaStatus, QuotaExceeded
from greenstat_ext._spec import OperationSpec, ParameterSpec, id_instance_range

from ._body import BodyRefused, body_limit, body_members, read_body
from ._connections import ABORT_EXTENSION
from ._faults import ConnectionDropped, FaultKind
from ._handlers import HANDLERS, Refusal
from ._instance import MockState
from ._operations import match_route
from ._settings import MockSettings

__all__ = ["MockState", "create_app", "get_state"]

logger = logging.getLogger("greenstat.mock")

_ID_INSTANCE: Final = re.compile(r"[0-9]+")
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_JSON: Final = "application/json"
_MAX_QUERY_FIELDS: Final = 100


_REASONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    499: "Client Closed Request",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
}
_FAULT_STATUS: Final = {
    FaultKind.TOO_MANY_REQUESTS: 429,
    FaultKind.CLIENT_CLOSED: 499,
    FaultKind.INTERNAL_ERROR: 500,
    FaultKind.BAD_GATEWAY: 502,
}


@cache
def _quota_body(operation_id: str) -> bytes:
    """The documented 466 body, naming the operation whose quota ran out."""
    return msgspec.json.encode(
        QuotaExceeded(
            invoke_status=InvokeQuotaStatus(
                method=operation_id,
                used=3,
                total=3,
                status="QUOTE_EXCEEDED",
                description="Monthly quota has been exceeded. Upgrade to a paid plan to continue.",
            ),
            correspondents_status=CorrespondentsQuotaStatus(
                used=3,
                total=3,
                status="CORRESPONDENTS_QUOTE_EXCEEDED",
                description="Monthly correspondents quota has been exceeded.",
            ),
        )
    )


def _error(status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
    body = msgspec.json.encode(Error(message=message or _REASONS[status], status_code=status))
    return Response(body, status_code=status, headers=headers, media_type=_JSON)


class _DroppedResponse(Response):
    """Sends the status line and headers, then makes the server close the connection (fault ``drop``)."""

    def __init__(self) -> None:
        super().__init__(b"[]", status_code=200, media_type=_JSON)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        raise ConnectionDropped("fault injection: connection dropped before the body")


class _AbortedResponse(Response):
    """No answer at all: the connection is aborted as the request was read (fault ``drop`` on a write
    before it acted). A gateway that never ran the method sends no status line, certainly not a 200; the
    client cannot tell whether its request got through. Without a server that offers the abort (an
    in-process ASGI test transport), it falls back to :class:`_DroppedResponse`'s status line and drop.
    """

    def __init__(self) -> None:
        super().__init__(b"", status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is None:
            await _DroppedResponse()(scope, receive, send)
            return
        abort()
        await anyio.lowlevel.checkpoint()  # the server sees the connection lost: it sends no 500 for us


_BODY_CHUNK: Final = 64 * 1024


class _JsonBody(Response):
    """A 200 body sent in 64 KiB pieces.

    Why: uvicorn writes each ASGI body message to the transport at once and only then waits for the buffer
    to drain, so a 7.6 MB answer sent whole sits in the process for as long as the client does not read it
    (60 such clients held ~530 MB). In pieces, uvicorn's flow control waits before each one, so a connection
    buffers at most about one piece beyond the transport's high-water mark; the server's write timeout
    (:mod:`._connections`) then ends a connection that reads nothing.
    """

    media_type = _JSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body
        if len(body) <= _BODY_CHUNK:
            await super().__call__(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        for start in range(0, len(body), _BODY_CHUNK):
            end = start + _BODY_CHUNK
            await send({"type": "http.response.body", "body": body[start:end], "more_body": end < len(body)})


def _query_pairs(query_string: bytes) -> list[tuple[str, str]] | str:
    """The decoded query pairs, or an error message when the query cannot be decoded."""
    try:
        return parse_qsl(
            query_string.decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=_MAX_QUERY_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        return "query string: not valid percent-encoded UTF-8, or too many fields"


def _check(parameter: ParameterSpec, text: str) -> object | str:
    """``text`` converted to the parameter's type, or (a ``str`` starting with its name) why it is refused.

    The constraints are the spec's (:class:`~greenstat_ext._spec.ParameterSpec`): ``minLength``/``maxLength``
    for strings, ``minimum``/``maximum`` tightened by the ``intN`` format for integers.
    """
    name = parameter.name
    if parameter.type == "integer":
        low, high = parameter.bounds or (0, 0)
        try:  # int() refuses more than 4,300 digits (ValueError): a refusal like any other
            value = int(text) if _INTEGER.fullmatch(text) else None
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            return _Refused(f"{name}: must be an integer from {low} to {high}")
        return value
    if not text and (parameter.min_length or 0) >= 1:
        return _Refused(f"{name}: must not be empty")
    if parameter.min_length is not None and len(text) < parameter.min_length:
        return _Refused(f"{name}: shorter than {parameter.min_length} characters")
    if parameter.max_length is not None and len(text) > parameter.max_length:
        return _Refused(f"{name}: longer than {parameter.max_length} characters")
    if parameter.pattern is not None and re.search(parameter.pattern, text) is None:
        return _Refused(f"{name}: does not match {parameter.pattern}")
    return text


class _Refused(str):
    """A parameter's refusal message (a distinct type, so a string parameter's value is never mistaken)."""

    __slots__ = ()


def _validate(operation: OperationSpec, pairs: list[tuple[str, str]] | str) -> dict[str, object] | str:
    """The operation's query parameters, checked against the spec, defaults filled in; or a 400 message."""
    if isinstance(pairs, str):
        return pairs
    values: dict[str, object] = {}
    for parameter in operation.query_parameters:
        given = [value for name, value in pairs if name == parameter.name]
        if not given:
            if parameter.required:
                return f"{parameter.name}: required query parameter is missing"
            if parameter.default is not None:
                values[parameter.name] = parameter.default
            continue
        if len(given) > 1:
            return f"{parameter.name}: given more than once"
        checked = _check(parameter, given[0])
        if isinstance(checked, _Refused):
            return str(checked)
        values[parameter.name] = checked
    return values


def _instance(text: bytes) -> int | None:
    """The ``idInstance`` of the path when it is the spec's integer within the spec's range, else None."""
    low, high = id_instance_range()
    decoded = unquote_to_bytes(text).decode("latin-1")
    if _ID_INSTANCE.fullmatch(decoded) is None or len(decoded) > len(str(high)):
        return None
    value = int(decoded)
    return value if low <= value <= high else None


def _instance_message() -> str:
    low, high = id_instance_range()
    return f"idInstance: must be an integer from {low} to {high}"


@dataclass(slots=True)
class _Answer:
    """What :func:`_answer` did: the response, the fault injected (and whether after the handler), and the
    ``idMessage`` a write's body carried (for the counters)."""

    response: Response
    fault: FaultKind | None = None
    after: bool = False
    id_message: str | None = None


def _fault_response(state: MockState, fault: FaultKind, *, write_not_done: bool = False) -> Response:
    """The answer of a fault. ``drop``: the status line and headers, then nothing (what a read, or a write
    that was done and whose answer was lost, gets); for a write struck before it acted, no answer at all."""
    if fault is FaultKind.DROP:
        return _AbortedResponse() if write_not_done else _DroppedResponse()
    status = _FAULT_STATUS[fault]
    headers = {"Retry-After": str(state.settings.faults.retry_after)} if status == 429 else None
    return _error(status, headers=headers)


async def _answer(request: Request, state: MockState, pairs: list[tuple[str, str]] | str) -> _Answer:
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    routed = match_route(raw_path.split(b"?", 1)[0])
    if routed is None:
        return _Answer(_error(404))
    route, path_values = routed
    method = "GET" if request.method == "HEAD" else request.method
    operation = route.by_method.get(method)
    if operation is None:
        return _Answer(_error(405, headers={"Allow": route.allow}))

    fault = state.faults.draw()
    after = fault is not None and operation.is_write and state.faults.strikes_after(fault)
    if fault is not None and not after:
        logger.info("fault injected: %s", fault.value)
        if fault is not FaultKind.DELAY:
            write = operation.is_write
            return _Answer(_fault_response(state, fault, write_not_done=write), fault)
        await anyio.sleep(state.settings.faults.delay)
    outcome = await _gateway(request, state, operation, path_values, pairs)
    if isinstance(outcome, Response):
        answer = _Answer(outcome, fault)
    else:
        id_message = outcome.get("idMessage") if operation.body else None
        answer = _Answer(await _handle(state, operation, outcome), fault,
                         id_message=id_message if isinstance(id_message, str) else None)  # fmt: skip
    if after and fault is not None:
        logger.info("fault injected after the handler: %s", fault.value)
        answer.after = True
        if fault is FaultKind.DELAY:
            await anyio.sleep(state.settings.faults.delay)
        else:
            answer.response = _fault_response(state, fault)
    return answer


async def _handle(state: MockState, operation: OperationSpec, params: dict[str, object]) -> Response:
    handler = HANDLERS.get(operation.operation_id)
    if handler is None:
        return _error(501)
    try:
        body = await handler(state, params)
    except Refusal as refusal:
        return _error(refusal.status, refusal.message)
    if not body:
        return Response(status_code=200)  # deleteStatus: 200 with an empty body, no content type
    return _JsonBody(body)


async def _gateway(
    request: Request,
    state: MockState,
    operation: OperationSpec,
    path_values: Mapping[str, bytes],
    pairs: list[tuple[str, str]] | str,
) -> Response | dict[str, object]:
    """An error answer, or the request's validated parameters and body members for the handler."""
    settings = state.settings
    instance = _instance(path_values["idInstance"])
    if instance is None:
        return _error(400, _instance_message())
    if instance != settings.id_instance:
        return _error(403)
    if not hmac.compare_digest(
        unquote_to_bytes(path_values["apiTokenInstance"]), settings.token.encode("ascii")
    ):
        return _error(401)
    if not settings.beta_access:
        return _error(403, "Forbidden: no access to the beta Statuses methods; ask Green API support")
    params = _validate(operation, pairs)
    if isinstance(params, str):
        return _error(400, params)
    if operation.body:
        try:
            members = body_members(operation, await read_body(request, body_limit(operation)))
        except BodyRefused as refused:
            return _error(400, refused.message)
        params.update(members)
    wait = state.limiter.acquire(instance, operation.operation_id, operation.rate_limit)
    if wait is not None:
        return _error(429, headers={"Retry-After": str(wait)})
    if settings.quota_exceeded:
        return Response(_quota_body(operation.operation_id), status_code=466, media_type=_JSON)
    return params


async def _endpoint(request: Request) -> Response:
    state = get_state(request.app)
    pairs = _query_pairs(request.scope["query_string"])
    answer = await _answer(request, state, pairs)
    id_message = answer.id_message
    if id_message is None and not isinstance(pairs, str):
        id_values = [value for name, value in pairs if name == "idMessage"]
        id_message = id_values[-1] if id_values else None
    response = answer.response
    status = None if isinstance(response, _DroppedResponse | _AbortedResponse) else response.status_code
    fault = answer.fault.value if answer.fault is not None else None
    state.stats.record(id_message, status, fault, after=answer.after)
    return response


async def _asgi_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """Every method reaches :func:`_endpoint` (a ``Route`` would answer undeclared methods itself)."""
    response = await _endpoint(Request(scope, receive))
    await response(scope, receive, send)


def get_state(app: Starlette) -> MockState:
    """The :class:`MockState` of an app made by :func:`create_app` (its data, limiter and counters)."""
    state: MockState = app.state.mock
    return state


def create_app(settings: MockSettings | None = None) -> Starlette:
    """A new mock app with its own state; usable in-process (``httpx.ASGITransport``) or under uvicorn."""
    app = Starlette()
    # The router's default, not ``Mount("/")``: a mount matches the decoded path with ``.*``, which stops at a
    # newline, so a ``%0A`` in the token or ``idInstance`` got Starlette's own undocumented 404.
    app.router.default = _asgi_endpoint
    app.state.mock = MockState.from_settings(settings or MockSettings())
    return app
