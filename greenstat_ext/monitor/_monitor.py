"""The monitor loop: discover statuses, poll the live ones, turn what changed into stored events, deliver.

Why one step at a time (:meth:`Monitor.step`): each step is one API call (a discovery or a poll), its
observation and events committed in one transaction, then a delivery round. Tests and the simulation in
``make bench`` drive steps with their own clock; :meth:`Monitor.run` loops them until told to stop. The
client's rate limiter paces the calls (the spec's ``x-rate-limit`` per operation), so the loop needs no
timer of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from .._client import AsyncGreenStat  # at run time too: typing.get_type_hints resolves the annotations
from .._spec import operation
from ._delivery import Deliverer
from ._diff import diff_recipients, final_counts
from ._events import Event
from ._scheduler import DEFAULT_MAX_INTERVAL, Scheduler
from ._store import DEFAULT_KEEP_DAYS, Observation, StatusRow, Store

__all__ = ["DEFAULT_FINAL_AFTER", "Monitor", "MonitorSettings", "StepReport"]

logger = logging.getLogger("greenstat.monitor")

DEFAULT_FINAL_AFTER: Final = 26 * 3600.0
"""WhatsApp shows a status for 24 hours; two more of grace for late reads, then it is final."""


def _max_minutes() -> int:
    """The journal's longest window: ``getOutgoingStatuses``' ``minutes`` maximum, from the spec."""
    bounds = operation("getOutgoingStatuses").parameter("minutes").bounds
    if bounds is None:  # pragma: no cover - the spec bounds every integer
        raise RuntimeError("the spec gives getOutgoingStatuses' minutes no bounds")
    return bounds[1]


_MAX_MINUTES: Final = _max_minutes()
_SKEW: Final = 600.0
"""Seconds of difference between the API's clock and this machine's that the deletion check tolerates: a
status is deemed deleted when unlisted although its last known action lies this far inside the window.
One nearer the window's edge is left to the poll, whose empty answer says it is gone."""


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    """``final_after``: seconds after posting when a status is final; ``discover_every``: seconds between
    two ``getOutgoingStatuses`` calls (one cycle); ``max_interval``: the scheduler's starvation bound;
    ``keep_days``: the store's retention."""

    final_after: float = DEFAULT_FINAL_AFTER
    discover_every: float = 60.0
    max_interval: float = DEFAULT_MAX_INTERVAL
    keep_days: float = DEFAULT_KEEP_DAYS

    def __post_init__(self) -> None:
        for name in ("final_after", "discover_every", "max_interval", "keep_days"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


@dataclass(slots=True)
class StepReport:
    """What one step did (the cycle's log line sums them)."""

    kind: str  # "discover", "poll", "idle"
    id_message: str = ""
    events: int = 0
    error: str = ""


@dataclass(slots=True)
class _Live:
    row: StatusRow
    recipients: dict[str, tuple[str, int]] = field(default_factory=dict)


class Monitor:
    """Watches one instance's statuses. ``client`` is an :class:`~greenstat_ext.AsyncGreenStat` (its limiter
    paces the calls); ``store`` the open :class:`Store`; ``deliverer`` drains the outbox (optional)."""

    def __init__(
        self,
        client: AsyncGreenStat,
        store: Store,
        *,
        deliverer: Deliverer | None = None,
        settings: MonitorSettings | None = None,
        clock: Callable[[], float] = time.time,
        scheduler: Scheduler[str] | None = None,
    ) -> None:
        self.client = client
        self.instance_id = int(client.credentials.id_instance)
        self.store = store
        self.deliverer = deliverer
        self.settings = settings or MonitorSettings()
        self.clock = clock
        self.scheduler: Scheduler[str] = scheduler or Scheduler(max_interval=self.settings.max_interval)
        self._sinks = [sink.name for sink in deliverer.sinks] if deliverer else []
        self._live: dict[str, _Live] = {}
        for row in store.statuses(live_only=True, instance_id=self.instance_id):
            self._live[row.id_message] = _Live(row, store.recipients(self.instance_id, row.id_message))
            self.scheduler.add(row.id_message)
        ended = [r for r in store.statuses(instance_id=self.instance_id) if r.id_message not in self._live]
        self._done: set[str] = {row.id_message for row in ended}
        self._final = sum(1 for row in ended if row.final_at is not None)
        self._next_discovery = -math.inf
        self._next_prune = -math.inf
        self.counters: dict[str, int] = {"polls": 0, "discoveries": 0, "events": 0, "errors": 0}
        # The outbox's figures as of the last step (store-wide: the store may serve several monitors).
        # Held here so that a reader in another thread (an OpenTelemetry metric reader's callbacks) never
        # touches the store's connection: refreshed at most once per second of the monitor's clock.
        self.pending = store.pending()
        self.dead_letters = store.dead_letter_count()
        self._next_outbox_count = -math.inf

    # -- what the log line and metrics show ----------------------------------------------------------------
    @property
    def live(self) -> int:
        """Statuses being watched (not final, not deleted)."""
        return len(self._live)

    @property
    def final(self) -> int:
        """Statuses of this instance seen to their end (``status.final``), in the store or this run."""
        return self._final

    # -- one step -------------------------------------------------------------------------------------------
    async def step(self) -> StepReport:
        """One API call and what follows from it; never raises for an API error (it is counted and logged)."""
        from .._errors import GreenStatError

        now = self.clock()
        if now >= self._next_prune:
            self.store.prune(now, self.settings.keep_days)
            self._next_prune = now + 3600
        try:
            if now >= self._next_discovery:
                self._next_discovery = now + self.settings.discover_every
                report = await self._discover()
            else:
                report = await self._poll_next()
        except GreenStatError as exc:  # redacted by the client: safe to log
            self.counters["errors"] += 1
            logger.warning("instance %d: a step failed: %s", self.instance_id, exc)
            report = StepReport("error", error=str(exc))
        if self.deliverer is not None:
            await self.deliverer.deliver(self.clock())
        now = self.clock()
        if now >= self._next_outbox_count:
            self._next_outbox_count = now + 1.0
            self.pending = self.store.pending()
            self.dead_letters = self.store.dead_letter_count()
        return report

    async def _discover(self) -> StepReport:
        minutes = min(_MAX_MINUTES, max(1, math.ceil(self.settings.final_after / 60)))
        listing = await self.client.get_outgoing_statuses(minutes=minutes)
        now = self.clock()
        self.counters["discoveries"] += 1
        obs = Observation.empty()
        listed: set[str] = set()
        for item in listing:
            listed.add(item.id_message)
            if item.id_message in self._live or item.id_message in self._done:
                continue
            if now - item.timestamp >= self.settings.final_after:
                continue  # already past its final time when first seen: nothing left to watch
            participants = item.participants if isinstance(item.participants, list) else []
            row = StatusRow(self.instance_id, item.id_message, str(item.type_message), len(participants),
                            int(item.timestamp), now, None, None, None)  # fmt: skip
            obs.new_statuses.append(row)
            data: dict[str, Any] = {"kind": row.kind, "audience": row.audience or "all"}
            obs.events.append(
                Event("status.posted", self.instance_id, row.id_message, row.posted_at, now, data)
            )
            self._live[row.id_message] = _Live(row)
            self.scheduler.add(row.id_message)
        window_start = now - minutes * 60
        for id_message, live in list(self._live.items()):
            # Listed no more though its last known action is inside the window: deleted.
            last = max((ts for _, ts in live.recipients.values()), default=live.row.posted_at)
            if id_message not in listed and last >= window_start + _SKEW and live.row.first_seen < now:
                self._mark_deleted(obs, id_message, now)
        self.store.commit(obs, self._sinks, now)
        self.counters["events"] += len(obs.events)
        return StepReport("discover", events=len(obs.events))

    def _mark_deleted(self, obs: Observation, id_message: str, now: float) -> None:
        obs.deleted.append((self.instance_id, id_message, now))
        obs.events.append(Event("status.deleted", self.instance_id, id_message, None, now))
        self._retire(id_message)

    def _retire(self, id_message: str) -> None:
        self._live.pop(id_message, None)
        self.scheduler.remove(id_message)
        self._done.add(id_message)

    async def _poll_next(self) -> StepReport:
        now = self.clock()
        due_final = [
            i for i, live in self._live.items() if now - live.row.posted_at >= self.settings.final_after
        ]
        id_message = due_final[0] if due_final else self.scheduler.next(now)
        if id_message is None:
            return StepReport("idle")
        return await self.poll(id_message)

    async def poll(self, id_message: str) -> StepReport:
        """Poll one live status now: diff, commit the observation with its events, teach the scheduler."""
        live = self._live[id_message]
        answer = await self.client.get_status_statistic(id_message)
        now = self.clock()
        self.counters["polls"] += 1
        obs = Observation.empty()
        if not answer and live.recipients:
            self._mark_deleted(obs, id_message, now)  # it had recipients: [] means it is gone
        else:
            items = [(item.participant, str(item.status), int(item.timestamp)) for item in answer]
            self._learn_posting_time(obs, live, min((ts for _, _, ts in items), default=None))
            changes, events = diff_recipients(self.instance_id, id_message, live.recipients, items, now)
            obs.states.extend(changes)
            obs.events.extend(events)
            for _, _, participant, state, api_ts, _ in changes:
                live.recipients[participant] = (state, api_ts)
            if now - live.row.posted_at >= self.settings.final_after:
                counts = final_counts(live.recipients)
                obs.final.append((self.instance_id, id_message, now, counts))
                data = {"counts": counts, "recipients": len(live.recipients)}
                obs.events.append(Event("status.final", self.instance_id, id_message, None, now, data))
                self._retire(id_message)
                self._final += 1
            else:
                open_ = sum(1 for state, _ in live.recipients.values() if state != "read")
                self.scheduler.observe(id_message, now, changes=len(changes), open_recipients=open_)
        self.store.commit(obs, self._sinks, now)
        self.counters["events"] += len(obs.events)
        return StepReport("poll", id_message, events=len(obs.events))

    def _learn_posting_time(self, obs: Observation, live: _Live, earliest: int | None) -> None:
        """Lower the status's posting time to the earliest timestamp a poll shows.

        Why: the journal's ``timestamp`` is the time of the status's *last action* (docs/spec.md), so the
        time taken at first sight is only an upper bound of the posting, late by as much as the recipients
        had already done (hours, for a monitor started late). Every recipient's timestamp is at or after the
        posting, and one still ``sent`` carries about the posting time itself: the least seen is the best
        bound there is, and the final time (``final_after`` after posting) follows it. Bounded below by
        ``final_after`` before first sight: a status older than that is final at once either way, and a
        server's nonsense (``0``) must not put a posting in 1970. ``status.posted`` keeps the time it was
        emitted with (an event never changes); the store's ``posted`` is corrected.
        """
        if earliest is None:
            return
        earliest = max(earliest, math.floor(live.row.first_seen - self.settings.final_after))
        if earliest < live.row.posted_at:
            live.row = dataclasses.replace(live.row, posted_at=earliest)
            obs.posted.append((self.instance_id, live.row.id_message, earliest))

    # -- the loop -------------------------------------------------------------------------------------------
    async def run(
        self, stop: asyncio.Event, *, on_cycle: Callable[[dict[str, int]], None] | None = None
    ) -> None:
        """Step until ``stop`` is set; after each discovery, report the cycle's counters to ``on_cycle``."""
        cycle = dict.fromkeys(("polls", "events"), 0)
        first = True
        while not stop.is_set():
            report = await self.step()
            if report.kind == "discover" and not first and on_cycle is not None:
                on_cycle(self.cycle_summary(cycle))
                cycle = dict.fromkeys(cycle, 0)
            first = False
            cycle["polls"] += report.kind == "poll"
            cycle["events"] += report.events
            if report.kind in ("idle", "error"):
                # Nothing to poll (or the API failed): wait, but wake at once on stop.
                with _suppress_timeout():
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    def cycle_summary(self, cycle: dict[str, int]) -> dict[str, int]:
        return {
            "live": self.live,
            "final": self._final,
            "polls": cycle["polls"],
            "events": cycle["events"],
            "pending": self.store.pending(),
            "dead": self.store.dead_letter_count(),
        }


class _suppress_timeout:  # used like contextlib.suppress(TimeoutError)
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> bool:
        return exc_type is not None and issubclass(exc_type, TimeoutError)
