"""The mock's data: which statuses exist, who received them, and how each recipient progresses.

Why a schedule instead of a stored state: a recipient's state is a pure function of the clock. Each
recipient gets, once, the times at which it reaches ``sent``, ``delivered`` and ``read`` (or never does).
Answering a request is then "which of these times have passed", so polling shows change, states only ever
move forward, timestamps never go back, and the whole thing is reproducible from ``seed`` alone.

Why re-posts anchored on the wall clock, not on the process's start: two mocks started with the same seed
must answer the same thing at the same moment (a test fleet, a restarted server), and a demo must show
movement however long the mock has run. So each demo status is re-posted every ``period`` seconds at
epoch-aligned times shifted by a seed-derived phase, and **each re-post is a new status with an id of its
own** (:meth:`MessageStore.repost_id`: the documented id's leading digits and the re-post's number): its
recipients progress from the re-post on, relative to its start, and then stay final until it expires (30
days), as a status posted once does; a status never starts over. What a re-post id answers is a function of
``seed`` and the time only.

Why the documented ids still work: each one is a stable alias of the re-post that was the newest when the
store was made (the mock started), so ``BAE5F4886F6F2D05`` shows movement for a new user and never goes back
while the mock runs; the journal lists that re-post under the documented id. Two mocks with one seed
started at different times differ only in which re-post the documented ids name.

The clock is wall time anchored to a monotonic clock at start-up, so a wall-clock jump (NTP, DST) can
never make a timestamp go backwards within a process. Tests inject their own clock.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import msgspec

from greenstat_client.models import StatusStatistic, StatusValue

__all__ = [
    "DEMO_ID_INSTANCE",
    "DEMO_MESSAGES",
    "DEMO_TOKEN",
    "Clock",
    "DemoMessage",
    "MessageStore",
    "monotonic_wall_clock",
    "progress",
]

Clock = Callable[[], float]
"""Returns the current UNIX time in seconds; must never go backwards."""

DEMO_ID_INSTANCE = 1101000001
"""The demo instance the mock accepts by default (the spec's example ``idInstance``)."""

DEMO_TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"  # noqa: S105 - public demo credential
"""The demo instance's token (the spec's example; public, it protects nothing but the mock)."""

_NEVER = math.inf
_ORDER = (StatusValue.PENDING, StatusValue.SENT, StatusValue.DELIVERED, StatusValue.READ)


@dataclass(frozen=True, slots=True)
class DemoMessage:
    """A well-known ``idMessage`` of the demo data and what it holds.

    The status is re-posted every ``period`` seconds (see the module docstring); a cycle's "start-up" is
    the cycle's start. ``age`` is how long before that start the status was sent; ``pace`` the mean number
    of seconds between two steps of one recipient. ``mixed`` guarantees every state is present at the
    cycle's start (recipient ``i`` starts in state ``i % 4``) instead of drawing the start states at random.
    ``type_message`` is the kind of status it is (what ``getOutgoingStatuses`` reports); ``to_all`` means
    it was posted to all contacts (``participants: []``) rather than to a listed audience. ``everyone_reads``
    turns off the early stops (offline phones, unopened statuses): every recipient reaches ``read``, so the
    documented ``stats --watch`` demo ends.
    """

    description: str
    recipients: int
    age: float
    pace: float
    mixed: bool = False
    period: int = 3600
    type_message: str = "extendedTextMessage"
    to_all: bool = False
    everyone_reads: bool = False


DEMO_MESSAGES: Mapping[str, DemoMessage] = MappingProxyType(
    {
        "BAE5F4886F6F2D05": DemoMessage(
            "12 recipients, all four states at each re-post (text, every 15 min), moving on over minutes",
            recipients=12,
            age=120.0,
            pace=90.0,
            mixed=True,
            period=900,
        ),
        "3EB0C767D097B7C7C030": DemoMessage(
            "100,000 recipients (benchmarks), realistic mix, moving on (image to all contacts, hourly)",
            recipients=100_000,
            age=600.0,
            pace=300.0,
            period=3600,
            type_message="imageMessage",
            to_all=True,
        ),
        "F7AEC1B7086ECDC7E6E45923F5EDB825": DemoMessage(
            "20 recipients, all pending when re-posted (video, every 3 min), all read within ~1 minute",
            recipients=20,
            age=0.0,
            pace=6.0,
            period=180,
            type_message="videoMessage",
            everyone_reads=True,
        ),
        "DEADBEEFDEADBEEF": DemoMessage(
            "expired (older than 30 days): answers []",
            recipients=0,
            age=31 * 86_400.0,
            pace=60.0,
        ),
    }
)
"""The demo instance's well-known statuses. Any other ``idMessage`` answers ``[]`` (unknown)."""

# Share of recipients whose progress stops early: offline phones never get it, many never open it.
_P_STOP_AT_SENT = 0.03
_P_STOP_AT_DELIVERED = 0.15
# Start-up state mix of a non-mixed message with ``age > 0``: drawn per recipient.
_START_WEIGHTS = (0.10, 0.15, 0.35, 0.40)


def mid_cycle_clock(id_message: str, seed: int = 0) -> Clock:
    """A clock at real speed from a third into demo status ``id_message``'s current cycle.

    Why: a store made with it aliases the documented id to a re-post a third into its cycle, so what a test
    or the demo sees of it is reproducible (some recipients already moved on, others about to), whatever the
    moment the test runs.
    """
    store = MessageStore(seed=seed, clock=time.time)
    start = store.cycle_start(id_message, time.time()) + DEMO_MESSAGES[id_message].period / 3
    origin = time.monotonic()
    return lambda: start + (time.monotonic() - origin)


def monotonic_wall_clock() -> Clock:
    """A clock that reads wall time once, then only advances with the monotonic clock."""
    wall0, mono0 = time.time(), time.monotonic()
    return lambda: wall0 + (time.monotonic() - mono0)


class _Schedule:
    """Columns of per-recipient step times (``inf`` = never), relative to the start of a cycle.

    ``events`` holds every finite step time, sorted, so "the last action before ``t``" is a bisection
    (``getOutgoingStatuses`` needs it for the 100,000-recipient status without rendering it). Never mutated
    after the draw: stores share demo schedules (:func:`_demo_schedule`).
    """

    __slots__ = ("delivered", "events", "first", "participants", "read", "sent", "sent_at")

    def __init__(self, sent_at: float, participants: list[str], sent: list[float], delivered: list[float],
                 read: list[float]) -> None:  # fmt: skip
        self.sent_at = sent_at
        self.participants = participants
        self.sent = sent
        self.delivered = delivered
        self.read = read
        self.events = sorted(t for column in (sent, delivered, read) for t in column if t != _NEVER)
        # When the first recipient reached each state, furthest state first.
        self.first = tuple(
            (value, min(column, default=_NEVER))
            for value, column in (
                (StatusValue.READ, read),
                (StatusValue.DELIVERED, delivered),
                (StatusValue.SENT, sent),
            )
        )


def _generate(
    id_message: str, spec: DemoMessage, seed: int, participants: list[str] | None = None
) -> _Schedule:
    """The schedule of one cycle, times relative to the cycle's start (the same draw for every cycle).

    ``participants`` given (a posted status's recipients, :mod:`._posted`): they are the recipients, and
    ``spec.recipients`` must be their number; otherwise the recipients are drawn from the seed.
    """
    rng = random.Random(f"{seed}:{id_message}")  # noqa: S311 - str seeds hash with SHA-512: stable
    n = spec.recipients
    sent_at = -spec.age
    if participants is None:
        # Unique chat ids: a sample without replacement of 10-digit subscriber numbers (+7 9xx ...).
        numbers = rng.sample(range(9_000_000_000, 10_000_000_000), n)
        participants = [f"7{number}@c.us" for number in numbers]
    elif len(participants) != n:
        raise ValueError(f"{n} recipients expected, {len(participants)} given")
    sent: list[float] = []
    delivered: list[float] = []
    read: list[float] = []
    expo, rand, pace = rng.expovariate, rng.random, spec.pace
    for i in range(n):
        if spec.mixed:
            start_index = i % 4
        elif spec.age <= 0:
            start_index = 0
        else:
            start_index = rng.choices(range(4), weights=_START_WEIGHTS)[0]
        # Steps already reached are spread over (sent_at, 0]; later ones lie in the cycle's future.
        past = sorted(sent_at + rand() * spec.age for _ in range(start_index))
        times: list[float] = [*past]
        t = 0.0
        while len(times) < 3:
            t += expo(1.0 / pace)
            times.append(t)
        stop = rand()  # drawn even when unused: the seed gives every other recipient the same times
        if spec.everyone_reads:
            pass
        elif stop < _P_STOP_AT_SENT and start_index <= 1:
            times[1] = times[2] = _NEVER
        elif stop < _P_STOP_AT_SENT + _P_STOP_AT_DELIVERED and start_index <= 2:
            times[2] = _NEVER
        sent.append(times[0])
        delivered.append(times[1])
        read.append(times[2])
    return _Schedule(sent_at, participants, sent, delivered, read)


@functools.lru_cache(maxsize=8)
def _demo_schedule(id_message: str, spec: DemoMessage, seed: int) -> _Schedule:
    """The schedule of demo status ``id_message`` for ``seed``, drawn once per process.

    Why a process-wide cache: the schedule is a pure function of its three arguments, and drawing the
    100,000-recipient one costs ~0.3-0.9 s of CPU. Every mock app (each test's, each server restart, each
    ``create_app`` of a fleet in one process) used to draw it again on its first statistics or journal read;
    a busy machine made that read slow enough to time out. Schedules are never mutated after the draw, so
    stores share them. Bounded: two seeds' worth of demo statuses (~30 MB for the big one).
    """
    return _generate(id_message, spec, seed)


def _render(schedule: _Schedule, start: int, now: float) -> tuple[bytes, float]:
    """The JSON body at ``now`` of the cycle that started at ``start``, and when it next changes."""
    items: list[StatusStatistic] = []
    append = items.append
    next_change = _NEVER
    rel = now - start
    sent_at = int(start + schedule.sent_at)
    pending, sent_v, delivered_v, read_v = _ORDER
    for participant, t_sent, t_delivered, t_read in zip(
        schedule.participants, schedule.sent, schedule.delivered, schedule.read, strict=True
    ):
        if t_read <= rel:
            append(StatusStatistic(participant=participant, timestamp=int(start + t_read), status=read_v))
            continue
        if t_delivered <= rel:
            append(
                StatusStatistic(
                    participant=participant, timestamp=int(start + t_delivered), status=delivered_v
                )
            )
            upcoming = t_read
        elif t_sent <= rel:
            append(StatusStatistic(participant=participant, timestamp=int(start + t_sent), status=sent_v))
            upcoming = t_delivered
        else:
            append(StatusStatistic(participant=participant, timestamp=sent_at, status=pending))
            upcoming = t_sent
        if upcoming < next_change:
            next_change = upcoming
    return msgspec.json.encode(items), start + next_change


def progress(schedule: _Schedule, start: int, now: float) -> tuple[int, StatusValue]:
    """Of the cycle that started at ``start``, at ``now``: the time of the last action on the status (its
    latest recipient step, or when it was sent) and the furthest state any recipient reached."""
    rel = now - start
    last = bisect.bisect_right(schedule.events, rel)
    timestamp = int(start + schedule.events[last - 1]) if last else int(start + schedule.sent_at)
    status = next((value for value, first in schedule.first if first <= rel), StatusValue.PENDING)
    return max(timestamp, 0), status


_EMPTY = b"[]"
RETENTION = 30 * 86_400
"""Green API keeps status data for 30 days: older statuses are answered ``[]`` and are not listed."""


_STEP = 1.0
"""Bodies are computed for whole seconds: the answer at ``t`` is the state at ``floor(t)``. Why: the
100,000-recipient status has a recipient changing state every few milliseconds for its first hour, so a
body valid "until the next change" was rebuilt (~100 ms of Python) on almost every request; per whole second
it is built at most once a second whatever the request rate, and ``timestamp`` is whole seconds anyway."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What ``getOutgoingStatuses`` says of one status the mock knows, derived from its statistics now.

    ``timestamp`` is the time of the last action on the status (its latest recipient step, or the time it
    was sent); ``status`` the furthest state any recipient reached (``pending`` while none was sent to);
    ``participants`` the recipients of its statistics, or ``()`` for a status posted to all contacts.
    ``content`` is what a posted status was sent with (the journal item's text or media fields, as model
    keyword arguments); ``None`` for a demo or loaded status, whose content the journal draws from the seed.
    """

    id_message: str
    timestamp: int
    status: StatusValue
    type_message: str
    participants: tuple[str, ...]
    content: Mapping[str, Any] | None = None
    # A demo re-post's own id, when it is listed under its documented id (the alias): its text and media
    # are drawn from this, so one re-post reads alike in every mock whatever it is listed as.
    repost: str | None = None


_MAX_CACHED = 8
"""Bodies cached at most: a client asking for every re-post of the 100,000-recipient status (7.6 MB each)
must not grow the mock's memory; the documented ids and the newest re-posts are what is asked for."""

_CYCLE_DIGITS = 8

KEPT_REPOSTS = 3
"""Re-posts of each demo status the journal lists besides the one its documented id names; the statistics
of every re-post still answer for the 30-day retention (a recipient never vanishes early: the kit's
``recipient_retained``). Why a bound on the journal: 30 days of a status re-posted every 3 minutes is 14,400
items (~14 MB per ``getOutgoingStatuses`` of 30 days), and ``greenstat report`` reads the statistics of each
listed status (at 1 request/s); the last 3 of each keep the demo journal at most 12 items (~10 KB,
``tests/mock/test_posted_bounds.py``), the newest still moving on, the older final."""


def _repost_id(demo_id: str, cycle: int) -> str:
    """Re-post ``cycle`` of ``demo_id``: its leading digits, then the re-post's number in 8 hex digits (the
    documented id's length and alphabet, so it looks like the ids Green API hands out)."""
    return f"{demo_id[:-_CYCLE_DIGITS]}{cycle:0{_CYCLE_DIGITS}X}"


def _parse_repost_id(demo_id: str, id_message: str) -> int | None:
    """The re-post number ``id_message`` names of ``demo_id`` (None: not one of its re-post ids)."""
    if len(id_message) != len(demo_id) or not id_message.startswith(demo_id[:-_CYCLE_DIGITS]):
        return None
    digits = id_message[-_CYCLE_DIGITS:]
    if not all(char in "0123456789ABCDEF" for char in digits):
        return None
    return int(digits, 16)


class MessageStore:
    """Answers "the body for this ``idMessage`` now": demo statuses generated lazily, plus loaded data.

    Bodies are cached until the next recipient changes state (at whole-second resolution, see
    :data:`_STEP`), so repeated polls of a 100,000-recipient status cost a dictionary look-up, and each body
    is built at most once per second, by one thread (the others wait for it and share the result). Loaded
    ``data`` is served as given (it does not progress). :meth:`cached_body` is the non-blocking look-up the
    app tries first; :meth:`body` may build, so the app calls it off the event loop.

    What a re-post id answers is a function of ``seed`` and the clock's reading; the one thing that
    depends on when the store was made is which re-post each documented id names (the newest one then).
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock,
        data: Mapping[str, Sequence[StatusStatistic]] | None = None,
        demo: Mapping[str, DemoMessage] = DEMO_MESSAGES,
    ) -> None:
        self._seed = seed
        self._clock = clock
        self._demo = dict(demo)
        self._static: dict[str, bytes] = {}
        self._loaded: dict[str, list[StatusStatistic]] = {}
        for id_message, items in (data or {}).items():
            self._demo.pop(id_message, None)
            self._loaded[id_message] = list(items)
            self._static[id_message] = msgspec.json.encode(list(items))
        self._phases = {
            id_message: random.Random(f"{seed}:{id_message}:phase").randrange(spec.period)  # noqa: S311
            for id_message, spec in self._demo.items()
        }
        # Each documented id names the re-post that is the newest now, for the store's lifetime.
        made = self.now()  # one reading of the clock (a test's clock may move on every reading)
        self._aliases = {id_message: self.cycle(id_message, made) for id_message in self._demo}
        self._schedules: dict[str, _Schedule] = {}
        # (demo id, re-post) -> (body, next change); at most _MAX_CACHED (insertion order: oldest first)
        self._cache: dict[tuple[str, int], tuple[bytes, float]] = {}
        # One lock per demo message (a fixed, small set): a build of one never delays another.
        self._locks = {id_message: threading.Lock() for id_message in self._demo}
        self.renders = 0
        """Bodies built so far (tests prove "at most once per second" with it)."""

    def known(self) -> list[str]:
        """Every ``idMessage`` that answers something other than ``[]`` (or is a documented demo)."""
        return [*self._static, *self._demo]

    def now(self) -> float:
        """The clock's reading at whole-second resolution (what every answer is computed for)."""
        return math.floor(self._clock() / _STEP) * _STEP

    def cycle(self, id_message: str, now: float) -> int:
        """The number of the re-post of demo status ``id_message`` that is the newest at ``now``."""
        period, phase = self._demo[id_message].period, self._phases[id_message]
        return math.floor((now - phase) / period)

    def cycle_start(self, id_message: str, now: float) -> int:
        """When the newest re-post of demo status ``id_message`` at ``now`` was made (UNIX seconds)."""
        return self._start(id_message, self.cycle(id_message, now))

    def _start(self, id_message: str, cycle: int) -> int:
        return cycle * self._demo[id_message].period + self._phases[id_message]

    def repost_id(self, id_message: str, now: float) -> str:
        """The id of the newest re-post of demo status ``id_message`` at ``now`` (what the journal lists,
        unless it is the re-post the documented id names: then the journal lists the documented id)."""
        return _repost_id(id_message, self.cycle(id_message, now))

    def __contains__(self, id_message: object) -> bool:
        """Whether ``id_message`` names a status of this store (documented, a re-post, loaded), in or out of
        its retention: the ids the posted statuses never hand out."""
        return isinstance(id_message, str) and (
            id_message in self._static or id_message in self._demo or self._resolve(id_message) is not None
        )

    def _resolve(self, id_message: str, now: float | None = None) -> tuple[str, int] | None:
        """(demo id, re-post number) that ``id_message`` names; None when it names no re-post made by
        ``now`` (``now`` None: by any time)."""
        alias = self._aliases.get(id_message)
        if alias is not None:
            return id_message, alias
        for demo_id in self._demo:
            cycle = _parse_repost_id(demo_id, id_message)
            if cycle is not None and (now is None or cycle <= self.cycle(demo_id, now)):
                return demo_id, cycle
        return None

    def _live(self, spec: DemoMessage) -> bool:
        return spec.recipients > 0 and spec.age <= RETENTION

    def _expires(self, demo_id: str, cycle: int) -> float:
        """When re-post ``cycle`` of ``demo_id`` leaves the retention (30 days after it was sent)."""
        return self._start(demo_id, cycle) - self._demo[demo_id].age + RETENTION

    def _alive(self, demo_id: str, cycle: int, now: float) -> bool:
        """Whether re-post ``cycle`` of ``demo_id`` answers at ``now``: made by then, within the retention."""
        return cycle <= self.cycle(demo_id, now) and now < self._expires(demo_id, cycle)

    def _listed(self, demo_id: str, cycle: int, now: float) -> bool:
        """Whether the journal lists re-post ``cycle`` at ``now``: alive, and one of the last
        :data:`KEPT_REPOSTS` or the one its documented id names."""
        kept = cycle == self._aliases[demo_id] or self.cycle(demo_id, now) - KEPT_REPOSTS < cycle
        return kept and self._alive(demo_id, cycle, now)

    def cached_body(self, id_message: str) -> bytes | None:
        """The body for ``id_message`` now if it needs no building (static, ``[]`` or cached), else None."""
        static = self._static.get(id_message)
        if static is not None:
            return static
        now = self.now()
        found = self._resolve(id_message, now)
        if found is None or not self._live(self._demo[found[0]]) or not self._alive(*found, now):
            return _EMPTY
        cached = self._cache.get(found)
        if cached is not None and now < cached[1]:
            return cached[0]
        return None

    def _schedule(self, id_message: str) -> _Schedule:
        schedule = self._schedules.get(id_message)
        if schedule is None:
            schedule = _demo_schedule(id_message, self._demo[id_message], self._seed)
            self._schedules[id_message] = schedule
        return schedule

    def body(self, id_message: str) -> bytes:
        """The JSON array answered for ``id_message`` now (``[]`` when unknown or expired); may build it."""
        ready = self.cached_body(id_message)
        if ready is not None:
            return ready
        found = self._resolve(id_message)
        assert found is not None  # cached_body answered [] otherwise
        demo_id, cycle = found
        with self._locks[demo_id]:  # one build per message and step, even if threads race
            ready = self.cached_body(id_message)  # built by the thread we waited for
            if ready is not None:
                return ready
            schedule = self._schedule(demo_id)
            now = self.now()
            body, next_change = _render(schedule, self._start(demo_id, cycle), now)
            if len(self._cache) >= _MAX_CACHED and found not in self._cache:
                self._cache.pop(next(iter(self._cache)))  # the oldest: bounded whatever ids are asked for
            self._cache[found] = (body, min(next_change, self._expires(demo_id, cycle)))
            self.renders += 1
            return body

    def snapshot(self, id_message: str) -> list[StatusStatistic]:
        """The decoded answer for ``id_message`` now (for tests and the CLI)."""
        return msgspec.json.decode(self.body(id_message), type=list[StatusStatistic])

    def outgoing(self, since: float | None = None) -> list[Outgoing]:
        """Every status the mock knows whose last action is within the retention now (and not before
        ``since``, when given), newest last action first: each re-post of a demo status so far, the one the
        documented id names listed under it.

        May generate a schedule (the 100,000-recipient one: ~0.3 s, once), so the app calls it off the loop.
        """
        now = self.now()
        oldest = now - RETENTION if since is None else max(since, now - RETENTION)
        result: list[Outgoing] = []
        for demo_id, spec in self._demo.items():
            if not self._live(spec):
                continue
            with self._locks[demo_id]:
                schedule = self._schedule(demo_id)
            participants = () if spec.to_all else tuple(schedule.participants)
            # A re-post's last action is at most its last step: older re-posts cannot be listed.
            last_step = schedule.events[-1] if schedule.events else schedule.sent_at
            first = math.ceil((oldest - last_step - self._phases[demo_id]) / spec.period)
            current = self.cycle(demo_id, now)
            cycles = {*range(max(first, current - KEPT_REPOSTS + 1, 0), current + 1), self._aliases[demo_id]}
            for cycle in sorted(cycles):
                if not self._listed(demo_id, cycle, now):
                    continue
                timestamp, status = progress(schedule, self._start(demo_id, cycle), now)
                own = _repost_id(demo_id, cycle)
                shown = demo_id if self._aliases[demo_id] == cycle else own
                result.append(Outgoing(shown, timestamp, status, spec.type_message, participants, None, own))
        for id_message, items in self._loaded.items():
            if not items:
                continue
            timestamp = max(item.timestamp for item in items)
            furthest = max((item.status for item in items if item.status.is_known), key=_ORDER.index,
                           default=StatusValue.PENDING)  # fmt: skip
            participants = tuple(item.participant for item in items)
            result.append(Outgoing(id_message, timestamp, furthest, "extendedTextMessage", participants))
        cutoff = now - RETENTION
        return sorted((o for o in result if o.timestamp >= cutoff), key=lambda o: -o.timestamp)
