from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.quota_exceeded import QuotaExceeded
from ...models.send_media_status_request import SendMediaStatusRequest
from ...models.send_status_result import SendStatusResult
from ...types import Response, build_off_loop, decode_json


def _get_kwargs(
    id_instance: int,
    api_token_instance: str,
    *,
    body: SendMediaStatusRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/waInstance{id_instance}/sendMediaStatus/{api_token_instance}".format(
            id_instance=quote(str(id_instance), safe=""),
            api_token_instance=quote(str(api_token_instance), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


_decoder_response_200 = msgspec.json.Decoder(SendStatusResult)
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
) -> Error | QuotaExceeded | SendStatusResult | None:
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
) -> Response[Error | QuotaExceeded | SendStatusResult]:
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
    body: SendMediaStatusRequest,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | SendStatusResult]:
    """Post an image or video status

     Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
    named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
    characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
    recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer
    carries
    the new status's `idMessage`.
    **Not idempotent** (see `sendTextStatus`).
    Rate limit: 5 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (SendMediaStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | SendStatusResult]
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
    body: SendMediaStatusRequest,
) -> Error | QuotaExceeded | SendStatusResult | None:
    """Post an image or video status

     Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
    named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
    characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
    recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer
    carries
    the new status's `idMessage`.
    **Not idempotent** (see `sendTextStatus`).
    Rate limit: 5 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (SendMediaStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | SendStatusResult
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
    body: SendMediaStatusRequest,
    extensions: dict[str, Any] | None = None,
) -> Response[Error | QuotaExceeded | SendStatusResult]:
    """Post an image or video status

     Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
    named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
    characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
    recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer
    carries
    the new status's `idMessage`.
    **Not idempotent** (see `sendTextStatus`).
    Rate limit: 5 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (SendMediaStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | QuotaExceeded | SendStatusResult]
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
    body: SendMediaStatusRequest,
) -> Error | QuotaExceeded | SendStatusResult | None:
    """Post an image or video status

     Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
    named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
    characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
    recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer
    carries
    the new status's `idMessage`.
    **Not idempotent** (see `sendTextStatus`).
    Rate limit: 5 requests per second per instance (`x-rate-limit`).

    Args:
        id_instance (int):
        api_token_instance (str):
        body (SendMediaStatusRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | QuotaExceeded | SendStatusResult
    """

    return (
        await asyncio_detailed(
            id_instance=id_instance,
            api_token_instance=api_token_instance,
            client=client,
            body=body,
        )
    ).parsed
