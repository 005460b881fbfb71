"""Client-side pacing, so a loop of calls never earns a 429 by itself.

**The guarantee.** A request sent through :meth:`RateLimiter.slot` starts at least ``(1 + margin) / rate``
after the previous request of the same bucket *ended* (its answer's head arrived, or it failed). A server
stamps a request after it was sent and before it answers, so whatever the network and scheduling jitter, a
server keeping the spec's ``x-rate-limit`` of that rate (``requests`` per ``requests / rate`` seconds, any
``requests``) never answers 429. (Proof for ``burst`` 1: ``arrival[i+1] >= start[i+1] >= end[i] + 1/rate >=
arrival[i] + 1/rate``, so any ``requests + 1`` arrivals span ``requests / rate`` at least.)

**The rule is the spec's**: a turn is computed by :meth:`greenstat_ext._spec.RateLimit.wait`, the one meaning
of ``x-rate-limit`` (at most N requests in any window of S seconds) that the mock's gateway refuses by and the
contract kit judges a burst by, applied to the window ``RateLimit(burst, burst * (1 + margin) / rate)`` over
the times this limiter counts its requests from: a request's end (and, while it is in flight, now). So the
three parts run one function; only what they feed it differs (the server: arrivals it accepted; the client:
ends, which come after the arrivals, hence the guarantee). ``tests/test_rate_limit_meaning.py`` checks it.

Why not spacing from when a request was *sent*: the gap the server sees is the send gap plus the difference
of two network delays. A first request that waits for a new connection, a server that stalls on one request
(GC, a busy event loop) or a loaded client machine shrinks it; that is how one client, one thread, at the
server's own rate earned 5-7 answers of 429 in 15 calls. The ``margin`` (5 % by default) then only covers
clock-rate differences and coarse server timestamps. :meth:`~RateLimiter.acquire` and
:meth:`~RateLimiter.reserve` (no end to measure from) pace starts only, ``(1 + margin) / rate`` apart.
The price: at ``burst`` 1 the requests of one bucket never overlap, so it serves ``1 / (interval + round
trip)`` per second (about 0.9/s at 1/s with 60 ms round trips). Not covered: a request that failed without an
answer (a timeout) counts as ended when it failed, so a server that only dequeues it later can still see the
next one early; and one instance reached through two host names (no DNS is done) gets two buckets.

Waiting is a loop of "take the turn, or sleep until the estimated turn": a waiter holds nothing while it
sleeps, so a call cancelled or interrupted during its wait gives nothing back because it took nothing (only
its place in the queue, which it leaves; a turn granted just before the interruption is dropped unused). The
lock is held only for arithmetic (O(``burst``) per look, whatever the queue's length) and the sleep is
outside it, so one bucket serves threads and coroutines alike. Estimates by queue position keep it roughly
first come, first served without waking every waiter at each slot. **What is promised:** a waiter never
sleeps past its turn as long as nobody ahead of it leaves (the estimate is a lower bound: a request in flight
ends later than now); a waiter ahead that leaves (cancelled, timed out, interrupted) wakes nobody, so each
sleep is at most one window (``burst * interval``) and the turns it freed are taken at most one window late.
A request in flight longer than :data:`HOLD_MAX` stops holding others back (it is then counted as ended at
that point), so a hung call or a hold leaked by a ``KeyboardInterrupt`` delays the bucket for a bounded time,
never for ever.

**Shared buckets.** Green API limits each method separately, *per instance* (each operation's ``x-rate-limit``
in the spec), so one bucket is shared by every client of the process (sync or async, any thread) calling the
same method of the same instance at the same rate, keyed by ``(origin, id_instance, operation, rate)``: a loop
over one method never slows another. Buckets live in a process-wide registry, not in the clients: a program
that makes a new client per call (the README's one-liners) is paced too. The origin is *resolved without DNS*
(see :func:`origin_key`): scheme, default port made explicit, host lower case without a trailing dot, IP
literals in canonical form (``127.1`` and ``2130706433`` are ``127.0.0.1``, as ``getaddrinfo`` reads them),
and every loopback name or address (``localhost``, ``*.localhost``, ``127.0.0.0/8``, ``::1``, ``0.0.0.0``) is
one host. Merging two origins only ever paces more; splitting one server in two would earn 429s, so the
mapping errs towards merging. Clients asking for *different* rates get different buckets: a setting on one
client (``with_options(rate_limit=…)`` included) never changes another's, and the user who sets two rates for
one instance has chosen their sum.

These buckets are per *process*: several processes calling one instance (web workers, a task queue, a
cron job) each spend the whole budget. ``rate_limit_store="redis://…"`` shares it instead, through the
:class:`LimiterBackend` kept in Redis (:mod:`._ratelimit_redis`, same guarantee, this bucket its fallback).

The registry keeps :data:`REGISTRY_SIZE` buckets (it is keyed by configuration, but a program may build
URLs in a loop); beyond that it drops buckets *at rest* (nothing waiting, in flight or counted within their
window: the same as a new one, so dropping one changes no pacing), least recently used first, and only
those: a bucket in use is never dropped (its key would get a fresh bucket beside it: twice the rate), so
beyond :data:`REGISTRY_SIZE` memory is bounded by the buckets in use.

No library is used: pyrate-limiter (the well-known one) is built around named buckets and storage
back-ends, has no injectable clock for the async path and no notion of a request's end; and the rule must be
the spec's own function, not a library's reading of it.
"""

from __future__ import annotations

import bisect
import ipaddress
import itertools
import logging
import math
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from typing import Protocol, runtime_checkable

import anyio
import httpx

from ._errors import ConfigurationError
from ._spec import RateLimit, slowest_rate

logger = logging.getLogger("greenstat.ratelimit")

#: The spec's slowest ``x-rate-limit`` (read at import): a limiter not told its operation never goes faster.
DEFAULT_RATE = slowest_rate()
#: One request in about 17 minutes. Slower is a typo, and 1e-300 overflows the wait arithmetic.
MIN_RATE = 0.001
#: Extra spacing, as a fraction of ``1 / rate``: 50 ms at the default 1 request/s.
DEFAULT_MARGIN = 0.05
#: Longest a request in flight holds back the next ones (seconds); longer than any sane attempt.
HOLD_MAX = 60.0
#: Largest ``burst``: the window keeps one time per place, so memory is bounded (and a burst of a thousand
#: requests at once is no pacing).
MAX_BURST = 1000
#: Most buckets the process-wide registry keeps.
REGISTRY_SIZE = 256


class RateLimitWaitTimeout(TimeoutError):
    """A turn would come only after the caller's time limit: the caller left the queue, holding nothing.

    Why: a retry waits for its turn in the bucket like any request, and a call's deadline covers its retries;
    without a limit here a retry could queue behind another client's long request past the deadline.
    """


@runtime_checkable
class LimiterBackend(Protocol):
    """What the transport needs of a limiter: a turn around each send, held until the answer's head arrived.

    Two implementations: :class:`RateLimiter` (in this process, the default) and
    :class:`~greenstat_ext._ratelimit_redis.RedisRateLimiter` (one budget across processes and machines, kept
    in Redis: ``rate_limit_store``). Both keep the guarantee of this module's docstring, and both raise
    :class:`RateLimitWaitTimeout` when the turn is more than ``max_wait`` seconds away.
    """

    @property
    def rate(self) -> float: ...

    def slot(self, max_wait: float | None = None) -> AbstractContextManager[float]: ...

    def slot_async(self, max_wait: float | None = None) -> AbstractAsyncContextManager[float]: ...


class RateLimiter:
    """Paces requests at ``rate`` per second, at most ``burst`` at once, each ``(1 + margin) / rate`` apart.

    **The rule is the spec's own** (:meth:`greenstat_ext._spec.RateLimit.wait`, the one meaning of
    ``x-rate-limit`` the mock's gateway and the contract kit use): a turn comes when
    ``RateLimit(burst, burst * interval).wait(counted, now)`` is 0, the margin folded into the window
    (``interval = (1 + margin) / rate``). What the window counts is this limiter's own: a request sent through
    :meth:`slot` counts from its *end*, and while in flight as ending now (it keeps its place in the window
    until it ends, or for :data:`HOLD_MAX` at most); one paced by :meth:`acquire` / :meth:`reserve` counts
    from its start. At ``burst`` 1 (every client's bucket) that is "each start at least ``interval`` after
    the previous end". At ``burst`` B: B requests at once, then none until the window of ``B * interval``
    has passed since the oldest of the last B ended (a sustained ``1 / interval``, but never B + 1 within a
    window, which a token bucket allowed); a server keeping ``x-rate-limit`` B per ``B / rate`` never refuses
    one (among any B + 1 arrivals, the last to start began a window after one of the others ended).

    Use :meth:`slot` / :meth:`slot_async` around the send (spacing from each request's end: the guarantee
    in the module docstring); :meth:`acquire` / :meth:`acquire_async` pace starts only; :meth:`reserve` is
    the non-blocking primitive (take a turn now, learn how long to wait). ``clock``, ``sleep`` and
    ``async_sleep`` are injectable so tests run on a fake clock.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        burst: int = 1,
        margin: float = DEFAULT_MARGIN,
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
        if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= MAX_BURST:
            raise ConfigurationError("burst", f"must be an integer from 1 to {MAX_BURST} (got {burst!r})")
        if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin <= 1:
            raise ConfigurationError("margin", f"must be a fraction from 0 to 1 (got {margin!r})")
        self._rate = float(rate)
        self._burst = burst
        self._interval = (1.0 + margin) / self._rate
        #: The one rule, margin included: ``burst`` requests per ``burst`` intervals.
        self._window = RateLimit(requests=burst, per_seconds=burst * self._interval)
        #: A turn this close counts as come (seconds), so float rounding never costs an extra sleep.
        self._slack = self._interval * 1e-9
        self._clock = clock
        #: Whether a sleep after which the clock has not moved may be trusted (see :meth:`_claim`): only
        #: for an injected clock. The real monotonic clock is coarse on some systems (15.6 ms ticks on
        #: Windows) and a sleep may wake early, so there it only means "look again".
        self._may_force = clock is not time.monotonic
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._lock = threading.Lock()
        #: When past requests count from (a slot's end, an acquire's start): the latest ``burst``, ascending.
        self._counted: list[float] = []
        self._holds: dict[int, float] = {}  # requests in flight: id (the ticket that took it) -> start
        self._waiting: list[int] = []  # tickets of the callers waiting, first come first (so ascending)
        self._ids = itertools.count()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def interval(self) -> float:
        """The spacing actually kept, margin included: ``(1 + margin) / rate`` seconds."""
        return self._interval

    @property
    def window(self) -> RateLimit:
        """The rule this limiter keeps, as an ``x-rate-limit``: ``burst`` per ``burst`` intervals."""
        return self._window

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self._rate}, burst={self._burst})"

    # -- arithmetic (called with the lock held) ------------------------------------------------------------

    def _count(self, at: float) -> None:
        """One more request counts from ``at``; only the latest ``burst`` can ever decide a turn."""
        bisect.insort(self._counted, at)
        del self._counted[: -self._burst]

    def _expire(self, now: float) -> None:
        """A request in flight longer than :data:`HOLD_MAX` counts as ended then. Every hold is looked at:
        they are not always in start order (a fake clock's forced turn starts in the future)."""
        for hold, started in list(self._holds.items()):
            if now >= started + HOLD_MAX:
                self._count(started + HOLD_MAX)
                del self._holds[hold]

    def _times(self, now: float) -> list[float]:
        """What the window sees at ``now``: the counted times, and each request in flight as ending now."""
        if not self._holds:
            return self._counted
        return sorted([*self._counted, *(max(now, started) for started in self._holds.values())])

    def _turn(self, now: float, ahead: int) -> float:
        """Seconds until the turn of a caller with ``ahead`` callers before it, each taking its turn as soon
        as the rule allows. A lower bound while a request is in flight (it ends later than now); it looks
        again on waking.

        O(``burst``) steps of the rule, not one per caller ahead (this runs under the lock, on every look of
        every waiter): only the latest ``burst`` times decide a turn, and once they are all turns of the
        queue (each taken after everything counted), the turns repeat a window apart. Equal to stepping the
        rule through every caller (``tests/client/test_ratelimit.py`` checks it on random states).
        """
        times = self._times(now)[-self._burst :]
        latest = times[-1] if times else -math.inf
        waits: list[float] = []
        while True:
            wait = self._window.wait(times, now)
            if len(waits) == ahead:
                return wait
            waits.append(wait)
            first = len(waits) - self._burst  # the latest `burst` times are now the turns waits[first:]
            if first >= 0 and now + waits[first] >= latest:
                rounds, place = divmod(ahead - first, self._burst)
                return waits[first + place] + rounds * self._window.per_seconds
            bisect.insort(times, now + wait)
            del times[: -self._burst]

    def _claim(self, ticket: int, hold: bool, force: bool = False) -> tuple[float, int | None]:
        """Take a turn for ``ticket`` (``(0, hold id)``), or say how long to sleep before asking again.

        Whoever of the waiters finds the rule allowing a request takes the turn (roughly first come, first
        served: the others' sleeps are estimated by queue position). ``force`` takes it even before it
        came, counted from when it comes: for a fake clock that a fake sleep does not move, where asking
        again would loop for ever (the sleep is then trusted, as :meth:`reserve` does). Never for the real
        clock (``_may_force``), whose coarse ticks and early wake-ups would send a request early.
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            wait = self._window.wait(self._times(now), now)
            place = bisect.bisect_left(self._waiting, ticket)
            if wait > self._slack and not force:
                return self._turn(now, place), None
            started = now + max(0.0, wait) if force else now
            del self._waiting[place]
            if not hold:
                self._count(started)
                return 0.0, None
            self._holds[ticket] = started
            return 0.0, ticket

    def _enqueue(self) -> int:
        ticket = next(self._ids)
        with self._lock:
            self._waiting.append(ticket)
        return ticket

    def _leave(self, ticket: int) -> None:
        """Give back a waiter's place: it was cancelled or interrupted before it got a turn, or after its
        turn was granted but before its caller got it (the hold is then dropped: nothing was sent)."""
        with self._lock:
            place = bisect.bisect_left(self._waiting, ticket)
            if place < len(self._waiting) and self._waiting[place] == ticket:
                del self._waiting[place]
            self._holds.pop(ticket, None)

    def _release(self, hold: int | None) -> None:
        """A request ended: it counts from now (unless it outlived :data:`HOLD_MAX` and already counts)."""
        if hold is None:
            return
        with self._lock:
            now = self._clock()
            self._expire(now)
            started = self._holds.pop(hold, None)
            if started is not None:
                self._count(max(now, started))

    def _at_rest(self) -> bool:
        """Nothing waiting or in flight, nothing counted within the window: the same as a new limiter."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            return (
                not self._waiting
                and not self._holds
                and (not self._counted or self._counted[-1] + self._window.per_seconds <= now)
            )

    # -- waiting ---------------------------------------------------------------------------------------------

    def _nap(self, wait: float, limit: float | None) -> float:
        """How long to sleep for a turn ``wait`` seconds away: at most one window, as a waiter ahead that
        leaves wakes nobody (so a turn it freed is taken at most one window late)."""
        if limit is not None and self._clock() + wait > limit:
            raise RateLimitWaitTimeout(f"the rate limiter's next turn is more than {wait:.3f} s away")
        logger.debug("rate limit: waiting %.3fs", wait)
        return min(wait, self._window.per_seconds)

    def _wait(self, hold: bool, max_wait: float | None = None) -> tuple[float, int | None]:
        started = self._clock()
        limit = None if max_wait is None else started + max_wait
        ticket = self._enqueue()
        try:
            frozen = False
            while True:
                wait, held = self._claim(ticket, hold, force=frozen)
                if wait <= 0:
                    return max(0.0, self._clock() - started), held
                nap = self._nap(wait, limit)
                before = self._clock()
                self._sleep(nap)
                frozen = self._may_force and self._clock() == before
        except BaseException:
            self._leave(ticket)
            raise

    async def _wait_async(self, hold: bool, max_wait: float | None = None) -> tuple[float, int | None]:
        started = self._clock()
        limit = None if max_wait is None else started + max_wait
        ticket = self._enqueue()
        try:
            frozen = False
            while True:
                wait, held = self._claim(ticket, hold, force=frozen)
                if wait <= 0:
                    return max(0.0, self._clock() - started), held
                nap = self._nap(wait, limit)
                before = self._clock()
                await self._async_sleep(nap)
                frozen = self._may_force and self._clock() == before
        except BaseException:  # cancellation included: leave the queue, hold nothing
            self._leave(ticket)
            raise

    # -- public API ---------------------------------------------------------------------------------------

    def reserve(self) -> float:
        """Take a turn now; return the seconds to wait before using it (0 when it has come).

        The non-blocking primitive: the turn is the first the rule allows after those already reserved (that
        is the queue), counted from then; the caller sleeps by itself, and a reservation is never given
        back, so prefer :meth:`acquire` or :meth:`slot`.
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            wait = self._window.wait(self._times(now), now)
            wait = 0.0 if wait <= self._slack else wait
            self._count(now + wait)
            return wait

    def acquire(self) -> float:
        """Block until a request may be sent; return the time waited. Paces starts only (see :meth:`slot`)."""
        return self._wait(hold=False)[0]

    async def acquire_async(self) -> float:
        """Await until a request may be sent; return the time waited. Paces starts only."""
        return (await self._wait_async(hold=False))[0]

    @contextmanager
    def slot(self, max_wait: float | None = None) -> Iterator[float]:
        """``with limiter.slot(): send()``: wait for a turn, then hold it until the block ends.

        The next request of the bucket starts one interval after this block ends (its answer arrived or
        it failed); an exception during the wait leaves the queue with nothing taken. Yields the time waited.
        ``max_wait``: the most to wait (seconds, on the limiter's clock); a turn further away raises
        :class:`RateLimitWaitTimeout` at once instead of waiting in vain.
        """
        waited, hold = self._wait(hold=True, max_wait=max_wait)
        try:
            yield waited
        finally:
            self._release(hold)

    @asynccontextmanager
    async def slot_async(self, max_wait: float | None = None) -> AsyncIterator[float]:
        """The async :meth:`slot`: ``async with limiter.slot_async(): await send()``; cancellation-safe."""
        waited, hold = await self._wait_async(hold=True, max_wait=max_wait)
        try:
            yield waited
        finally:
            self._release(hold)


_LOOPBACK = "loopback"
_IPV4_FORMS = re.compile(r"[0-9a-fx.]+")  # 127.1, 2130706433, 0x7f.1: forms inet_aton accepts


def _canonical_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return _LOOPBACK
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not _IPV4_FORMS.fullmatch(host):
            return host
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return host  # a name made of hex letters, such as "face.bad"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:  # 0.0.0.0 and :: reach the local host too
        return _LOOPBACK
    return ip.compressed


def origin_key(api_url: str) -> str:
    """``scheme://host:port`` of ``api_url``, the host resolved without DNS (see the module docstring)."""
    url = httpx.URL(api_url)
    port = url.port if url.port is not None else {"http": 80, "https": 443}.get(url.scheme, 0)
    return f"{url.scheme}://{_canonical_host(url.host)}:{port}"


_registry_lock = threading.Lock()
_registry: OrderedDict[tuple[str, int, str, float], RateLimiter] = OrderedDict()


def shared_limiter(api_url: str, id_instance: int, rate: float, operation: str = "") -> RateLimiter:
    """The process-wide bucket of one method (``operation``, an operationId) of one instance (at one origin)
    at one rate; created on first use."""
    return bucket(origin_key(api_url), id_instance, operation, rate)


def bucket(origin: str, id_instance: int, operation: str, rate: float) -> RateLimiter:
    """:func:`shared_limiter` with the origin already resolved (:func:`origin_key`): a client resolves its
    URL once, not on every call."""
    key = (origin, id_instance, operation, float(rate))
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is not None:
            _registry.move_to_end(key)
            return limiter
        limiter = _registry[key] = RateLimiter(rate)
        if len(_registry) > REGISTRY_SIZE:  # drop buckets at rest, least recently used first; only those
            resting = (k for k, v in list(_registry.items())[:-1] if v._at_rest())
            for old in itertools.islice(resting, len(_registry) - REGISTRY_SIZE):
                del _registry[old]
        return limiter
