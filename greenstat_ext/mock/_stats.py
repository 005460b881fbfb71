"""Hit counters: what the mock answered, by status code and by ``idMessage``.

Why: a client's retry policy is only proven by what reached the server. "The client never retries a 401"
is the assertion ``stats.count(id_message=m, status=401) == 1``; "it retried the 502 twice" is
``stats.requests_for(m) == 3``. Counters (not a request log) so that a long load run uses constant memory.
"""

from __future__ import annotations

import threading
from collections import Counter

__all__ = ["MockStats"]

_MAX_TRACKED_MESSAGES = 100_000


class MockStats:
    """Thread-safe counters; read them from the test thread while the server runs in its own.

    A dropped connection (fault ``drop``) has no status: it counts in :attr:`dropped` and in
    :meth:`requests_for`, not in :attr:`by_status`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_status: Counter[int] = Counter()
        self._by_message: Counter[str] = Counter()
        self._by_message_status: Counter[tuple[str, int]] = Counter()
        self._faults: Counter[str] = Counter()
        self._dropped = 0
        self._untracked = 0

    def record(self, id_message: str | None, status: int | None, fault: str | None = None) -> None:
        """Count one answered (``status``) or dropped (``status=None``) request."""
        with self._lock:
            if status is None:
                self._dropped += 1
            else:
                self._by_status[status] += 1
            if fault is not None:
                self._faults[fault] += 1
            if id_message is None:
                return
            if id_message not in self._by_message and len(self._by_message) >= _MAX_TRACKED_MESSAGES:
                self._untracked += 1
                return
            self._by_message[id_message] += 1
            if status is not None:
                self._by_message_status[(id_message, status)] += 1

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
    def dropped(self) -> int:
        """Connections closed by the ``drop`` fault."""
        with self._lock:
            return self._dropped

    def requests_for(self, id_message: str) -> int:
        """Requests that carried ``id_message`` (whatever their answer, drops included)."""
        with self._lock:
            return self._by_message[id_message]

    def count(self, *, id_message: str | None = None, status: int | None = None) -> int:
        """Answers filtered by ``idMessage``, status, both, or neither (= all answered requests)."""
        with self._lock:
            if id_message is None and status is None:
                return sum(self._by_status.values())
            if id_message is None:
                return self._by_status[status] if status is not None else 0
            if status is None:
                return sum(n for (m, _), n in self._by_message_status.items() if m == id_message)
            return self._by_message_status[(id_message, status)]

    def reset(self) -> None:
        """Forget every count (between two phases of one test)."""
        with self._lock:
            self._by_status.clear()
            self._by_message.clear()
            self._by_message_status.clear()
            self._faults.clear()
            self._dropped = 0
            self._untracked = 0
