"""A correct minimal implementation of the contract, and deliberately broken variants of it.

Why here and not in the package: these exist only to prove that the kit catches real deviations (and passes a
correct implementation). Each broken server changes ONE behaviour of the reference, in a few lines, so a
failing assertion points at exactly one rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

ID_INSTANCE = 7103000042
TOKEN = "Zq7sEcretT0kenUsedOnlyByTheContractTests"
ID_MESSAGE = "BAE5F4886F6F2D05"
ITEMS = [
    {"participant": "79001234567@c.us", "timestamp": 1700000000, "status": "pending"},
    {"participant": "79001234568@c.us", "timestamp": 1700000005, "status": "sent"},
    {"participant": "79001234569@c.us", "timestamp": 1700000010, "status": "delivered"},
    {"participant": "79001234570@c.us", "timestamp": 1700000042, "status": "read"},
]
PATH = "/waInstance{id_instance}/getStatusStatistic/{token}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


async def reference(request: Request) -> Response:
    """The contract, minimally: 405, 400 malformed instance, 403, 401, 400 idMessage, 200."""
    if request.method != "GET":
        return _error(405, "Method Not Allowed", Allow="GET")
    id_instance = request.path_params["id_instance"]
    if not id_instance.isascii() or not id_instance.isdigit() or not 1 <= int(id_instance) <= 9999999999:
        return _error(400, "idInstance: must be an integer of 1 to 10 digits")
    if int(id_instance) != ID_INSTANCE:
        return _error(403, "Forbidden")
    if request.path_params["token"] != TOKEN:
        return _error(401, "Unauthorized")
    id_message = request.query_params.get("idMessage")
    if id_message is None:
        return _error(400, "idMessage: required query parameter is missing")
    if not 1 <= len(id_message) <= 256:
        return _error(400, "idMessage: must be 1 to 256 characters")
    return JSONResponse(ITEMS if id_message == ID_MESSAGE else [])


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


BROKEN: dict[str, Handler] = {
    "server_error_on_missing_id_message": server_error_on_missing_id_message,
    "status_outside_enum": status_outside_enum,
    "item_without_timestamp": item_without_timestamp,
    "wrong_token_accepted": wrong_token_accepted,
    "text_plain_200": text_plain_200,
    "too_many_requests_without_body": too_many_requests_without_body,
}
