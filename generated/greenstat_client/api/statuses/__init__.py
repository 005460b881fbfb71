"""Endpoint functions of the tag, and its typed facade: the operation table and the client mixins.

Generated from the spec through greenstat's ``templates/endpoint_init.py.jinja``; never edit by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ...models.error import Error
from ...models.quota_exceeded import QuotaExceeded
from ...models.status_statistic import StatusStatistic
from ...types import RawResponse, Response
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

#: Every operation of the tag, in the spec's order.
OPERATIONS: tuple[Operation[Any], ...] = (GET_STATUS_STATISTIC,)


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
        Rate limit: 1 request per second per instance.

        ``id_message`` (``idMessage``)
        """

        return self._invoke(GET_STATUS_STATISTIC, id_message=id_message)


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
        Rate limit: 1 request per second per instance.

        ``id_message`` (``idMessage``)
        """

        return self._invoke(GET_STATUS_STATISTIC, id_message=id_message)


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
        Rate limit: 1 request per second per instance.

        ``id_message`` (``idMessage``)
        """

        return await self._invoke(GET_STATUS_STATISTIC, id_message=id_message)


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
        Rate limit: 1 request per second per instance.

        ``id_message`` (``idMessage``)
        """

        return await self._invoke(GET_STATUS_STATISTIC, id_message=id_message)
