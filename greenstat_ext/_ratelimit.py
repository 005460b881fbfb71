"""Client-side token bucket, so a loop of calls never earns a 429 by itself.

Green API limits getStatusStatistic to 1 request per second *per instance*, so the bucket is shared by every
client (sync or async, any thread) talking to the same ``(api_url, id_instance)`` at the same rate. Clients
that ask for *different* rates get different buckets: a setting on one client (``with_options(rate_limit=…)``
included) never changes another's, and the user who sets two rates for one instance has chosen their sum.

Scheduling is by reservation: under a lock that is held only for arithmetic, a caller takes a token (the
balance may go negative: that is the queue) and learns how long to wait; it then sleeps *outside* the lock.
That makes the same bucket safe for threads and for coroutines, and fair (first come, first served).

No library is used: pyrate-limiter (the well-known one) is built around named buckets and storage
back-ends, has no injectable clock for the async path, and is ~40 lines of arithmetic here.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from collections.abc import Awaitable, Callable

import anyio

from ._errors import ConfigurationError

logger = logging.getLogger("greenstat.ratelimit")

DEFAULT_RATE = 1.0
#: One request in about 17 minutes. Slower is a typo, and 1e-300 overflows the wait arithmetic.
MIN_RATE = 0.001


class RateLimiter:
    """A token bucket: ``rate`` tokens per second, holding at most ``burst``.

    ``clock``, ``sleep`` and ``async_sleep`` are injectable so tests run on a fake clock.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise ConfigurationError("rate_limit", f"must be a number of requests per second (got {rate!r})")
        if not (math.isfinite(rate) and rate >= MIN_RATE):
            raise ConfigurationError(
                "rate_limit", f"must be a finite number >= {MIN_RATE} requests per second (got {rate!r})"
            )
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError("burst", f"must be an integer >= 1 (got {burst!r})")
        self._rate = float(rate)
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()

    @property
    def rate(self) -> float:
        return self._rate

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self._rate}, burst={self._burst})"

    def reserve(self) -> float:
        """Take one token now; return the seconds to wait before using it (0 when available)."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(float(self._burst), self._tokens + elapsed * self._rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self._rate

    def acquire(self) -> float:
        """Block until a request may be sent; return the time waited."""
        wait = self.reserve()
        if wait > 0:
            logger.debug("rate limit: waiting %.3fs", wait)
            self._sleep(wait)
        return wait

    async def acquire_async(self) -> float:
        """Await until a request may be sent; return the time waited."""
        wait = self.reserve()
        if wait > 0:
            logger.debug("rate limit: waiting %.3fs", wait)
            await self._async_sleep(wait)
        return wait


_registry_lock = threading.Lock()
_registry: weakref.WeakValueDictionary[tuple[str, int, float], RateLimiter] = weakref.WeakValueDictionary()


def shared_limiter(api_url: str, id_instance: int, rate: float) -> RateLimiter:
    """The process-wide bucket of one instance at one rate; created on first use, freed when unused."""
    key = (api_url, id_instance, float(rate))
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = RateLimiter(rate)
            _registry[key] = limiter
        return limiter
