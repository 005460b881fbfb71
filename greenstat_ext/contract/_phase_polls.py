"""The known status read over the run: at the start, after each operation, and ``--polls`` times at the end.

The answers are judged in :meth:`._core._Core._observe` like every other 200 answer of the status (any
phase, in arrival order); this module only decides when to read it."""

from __future__ import annotations

import time

from ._checks import TEMPORAL_CHECKS
from ._core import _Core
from ._http import json_of

__all__ = ["_PollsPhase"]


class _PollsPhase(_Core):
    def _poll(self) -> None:
        """Read the known status once more (``_observe`` judges it against every earlier answer)."""
        if not self.kit_checks & set(TEMPORAL_CHECKS):
            return
        current = self.operation
        try:
            for operation, query in self._polled():
                self.operation = operation
                case = operation.api.Case(path_parameters=self.credentials, query=query)
                response = self._call_with_retries("poll", "recipient_state_monotonic", case)
                self._last_poll = time.monotonic()
                if response is None:
                    continue
                self._count("poll", response.status_code)
                self._judge(case, response, "poll")
                body = json_of(response)
                if response.status_code == 200 and isinstance(body, list):
                    with self._lock:
                        self.report.polls += 1
                        self._poll_recipients += len(body)
        finally:
            self.operation = current

    def _final_polls(self) -> None:
        """The last polls, ``poll_interval`` apart, until the status was read ``polls`` times."""
        if not self.kit_checks & set(TEMPORAL_CHECKS) or not self._polled():
            return
        attempts = 0
        while self.report.polls < self.polls and attempts < 2 * self.polls and self._stopped is None:
            attempts += 1
            wait = self._last_poll + self.poll_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._poll()
