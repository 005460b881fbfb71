"""What one app instance of the mock holds (:class:`MockState`), built from its settings.

Why a module of its own: the gateway (:mod:`._app`) and the handlers (:mod:`._handlers`) both act on it; kept
in the gateway's module, the handlers' annotations imported the gateway that imports them (an import circle,
``tests/test_no_import_circles.py``). Now both import this, and it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from greenstat_ext._spec import operations

from ._faults import FaultInjector
from ._journal import contacts
from ._posted import PostedStatuses
from ._ratelimit import GatewayRateLimit
from ._settings import MockSettings
from ._state import Clock, MessageStore, monotonic_wall_clock
from ._stats import MockStats

__all__ = ["MockState"]


def _audience_bound() -> int | None:
    """The most contacts a status posted without ``participants`` goes to: the smallest ``maxItems`` of the
    ``participants`` of the operations that create a status (``x-creates: status``), None without one.

    Why from the spec's effects and not one send's name: any send added to the spec bounds it too.
    """
    bounds = [
        member.max_items
        for spec in operations().values()
        if spec.creates == "status"
        for member in spec.body
        if member.name == "participants" and member.max_items is not None
    ]
    return min(bounds) if bounds else None


_PARTICIPANTS_MAX_ITEMS: Final = _audience_bound()


@dataclass(frozen=True, eq=False)
class MockState:
    """Everything one app instance holds: its settings, data, posted statuses, limiter, fault injector and
    hit counters."""

    settings: MockSettings
    clock: Clock
    store: MessageStore
    posted: PostedStatuses
    limiter: GatewayRateLimit
    faults: FaultInjector
    stats: MockStats

    @classmethod
    def from_settings(cls, settings: MockSettings) -> MockState:
        clock = settings.clock or monotonic_wall_clock()
        store = MessageStore(seed=settings.seed, clock=clock, data=settings.data)
        # A status posted without participants goes to every contact: the seeded ones (at most the spec's
        # maxItems of participants).
        audience = [contact.chat_id for contact in contacts(settings.seed)]
        audience = audience[: _PARTICIPANTS_MAX_ITEMS or len(audience)]
        return cls(
            settings=settings,
            clock=clock,
            store=store,
            posted=PostedStatuses(seed=settings.seed, clock=clock, contacts=audience, reserved=store),
            limiter=GatewayRateLimit(settings.rate_limit, clock),
            faults=FaultInjector(settings.faults),
            stats=MockStats(),
        )
