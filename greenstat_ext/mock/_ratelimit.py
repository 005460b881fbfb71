"""Server-side, per-instance rate limit: Green API allows 1 getStatusStatistic request per second.

Why a token bucket of capacity 1 (and not a sliding window): it is what "N requests per second" means to a
client that honours ``Retry-After``: after a 429 telling it to wait ``k`` seconds, its retry is accepted.
Rejected requests do not consume a token, so a client that backs off is never starved.

Why the name: this is the *server's* limit (what Green API's gateway enforces and answers 429 for), not the
client's pacing, :class:`greenstat_ext.RateLimiter`; two classes of one name would be one import away from
being mixed up.
"""

from __future__ import annotations

import math
import threading

from ._state import Clock

__all__ = ["GatewayRateLimit"]


class GatewayRateLimit:
    """The gateway's limit: ``rate`` requests/s per instance (``0`` = none), burst ``max(1, rate)``."""

    def __init__(self, rate: float, clock: Clock) -> None:
        if not (rate >= 0 and math.isfinite(rate)):
            raise ValueError(f"rate limit must be a finite number >= 0 requests/s, got {rate!r}")
        self.rate = rate
        self._capacity = max(1.0, rate)
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # instance -> (tokens, at)
        self._lock = threading.Lock()

    def acquire(self, instance: int) -> int | None:
        """Take a token for ``instance``: None when allowed, else the whole seconds to wait (>= 1)."""
        if self.rate == 0:
            return None
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(instance, (self._capacity, now))
            tokens = min(self._capacity, tokens + max(0.0, now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[instance] = (tokens - 1.0, now)
                return None
            self._buckets[instance] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
