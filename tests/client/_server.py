"""A tiny ASGI app standing in for Green API in the tests that need real sockets."""

from __future__ import annotations

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._helpers import BODY

#: What the app saw, for assertions: (id_instance, token, idMessage, user-agent).
SEEN: list[tuple[int, str, str, str]] = []


async def get_status_statistic(request: Request) -> Response:
    id_instance = request.path_params["id_instance"]
    token = request.path_params["token"]
    id_message = request.query_params.get("idMessage", "")
    SEEN.append((id_instance, token, id_message, request.headers.get("user-agent", "")))
    if id_message == "slow":
        await anyio.sleep(0.5)
    if id_message == "redirect":  # to the same path (the token in Location, as an echoing server would)
        return Response(status_code=307, headers={"location": f"{request.url.path}?idMessage=redirected"})
    if id_message.startswith("status-"):
        code = int(id_message.removeprefix("status-"))
        return JSONResponse({"statusCode": code, "message": f"echo {request.url.path}"}, status_code=code)
    return JSONResponse(BODY)


app = Starlette(
    routes=[Route("/waInstance{id_instance:int}/getStatusStatistic/{token}", get_status_statistic)],
)
