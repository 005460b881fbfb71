"""The status journals (``getOutgoingStatuses``, ``getIncomingStatuses``), from the seed and the clock.

Why computed and not stored: like the statistics (:mod:`._state`), the journals are a pure function of the
``seed`` and the time asked about, so two mocks with one seed list the same statuses at the same moment,
and a journal of 30 days costs no memory. Outgoing items describe the demo statuses (their audience,
furthest state and last action come from the statistics themselves, :meth:`MessageStore.outgoing`);
incoming items come from a few seeded contacts, each posting on its own seeded rhythm, some with ``@lid``
chat ids, in every kind Green API lists (text, image, video, audio). Items are the generated models, so
what the mock sends has the spec's shape by construction (and the conformance tests check it again).
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from greenstat_client.models import (
    ExtendedTextMessage,
    IncomingStatus,
    OutgoingStatus,
    OutgoingStatusState,
    StatusDirection,
    StatusMessageType,
)

from ._state import RETENTION, Outgoing

__all__ = ["Contact", "contacts", "incoming_items", "outgoing_item", "outgoing_items", "own_chat_id"]

_KINDS: Final = ("extendedTextMessage", "imageMessage", "videoMessage", "audioMessage")
_MEDIA: Final = {
    "imageMessage": ("jpg", "image/jpeg"),
    "videoMessage": ("mp4", "video/mp4"),
    "audioMessage": ("mp3", "audio/mpeg"),
}
_FONTS: Final = ("SERIF", "SANS_SERIF", "NORICAN_REGULAR", "BRYNDAN_WRITE", "OSWALD_HEAVY")
_COLOURS: Final = ("#228B22", "#000000", "#87CEEB", "#54C774", "#8B0000")
_NAMES: Final = ("Anna", "Boris", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana")
_THUMBNAIL: Final = base64.b64encode(b"\xff\xd8\xff\xe0 greenstat mock thumbnail \xff\xd9").decode("ascii")
_MEDIA_HOST: Final = "https://media.example.com/greenstat-mock"
CONTACTS: Final = 8
"""How many seeded contacts post incoming statuses."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A seeded contact that posts a status every ``interval`` seconds, at ``phase`` past each interval."""

    chat_id: str
    name: str
    contact_name: str
    interval: int
    phase: int


def own_chat_id(seed: int) -> str:
    """The demo account's own chat id (the ``chatId`` of its outgoing statuses)."""
    rng = random.Random(f"{seed}:own")  # noqa: S311 - demo data, not security
    return f"7{rng.randrange(9_000_000_000, 10_000_000_000)}@c.us"


def contacts(seed: int) -> list[Contact]:
    """The seeded contacts: every third one known by its ``@lid`` id, as newer accounts report them."""
    rng = random.Random(f"{seed}:contacts")  # noqa: S311 - demo data, not security
    result: list[Contact] = []
    for index, name in enumerate(_NAMES[:CONTACTS]):
        if index % 3 == 2:
            chat_id = f"{rng.randrange(10**13, 10**15)}@lid"
        else:
            chat_id = f"7{rng.randrange(9_000_000_000, 10_000_000_000)}@c.us"
        interval = rng.randrange(2, 9) * 3600
        result.append(Contact(chat_id, name, f"{name} (demo)", interval, rng.randrange(interval)))
    return result


def _id_message(seed: int, chat_id: str, index: int) -> str:
    return hashlib.sha256(f"{seed}:{chat_id}:{index}".encode()).hexdigest()[:20].upper()


def _content(kind: str, id_message: str, rng: random.Random, text: str) -> dict[str, Any]:
    """The text or media fields (model keyword arguments) of a status of ``kind``: text statuses carry
    ``textMessage`` and ``extendedTextMessage``, media ones a download URL, file name and type, and images
    and videos a caption and a thumbnail."""
    if kind == "extendedTextMessage":
        drawn = ExtendedTextMessage(text=text, background_color=rng.choice(_COLOURS), font=rng.choice(_FONTS))
        return {"text_message": text, "extended_text_message": drawn}
    extension, mime_type = _MEDIA[kind]
    fields: dict[str, Any] = {
        "download_url": f"{_MEDIA_HOST}/{id_message}.{extension}",
        "file_name": f"{id_message}.{extension}",
        "mime_type": mime_type,
    }
    if kind != "audioMessage":
        fields["caption"] = text
        fields["jpeg_thumbnail"] = _THUMBNAIL
    return fields


def _window(now: float, minutes: int) -> float:
    """The oldest timestamp listed: ``minutes`` back from ``now``, never beyond the 30-day retention."""
    return now - min(minutes * 60, RETENTION)


def _incoming(seed: int, now: float, minutes: int) -> Iterator[IncomingStatus]:
    oldest = _window(now, minutes)
    for contact in contacts(seed):
        first = math.ceil((oldest - contact.phase) / contact.interval)
        last = math.floor((now - contact.phase) / contact.interval)
        for index in range(first, last + 1):
            timestamp = index * contact.interval + contact.phase
            id_message = _id_message(seed, contact.chat_id, index)
            rng = random.Random(id_message)  # noqa: S311 - demo data, not security
            kind = _KINDS[index % len(_KINDS)]
            yield IncomingStatus(
                type_=StatusDirection.INCOMING,
                id_message=id_message,
                timestamp=timestamp,
                type_message=StatusMessageType(kind),
                chat_id=contact.chat_id,
                sender_id=contact.chat_id,
                sender_name=contact.name,
                sender_contact_name=contact.contact_name,
                **_content(kind, id_message, rng, f"{contact.name}'s status #{index % 1000}"),
            )


def incoming_items(seed: int, now: float, minutes: int) -> list[IncomingStatus]:
    """``getIncomingStatuses``: the seeded contacts' statuses of the last ``minutes``, newest first."""
    return sorted(_incoming(seed, now, minutes), key=lambda item: (-item.timestamp, item.id_message))


def _demo_content(status: Outgoing, key: str, rng: random.Random) -> dict[str, Any]:
    return _content(status.type_message, key, rng, f"Demo status {key}")


def outgoing_item(chat_id: str, status: Outgoing, content: Mapping[str, Any]) -> OutgoingStatus:
    """The ``getOutgoingStatuses`` item of one status of the own ``chat_id``, with its text or media fields
    ``content`` (also what :mod:`._posted` measures a posted status by, so the two cannot drift)."""
    return OutgoingStatus(
        type_=StatusDirection.OUTGOING,
        id_message=status.id_message,
        timestamp=status.timestamp,
        status_message=OutgoingStatusState(status.status.value),
        send_by_api=True,
        type_message=StatusMessageType(status.type_message),
        chat_id=chat_id,
        participants=list(status.participants),
        **content,
    )


def outgoing_items(seed: int, now: float, minutes: int, statuses: list[Outgoing]) -> list[OutgoingStatus]:
    """``getOutgoingStatuses``: the known statuses whose last action lies within the last ``minutes``."""
    oldest = _window(now, minutes)
    chat_id = own_chat_id(seed)
    items: list[OutgoingStatus] = []
    for status in statuses:
        if status.timestamp < oldest:
            continue
        if status.content is not None:
            content = status.content
        else:
            key = status.repost or status.id_message  # a re-post reads alike whatever it is listed as
            rng = random.Random(f"{seed}:{key}:content")  # noqa: S311 - demo data
            content = _demo_content(status, key, rng)
        items.append(outgoing_item(chat_id, status, content))
    return items
