"""The mock's data: which statuses exist, who received them, and how each recipient progresses.

Why a schedule instead of a stored state: a recipient's state is a pure function of the clock. Each
recipient gets, once, the times at which it reaches ``sent``, ``delivered`` and ``read`` (or never does).
Answering a request is then "which of these times have passed", so polling shows change, states only ever
move forward, timestamps never go back, and the whole thing is reproducible from ``seed`` alone.

The clock is wall time anchored to a monotonic clock at start-up, so a wall-clock jump (NTP, DST) can
never make a timestamp go backwards. Tests inject their own clock.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

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

    ``age`` is how long before the server started the status was sent; ``pace`` the mean number of seconds
    between two steps of one recipient. ``mixed`` guarantees every state is present at start-up (recipient
    ``i`` starts in state ``i % 4``) instead of drawing the start states at random.
    """

    description: str
    recipients: int
    age: float
    pace: float
    mixed: bool = False


DEMO_MESSAGES: Mapping[str, DemoMessage] = MappingProxyType(
    {
        "BAE5F4886F6F2D05": DemoMessage(
            "12 recipients, all four states at start-up, moving on over a few minutes",
            recipients=12,
            age=120.0,
            pace=90.0,
            mixed=True,
        ),
        "3EB0C767D097B7C7C030": DemoMessage(
            "100,000 recipients (for benchmarks), realistic mix, moving on over ~10 minutes",
            recipients=100_000,
            age=600.0,
            pace=300.0,
        ),
        "F7AEC1B7086ECDC7E6E45923F5EDB825": DemoMessage(
            "20 recipients, all pending at start-up, most read within ~1 minute (for --watch demos)",
            recipients=20,
            age=0.0,
            pace=6.0,
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


def monotonic_wall_clock() -> Clock:
    """A clock that reads wall time once, then only advances with the monotonic clock."""
    wall0, mono0 = time.time(), time.monotonic()
    return lambda: wall0 + (time.monotonic() - mono0)


class _Schedule:
    """Columns of per-recipient step times (``inf`` = never), for a status sent at ``sent_at``."""

    __slots__ = ("delivered", "participants", "read", "sent", "sent_at")

    def __init__(self, sent_at: float, participants: list[str], sent: list[float], delivered: list[float],
                 read: list[float]) -> None:  # fmt: skip
        self.sent_at = sent_at
        self.participants = participants
        self.sent = sent
        self.delivered = delivered
        self.read = read


def _generate(id_message: str, spec: DemoMessage, seed: int, started: float) -> _Schedule:
    rng = random.Random(f"{seed}:{id_message}")  # noqa: S311 - str seeds hash with SHA-512: stable
    n = spec.recipients
    sent_at = started - spec.age
    # Unique chat ids: a sample without replacement of 10-digit subscriber numbers (+7 9xx ...).
    numbers = rng.sample(range(9_000_000_000, 10_000_000_000), n)
    participants = [f"7{number}@c.us" for number in numbers]
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
        # Steps already reached are spread over (sent_at, started]; later ones lie in the future.
        past = sorted(sent_at + rand() * spec.age for _ in range(start_index))
        times: list[float] = [*past]
        t = started
        while len(times) < 3:
            t += expo(1.0 / pace)
            times.append(t)
        stop = rand()
        if stop < _P_STOP_AT_SENT and start_index <= 1:
            times[1] = times[2] = _NEVER
        elif stop < _P_STOP_AT_SENT + _P_STOP_AT_DELIVERED and start_index <= 2:
            times[2] = _NEVER
        sent.append(times[0])
        delivered.append(times[1])
        read.append(times[2])
    return _Schedule(sent_at, participants, sent, delivered, read)


def _render(schedule: _Schedule, now: float) -> tuple[bytes, float]:
    """The JSON body at ``now``, and the time until which it stays the same."""
    items: list[StatusStatistic] = []
    append = items.append
    next_change = _NEVER
    sent_at = int(schedule.sent_at)
    pending, sent_v, delivered_v, read_v = _ORDER
    for participant, t_sent, t_delivered, t_read in zip(
        schedule.participants, schedule.sent, schedule.delivered, schedule.read, strict=True
    ):
        if t_read <= now:
            append(StatusStatistic(participant=participant, timestamp=int(t_read), status=read_v))
            continue
        if t_delivered <= now:
            append(StatusStatistic(participant=participant, timestamp=int(t_delivered), status=delivered_v))
            upcoming = t_read
        elif t_sent <= now:
            append(StatusStatistic(participant=participant, timestamp=int(t_sent), status=sent_v))
            upcoming = t_delivered
        else:
            append(StatusStatistic(participant=participant, timestamp=sent_at, status=pending))
            upcoming = t_sent
        if upcoming < next_change:
            next_change = upcoming
    return msgspec.json.encode(items), next_change


_EMPTY = b"[]"
_RETENTION = 30 * 86_400.0


_STEP = 1.0
"""Bodies are computed for whole seconds: the answer at ``t`` is the state at ``floor(t)``. Why: the
100,000-recipient status has a recipient changing state every few milliseconds for its first hour, so a
body valid "until the next change" was rebuilt (~100 ms of Python) on almost every request; per whole second
it is built at most once a second whatever the request rate, and ``timestamp`` is whole seconds anyway."""


class MessageStore:
    """Answers "the body for this ``idMessage`` now": demo statuses generated lazily, plus loaded data.

    Bodies are cached until the next recipient changes state (at whole-second resolution, see
    :data:`_STEP`), so repeated polls of a 100,000-recipient status cost a dictionary look-up, and each body
    is built at most once per second, by one thread (the others wait for it and share the result). Loaded
    ``data`` is served as given (it does not progress). :meth:`cached_body` is the non-blocking look-up the
    app tries first; :meth:`body` may build, so the app calls it off the event loop.
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
        self._started = clock()
        self._demo = dict(demo)
        self._static: dict[str, bytes] = {}
        for id_message, items in (data or {}).items():
            self._demo.pop(id_message, None)
            self._static[id_message] = msgspec.json.encode(list(items))
        self._schedules: dict[str, _Schedule] = {}
        self._cache: dict[str, tuple[bytes, float]] = {}  # idMessage -> (body, next change)
        # One lock per demo message (a fixed, small set): a build of one never delays another.
        self._locks = {id_message: threading.Lock() for id_message in self._demo}
        self.renders = 0
        """Bodies built so far (tests prove "at most once per second" with it)."""

    @property
    def started(self) -> float:
        """UNIX time at which the store was created (the demo statuses' ages count back from it)."""
        return self._started

    def known(self) -> list[str]:
        """Every ``idMessage`` that answers something other than ``[]`` (or is a documented demo)."""
        return [*self._static, *self._demo]

    def _step(self) -> float:
        return math.floor(self._clock() / _STEP) * _STEP

    def cached_body(self, id_message: str) -> bytes | None:
        """The body for ``id_message`` now if it needs no building (static, ``[]`` or cached), else None."""
        static = self._static.get(id_message)
        if static is not None:
            return static
        spec = self._demo.get(id_message)
        if spec is None or spec.recipients == 0 or spec.age > _RETENTION:
            return _EMPTY
        cached = self._cache.get(id_message)
        if cached is not None and self._step() < cached[1]:
            return cached[0]
        return None

    def body(self, id_message: str) -> bytes:
        """The JSON array answered for ``id_message`` now (``[]`` when unknown or expired); may build it."""
        ready = self.cached_body(id_message)
        if ready is not None:
            return ready
        with self._locks[id_message]:  # one build per message and step, even if threads race
            ready = self.cached_body(id_message)  # built by the thread we waited for
            if ready is not None:
                return ready
            schedule = self._schedules.get(id_message)
            if schedule is None:
                schedule = _generate(id_message, self._demo[id_message], self._seed, self._started)
                self._schedules[id_message] = schedule
            body, next_change = _render(schedule, self._step())
            self._cache[id_message] = (body, next_change)
            self.renders += 1
            return body

    def snapshot(self, id_message: str) -> list[StatusStatistic]:
        """The decoded answer for ``id_message`` now (for tests and the CLI)."""
        return msgspec.json.decode(self.body(id_message), type=list[StatusStatistic])
