"""One rate budget across processes and machines: the limiter backend kept in Redis.

**What it shares.** Green API limits each method *per instance*, not per process: four web workers or a
task queue beside a cron job, each pacing itself at the whole budget, earn 429s together. A
:class:`RedisRateLimiter` keeps the bucket of one (origin, instance, method, rate) in one Redis hash, so every
process and machine pointed at the same Redis shares it (docs/scaling.md).

**The rule is the in-process one** (:mod:`._ratelimit`), run atomically by a Lua script on the server's
clock (``TIME``, so the machines' clocks never matter). Lua in Redis cannot call Python, so the script cannot
call :meth:`._spec.RateLimit.wait`; it keeps the same rule in the form that needs the least state:
a bucket of one token that refills over one ``interval = (1 + margin) / rate`` only while none of the bucket's
requests is in flight. How that maps onto the one rule, exactly: the in-process limiter at ``burst`` 1 grants
a turn at ``now`` when ``RateLimit(1, interval).wait(counted, now)`` is 0, the counted time being the latest
request's end (or now while it is in flight). The script's token, taken at a start (leaving 0, not accruing
while the request is in flight), accrues from the end ``e`` as ``(now - e) / interval``, so it is whole again
exactly when ``now >= e + interval``: the same instant, the same ``1e-9``-interval slack for float rounding.
A hold older than :data:`~._ratelimit.HOLD_MAX` counts as ended at ``start + HOLD_MAX`` in both (so a process
that crashed mid-request delays the bucket for a bounded time, never for ever). Hence a shared store keeps
``burst`` 1 only (a bucket of B tokens lets B + 1 requests go within B intervals, which the window never
does). ``tests/test_rate_limit_meaning.py`` checks the script's turns against ``RateLimit.wait`` on a real
``redis-server``. Not GCRA on start times: the gap the server sees is the start
gap plus the difference of two network delays, and that is how a client at the server's own rate earns 429s
(the module docstring of :mod:`._ratelimit`). Not the ``limits`` library: its strategies (fixed and moving
windows, GCRA in newer versions) count *starts*, none can hold a bucket while a request is in flight. Waiters
poll (no queue across processes: no first-come order there).

**What reaches Redis.** Only the key ``greenstat:ratelimit:v1:{<origin hash>:<idInstance>:<operationId>:
<rate>}`` (the origin as the first 16 hex digits of its SHA-256; the braces keep a bucket in one cluster slot)
holding ``tokens``, ``updated`` and one ``h:<random id>`` field per request in flight. Never the token: a
limiter never sees it. Every write sets the key's TTL to the time after which an untouched bucket is full
again (``HOLD_MAX`` + ``burst`` intervals + a second): an expired bucket is the same as a new one, so expiry
changes no pacing and Redis never fills up.

**When Redis is unreachable, slow or hostile** (each store command, connecting included, is bounded *as a
whole* by :data:`STORE_TIMEOUT` and by the call's deadline, by a watchdog that shuts its connection down, not
only per read; no retry by redis-py): the call is paced by the process's own bucket and the store is marked
down, with *one* WARNING on ``greenstat.ratelimit`` per outage; it is tried again after :data:`RETRY_AFTER`
seconds, and on success logged back at INFO. A store answer is outside input: one of the wrong shape (a bulk
string, a RESP3 map, ``+OK`` to everything) or any exception redis-py raises on garbage is a store failure,
never "granted" and never an untyped exception; the script clamps the times it reads (an ``updated`` in the
future is now, a hold that started in the future is dropped: a clock stepped back or a failover to a replica
whose clock is behind must not hold every caller, nor refresh the key's TTL for ever). A call never waits
longer than its ``max_wait`` for a turn (:class:`~._ratelimit.RateLimitWaitTimeout`), Redis or not.

**Hand-over.** Every turn takes the process's own bucket first and holds it around the shared turn, so one
process is paced by its own bucket whichever way its turns are granted: when the store comes back after an
outage, its (empty) bucket cannot grant a turn right after the last in-process request. During an outage the
processes pace separately, so the server may answer some 429s (the retry layer waits them out): availability
over strictness, since a rate limit is no reason to stop working.

**Async.** ``slot_async`` runs the same script through the same (sync) client in a worker thread. Why not
``redis.asyncio``: its connections belong to one event loop, and a client (or this process-wide store) is used
from many (``asyncio.run`` per call, tests, trio through anyio); one store command is one short round trip
bounded by :data:`STORE_TIMEOUT`, so the thread costs nothing that shows at 1 request/s.

The ``redis`` package is the optional extra ``greenstat[redis]``, imported only when a store is configured.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel

from ._errors import ConfigurationError
from ._ratelimit import DEFAULT_MARGIN, HOLD_MAX, REGISTRY_SIZE, RateLimiter, RateLimitWaitTimeout, bucket
from ._redact import mask_url_password, redact

if TYPE_CHECKING:
    import redis

logger = logging.getLogger("greenstat.ratelimit")

#: The environment variable read when a client is given no ``rate_limit_store``.
ENV_RATE_LIMIT_STORE = "GREEN_API_RATE_LIMIT_STORE"
#: Longest one store command may take (connect, send, answer), seconds; a URL's ``socket_timeout`` /
#: ``socket_connect_timeout`` query parameters may lower it, never raise it (a call's deadline must hold).
STORE_TIMEOUT = 0.5
#: After a store failure, how long calls are paced in-process before the store is tried again (seconds).
RETRY_AFTER = 2.0
#: Prefix of every key greenstat writes (a version, so a changed layout never reads an old one).
KEY_PREFIX = "greenstat:ratelimit:v1:"
_SCHEMES = ("redis", "rediss", "unix")
_INSTALL = "pip install 'greenstat[redis]'"

#: KEYS[1] the bucket; ARGV: "acquire" | "release", hold id, interval, burst, HOLD_MAX, TTL (ms), poll.
#: Returns {granted (0/1), seconds to wait before asking again (a string: Lua numbers become integers)}.
_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local key, op, hold = KEYS[1], ARGV[1], ARGV[2]
local interval, burst = tonumber(ARGV[3]), tonumber(ARGV[4])
local hold_max, ttl_ms, poll = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tokens, updated = burst, now
local holds = {}
local state = redis.call('HGETALL', key)
-- Times and counts from the hash are clamped: the host's clock may have stepped back, or a failover reached
-- a replica whose clock is behind; a time in the future would hold every caller until the clock caught up.
for i = 1, #state, 2 do
  local field, value = state[i], tonumber(state[i + 1])
  if field == 'tokens' then tokens = value or 0
  elseif field == 'updated' then updated = math.min(value or now, now)
  elseif string.sub(field, 1, 2) == 'h:' then
    if value and value <= now then holds[#holds + 1] = {field, value}
    else redis.call('HDEL', key, field) end
  end
end
if tokens ~= tokens or tokens < 0 then tokens = 0 elseif tokens > burst then tokens = burst end
table.sort(holds, function(a, b) return a[2] < b[2] end)
local live = #holds
local function accrue(at)
  if at > updated then
    if live == 0 then tokens = math.min(burst, tokens + (at - updated) / interval) end
    updated = at
  end
end
-- holds older than HOLD_MAX stop holding the bucket back (counted as ended then), oldest first
for i = 1, #holds do
  if now < holds[i][2] + hold_max then break end
  accrue(holds[i][2] + hold_max)
  redis.call('HDEL', key, holds[i][1])
  live = live - 1
end
accrue(now)
local granted, wait = 0, 0
if op == 'release' then
  if redis.call('HDEL', key, 'h:' .. hold) == 1 then live = live - 1 end
elseif tokens >= 1 - 1e-9 then
  tokens = tokens - 1
  redis.call('HSET', key, 'h:' .. hold, string.format('%.6f', updated))
  live = live + 1
  granted = 1
else
  wait = (1 - tokens) * interval
  if live > 0 then wait = math.max(0, wait - interval) + poll end
end
redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'updated', string.format('%.6f', updated))
redis.call('PEXPIRE', key, ttl_ms)
return {granted, string.format('%.6f', wait)}
"""


class StoreTimeout(TimeoutError):
    """A store command did not complete within its bound (:data:`STORE_TIMEOUT` or the call's deadline)."""


class StoreAnswerError(ValueError):
    """The store answered something that is not the script's answer: its type is named, not its value."""


def _checked(answer: object) -> tuple[bool, float]:
    """``(granted, wait)`` from the script's answer, or :class:`StoreAnswerError` for any other shape."""
    if not isinstance(answer, list) or len(answer) != 2:
        size = f" of {len(answer)}" if isinstance(answer, list | tuple | dict) else ""
        raise StoreAnswerError(f"the store answered a {type(answer).__name__}{size}, not the script's pair")
    granted, wait = answer
    if type(granted) is not int or granted not in (0, 1):
        raise StoreAnswerError(f"the store answered a grant of type {type(granted).__name__}, not 0 or 1")
    if not isinstance(wait, bytes | str):
        raise StoreAnswerError(f"the store answered a wait of type {type(wait).__name__}, not a string")
    seconds = float(wait)
    if not (math.isfinite(seconds) and seconds >= 0):
        raise StoreAnswerError(f"the store answered a wait of {seconds!r} s")
    return granted == 1, seconds


def redact_store_url(url: str) -> str:
    """``url`` without its password (``redis://user:***@host:6379/0``): safe in a message or a repr."""
    return mask_url_password(url)


class _Store:
    """One Redis (a client, the script, and whether it is up), shared by every limiter of the process."""

    def __init__(self, url: str, client: redis.Redis) -> None:
        self.url = url
        self.shown = redact_store_url(url)
        self._client = client
        self._script = client.register_script(_SCRIPT)
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    def available(self) -> bool:
        """False while the store is marked down and its retry time has not come."""
        with self._lock:
            return not self._down or time.monotonic() >= self._retry_at

    def run(
        self, key: str, op: str, hold: str, limiter: RedisRateLimiter, limit: float | None = None
    ) -> tuple[bool, float] | None:
        """Run the script; None when the store failed (then marked down, with one WARNING per outage).

        The answer is bounded like any other outside input: its shape is checked (a list of an integer 0 or
        1 and a number of seconds as a string; anything else, a RESP3 map or a bulk string included, is a
        failure), a wait that is not a finite number >= 0 is a failure, and none is longer than the bucket's
        own longest (``burst`` intervals and a poll). The command as a whole, connecting included, takes at
        most :data:`STORE_TIMEOUT` and never past ``limit`` (``time.monotonic()``): redis-py's
        ``socket_timeout`` bounds each read, not the answer, and a store dripping one byte every 0.4 s held a
        call for ~100 s. Any exception from redis-py is a failure: a garbage answer made it raise
        ``AttributeError`` or ``KeyError`` from deep inside.
        """
        budget = STORE_TIMEOUT if limit is None else min(STORE_TIMEOUT, limit - time.monotonic())
        if budget <= 0:
            raise RateLimitWaitTimeout("the call's deadline passed while waiting for the shared rate limiter")
        args: list[str | int] = [
            op,
            hold,
            repr(limiter.interval),
            limiter.burst,
            repr(HOLD_MAX),
            limiter.ttl_ms,
            repr(limiter.poll),
        ]
        try:
            granted, wait = _checked(self._bounded(budget, lambda: self._script(keys=[key], args=args)))
        except Exception as exc:  # any store fault: the documented fallback, never an untyped exception
            self._mark_down(exc)
            return None
        self._mark_up()
        return granted, min(wait, limiter.burst * limiter.interval + limiter.poll)

    def _bounded(self, budget: float, command: Callable[[], object]) -> object:
        """``command()``, its connection shut down once ``budget`` seconds passed (a watchdog timer).

        A ``recv`` blocked in this thread cannot be interrupted from it; shutting the socket down from the
        timer's thread ends it at once (redis-py's ``disconnect`` shuts every connection of the pool down,
        those of other threads too: they fail over to in-process pacing as well, which a store that drips
        deserves). ~0.1 ms a command, for a limiter that sends at most a few a second.
        """
        aborted = threading.Event()

        def abort() -> None:
            aborted.set()
            self._client.connection_pool.disconnect()

        timer = threading.Timer(budget, abort)
        timer.daemon = True
        timer.start()
        try:
            return command()
        except Exception:
            if aborted.is_set():
                raise StoreTimeout(f"the store did not answer within {budget:.3f} s") from None
            raise
        finally:
            timer.cancel()

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            warn = not self._down
            self._down = True
            self._retry_at = time.monotonic() + RETRY_AFTER
        if warn:
            password = urlsplit(self.url).password
            detail = str(exc).replace(self.url, self.shown)
            detail = redact(detail, secrets=(password,) if password else (), inside_words=True)
            logger.warning(
                "rate-limit store %s failed (%s: %s): pacing in this process only until it answers again",
                self.shown,
                type(exc).__name__,
                detail,
            )

    def _mark_up(self) -> None:
        with self._lock:
            was_down = self._down
            self._down = False
        if was_down:
            logger.info("rate-limit store %s answers again: the budget is shared again", self.shown)

    def close(self) -> None:
        self._client.close()


def _connect(url: str, field: str) -> _Store:
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            field, f"a Redis store needs the redis extra: {_INSTALL} ({exc.name} is missing)"
        ) from None
    try:
        client = redis.Redis.from_url(
            url,
            socket_timeout=STORE_TIMEOUT,
            socket_connect_timeout=STORE_TIMEOUT,
            retry=Retry(NoBackoff(), 0),  # one try per command: a failure means "pace in-process", at once
            client_name="greenstat",
        )
    except (ValueError, TypeError) as exc:  # a bad port, db or query option
        raise ConfigurationError(
            field, f"{redact_store_url(url)} is not a usable Redis URL ({type(exc).__name__})"
        ) from None
    # A URL's own timeouts override the keyword arguments in redis-py: cap them, or one slow store command
    # could outlast the call's whole deadline (a ``?socket_timeout=20`` held a 3 s call for 20 s).
    options = client.connection_pool.connection_kwargs
    for name in ("socket_timeout", "socket_connect_timeout"):
        value = options.get(name)
        if not isinstance(value, int | float) or not 0 < value <= STORE_TIMEOUT:
            options[name] = STORE_TIMEOUT
    return _Store(url, client)


_stores_lock = threading.Lock()
_stores: dict[str, _Store] = {}


def store_setting(url: object, field: str = "rate_limit_store") -> str | None:
    """``rate_limit_store`` checked: None/"" (none) or a ``redis://``, ``rediss://`` or ``unix://`` URL.

    Errors name ``field``: the environment variable when the URL came from there.

    Connects lazily (a store down at start-up only means pacing in-process for now), but imports ``redis``
    now: a missing extra is a :class:`ConfigurationError` at construction, not a surprise at the first call.
    """
    if url is None or url == "":
        return None
    if not isinstance(url, str):
        raise ConfigurationError(field, f"must be a redis:// URL (got a {type(url).__name__})")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in _SCHEMES:
        raise ConfigurationError(
            field,
            f"must be a redis://, rediss:// or unix:// URL (got {redact_store_url(url)!r})",
        )
    store_for(url, field)
    return url


def store_for(url: str, field: str = "rate_limit_store") -> _Store:
    """The process-wide store of ``url`` (one connection pool, one up/down state); created on first use."""
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = _connect(url, field)
        return store


def _key(origin: str, id_instance: int, operation: str, rate: float) -> str:
    digest = hashlib.sha256(origin.encode()).hexdigest()[:16]
    return f"{KEY_PREFIX}{{{digest}:{id_instance}:{operation}:{rate!r}}}"


class RedisRateLimiter:
    """The bucket of one (origin, instance, method, rate) in Redis, with :class:`RateLimiter`'s guarantee.

    Made by the clients when ``rate_limit_store`` (or ``GREEN_API_RATE_LIMIT_STORE``) is set; see the module
    docstring for the algorithm, the keys and the fallback to ``fallback`` (the process's own bucket).
    """

    def __init__(
        self,
        store: _Store,
        origin: str,
        id_instance: int,
        operation: str,
        rate: float,
        *,
        burst: int = 1,
        margin: float = DEFAULT_MARGIN,
    ) -> None:
        if burst != 1 or isinstance(burst, bool):
            raise ConfigurationError(
                "burst",
                f"a shared store keeps burst 1 only, the one rule's window at that burst (got {burst!r})",
            )
        self._fallback: RateLimiter = bucket(origin, id_instance, operation, rate)
        self._store = store
        self._rate = float(rate)
        self.burst = burst
        self.interval = (1.0 + margin) / self._rate
        self.poll = min(max(self.interval / 4, 0.001), 0.25)
        self.ttl_ms = math.ceil((HOLD_MAX + burst * self.interval + 1.0) * 1000)
        self.key = _key(origin, id_instance, operation, self._rate)

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def fallback(self) -> RateLimiter:
        """The in-process bucket used while the store does not answer."""
        return self._fallback

    def __repr__(self) -> str:
        return f"RedisRateLimiter(store={self._store.shown!r}, rate={self._rate}, burst={self.burst})"

    def _run(self, op: str, hold: str, limit: float | None = None) -> tuple[bool, float] | None:
        return self._store.run(self.key, op, hold, self, limit)

    @staticmethod
    def _remaining(limit: float | None) -> float | None:
        return None if limit is None else max(0.0, limit - time.monotonic())

    def _too_late(self, wait: float, limit: float | None) -> None:
        if limit is not None and time.monotonic() + wait > limit:
            raise RateLimitWaitTimeout(f"the shared rate limiter's next turn is more than {wait:.3f} s away")

    def _wait(self, limit: float | None) -> str | None:
        """Wait for a turn in Redis: its hold id, or None when the store failed (pace in-process then)."""
        if not self._store.available():
            return None
        hold = uuid.uuid4().hex
        while True:
            try:
                answer = self._run("acquire", hold, limit)
            except BaseException:  # interrupted mid-command: the turn may have been granted, give it back
                self._run("release", hold)
                raise
            if answer is None:
                return None
            granted, wait = answer
            if granted:
                return hold
            self._too_late(wait, limit)
            time.sleep(wait)

    async def _wait_async(self, limit: float | None) -> str | None:
        if not self._store.available():
            return None
        hold = uuid.uuid4().hex
        while True:
            try:
                answer = await anyio.to_thread.run_sync(self._run, "acquire", hold, limit)
                # The thread is not abandoned, so a cancellation during it arrives only now: take it here
                # (giving the turn back below) rather than start a request for a cancelled caller.
                await anyio.lowlevel.checkpoint_if_cancelled()
            except BaseException:  # cancelled mid-command: the turn may have been granted, give it back
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._run, "release", hold)
                raise
            if answer is None:
                return None
            granted, wait = answer
            if granted:
                return hold
            self._too_late(wait, limit)
            await anyio.sleep(wait)

    @contextmanager
    def slot(self, max_wait: float | None = None) -> Iterator[float]:
        """As :meth:`RateLimiter.slot`, the turn taken in Redis (in-process while the store fails).

        The process's own bucket is taken first, always, and held around the shared turn: one process never
        goes faster than its own pace, whichever way its turns are granted, so the hand-over between the
        two has no gap (before, the first shared turn after an outage was granted at once by an empty
        store, right after the last in-process request: a 429 at the gateway's own rate).
        """
        started = time.monotonic()
        limit = None if max_wait is None else started + max_wait
        with self._fallback.slot(self._remaining(limit)):
            hold = self._wait(limit)
            try:
                yield time.monotonic() - started
            finally:
                if hold is not None:
                    self._run("release", hold)

    @asynccontextmanager
    async def slot_async(self, max_wait: float | None = None) -> AsyncIterator[float]:
        """The async :meth:`slot`; cancellation-safe (a turn granted to a cancelled caller is given back)."""
        started = time.monotonic()
        limit = None if max_wait is None else started + max_wait
        async with self._fallback.slot_async(self._remaining(limit)):
            hold = await self._wait_async(limit)
            try:
                yield time.monotonic() - started
            finally:
                if hold is not None:
                    with anyio.CancelScope(shield=True):
                        await anyio.to_thread.run_sync(self._run, "release", hold)


@functools.lru_cache(maxsize=REGISTRY_SIZE)
def redis_limiter(url: str, origin: str, id_instance: int, operation: str, rate: float) -> RedisRateLimiter:
    """The shared bucket of one method of one instance in the store at ``url`` (cached: a client asks for it
    on every call)."""
    return RedisRateLimiter(store_for(url), origin, id_instance, operation, rate)
