from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.outgoing_status import OutgoingStatus
from ...models.quota_exceeded import QuotaExceeded
from ...types import UNSET, Response, Unset, build_off_loop, decode_json


def _get_kwargs(
    id_instance: int,
    api_token_instance: str,
    *,
    minutes: int | Unset = 1440,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["minutes"] = minutes

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/waInstance{id_instance}/getOutgoingStatuses/{api_token_instance}".format(
            id_instance=quote(str(id_instance), safe=""),
            api_token_instance=quote(str(api_token_instance), safe=""),
        ),
        "params": params,
    }

    return _kwargs


_decoder_response_200 = msgspec.json.Decoder(list[OutgoingStatus])
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
) -> Error | QuotaExceeded | list[OutgoingStatus] | None:
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
) -> Response[Error | QuotaExceeded | list[OutgoingStatus]]:
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
    minutes: int | Unset = 1440,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | list[OutgoingStatus]]:
    """List the statuses this account posted in the last `minutes`

     Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item
    per
    status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted
    through
    the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
    phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
    minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is
    a
    normal, successful answer.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        minutes (int | Unset):  Default: 1440.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | list[OutgoingStatus]]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        minutes=minutes,
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
    minutes: int | Unset = 1440,
) -> Error | QuotaExceeded | list[OutgoingStatus] | None:
    """List the statuses this account posted in the last `minutes`

     Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item
    per
    status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted
    through
    the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
    phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
    minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is
    a
    normal, successful answer.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        minutes (int | Unset):  Default: 1440.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | list[OutgoingStatus]
    """

    return sync_detailed(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        client=client,
        minutes=minutes,
    ).parsed


async def asyncio_detailed(
    id_instance: int,
    api_token_instance: str,
    *,
    client: AuthenticatedClient | Client,
    minutes: int | Unset = 1440,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | list[OutgoingStatus]]:
    """List the statuses this account posted in the last `minutes`

     Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item
    per
    status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted
    through
    the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
    phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
    minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is
    a
    normal, successful answer.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        minutes (int | Unset):  Default: 1440.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | list[OutgoingStatus]]
    """

    kwargs = _get_kwargs(
        id_instance=id_instance,
        api_token_instance=api_token_instance,
        minutes=minutes,
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
    minutes: int | Unset = 1440,
) -> Error | QuotaExceeded | list[OutgoingStatus] | None:
    """List the statuses this account posted in the last `minutes`

     Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item
    per
    status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted
    through
    the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
    phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
    minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is
    a
    normal, successful answer.
    Rate limit: 1 request per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        minutes (int | Unset):  Default: 1440.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | list[OutgoingStatus]
    """

    return (
        await asyncio_detailed(
            id_instance=id_instance,
            api_token_instance=api_token_instance,
            client=client,
            minutes=minutes,
        )
    ).parsed
