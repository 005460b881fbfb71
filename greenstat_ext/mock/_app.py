"""The ASGI app: ``GET /waInstance{idInstance}/getStatusStatistic/{apiTokenInstance}?idMessage=…``.

Why one catch-all endpoint (the router's default) and our own matching on ``raw_path``: the token and
``idInstance`` are parts of path segments, and a negative test sends them percent-encoded (``%2F`` and
``%0A`` included). Starlette matches the decoded path, so ``a%2Fb`` would become two segments and a 404
the spec does not document; matching the raw path keeps every request to the operation on the operation,
answered with a documented code.

The checks run in the order a gateway runs them: route, method, (injected fault), instance syntax (400),
instance (403), token (401), beta access (403), rate limit (429), quota (466), then the request itself
(``idMessage``: 400), then the answer (200).
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, unquote_to_bytes

import anyio
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from greenstat_client.models import CorrespondentsQuotaStatus, Error, InvokeQuotaStatus, QuotaExceeded

from ._data import ID_MESSAGE_MAX_LENGTH
from ._faults import ConnectionDropped, FaultInjector, FaultKind
from ._ratelimit import GatewayRateLimit
from ._settings import ID_INSTANCE_MAX, MockSettings
from ._state import Clock, MessageStore, monotonic_wall_clock
from ._stats import MockStats

__all__ = ["MockState", "create_app", "get_state"]

logger = logging.getLogger("greenstat.mock")

_OPERATION: Final = re.compile(rb"/waInstance([^/]*)/getStatusStatistic/([^/]*)")
_ID_INSTANCE: Final = re.compile(r"[0-9]{1,10}")
_ALLOW: Final = "GET, HEAD"
_JSON: Final = "application/json"

_REASONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    499: "Client Closed Request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_FAULT_STATUS: Final = {
    FaultKind.TOO_MANY_REQUESTS: 429,
    FaultKind.CLIENT_CLOSED: 499,
    FaultKind.INTERNAL_ERROR: 500,
    FaultKind.BAD_GATEWAY: 502,
}
_QUOTA_BODY: Final = msgspec.json.encode(
    QuotaExceeded(
        invoke_status=InvokeQuotaStatus(
            method="getStatusStatistic",
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


@dataclass(frozen=True, eq=False)
class MockState:
    """Everything one app instance holds: its settings, data, limiter, fault injector and hit counters."""

    settings: MockSettings
    clock: Clock
    store: MessageStore
    limiter: GatewayRateLimit
    faults: FaultInjector
    stats: MockStats

    @classmethod
    def from_settings(cls, settings: MockSettings) -> MockState:
        clock = settings.clock or monotonic_wall_clock()
        return cls(
            settings=settings,
            clock=clock,
            store=MessageStore(seed=settings.seed, clock=clock, data=settings.data),
            limiter=GatewayRateLimit(settings.rate_limit, clock),
            faults=FaultInjector(settings.faults),
            stats=MockStats(),
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


def _query_values(query_string: bytes) -> list[str] | str:
    """The ``idMessage`` values of the query string, or an error message when it cannot be decoded."""
    try:
        pairs = parse_qsl(
            query_string.decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=100,
        )
    except (UnicodeDecodeError, ValueError):
        return "query string: not valid percent-encoded UTF-8, or too many fields"
    return [value for name, value in pairs if name == "idMessage"]


def _check_id_message(values: list[str]) -> str | None:
    if not values:
        return "idMessage: required query parameter is missing"
    if len(values) > 1:
        return "idMessage: given more than once"
    if not values[0]:
        return "idMessage: must not be empty"
    if len(values[0]) > ID_MESSAGE_MAX_LENGTH:
        return f"idMessage: longer than {ID_MESSAGE_MAX_LENGTH} characters"
    return None


async def _answer(
    request: Request, state: MockState, id_values: list[str] | str
) -> tuple[Response, str | None]:
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    match = _OPERATION.fullmatch(raw_path.split(b"?", 1)[0])
    if match is None:
        return _error(404), None
    if request.method not in ("GET", "HEAD"):
        return _error(405, headers={"Allow": _ALLOW}), None

    fault = state.faults.draw()
    if fault is not None:
        logger.info("fault injected: %s", fault.value)
        if fault is FaultKind.DROP:
            return _DroppedResponse(), fault.value
        if fault is FaultKind.DELAY:
            await anyio.sleep(state.settings.faults.delay)
        else:
            status = _FAULT_STATUS[fault]
            headers = {"Retry-After": str(state.settings.faults.retry_after)} if status == 429 else None
            return _error(status, headers=headers), fault.value
    outcome = _authorised_answer(state, match, id_values)
    response = outcome if isinstance(outcome, Response) else _JsonBody(await _body(state, outcome))
    return response, (fault.value if fault is not None else None)


async def _body(state: MockState, id_message: str) -> bytes:
    """The 200 body; built off the event loop when it must be built (the 100k status: ~0.1 s of Python,
    during which every other connection would wait)."""
    body = state.store.cached_body(id_message)
    if body is None:
        body = await anyio.to_thread.run_sync(state.store.body, id_message)
    return body


def _authorised_answer(
    state: MockState, match: re.Match[bytes], id_values: list[str] | str
) -> Response | str:
    """An error answer, or the ``idMessage`` to answer 200 for."""
    settings = state.settings
    instance_text = unquote_to_bytes(match.group(1)).decode("latin-1")
    if _ID_INSTANCE.fullmatch(instance_text) is None or not 1 <= int(instance_text) <= ID_INSTANCE_MAX:
        return _error(400, f"idInstance: must be an integer from 1 to {ID_INSTANCE_MAX}")
    instance = int(instance_text)
    if instance != settings.id_instance:
        return _error(403)
    if not hmac.compare_digest(unquote_to_bytes(match.group(2)), settings.token.encode("ascii")):
        return _error(401)
    if not settings.beta_access:
        return _error(403, "Forbidden: no access to the beta Statuses methods; ask Green API support")
    wait = state.limiter.acquire(instance)
    if wait is not None:
        return _error(429, headers={"Retry-After": str(wait)})
    if settings.quota_exceeded:
        return Response(_QUOTA_BODY, status_code=466, media_type=_JSON)
    if isinstance(id_values, str):
        return _error(400, id_values)
    problem = _check_id_message(id_values)
    if problem is not None:
        return _error(400, problem)
    return id_values[0]


async def _endpoint(request: Request) -> Response:
    state = get_state(request.app)
    id_values = _query_values(request.scope["query_string"])
    response, fault = await _answer(request, state, id_values)
    id_message = id_values[-1] if isinstance(id_values, list) and id_values else None
    status = None if isinstance(response, _DroppedResponse) else response.status_code
    state.stats.record(id_message, status, fault)
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
