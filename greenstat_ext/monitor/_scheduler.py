"""Which live status to poll next: where change is likely, and never one starved.

Why not round-robin: at 1 request/s with N live statuses, round-robin leaves every status N seconds between
polls, whether its recipients are reading it right now or finished a day ago. The delay of a change (from a
recipient's step to its event) is the time until the next poll of its status; with changes arriving at
rate ``r`` on a status polled every ``T`` seconds, the changes waiting there have accumulated
``r * T**2 / 2`` seconds of delay. The scheduler polls the status with the most accumulated delay,
``rate * (now - last_poll)**2``, which drives every status towards ``T ∝ 1 / sqrt(rate)``: the interval
that minimises the mean delay over all changes for a fixed budget of polls.

``rate`` is learned: an exponentially weighted mean of the changes seen per second between two polls, never
below a floor proportional to the recipients still open (not ``read``), so a young status with many
recipients at ``sent``/``delivered`` is polled soon and a status everyone has read almost never.

The bound (no starvation): a status not polled for ``max_interval`` seconds goes before every scored
status, oldest first. So with ``L`` live statuses and a budget of ``b`` polls per second, no live status waits
more than ``max_interval + L / b`` seconds between two polls (docs/monitor.md).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

__all__ = ["DEFAULT_MAX_INTERVAL", "RoundRobin", "Scheduler"]

K = TypeVar("K", bound=Hashable)

DEFAULT_MAX_INTERVAL: Final = 900.0
"""Seconds after which a live status is polled before any other (the starvation bound's main term)."""

_OPEN_FLOOR: Final = 1.0 / 36000
"""Changes per second assumed per open recipient when nothing was seen lately: one step an hour."""
_IDLE_FLOOR: Final = 1e-7
"""Rate floor of a status with no open recipient: the starvation bound is then what polls it."""
_SMOOTHING: Final = 0.3


@dataclass(slots=True)
class _Entry:
    last_poll: float | None = None
    rate: float = 0.0
    open: int = 1


class Scheduler(Generic[K]):
    """Picks the next status to poll; ``observe`` after each poll, ``add``/``remove`` as statuses come, go."""

    def __init__(self, *, max_interval: float = DEFAULT_MAX_INTERVAL) -> None:
        if not max_interval > 0:
            raise ValueError("max_interval must be > 0")
        self.max_interval = max_interval
        self._entries: dict[K, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def add(self, key: K) -> None:
        self._entries.setdefault(key, _Entry())

    def remove(self, key: K) -> None:
        self._entries.pop(key, None)

    def observe(self, key: K, now: float, *, changes: int, open_recipients: int) -> None:
        """Record a poll of ``key`` at ``now`` that saw ``changes`` recipients move on."""
        entry = self._entries.get(key)
        if entry is None:
            return
        if entry.last_poll is not None and now > entry.last_poll:
            seen = changes / (now - entry.last_poll)
            entry.rate = _SMOOTHING * seen + (1 - _SMOOTHING) * entry.rate
        elif changes:
            entry.rate = max(entry.rate, changes / 60.0)  # a first poll: spread what it saw over a minute
        entry.last_poll = now
        entry.open = max(open_recipients, 0)

    def _score(self, entry: _Entry, now: float) -> float:
        assert entry.last_poll is not None
        waited = max(now - entry.last_poll, 0.0)
        rate = max(entry.rate, entry.open * _OPEN_FLOOR, _IDLE_FLOOR)
        return rate * waited * waited

    def next(self, now: float) -> K | None:
        """The key to poll now: never-polled first, then overdue (oldest first), then the highest score."""
        best: K | None = None
        best_rank: tuple[int, float] = (-1, -math.inf)
        for key, entry in self._entries.items():
            if entry.last_poll is None:
                rank = (3, 0.0)
            elif now - entry.last_poll >= self.max_interval:
                rank = (2, now - entry.last_poll)
            else:
                rank = (1, self._score(entry, now))
            if rank > best_rank:
                best, best_rank = key, rank
        return best


class RoundRobin(Generic[K]):
    """The baseline ``make bench`` measures against: the least recently polled status next."""

    def __init__(self) -> None:
        self._last: dict[K, float] = {}

    def __len__(self) -> int:
        return len(self._last)

    def add(self, key: K) -> None:
        self._last.setdefault(key, -math.inf)

    def remove(self, key: K) -> None:
        self._last.pop(key, None)

    def observe(self, key: K, now: float, *, changes: int, open_recipients: int) -> None:
        if key in self._last:
            self._last[key] = now

    def next(self, now: float) -> K | None:
        return min(self._last, key=self._last.__getitem__, default=None)
