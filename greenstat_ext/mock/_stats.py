"""Hit counters: what the mock answered, by status code and by ``idMessage``.

Why: a client's retry policy is only proven by what reached the server. "The client never retries a 401"
is the assertion ``stats.count(id_message=m, status=401) == 1``; "it retried the 502 twice" is
``stats.requests_for(m) == 3``. Counters (not a request log) so that a long load run uses constant memory.

Why bounded, and how: the ``idMessage`` keys come from clients, so a client sending distinct values could grow
the counters without end. Only values the spec accepts are keys (1 to 256 characters; anything else is
answered 400 and counted under its status only), and at most ``max_messages`` of them are kept, least recently
seen first out: a test reads the counters of the values it has just sent, so those are the ones kept. What
was evicted is counted in :attr:`MockStats.evicted`, so a reader can tell "never seen" from "forgotten".

Why write counters apart from the answers: a send that was struck by a fault *after* it acted (see
:mod:`._faults`) created a status although its answer was a 500 or a dropped connection. So what the mock
actually did is counted where it was done, by the handlers: :attr:`MockStats.created` per send operation,
:attr:`MockStats.deleted` per operation that had created the deleted status. "No status was posted twice"
is then ``stats.created["sendTextStatus"] <= calls that got an id + calls whose outcome is unknown``.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict

from ._data import ID_MESSAGE_MAX_LENGTH

__all__ = ["MAX_TRACKED_MESSAGES", "MockStats"]

MAX_TRACKED_MESSAGES = 10_000
"""Distinct ``idMessage`` values counted at once (each at most 256 characters: a few MB in all)."""


class _MessageCounts:
    """One ``idMessage``: requests that carried it (drops included) and answers per status."""

    __slots__ = ("by_status", "requests")

    def __init__(self) -> None:
        self.requests = 0
        self.by_status: dict[int, int] = {}


class MockStats:
    """Thread-safe counters; read them from the test thread while the server runs in its own.

    A dropped connection (fault ``drop``) has no status: it counts in :attr:`dropped` and in
    :meth:`requests_for`, not in :attr:`by_status`.
    """

    def __init__(self, max_messages: int = MAX_TRACKED_MESSAGES) -> None:
        if max_messages < 1:
            raise ValueError(f"max_messages must be >= 1, got {max_messages!r}")
        self._max_messages = max_messages
        self._lock = threading.Lock()
        self._by_status: Counter[int] = Counter()
        self._by_message: OrderedDict[str, _MessageCounts] = OrderedDict()
        self._faults: Counter[str] = Counter()
        self._dropped = 0
        self._evicted = 0
        self._faults_after: Counter[str] = Counter()
        self._created: Counter[str] = Counter()
        self._deleted: Counter[str] = Counter()

    def record(
        self, id_message: str | None, status: int | None, fault: str | None = None, *, after: bool = False
    ) -> None:
        """Count one answered (``status``) or dropped (``status=None``) request; ``after``: its ``fault``
        struck after the handler acted."""
        with self._lock:
            if status is None:
                self._dropped += 1
            else:
                self._by_status[status] += 1
            if fault is not None:
                self._faults[fault] += 1
                if after:
                    self._faults_after[fault] += 1
            if id_message is None or not 1 <= len(id_message) <= ID_MESSAGE_MAX_LENGTH:
                return
            counts = self._by_message.get(id_message)
            if counts is None:
                if len(self._by_message) >= self._max_messages:
                    self._by_message.popitem(last=False)
                    self._evicted += 1
                counts = self._by_message[id_message] = _MessageCounts()
            else:
                self._by_message.move_to_end(id_message)
            counts.requests += 1
            if status is not None:
                counts.by_status[status] = counts.by_status.get(status, 0) + 1

    @property
    def total(self) -> int:
        """Every request that reached the app (answered or dropped)."""
        with self._lock:
            return sum(self._by_status.values()) + self._dropped

    @property
    def by_status(self) -> Counter[int]:
        """A copy of: status code → number of answers."""
        with self._lock:
            return Counter(self._by_status)

    @property
    def faults(self) -> Counter[str]:
        """A copy of: fault kind value (``"429"``, ``"drop"``, ...) → number injected."""
        with self._lock:
            return Counter(self._faults)

    @property
    def faults_after(self) -> Counter[str]:
        """A copy of: fault kind value → number injected after a write was answered by the gateway and its
        handler (for a valid write: after it acted); a subset of :attr:`faults`."""
        with self._lock:
            return Counter(self._faults_after)

    def record_created(self, operation_id: str) -> None:
        """Count one status created by ``operation_id`` (the handler calls it once the status exists)."""
        with self._lock:
            self._created[operation_id] += 1

    def record_deleted(self, created_by: str) -> None:
        """Count one posted status deleted; ``created_by`` is the operation that had created it."""
        with self._lock:
            self._deleted[created_by] += 1

    @property
    def created(self) -> Counter[str]:
        """A copy of: send operationId → statuses it actually created (whatever was answered)."""
        with self._lock:
            return Counter(self._created)

    @property
    def deleted(self) -> Counter[str]:
        """A copy of: send operationId → statuses it had created that ``deleteStatus`` removed."""
        with self._lock:
            return Counter(self._deleted)

    @property
    def dropped(self) -> int:
        """Connections closed by the ``drop`` fault."""
        with self._lock:
            return self._dropped

    @property
    def tracked(self) -> int:
        """Distinct ``idMessage`` values counted now (at most ``max_messages``)."""
        with self._lock:
            return len(self._by_message)

    @property
    def evicted(self) -> int:
        """Distinct ``idMessage`` values forgotten to keep the counters bounded."""
        with self._lock:
            return self._evicted

    def requests_for(self, id_message: str) -> int:
        """Requests that carried ``id_message`` (whatever their answer, drops included)."""
        with self._lock:
            counts = self._by_message.get(id_message)
            return 0 if counts is None else counts.requests

    def count(self, *, id_message: str | None = None, status: int | None = None) -> int:
        """Answers filtered by ``idMessage``, status, both, or neither (= all answered requests)."""
        with self._lock:
            if id_message is None:
                if status is None:
                    return sum(self._by_status.values())
                return self._by_status[status]
            counts = self._by_message.get(id_message)
            if counts is None:
                return 0
            if status is None:
                return sum(counts.by_status.values())
            return counts.by_status.get(status, 0)

    def reset(self) -> None:
        """Forget every count (between two phases of one test)."""
        with self._lock:
            self._by_status.clear()
            self._by_message.clear()
            self._faults.clear()
            self._faults_after.clear()
            self._created.clear()
            self._deleted.clear()
            self._dropped = 0
            self._evicted = 0
