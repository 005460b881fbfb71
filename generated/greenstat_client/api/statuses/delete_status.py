from typing import Any, cast
from urllib.parse import quote

import httpx
import msgspec

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_status_request import DeleteStatusRequest
from ...models.error import Error
from ...models.quota_exceeded import QuotaExceeded
from ...types import Response, build_off_loop, decode_json


def _get_kwargs(
    id_instance: int,
    api_token_instance: str,
    *,
    body: DeleteStatusRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/waInstance{id_instance}/deleteStatus/{api_token_instance}".format(
            id_instance=quote(str(id_instance), safe=""),
            api_token_instance=quote(str(api_token_instance), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


_decoder_response_400 = msgspec.json.Decoder(Error)
_decoder_response_401 = msgspec.json.Decoder(Error)
_decoder_response_403 = msgspec.json.Decoder(Error)
_decoder_response_429 = msgspec.json.Decoder(Error)
_decoder_response_466 = msgspec.json.Decoder(QuotaExceeded)
_decoder_response_499 = msgspec.json.Decoder(Error)
_decoder_response_500 = msgspec.json.Decoder(Error)
_decoder_response_502 = msgspec.json.Decoder(Error)


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | QuotaExceeded | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 400:
        try:
            return decode_json(_decoder_response_400, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 401:
        try:
            return decode_json(_decoder_response_401, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 403:
        try:
            return decode_json(_decoder_response_403, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 429:
        try:
            return decode_json(_decoder_response_429, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 466:
        try:
            return decode_json(_decoder_response_466, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 499:
        try:
            return decode_json(_decoder_response_499, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 500:
        try:
            return decode_json(_decoder_response_500, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if response.status_code == 502:
        try:
            return decode_json(_decoder_response_502, response.content)
        except msgspec.DecodeError:  # ValidationError included
            return None
    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Error | QuotaExceeded]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: DeleteStatusRequest,
    extensions: dict[str, Any] | None = None,
) -> Response[Any | Error | QuotaExceeded]:
    """Delete a status this account posted

     Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
    The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
    is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
    **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
    Rate limit: 10 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (DeleteStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error | QuotaExceeded]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
        extensions=extensions,
    )

    return _build_response(client=client, response=response)


def sync(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: DeleteStatusRequest,
) -> Any | Error | QuotaExceeded | None:
    """Delete a status this account posted

     Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
    The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
    is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
    **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
    Rate limit: 10 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (DeleteStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error | QuotaExceeded
    """

    return sync_detailed(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: DeleteStatusRequest,
    extensions: dict[str, Any] | None = None,
) -> Response[Any | Error | QuotaExceeded]:
    """Delete a status this account posted

     Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
    The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
    is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
    **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
    Rate limit: 10 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (DeleteStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error | QuotaExceeded]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        body=body,
    )

    response = await client.get_async_httpx_client().request(
        **kwargs,
        extensions=extensions,
    )

    return await build_off_loop(_build_response, client=client, response=response)


async def asyncio(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: DeleteStatusRequest,
) -> Any | Error | QuotaExceeded | None:
    """Delete a status this account posted

     Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
    The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
    is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
    **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
    Rate limit: 10 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (DeleteStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error | QuotaExceeded
    """

    return (
        await asyncio_detailed(
            id_instance=id_instance,
            api_token_instance=api_token_instance,
            client=client,
            body=body,
        )
    ).parsed
