"""``greenstat_ext.monitor``: who saw my statuses, as events and history (docs/monitor.md).

A long-running, async poller over the public :class:`~greenstat_ext.AsyncGreenStat` client: discovers the
account's statuses (``getOutgoingStatuses``), polls the live ones (``getStatusStatistic``) where change is
likely (:class:`Scheduler`), keeps every transition in a SQLite :class:`Store`, and delivers events (JSON
lines, Standard Webhooks) from an outbox committed with the observation that produced them. Needs the
``monitor`` extra (``standardwebhooks``, ``platformdirs``) only for webhooks and the default store path.
"""

from ._delivery import (
    DEFAULT_BATCH,
    DEFAULT_MAX_ATTEMPTS,
    Backoff,
    Deliverer,
    JsonLinesSink,
    SendResult,
    Sink,
    WebhookSink,
)
from ._diff import diff_recipients, final_counts
from ._events import EVENT_TYPES, STATE_RANK, Event, EventType, event_id
from ._lock import StoreLockedError
from ._monitor import DEFAULT_FINAL_AFTER, Monitor, MonitorSettings, StepReport
from ._scheduler import DEFAULT_MAX_INTERVAL, RoundRobin, Scheduler
from ._store import (
    DEFAULT_KEEP_DAYS,
    MIGRATIONS,
    SCHEMA_VERSION,
    DeadLetter,
    Observation,
    OutboxItem,
    StatusRow,
    Store,
    StoreError,
    TransitionRow,
    default_db_path,
)

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_FINAL_AFTER",
    "DEFAULT_KEEP_DAYS",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_INTERVAL",
    "EVENT_TYPES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATE_RANK",
    "Backoff",
    "DeadLetter",
    "Deliverer",
    "Event",
    "EventType",
    "JsonLinesSink",
    "Monitor",
    "MonitorSettings",
    "Observation",
    "OutboxItem",
    "RoundRobin",
    "Scheduler",
    "SendResult",
    "Sink",
    "StatusRow",
    "StepReport",
    "Store",
    "StoreError",
    "StoreLockedError",
    "TransitionRow",
    "WebhookSink",
    "default_db_path",
    "diff_recipients",
    "event_id",
    "final_counts",
]
