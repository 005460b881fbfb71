"""The monitor's events: what they are called, how their ids are made, and their JSON form.

Why ids derived from the transition, not random: an event may be delivered more than once (the outbox is
at-least-once: a kill -9 between a receiver's 200 and our commit sends it again). A receiver deduplicates by
``id``, which is only possible if the same transition always yields the same id, across restarts and even
across two stores fed from the same account. So an id is a hash of (instance, status, type, recipient): a
recipient reads a status once, a status is posted, deleted and final once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import msgspec

__all__ = [
    "EVENT_TYPES",
    "STATE_RANK",
    "Event",
    "EventType",
    "event_id",
]

EventType = Literal[
    "status.posted", "status.deleted", "status.final", "recipient.delivered", "recipient.read"
]
EVENT_TYPES: Final[tuple[EventType, ...]] = (
    "status.posted",
    "status.deleted",
    "status.final",
    "recipient.delivered",
    "recipient.read",
)

STATE_RANK: Final[dict[str, int]] = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
"""How far a recipient has come. Values outside it (``failed``, ``noAccount``, a future one) are recorded
in the store but give no event: nothing says where they sit in the order."""


def event_id(instance_id: int, id_message: str, type_: str, participant: str = "") -> str:
    """The stable id of one transition: ``evt_`` and 32 hex digits of a SHA-256 over its identity."""
    key = "\x00".join((str(instance_id), id_message, type_, participant)).encode()
    return "evt_" + hashlib.sha256(key).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Event:
    """One event: ``occurred_at`` is the API's timestamp of the change (UNIX seconds) when it gave one,
    ``observed_at`` when the monitor first saw it (its clock). ``data`` depends on ``type`` (docs/monitor.md).
    Holds the instance id, never its token."""

    type: EventType
    instance_id: int
    id_message: str
    occurred_at: int | None
    observed_at: float
    data: dict[str, Any] = field(default_factory=dict)
    participant: str = ""
    id: str = field(init=False, compare=False)
    """The stable id (:func:`event_id`), computed once: the store and the sinks read it several times."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "id", event_id(self.instance_id, self.id_message, self.type, self.participant)
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object delivered (JSON lines, webhook ``data.events`` items); see docs/monitor.md."""
        body: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "instance": self.instance_id,
            "status": self.id_message,
            "occurred_at": self.occurred_at,
            "observed_at": round(self.observed_at, 3),
        }
        if self.participant:
            body["participant"] = self.participant
        if self.data:
            body["data"] = self.data
        return body

    def encode(self) -> bytes:
        return msgspec.json.encode(self.to_json())
