"""What each operation answers once the gateway (:mod:`._app`) let the request through: one handler each.

Why this is all an operation costs here: routing, methods, faults, credentials, beta access, the per-method
rate limit, the quota and the validation of every parameter against the spec are the same for every
operation and run in front of the handler, generically. A handler receives the validated query parameters
(defaults filled in from the spec) and returns the 200 body. Building may be slow (the 100,000-recipient
status), so a handler runs such work off the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Final

import anyio
import msgspec

from ._journal import incoming_items, outgoing_items

if TYPE_CHECKING:
    from ._app import MockState

__all__ = ["HANDLERS", "Handler"]

Handler = Callable[["MockState", Mapping[str, object]], Awaitable[bytes]]


async def _status_statistic(state: MockState, params: Mapping[str, object]) -> bytes:
    """The recipients of ``idMessage`` now; built off the event loop when it must be built (the 100k status:
    ~0.1 s of Python, during which every other connection would wait)."""
    id_message = str(params["idMessage"])
    body = state.store.cached_body(id_message)
    if body is None:
        body = await anyio.to_thread.run_sync(state.store.body, id_message)
    return body


async def _outgoing_statuses(state: MockState, params: Mapping[str, object]) -> bytes:
    """The known statuses whose last action lies within ``minutes`` (may generate the 100k schedule once)."""
    store = state.store
    minutes = int(params["minutes"])  # type: ignore[call-overload]  # validated as an integer
    statuses = await anyio.to_thread.run_sync(store.outgoing)
    return msgspec.json.encode(outgoing_items(state.settings.seed, store.now(), minutes, statuses))


async def _incoming_statuses(state: MockState, params: Mapping[str, object]) -> bytes:
    """The seeded contacts' statuses of the last ``minutes``."""
    minutes = int(params["minutes"])  # type: ignore[call-overload]  # validated as an integer
    return msgspec.json.encode(incoming_items(state.settings.seed, state.store.now(), minutes))


HANDLERS: Final[Mapping[str, Handler]] = {
    "getStatusStatistic": _status_statistic,
    "getOutgoingStatuses": _outgoing_statuses,
    "getIncomingStatuses": _incoming_statuses,
}
"""operationId → handler. An operation of the spec without one answers 501 (see :mod:`._app`)."""
