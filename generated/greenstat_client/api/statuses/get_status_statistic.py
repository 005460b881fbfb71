from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.quota_exceeded import QuotaExceeded
from ...models.status_statistic import StatusStatistic
from ...types import UNSET, Response, build_off_loop, decode_json


def _get_kwargs(
    id_instance: int,
    api_token_instance: str,
    *,
    id_message: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["idMessage"] = id_message

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/waInstance{id_instance}/getStatusStatistic/{api_token_instance}".format(
            id_instance=quote(str(id_instance), safe=""),
            api_token_instance=quote(str(api_token_instance), safe=""),
        ),
        "params": params,
    }

    return _kwargs


_decoder_response_200 = msgspec.json.Decoder(list[StatusStatistic])
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
) -> Error | QuotaExceeded | list[StatusStatistic] | None:
    if response.status_code == 200:
        return decode_json(_decoder_response_200, response.content)
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
) -> Response[Error | QuotaExceeded | list[StatusStatistic]]:
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
    id_message: str,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | list[StatusStatistic]]:
    """Get the recipients of an outgoing status with each one's state

     Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
    recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
    the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        id_message (str): A status id, as a send method answers it, e.g. `BAE5F4886F6F2D05` (16
            hex), `3EB0C767D097B7C7C030`
            (20 hex) or `F7AEC1B7086ECDC7E6E45923F5EDB825` (32 hex). Opaque: no pattern; at most 256
            characters
            (our bound, larger than any id seen).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | list[StatusStatistic]]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        id_message=id_message,
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
    id_message: str,
) -> Error | QuotaExceeded | list[StatusStatistic] | None:
    """Get the recipients of an outgoing status with each one's state

     Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
    recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
    the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        id_message (str): A status id, as a send method answers it, e.g. `BAE5F4886F6F2D05` (16
            hex), `3EB0C767D097B7C7C030`
            (20 hex) or `F7AEC1B7086ECDC7E6E45923F5EDB825` (32 hex). Opaque: no pattern; at most 256
            characters
            (our bound, larger than any id seen).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | list[StatusStatistic]
    """

    return sync_detailed(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        client=client,
        id_message=id_message,
    ).parsed


async def asyncio_detailed(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    id_message: str,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | list[StatusStatistic]]:
    """Get the recipients of an outgoing status with each one's state

     Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
    recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
    the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        id_message (str): A status id, as a send method answers it, e.g. `BAE5F4886F6F2D05` (16
            hex), `3EB0C767D097B7C7C030`
            (20 hex) or `F7AEC1B7086ECDC7E6E45923F5EDB825` (32 hex). Opaque: no pattern; at most 256
            characters
            (our bound, larger than any id seen).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | list[StatusStatistic]]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        id_message=id_message,
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
    id_message: str,
) -> Error | QuotaExceeded | list[StatusStatistic] | None:
    """Get the recipients of an outgoing status with each one's state

     Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
    recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
    the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        id_message (str): A status id, as a send method answers it, e.g. `BAE5F4886F6F2D05` (16
            hex), `3EB0C767D097B7C7C030`
            (20 hex) or `F7AEC1B7086ECDC7E6E45923F5EDB825` (32 hex). Opaque: no pattern; at most 256
            characters
            (our bound, larger than any id seen).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | list[StatusStatistic]
    """

    return (
        await asyncio_detailed(
            id_instance=id_instance,
            api_token_instance=api_token_instance,
            client=client,
            id_message=id_message,
        )
    ).parsed
