"""The typed facade of every operation of the spec, whatever its tags: the operation table and the client mixins.

Generated from the spec through greenstat's ``templates/api_init.py.jinja``; never edit by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from ..models.delete_status_request import DeleteStatusRequest
from ..models.error import Error
from ..models.incoming_status import IncomingStatus
from ..models.outgoing_status import OutgoingStatus
from ..models.quota_exceeded import QuotaExceeded
from ..models.send_media_status_request import SendMediaStatusRequest
from ..models.send_status_result import SendStatusResult
from ..models.send_text_status_request import SendTextStatusRequest
from ..models.send_voice_status_request import SendVoiceStatusRequest
from ..models.status_font import StatusFont
from ..models.status_statistic import StatusStatistic
from ..types import UNSET, RawResponse, Response, Unset
from .statuses import delete_status as _delete_status
from .statuses import get_incoming_statuses as _get_incoming_statuses
from .statuses import get_outgoing_statuses as _get_outgoing_statuses
from .statuses import get_status_statistic as _get_status_statistic
from .statuses import send_media_status as _send_media_status
from .statuses import send_text_status as _send_text_status
from .statuses import send_voice_status as _send_voice_status

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter the caller passes: its Python name (the facade's keyword), its name in the spec.

    ``location`` is ``"query"`` or ``"body"`` (a member of the operation's JSON request body).
    """

    name: str
    wire_name: str
    location: str
    required: bool


@dataclass(frozen=True, slots=True, eq=False)
class Operation(Generic[ResultT]):
    """One operation of the spec, as a generic caller needs it.

    ``sync_detailed``/``asyncio_detailed`` take the path parameters (instance id, token) positionally, then
    ``client=`` and the query ``parameters`` by keyword, and ``body=`` a ``body_type`` built from the body
    ``parameters`` when ``body_type`` is not None; a 200 decodes to ``result_type`` (``ResultT``; None for
    an answer without a body).
    """

    operation_id: str
    name: str
    method: str
    parameters: tuple[Parameter, ...]
    result_type: Any
    body_type: Any
    sync_detailed: Callable[..., Response[Any]]
    asyncio_detailed: Callable[..., Awaitable[Response[Any]]]
    summary: str


GET_STATUS_STATISTIC: Operation[list[StatusStatistic]] = Operation(
    operation_id="getStatusStatistic",
    name="get_status_statistic",
    method="GET",
    parameters=(Parameter(name="id_message", wire_name="idMessage", location="query", required=True),),
    result_type=list[StatusStatistic],
    body_type=None,
    sync_detailed=_get_status_statistic.sync_detailed,
    asyncio_detailed=_get_status_statistic.asyncio_detailed,
    summary="Get the recipients of an outgoing status with each one's state",
)

GET_OUTGOING_STATUSES: Operation[list[OutgoingStatus]] = Operation(
    operation_id="getOutgoingStatuses",
    name="get_outgoing_statuses",
    method="GET",
    parameters=(Parameter(name="minutes", wire_name="minutes", location="query", required=False),),
    result_type=list[OutgoingStatus],
    body_type=None,
    sync_detailed=_get_outgoing_statuses.sync_detailed,
    asyncio_detailed=_get_outgoing_statuses.asyncio_detailed,
    summary="List the statuses this account posted in the last `minutes`",
)

GET_INCOMING_STATUSES: Operation[list[IncomingStatus]] = Operation(
    operation_id="getIncomingStatuses",
    name="get_incoming_statuses",
    method="GET",
    parameters=(Parameter(name="minutes", wire_name="minutes", location="query", required=False),),
    result_type=list[IncomingStatus],
    body_type=None,
    sync_detailed=_get_incoming_statuses.sync_detailed,
    asyncio_detailed=_get_incoming_statuses.asyncio_detailed,
    summary="List the statuses this account received in the last `minutes`",
)

SEND_TEXT_STATUS: Operation[SendStatusResult] = Operation(
    operation_id="sendTextStatus",
    name="send_text_status",
    method="POST",
    parameters=(
        Parameter(name="message", wire_name="message", location="body", required=True),
        Parameter(name="background_color", wire_name="backgroundColor", location="body", required=False),
        Parameter(name="font", wire_name="font", location="body", required=False),
        Parameter(name="participants", wire_name="participants", location="body", required=False),
    ),
    result_type=SendStatusResult,
    body_type=SendTextStatusRequest,
    sync_detailed=_send_text_status.sync_detailed,
    asyncio_detailed=_send_text_status.asyncio_detailed,
    summary="Post a text status",
)

SEND_VOICE_STATUS: Operation[SendStatusResult] = Operation(
    operation_id="sendVoiceStatus",
    name="send_voice_status",
    method="POST",
    parameters=(
        Parameter(name="url_file", wire_name="urlFile", location="body", required=True),
        Parameter(name="file_name", wire_name="fileName", location="body", required=True),
        Parameter(name="background_color", wire_name="backgroundColor", location="body", required=False),
        Parameter(name="participants", wire_name="participants", location="body", required=False),
    ),
    result_type=SendStatusResult,
    body_type=SendVoiceStatusRequest,
    sync_detailed=_send_voice_status.sync_detailed,
    asyncio_detailed=_send_voice_status.asyncio_detailed,
    summary="Post a voice status",
)

SEND_MEDIA_STATUS: Operation[SendStatusResult] = Operation(
    operation_id="sendMediaStatus",
    name="send_media_status",
    method="POST",
    parameters=(
        Parameter(name="url_file", wire_name="urlFile", location="body", required=True),
        Parameter(name="file_name", wire_name="fileName", location="body", required=True),
        Parameter(name="caption", wire_name="caption", location="body", required=False),
        Parameter(name="participants", wire_name="participants", location="body", required=False),
    ),
    result_type=SendStatusResult,
    body_type=SendMediaStatusRequest,
    sync_detailed=_send_media_status.sync_detailed,
    asyncio_detailed=_send_media_status.asyncio_detailed,
    summary="Post an image or video status",
)

DELETE_STATUS: Operation[None] = Operation(
    operation_id="deleteStatus",
    name="delete_status",
    method="POST",
    parameters=(Parameter(name="id_message", wire_name="idMessage", location="body", required=True),),
    result_type=None,
    body_type=DeleteStatusRequest,
    sync_detailed=_delete_status.sync_detailed,
    asyncio_detailed=_delete_status.asyncio_detailed,
    summary="Delete a status this account posted",
)

#: Every operation of the spec, whatever its tag: grouped by tag, each tag's in the spec's order.
OPERATIONS: tuple[Operation[Any], ...] = (
    GET_STATUS_STATISTIC,
    GET_OUTGOING_STATUSES,
    GET_INCOMING_STATUSES,
    SEND_TEXT_STATUS,
    SEND_VOICE_STATUS,
    SEND_MEDIA_STATUS,
    DELETE_STATUS,
)


class SyncMethods(ABC):
    """One typed method per operation, returning the decoded 200 body; the subclass implements ``_invoke``."""

    __slots__ = ()

    @abstractmethod
    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> ResultT:
        """Validate ``params``, send ``operation``, return its decoded 200 body or raise."""

    def get_status_statistic(
        self,
        id_message: str,
    ) -> list[StatusStatistic]:
        """Get the recipients of an outgoing status with each one's state

        Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
        recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
        the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``id_message``: the spec's ``idMessage`` (required).
        """

        return self._invoke(GET_STATUS_STATISTIC, id_message=id_message)

    def get_outgoing_statuses(
        self,
        minutes: int | None = None,
    ) -> list[OutgoingStatus]:
        """List the statuses this account posted in the last `minutes`

        Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item per
        status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted through
        the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
        phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
        minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is a
        normal, successful answer.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return self._invoke(GET_OUTGOING_STATUSES, minutes=minutes)

    def get_incoming_statuses(
        self,
        minutes: int | None = None,
    ) -> list[IncomingStatus]:
        """List the statuses this account received in the last `minutes`

        Returns the statuses posted by this account's contacts in the last `minutes` (default 1440, 24
        hours), one item per status: its sender (`senderId`, `senderName`, `senderContactName`) and its text
        or media. Only numbers in the contact list are listed. Data is kept 30 days. An empty array is a
        normal, successful answer. No instance setting is required.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return self._invoke(GET_INCOMING_STATUSES, minutes=minutes)

    def send_text_status(
        self,
        message: str,
        *,
        background_color: str | None = None,
        font: StatusFont
        | Literal["SERIF", "SANS_SERIF", "NORICAN_REGULAR", "BRYNDAN_WRITE", "OSWALD_HEAVY"]
        | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post a text status

        Posts a text status (at most 500 characters) drawn in `font` on `backgroundColor`, to `participants`
        or, without them, to every contact. The answer carries the new status's `idMessage`, the id
        `getStatusStatistic` and `deleteStatus` take (the OpenAPI links of the 200 answer). The status is queued: it waits up to
        24 hours for the instance to be authorised.
        **Not idempotent**: repeating a send whose answer was lost may post the status twice (see the
        description of the API).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``message``: the body's ``message`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``font``: the body's ``font`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_TEXT_STATUS,
            message=message,
            background_color=background_color,
            font=font,
            participants=participants,
        )

    def send_voice_status(
        self,
        url_file: str,
        file_name: str,
        *,
        background_color: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post a voice status

        Posts a voice status from the audio file at `urlFile` (a direct link to the file: a download link
        served as `application/octet-stream` is answered 200 but never posted), named `fileName` (`.mp3` or
        `.wav`; MP3 is recommended), on `backgroundColor`, to `participants` or to every contact. Older pages
        say audio over 1 minute is cut to 1 minute, the newest English page that over 10 minutes is refused
        (UNCONFIRMED which holds). The answer carries the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_VOICE_STATUS,
            url_file=url_file,
            file_name=file_name,
            background_color=background_color,
            participants=participants,
        )

    def send_media_status(
        self,
        url_file: str,
        file_name: str,
        *,
        caption: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post an image or video status

        Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
        named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
        characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
        recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer carries
        the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``caption``: the body's ``caption`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_MEDIA_STATUS,
            url_file=url_file,
            file_name=file_name,
            caption=caption,
            participants=participants,
        )

    def delete_status(
        self,
        id_message: str,
    ) -> None:
        """Delete a status this account posted

        Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
        The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
        is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
        **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
        Rate limit: 10 requests per second per instance (`x-rate-limit`).

        ``id_message``: the body's ``idMessage`` (required).
        """

        return self._invoke(DELETE_STATUS, id_message=id_message)


class SyncRawMethods(ABC):
    """The same methods, returning a :class:`~greenstat_client.types.RawResponse` (``with_raw_response``)."""

    __slots__ = ()

    @abstractmethod
    def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        """Validate ``params``, send ``operation``, return the answer with its HTTP details or raise."""

    def get_status_statistic(
        self,
        id_message: str,
    ) -> RawResponse[list[StatusStatistic]]:
        """Get the recipients of an outgoing status with each one's state (with the HTTP details: a RawResponse)

        Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
        recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
        the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``id_message``: the spec's ``idMessage`` (required).
        """

        return self._invoke(GET_STATUS_STATISTIC, id_message=id_message)

    def get_outgoing_statuses(
        self,
        minutes: int | None = None,
    ) -> RawResponse[list[OutgoingStatus]]:
        """List the statuses this account posted in the last `minutes` (with the HTTP details: a RawResponse)

        Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item per
        status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted through
        the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
        phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
        minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is a
        normal, successful answer.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return self._invoke(GET_OUTGOING_STATUSES, minutes=minutes)

    def get_incoming_statuses(
        self,
        minutes: int | None = None,
    ) -> RawResponse[list[IncomingStatus]]:
        """List the statuses this account received in the last `minutes` (with the HTTP details: a RawResponse)

        Returns the statuses posted by this account's contacts in the last `minutes` (default 1440, 24
        hours), one item per status: its sender (`senderId`, `senderName`, `senderContactName`) and its text
        or media. Only numbers in the contact list are listed. Data is kept 30 days. An empty array is a
        normal, successful answer. No instance setting is required.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return self._invoke(GET_INCOMING_STATUSES, minutes=minutes)

    def send_text_status(
        self,
        message: str,
        *,
        background_color: str | None = None,
        font: StatusFont
        | Literal["SERIF", "SANS_SERIF", "NORICAN_REGULAR", "BRYNDAN_WRITE", "OSWALD_HEAVY"]
        | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post a text status (with the HTTP details: a RawResponse)

        Posts a text status (at most 500 characters) drawn in `font` on `backgroundColor`, to `participants`
        or, without them, to every contact. The answer carries the new status's `idMessage`, the id
        `getStatusStatistic` and `deleteStatus` take (the OpenAPI links of the 200 answer). The status is queued: it waits up to
        24 hours for the instance to be authorised.
        **Not idempotent**: repeating a send whose answer was lost may post the status twice (see the
        description of the API).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``message``: the body's ``message`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``font``: the body's ``font`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_TEXT_STATUS,
            message=message,
            background_color=background_color,
            font=font,
            participants=participants,
        )

    def send_voice_status(
        self,
        url_file: str,
        file_name: str,
        *,
        background_color: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post a voice status (with the HTTP details: a RawResponse)

        Posts a voice status from the audio file at `urlFile` (a direct link to the file: a download link
        served as `application/octet-stream` is answered 200 but never posted), named `fileName` (`.mp3` or
        `.wav`; MP3 is recommended), on `backgroundColor`, to `participants` or to every contact. Older pages
        say audio over 1 minute is cut to 1 minute, the newest English page that over 10 minutes is refused
        (UNCONFIRMED which holds). The answer carries the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_VOICE_STATUS,
            url_file=url_file,
            file_name=file_name,
            background_color=background_color,
            participants=participants,
        )

    def send_media_status(
        self,
        url_file: str,
        file_name: str,
        *,
        caption: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post an image or video status (with the HTTP details: a RawResponse)

        Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
        named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
        characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
        recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer carries
        the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``caption``: the body's ``caption`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return self._invoke(
            SEND_MEDIA_STATUS,
            url_file=url_file,
            file_name=file_name,
            caption=caption,
            participants=participants,
        )

    def delete_status(
        self,
        id_message: str,
    ) -> RawResponse[None]:
        """Delete a status this account posted (with the HTTP details: a RawResponse)

        Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
        The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
        is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
        **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
        Rate limit: 10 requests per second per instance (`x-rate-limit`).

        ``id_message``: the body's ``idMessage`` (required).
        """

        return self._invoke(DELETE_STATUS, id_message=id_message)


class AsyncMethods(ABC):
    """The async twins of :class:`SyncMethods`."""

    __slots__ = ()

    @abstractmethod
    async def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> ResultT:
        """Validate ``params``, send ``operation``, return its decoded 200 body or raise."""

    async def get_status_statistic(
        self,
        id_message: str,
    ) -> list[StatusStatistic]:
        """Get the recipients of an outgoing status with each one's state

        Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
        recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
        the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``id_message``: the spec's ``idMessage`` (required).
        """

        return await self._invoke(GET_STATUS_STATISTIC, id_message=id_message)

    async def get_outgoing_statuses(
        self,
        minutes: int | None = None,
    ) -> list[OutgoingStatus]:
        """List the statuses this account posted in the last `minutes`

        Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item per
        status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted through
        the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
        phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
        minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is a
        normal, successful answer.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return await self._invoke(GET_OUTGOING_STATUSES, minutes=minutes)

    async def get_incoming_statuses(
        self,
        minutes: int | None = None,
    ) -> list[IncomingStatus]:
        """List the statuses this account received in the last `minutes`

        Returns the statuses posted by this account's contacts in the last `minutes` (default 1440, 24
        hours), one item per status: its sender (`senderId`, `senderName`, `senderContactName`) and its text
        or media. Only numbers in the contact list are listed. Data is kept 30 days. An empty array is a
        normal, successful answer. No instance setting is required.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return await self._invoke(GET_INCOMING_STATUSES, minutes=minutes)

    async def send_text_status(
        self,
        message: str,
        *,
        background_color: str | None = None,
        font: StatusFont
        | Literal["SERIF", "SANS_SERIF", "NORICAN_REGULAR", "BRYNDAN_WRITE", "OSWALD_HEAVY"]
        | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post a text status

        Posts a text status (at most 500 characters) drawn in `font` on `backgroundColor`, to `participants`
        or, without them, to every contact. The answer carries the new status's `idMessage`, the id
        `getStatusStatistic` and `deleteStatus` take (the OpenAPI links of the 200 answer). The status is queued: it waits up to
        24 hours for the instance to be authorised.
        **Not idempotent**: repeating a send whose answer was lost may post the status twice (see the
        description of the API).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``message``: the body's ``message`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``font``: the body's ``font`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_TEXT_STATUS,
            message=message,
            background_color=background_color,
            font=font,
            participants=participants,
        )

    async def send_voice_status(
        self,
        url_file: str,
        file_name: str,
        *,
        background_color: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post a voice status

        Posts a voice status from the audio file at `urlFile` (a direct link to the file: a download link
        served as `application/octet-stream` is answered 200 but never posted), named `fileName` (`.mp3` or
        `.wav`; MP3 is recommended), on `backgroundColor`, to `participants` or to every contact. Older pages
        say audio over 1 minute is cut to 1 minute, the newest English page that over 10 minutes is refused
        (UNCONFIRMED which holds). The answer carries the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_VOICE_STATUS,
            url_file=url_file,
            file_name=file_name,
            background_color=background_color,
            participants=participants,
        )

    async def send_media_status(
        self,
        url_file: str,
        file_name: str,
        *,
        caption: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> SendStatusResult:
        """Post an image or video status

        Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
        named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
        characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
        recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer carries
        the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``caption``: the body's ``caption`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_MEDIA_STATUS,
            url_file=url_file,
            file_name=file_name,
            caption=caption,
            participants=participants,
        )

    async def delete_status(
        self,
        id_message: str,
    ) -> None:
        """Delete a status this account posted

        Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
        The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
        is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
        **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
        Rate limit: 10 requests per second per instance (`x-rate-limit`).

        ``id_message``: the body's ``idMessage`` (required).
        """

        return await self._invoke(DELETE_STATUS, id_message=id_message)


class AsyncRawMethods(ABC):
    """The async twins of :class:`SyncRawMethods`."""

    __slots__ = ()

    @abstractmethod
    async def _invoke(self, operation: Operation[ResultT], /, **params: Any) -> RawResponse[ResultT]:
        """Validate ``params``, send ``operation``, return the answer with its HTTP details or raise."""

    async def get_status_statistic(
        self,
        id_message: str,
    ) -> RawResponse[list[StatusStatistic]]:
        """Get the recipients of an outgoing status with each one's state (with the HTTP details: a RawResponse)

        Returns an array with one item per recipient of the outgoing status `idMessage`, each with the
        recipient's chat id, its current state (`pending`, `sent`, `delivered`, `read`) and the UNIX time of
        the last action. An unknown or expired (older than 30 days) `idMessage` gives `[]`.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``id_message``: the spec's ``idMessage`` (required).
        """

        return await self._invoke(GET_STATUS_STATISTIC, id_message=id_message)

    async def get_outgoing_statuses(
        self,
        minutes: int | None = None,
    ) -> RawResponse[list[OutgoingStatus]]:
        """List the statuses this account posted in the last `minutes` (with the HTTP details: a RawResponse)

        Returns the journal of outgoing statuses of the last `minutes` (default 1440, 24 hours), one item per
        status: its `idMessage` (the id `getStatusStatistic` takes), its state, whether it was posted through
        the API (`sendByApi`), its audience (`participants`) and its text or media. Statuses posted from the
        phone are listed too once the setting "receive webhooks on statuses of sent messages" is on (up to 5
        minutes to apply; statuses posted before are never listed). Data is kept 30 days. An empty array is a
        normal, successful answer.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return await self._invoke(GET_OUTGOING_STATUSES, minutes=minutes)

    async def get_incoming_statuses(
        self,
        minutes: int | None = None,
    ) -> RawResponse[list[IncomingStatus]]:
        """List the statuses this account received in the last `minutes` (with the HTTP details: a RawResponse)

        Returns the statuses posted by this account's contacts in the last `minutes` (default 1440, 24
        hours), one item per status: its sender (`senderId`, `senderName`, `senderContactName`) and its text
        or media. Only numbers in the contact list are listed. Data is kept 30 days. An empty array is a
        normal, successful answer. No instance setting is required.
        Rate limit: 1 request per second per instance (`x-rate-limit`).

        ``minutes``: the spec's ``minutes`` (optional: None leaves it out, the server's default applies).
        """

        return await self._invoke(GET_INCOMING_STATUSES, minutes=minutes)

    async def send_text_status(
        self,
        message: str,
        *,
        background_color: str | None = None,
        font: StatusFont
        | Literal["SERIF", "SANS_SERIF", "NORICAN_REGULAR", "BRYNDAN_WRITE", "OSWALD_HEAVY"]
        | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post a text status (with the HTTP details: a RawResponse)

        Posts a text status (at most 500 characters) drawn in `font` on `backgroundColor`, to `participants`
        or, without them, to every contact. The answer carries the new status's `idMessage`, the id
        `getStatusStatistic` and `deleteStatus` take (the OpenAPI links of the 200 answer). The status is queued: it waits up to
        24 hours for the instance to be authorised.
        **Not idempotent**: repeating a send whose answer was lost may post the status twice (see the
        description of the API).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``message``: the body's ``message`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``font``: the body's ``font`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_TEXT_STATUS,
            message=message,
            background_color=background_color,
            font=font,
            participants=participants,
        )

    async def send_voice_status(
        self,
        url_file: str,
        file_name: str,
        *,
        background_color: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post a voice status (with the HTTP details: a RawResponse)

        Posts a voice status from the audio file at `urlFile` (a direct link to the file: a download link
        served as `application/octet-stream` is answered 200 but never posted), named `fileName` (`.mp3` or
        `.wav`; MP3 is recommended), on `backgroundColor`, to `participants` or to every contact. Older pages
        say audio over 1 minute is cut to 1 minute, the newest English page that over 10 minutes is refused
        (UNCONFIRMED which holds). The answer carries the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``background_color``: the body's ``backgroundColor`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_VOICE_STATUS,
            url_file=url_file,
            file_name=file_name,
            background_color=background_color,
            participants=participants,
        )

    async def send_media_status(
        self,
        url_file: str,
        file_name: str,
        *,
        caption: str | None = None,
        participants: Sequence[str] | None = None,
    ) -> RawResponse[SendStatusResult]:
        """Post an image or video status (with the HTTP details: a RawResponse)

        Posts an image or video status from the file at `urlFile` (a direct link, as for `sendVoiceStatus`),
        named `fileName` (with its extension, e.g. `photo.jpg`), with an optional `caption` (at most 1024
        characters), to `participants` or to every contact. MP4 video and 9:16 portrait images are
        recommended; video over 1 minute is cut. Files over 100 MB are refused with a 500. The answer carries
        the new status's `idMessage`.
        **Not idempotent** (see `sendTextStatus`).
        Rate limit: 5 requests per second per instance (`x-rate-limit`).

        ``url_file``: the body's ``urlFile`` (required).
        ``file_name``: the body's ``fileName`` (required).
        ``caption``: the body's ``caption`` (optional: None leaves it out).
        ``participants``: the body's ``participants`` (optional: None leaves it out).
        """

        return await self._invoke(
            SEND_MEDIA_STATUS,
            url_file=url_file,
            file_name=file_name,
            caption=caption,
            participants=participants,
        )

    async def delete_status(
        self,
        id_message: str,
    ) -> RawResponse[None]:
        """Delete a status this account posted (with the HTTP details: a RawResponse)

        Removes the status `idMessage` (an id a send method answered, or one `getOutgoingStatuses` lists).
        The answer is 200 with an **empty body**; an unknown `idMessage` (never posted, or deleted already)
        is 400 `ID message notfound`. After it, the id is no longer listed by `getOutgoingStatuses`.
        **Not idempotent**: a repeated delete of a status deleted by the first is a 400.
        Rate limit: 10 requests per second per instance (`x-rate-limit`).

        ``id_message``: the body's ``idMessage`` (required).
        """

        return await self._invoke(DELETE_STATUS, id_message=id_message)
