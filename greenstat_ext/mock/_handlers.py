"""What each operation answers once the gateway (:mod:`._app`) let the request through: one handler each.

Why this is all an operation costs here: routing, methods, faults, credentials, beta access, the validation
of every parameter and body member against the spec, the per-method rate limit and the quota are the same
for every operation and run in front of the handler, generically. A handler receives the validated query
parameters (defaults filled in from the spec) and body members, and returns the 200 body (``b""``: an empty
200), or raises :class:`Refusal` for an answer of its own (``deleteStatus``'s 400 ``ID message notfound``).
Building may be slow (the 100,000-recipient status), so a handler runs such work off the event loop.

The writes act on :class:`~._posted.PostedStatuses` and count what they did in :class:`~._stats.MockStats`
(``created``/``deleted``) at the moment they do it, whatever the client ends up being answered. Their log
lines name the id, the operation and the number of recipients, never what was posted.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import anyio
import msgspec

from greenstat_client.models import ExtendedTextMessage, SendStatusResult, StatusValue

from ._journal import incoming_items, outgoing_items

if TYPE_CHECKING:
    from ._instance import MockState

__all__ = ["HANDLERS", "NOT_FOUND", "Handler", "Refusal", "media_kind"]

logger = logging.getLogger("greenstat.mock")

Handler = Callable[["MockState", Mapping[str, object]], Awaitable[bytes]]

NOT_FOUND: Final = "ID message notfound"
"""``deleteStatus``'s documented 400 message for an id it cannot delete."""

# The standard library's own table only (a fresh MimeTypes ignores /etc/mime.types): the same answer on
# every machine.
_MIME_TYPES: Final = mimetypes.MimeTypes()

JOURNAL_BUILDS: Final = 2
"""``getOutgoingStatuses`` answers built at once in this process; further requests wait their turn.

Why: with the posted statuses full the answer is ~16 MiB (``_posted.MAX_POSTED_BYTES``), and building it
holds its items and the encoder's buffer besides (~15 ms of encoding): a burst of journal requests would
otherwise build them all at once. A threading semaphore, not an anyio limiter, because the apps of one
process may run on different event loops (tests, :class:`~._server.MockServer`); the wait is in the worker
thread, never on an event loop. Answers already built and being sent are bounded by the write timeout
(:mod:`._connections`), not by this."""

_journal_builds: Final = threading.BoundedSemaphore(JOURNAL_BUILDS)


class Refusal(Exception):
    """A handler's own error answer: ``status`` and the ``Error`` body's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _status_statistic(state: MockState, params: Mapping[str, object]) -> bytes:
    """The recipients of ``idMessage`` now; built off the event loop when it must be built (the 100k status:
    ~0.1 s of Python, during which every other connection would wait)."""
    id_message = str(params["idMessage"])
    posted = state.posted.body(id_message)
    if posted is not None:
        return posted
    body = state.store.cached_body(id_message)
    if body is None:
        body = await anyio.to_thread.run_sync(state.store.body, id_message)
    if body != b"[]" and state.faults.regresses(id_message):
        return _one_step_back(body)
    return body


_STATES: Final = tuple(value.value for value in (StatusValue.PENDING, StatusValue.SENT, StatusValue.DELIVERED,
                                                  StatusValue.READ))  # fmt: skip


def _one_step_back(body: bytes) -> bytes:
    """``body`` with its furthest recipient one state back (the ``regress_statistic_at`` fault)."""
    items = json.loads(body)
    ranked = [(_STATES.index(item["status"]), index) for index, item in enumerate(items)
              if item.get("status") in _STATES[1:]]  # fmt: skip
    if ranked:
        rank, index = max(ranked)
        items[index]["status"] = _STATES[rank - 1]
    return json.dumps(items, separators=(",", ":")).encode()


async def _outgoing_statuses(state: MockState, params: Mapping[str, object]) -> bytes:
    """The known statuses whose last action lies within ``minutes`` (may generate the 100k schedule once):
    the demo and loaded ones, and the posted ones (up to thousands, ~16 MiB encoded: built and encoded off
    the loop, at most :data:`JOURNAL_BUILDS` at once)."""
    store, posted = state.store, state.posted
    minutes = int(params["minutes"])  # type: ignore[call-overload]  # validated as an integer

    def build() -> bytes:
        with _journal_builds:
            now = store.now()
            listed = [*store.outgoing(since=now - minutes * 60), *posted.outgoing()]
            statuses = sorted(listed, key=lambda status: -status.timestamp)
            return msgspec.json.encode(outgoing_items(state.settings.seed, now, minutes, statuses))

    return await anyio.to_thread.run_sync(build)


async def _incoming_statuses(state: MockState, params: Mapping[str, object]) -> bytes:
    """The seeded contacts' statuses of the last ``minutes``."""
    minutes = int(params["minutes"])  # type: ignore[call-overload]  # validated as an integer
    return msgspec.json.encode(incoming_items(state.settings.seed, state.store.now(), minutes))


def media_kind(file_name: str) -> tuple[str, str]:
    """``sendMediaStatus``'s kind of status and MIME type, from the file name's extension: video → a
    ``videoMessage``, audio → an ``audioMessage`` (older pages list MP3 for this method), anything else
    (images, and extensions no table knows) → an ``imageMessage``."""
    mime_type = _MIME_TYPES.guess_type(file_name, strict=False)[0] or "application/octet-stream"
    if mime_type.startswith("video/"):
        return "videoMessage", mime_type
    if mime_type.startswith("audio/"):
        return "audioMessage", mime_type
    return "imageMessage", mime_type


def _participants(params: Mapping[str, object]) -> Sequence[str]:
    listed = params.get("participants")
    return [str(item) for item in listed] if isinstance(listed, list) else []


def _posted(state: MockState, operation_id: str, type_message: str, params: Mapping[str, object],
            content: Mapping[str, Any]) -> bytes:  # fmt: skip
    status = state.posted.post(operation_id, type_message, _participants(params), content)
    state.stats.record_created(operation_id)
    logger.info("status posted: %s by %s, %d recipients", status.id_message, operation_id, status.recipients)
    return msgspec.json.encode(SendStatusResult(id_message=status.id_message))


async def _send_text_status(state: MockState, params: Mapping[str, object]) -> bytes:
    """A text status: ``textMessage`` and ``extendedTextMessage`` (text, and colour and font when given)."""
    text = str(params["message"])
    drawn: dict[str, Any] = {"text": text}
    if "backgroundColor" in params:
        drawn["background_color"] = str(params["backgroundColor"])
    if "font" in params:
        drawn["font"] = str(params["font"])
    content = {"text_message": text, "extended_text_message": ExtendedTextMessage(**drawn)}
    return _posted(state, "sendTextStatus", "extendedTextMessage", params, content)


def _media_content(params: Mapping[str, object], mime_type: str) -> dict[str, Any]:
    """The journal's media fields: the file as posted (the mock fetches nothing, so ``downloadUrl`` is the
    given ``urlFile``), its name and type, and the caption when given."""
    content: dict[str, Any] = {
        "download_url": str(params["urlFile"]),
        "file_name": str(params["fileName"]),
        "mime_type": mime_type,
    }
    if "caption" in params:
        content["caption"] = str(params["caption"])
    return content


async def _send_voice_status(state: MockState, params: Mapping[str, object]) -> bytes:
    """A voice status: an ``audioMessage`` (its ``backgroundColor`` is not part of the journal's item)."""
    mime_type = _MIME_TYPES.guess_type(str(params["fileName"]), strict=False)[0] or "audio/mpeg"
    return _posted(state, "sendVoiceStatus", "audioMessage", params, _media_content(params, mime_type))


async def _send_media_status(state: MockState, params: Mapping[str, object]) -> bytes:
    """An image or video status, its kind told by the file name's extension (:func:`media_kind`)."""
    type_message, mime_type = media_kind(str(params["fileName"]))
    return _posted(state, "sendMediaStatus", type_message, params, _media_content(params, mime_type))


async def _delete_status(state: MockState, params: Mapping[str, object]) -> bytes:
    """Remove a posted status: 200 with an empty body; 400 ``ID message notfound`` for any id not posted in
    this process (never posted, deleted already, or a demo or ``--data`` status: those are the seed's, read
    only, so that two mocks with one seed keep answering the same)."""
    id_message = str(params["idMessage"])
    status = state.posted.delete(id_message)
    if status is None:
        raise Refusal(400, NOT_FOUND)
    state.stats.record_deleted(status.operation_id)
    logger.info("status deleted: %s", id_message)
    return b""


HANDLERS: Final[Mapping[str, Handler]] = {
    "getStatusStatistic": _status_statistic,
    "getOutgoingStatuses": _outgoing_statuses,
    "getIncomingStatuses": _incoming_statuses,
    "sendTextStatus": _send_text_status,
    "sendVoiceStatus": _send_voice_status,
    "sendMediaStatus": _send_media_status,
    "deleteStatus": _delete_status,
}
"""operationId → handler. An operation of the spec without one answers 501 (see :mod:`._app`)."""
