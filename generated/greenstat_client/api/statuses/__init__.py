"""Endpoint functions of the tag, and its typed facade: the operation table and the client mixins.

Generated from the spec through greenstat's ``templates/endpoint_init.py.jinja``; never edit by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ...models.error import Error
from ...models.incoming_status import IncomingStatus
from ...models.outgoing_status import OutgoingStatus
from ...models.quota_exceeded import QuotaExceeded
from ...models.status_statistic import StatusStatistic
from ...types import UNSET, RawResponse, Response, Unset
from . import get_incoming_statuses as _get_incoming_statuses
from . import get_outgoing_statuses as _get_outgoing_statuses
from . import get_status_statistic as _get_status_statistic

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter the caller passes: its Python name (the facade's keyword), its name in the spec."""

    name: str
    wire_name: str
    location: str
    required: bool


@dataclass(frozen=True, slots=True, eq=False)
class Operation(Generic[ResultT]):
    """One operation of the spec, as a generic caller needs it.

    ``sync_detailed``/``asyncio_detailed`` take the path parameters (instance id, token) positionally, then
    ``client=`` and the ``parameters`` by keyword; a 200 decodes to ``result_type`` (``ResultT``).
    """

    operation_id: str
    name: str
    method: str
    parameters: tuple[Parameter, ...]
    result_type: Any
    sync_detailed: Callable[..., Response[Any]]
    asyncio_detailed: Callable[..., Awaitable[Response[Any]]]
    summary: str


GET_STATUS_STATISTIC: Operation[list[StatusStatistic]] = Operation(
    operation_id="getStatusStatistic",
    name="get_status_statistic",
    method="GET",
    parameters=(Parameter(name="id_message", wire_name="idMessage", location="query", required=True),),
    result_type=list[StatusStatistic],
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
    sync_detailed=_get_incoming_statuses.sync_detailed,
    asyncio_detailed=_get_incoming_statuses.asyncio_detailed,
    summary="List the statuses this account received in the last `minutes`",
)

#: Every operation of the tag, in the spec's order.
OPERATIONS: tuple[Operation[Any], ...] = (
    GET_STATUS_STATISTIC,
    GET_OUTGOING_STATUSES,
    GET_INCOMING_STATUSES,
)


class SyncStatusesMethods(ABC):
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


class SyncStatusesRawMethods(ABC):
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


class AsyncStatusesMethods(ABC):
    """The async twins of :class:`SyncStatusesMethods`."""

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


class AsyncStatusesRawMethods(ABC):
    """The async twins of :class:`SyncStatusesRawMethods`."""

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
