"""Server-side rate limit: Green API's gateway limits each method per instance (``x-rate-limit`` in the spec).

Why a sliding window of ``requests`` per ``per_seconds`` (and not a token bucket): it is the one meaning of
``x-rate-limit`` (:meth:`greenstat_ext._spec.RateLimit.wait`), the one the contract kit judges a burst by and
the client's limiter is proven to honour. A bucket of capacity ``requests`` refills *during* a burst: at
10/s it accepted 11 requests in 0.15 s, which the kit rightly called a missing 429. Refused requests count
for nothing, so a client that waits the ``Retry-After`` it was given is accepted. Why one window per
(instance, operation): Green API limits each method separately, so polling one method's statistics must not
slow down listing the journals. Memory: a window keeps at most ``requests`` times.

Why the name: this is the *server's* limit (what Green API's gateway enforces and answers 429 for), not the
client's pacing, :class:`greenstat_ext.RateLimiter`; two classes of one name would be one import away from
being mixed up.
"""

from __future__ import annotations

import math
import threading
from collections import deque

from greenstat_ext._spec import RateLimit

from ._state import Clock

__all__ = ["GatewayRateLimit"]


class GatewayRateLimit:
    """The gateway's limit per (instance, operation): each operation's spec rate, or ``rate`` for all.

    ``rate=None`` applies every operation's own ``x-rate-limit``; a number overrides it with that many
    requests/s for every operation (``max(1, floor(rate))`` requests per the period that makes that rate);
    ``0`` turns the limit off.
    """

    def __init__(self, rate: float | None, clock: Clock) -> None:
        if rate is not None and not (rate >= 0 and math.isfinite(rate)):
            raise ValueError(f"rate limit must be a finite number >= 0 requests/s, got {rate!r}")
        self.rate = rate
        self._override = None if not rate else _limit_of(rate)
        self._clock = clock
        self._windows: dict[tuple[int, str], deque[float]] = {}  # key -> accepted arrival times
        self._lock = threading.Lock()

    def acquire(self, instance: int, operation: str = "", limit: RateLimit | None = None) -> int | None:
        """Take a place for ``instance``'s ``operation``: None if allowed, else seconds to wait (>= 1)."""
        if self.rate == 0:
            return None
        if self._override is not None:
            limit = self._override
        elif limit is None:
            raise ValueError(f"no rate given: {operation or 'the operation'} needs its spec rate limit")
        now = self._clock()
        key = (instance, operation)
        with self._lock:
            accepted = self._windows.get(key)
            if accepted is None or accepted.maxlen != limit.requests:
                accepted = self._windows[key] = deque(accepted or (), maxlen=limit.requests)
            wait = limit.wait(accepted, now)
            if wait <= 0.0:
                accepted.append(now)
                return None
            return max(1, math.ceil(wait))


def _limit_of(rate: float) -> RateLimit:
    """``rate`` requests/s as an ``x-rate-limit``: whole requests (at least 1) per the period they take."""
    requests = max(1, int(rate))
    return RateLimit(requests=requests, per_seconds=requests / rate)
