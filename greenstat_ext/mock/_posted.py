"""The statuses posted through the mock (``sendTextStatus``, ``sendVoiceStatus``, ``sendMediaStatus``).

Why kept apart from :class:`~._state.MessageStore`: the demo statuses are a pure function of ``seed`` and the
clock (two mocks with one seed answer the same), while a posted status exists because a client asked for it,
in this process only, until it is deleted. What they share is how recipients progress: a posted status gets
a schedule drawn like a demo status's (:func:`._state._generate`, every recipient ``pending`` when it is
posted, then ``sent``, ``delivered``, ``read`` at seeded times), and its statistics and journal entry are
read off that schedule and the clock, so they move forward over time exactly as the demo ones do.

Why bounded, and how: every status is memory a client chose to spend, and bytes of every
``getOutgoingStatuses`` answer. At most ``max_statuses`` statuses, ``max_recipients`` recipients in all, and
``max_bytes`` bytes of journal items in all are kept (each status's item is measured once, when it is
posted: :data:`MAX_POSTED_BYTES` says why a byte bound); a post beyond any bound evicts the oldest posted
statuses first, as if they had expired (counted in :attr:`PostedStatuses.evicted`). A status older than
the 30-day retention is dropped too, as Green API forgets it. Statuses are kept in posting order, so both
ends are O(1).

Memory at the default bounds: under 100 MB. Measured with tracemalloc (memory traced while filling a store,
tests/mock/test_posted_bounds.py, 2026-11-27): 89 MB for the worst case, 256 statuses of 1,024 recipients
of the longest shape (36 characters), each with the longest ``urlFile`` and a caption and file name at
their bounds, every statistics body rendered and cached; 29 MB for statuses of 64 recipients with the same
content (the byte bound stops them at ~900); 12 MB for statuses to the 8 contacts (~1,040 kept). The
process holds more than that (allocator slack, request bodies being decoded).

Why the ids look like Green API's: ``BAE5`` and 12 uppercase hex digits (16 characters, the shape of the
documented ``BAE5F4886F6F2D05``). The 48-bit number is ``offset + n * step`` modulo 2**48, with a seeded
offset and an odd seeded step: a bijection of the post's rank ``n``, so ids never repeat within a process
(no set of every id ever made is needed), yet they are reproducible from the seed and the order of posts.
Ids a demo or loaded status uses are skipped.
"""

from __future__ import annotations

import math
import random
import threading
from collections import OrderedDict
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from greenstat_client.models import StatusStatistic, StatusValue

from ._journal import outgoing_item, own_chat_id
from ._state import RETENTION, Clock, DemoMessage, Outgoing, _generate, _render, _Schedule, progress

__all__ = [
    "MAX_POSTED_BYTES",
    "MAX_POSTED_RECIPIENTS",
    "MAX_POSTED_STATUSES",
    "PACE",
    "PostedStatus",
    "PostedStatuses",
]

MAX_POSTED_STATUSES: Final = 4096
"""Posted statuses kept at once (the oldest is evicted by the next post)."""

MAX_POSTED_RECIPIENTS: Final = 262_144
"""Recipients of all posted statuses kept at once (~340 bytes each with their chat id, schedule and cached
statistics: 89 MB traced when all of them are 1,024-recipient statuses, see the module docstring)."""

MAX_POSTED_BYTES: Final = 16 * 1024 * 1024
"""Bytes the posted statuses' ``getOutgoingStatuses`` items take at most, all together (16 MiB).

Why a byte bound besides the two counts: a status's journal item carries what the client sent (a
``urlFile`` of up to 8,192 characters, a caption whose control characters JSON writes as 6-byte escapes, up
to 1,024 listed participants), so 4,096 of them made a 76 MB answer: over the SDK's own default
``max_response_size`` (64 MiB, ``greenstat_ext._bounds``, which the mock must not import), so every client of
that mock failed to read its journal, and each connection that did not read it held the body in memory.
16 MiB leaves the journal (this plus the demo statuses' items, a few KB) at a quarter of the client's limit:
room for a client configured tighter, and for the body being held by a few slow readers at once.
tests/mock/test_posted_bounds.py checks it against the client's constant."""

PACE: Final = 20.0
"""Mean seconds between two steps of one recipient of a posted status: most have read it within minutes."""

_ID_PREFIX: Final = "BAE5"
_ID_BITS: Final = 48
_TIMESTAMP_WIDTH: Final = 20
"""Characters of the widest ``timestamp`` the journal can write (a signed 64-bit integer, sign included): a
size measured with it is never below the item's size at any later time."""
_WIDEST_STATE: Final = max(StatusValue, key=lambda value: len(value.value))


@dataclass(frozen=True, slots=True, eq=False)
class PostedStatus:
    """One posted status: what was sent, to whom, when, and its recipients' schedule.

    ``participants`` is the audience as listed (duplicates dropped), ``()`` for a status to all contacts;
    ``content`` the journal item's text or media fields (model keyword arguments); ``size`` the bytes its
    journal item takes in a ``getOutgoingStatuses`` answer at most (with the separating comma), measured
    once when it is posted (see :data:`MAX_POSTED_BYTES`).
    """

    id_message: str
    operation_id: str
    type_message: str
    sent_at: int
    participants: tuple[str, ...]
    content: Mapping[str, Any]
    schedule: _Schedule
    size: int

    @property
    def recipients(self) -> int:
        return len(self.schedule.participants)


class PostedStatuses:
    """The posted statuses of one mock instance: post, delete, statistics now, journal entries now.

    Thread-safe (one lock; every operation is short: a status has at most 1,024 recipients). ``contacts``
    are the recipients of a status posted without ``participants``; ``reserved`` the ids never to hand out.
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock,
        contacts: Sequence[str],
        reserved: Container[str] = (),
        max_statuses: int = MAX_POSTED_STATUSES,
        max_recipients: int = MAX_POSTED_RECIPIENTS,
        max_bytes: int = MAX_POSTED_BYTES,
    ) -> None:
        if max_statuses < 1 or max_recipients < 1 or max_bytes < 1:
            raise ValueError("max_statuses, max_recipients and max_bytes must be >= 1")
        self._seed = seed
        self._clock = clock
        self._contacts = list(dict.fromkeys(contacts))
        self._reserved = reserved  # the store's ids (its re-post ids are computed, not listed)
        self._max_statuses = max_statuses
        self._max_recipients = max_recipients
        self._max_bytes = max_bytes
        self._chat_id = own_chat_id(seed)
        rng = random.Random(f"{seed}:posted-ids")  # noqa: S311 - reproducible ids, not security
        self._id_offset = rng.getrandbits(_ID_BITS)
        self._id_step = rng.getrandbits(_ID_BITS) | 1  # odd: n -> offset + n * step is a bijection mod 2**48
        self._rank = 0
        self._live: OrderedDict[str, PostedStatus] = OrderedDict()  # posting order: oldest first
        self._cache: dict[str, tuple[bytes, float]] = {}  # idMessage -> (body, next change)
        self._recipients = 0
        self._bytes = 0
        self._lock = threading.Lock()
        self.evicted = 0
        """Statuses dropped to keep the bounds (not deleted by a client, not expired)."""

    def _now(self) -> float:
        return float(math.floor(self._clock()))

    def _next_id(self) -> str:
        while True:
            value = (self._id_offset + self._rank * self._id_step) % (1 << _ID_BITS)
            self._rank += 1
            id_message = f"{_ID_PREFIX}{value:012X}"
            if id_message not in self._reserved:
                return id_message

    def _forget(self, id_message: str) -> PostedStatus:
        status = self._live.pop(id_message)
        self._cache.pop(id_message, None)
        self._recipients -= status.recipients
        self._bytes -= status.size
        return status

    def _expire(self, now: float) -> None:
        """Drop what is past the retention (the oldest first: the rest is younger)."""
        while self._live:
            oldest = next(iter(self._live.values()))
            if now - oldest.sent_at <= RETENTION:
                return
            self._forget(oldest.id_message)

    def _size(
        self, id_message: str, type_message: str, listed: tuple[str, ...], content: Mapping[str, Any]
    ) -> int:
        """The bytes of the status's journal item at its widest (any timestamp, any state), comma included:
        the item itself, encoded (exact for what the client sent: escapes, UTF-8, every participant)."""
        widest = Outgoing(id_message, 0, _WIDEST_STATE, type_message, listed, content)
        encoded = len(msgspec.json.encode(outgoing_item(self._chat_id, widest, content)))
        return encoded - len("0") + _TIMESTAMP_WIDTH + len(",")

    def post(
        self,
        operation_id: str,
        type_message: str,
        participants: Sequence[str],
        content: Mapping[str, Any],
    ) -> PostedStatus:
        """Create a status now, to ``participants`` (or to every contact when empty); return it."""
        listed = tuple(dict.fromkeys(participants))
        recipients = list(listed) if listed else self._contacts
        with self._lock:
            now = self._now()
            self._expire(now)
            id_message = self._next_id()
            # Measured under the lock because the id is: ~0.05 ms for the largest item (1,024 participants).
            size = self._size(id_message, type_message, listed, content)
            while self._live and (
                len(self._live) >= self._max_statuses
                or self._recipients + len(recipients) > self._max_recipients
                or self._bytes + size > self._max_bytes
            ):
                self._forget(next(iter(self._live)))
                self.evicted += 1
            spec = DemoMessage("posted", recipients=len(recipients), age=0.0, pace=PACE)
            schedule = _generate(id_message, spec, self._seed, list(recipients))
            status = PostedStatus(
                id_message=id_message,
                operation_id=operation_id,
                type_message=type_message,
                sent_at=int(now),
                participants=listed,
                content=content,
                schedule=schedule,
                size=size,
            )
            self._live[id_message] = status
            self._recipients += status.recipients
            self._bytes += size
            return status

    def delete(self, id_message: str) -> PostedStatus | None:
        """Remove a posted status; ``None`` when no status of that id is posted (now)."""
        with self._lock:
            self._expire(self._now())
            if id_message not in self._live:
                return None
            return self._forget(id_message)

    def ids(self) -> list[str]:
        """The ids of the statuses held now (posted, not deleted, expired or evicted), oldest first."""
        with self._lock:
            return list(self._live)

    def __contains__(self, id_message: object) -> bool:
        with self._lock:
            return id_message in self._live

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)

    @property
    def recipients(self) -> int:
        """Recipients of all the statuses kept now (at most ``max_recipients``)."""
        with self._lock:
            return self._recipients

    @property
    def size(self) -> int:
        """Bytes the journal items of the statuses kept now take at most (at most ``max_bytes``)."""
        with self._lock:
            return self._bytes

    def body(self, id_message: str) -> bytes | None:
        """The ``getStatusStatistic`` body of a posted status now; ``None`` when it is not one."""
        with self._lock:
            now = self._now()
            self._expire(now)
            status = self._live.get(id_message)
            if status is None:
                return None
            cached = self._cache.get(id_message)
            if cached is not None and now < cached[1]:
                return cached[0]
            body, next_change = _render(status.schedule, status.sent_at, now)
            self._cache[id_message] = (body, next_change)
            return body

    def snapshot(self, id_message: str) -> list[StatusStatistic] | None:
        """The decoded statistics of a posted status now (for tests); ``None`` when it is not one."""
        body = self.body(id_message)
        return None if body is None else msgspec.json.decode(body, type=list[StatusStatistic])

    def outgoing(self) -> list[Outgoing]:
        """The journal entries of the posted statuses now, in posting order."""
        with self._lock:
            now = self._now()
            self._expire(now)
            result: list[Outgoing] = []
            for status in self._live.values():
                timestamp, furthest = progress(status.schedule, status.sent_at, now)
                result.append(
                    Outgoing(
                        status.id_message,
                        timestamp,
                        furthest,
                        status.type_message,
                        status.participants,
                        status.content,
                    )
                )
            return result
