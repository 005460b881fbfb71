"""``greenstat report --db PATH``: the monitor's store as the report's memory.

Why: a report polls ``getStatusStatistic`` once per status at 1 request/s, so a 30-day report of 300
statuses takes five minutes. A status the monitor has seen to its end (final) cannot change any more: its
recipients' last states are in the store, and reading them costs nothing. So the report polls only what is
still live (or what the monitor never saw), and the store also gives what the API cannot: each status's
reach over time (:func:`._report_data.reach_of`), drawn in the HTML page.

The store is opened read-only (no lock: a monitor may be writing it; WAL lets both run), for the instance
of the credentials only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import EXIT_USAGE, fail
from ._report_data import Reach, reach_of

if TYPE_CHECKING:
    from greenstat_client.models import StatusStatistic

    from ..monitor import Store

__all__ = ["History"]


class History:
    """What the store knows of one instance's statuses; ``from_store`` counts the statuses it answered."""

    def __init__(self, path: Path, instance_id: int, command: str) -> None:
        from ..monitor import Store, StoreError

        try:
            self._store: Store = Store(path, readonly=True)
        except StoreError as exc:
            fail(command, f"--db: {exc}", EXIT_USAGE)
        self.instance_id = instance_id
        self.from_store = 0

    def final_recipients(self, id_message: str) -> list[StatusStatistic] | None:
        """The recipients of a status the monitor saw to its end; None when it must be polled."""
        from greenstat_client.models import StatusStatistic, StatusValue

        row = self._store.status(self.instance_id, id_message)
        if row is None or row.final_at is None or row.deleted_at is not None:
            return None
        recipients = self._store.recipients(self.instance_id, id_message)
        self.from_store += 1
        return [
            StatusStatistic(participant=participant, timestamp=api_ts, status=StatusValue(state))
            for participant, (state, api_ts) in sorted(recipients.items())
        ]

    def reach(self, id_messages: Iterable[str]) -> list[Reach]:
        """The reach curve of each status the store has transitions for, in the order given."""
        out: list[Reach] = []
        for id_message in id_messages:
            row = self._store.status(self.instance_id, id_message)
            if row is None:
                continue
            transitions = self._store.transitions(self.instance_id, id_message)
            recipients = len(self._store.recipients(self.instance_id, id_message))
            steps = [(t.participant, t.state, t.api_ts) for t in transitions]
            out.append(reach_of(id_message, row.posted_at, recipients, steps))
        return out

    def close(self) -> None:
        self._store.close()
