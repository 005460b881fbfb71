"""Server-side rate limit: Green API's gateway limits each method per instance (``x-rate-limit`` in the spec).

Why a token bucket of capacity ``requests`` refilled at ``requests / per_seconds`` (and not a sliding window):
it is what "N requests per S seconds" means to a client that honours ``Retry-After``: after a 429 telling it
to wait ``k`` seconds, its retry is accepted. Rejected requests do not consume a token, so a client that
backs off is never starved. Why one bucket per (instance, operation): Green API limits each method
separately, so polling one method's statistics must not slow down listing the journals.

Why the name: this is the *server's* limit (what Green API's gateway enforces and answers 429 for), not the
client's pacing, :class:`greenstat_ext.RateLimiter`; two classes of one name would be one import away from
being mixed up.
"""

from __future__ import annotations

import math
import threading

from greenstat_ext._spec import RateLimit

from ._state import Clock

__all__ = ["GatewayRateLimit"]


class GatewayRateLimit:
    """The gateway's limit per (instance, operation): each operation's spec rate, or ``rate`` for all.

    ``rate=None`` applies every operation's own ``x-rate-limit``; a number overrides it with that many
    requests/s (burst ``max(1, rate)``) for every operation; ``0`` turns the limit off.
    """

    def __init__(self, rate: float | None, clock: Clock) -> None:
        if rate is not None and not (rate >= 0 and math.isfinite(rate)):
            raise ValueError(f"rate limit must be a finite number >= 0 requests/s, got {rate!r}")
        self.rate = rate
        self._clock = clock
        self._buckets: dict[tuple[int, str], tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def acquire(self, instance: int, operation: str = "", limit: RateLimit | None = None) -> int | None:
        """Take a token for ``instance``'s ``operation``: None if allowed, else seconds to wait (>= 1)."""
        if self.rate == 0:
            return None
        if self.rate is None:
            if limit is None:
                raise ValueError(f"no rate given: {operation or 'the operation'} needs its spec rate limit")
            rate, capacity = limit.rate, float(max(1, limit.requests))
        else:
            rate, capacity = self.rate, max(1.0, self.rate)
        now = self._clock()
        key = (instance, operation)
        with self._lock:
            tokens, at = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - at) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))
