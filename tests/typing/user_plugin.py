"""A user's plugin module, typed as docs/plugins.md shows it: `make typecheck` runs `mypy --strict` on it
(and tests/plugins/test_typing.py checks that mypy refuses a plugin with the wrong signatures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import assert_type

from greenstat_ext import AsyncGreenStat, GreenStat
from greenstat_ext.plugins import AttemptFinished, AttemptStarted, CallFinished, Event, Outcome, Plugin


class RateLimitCounter(Plugin):
    """Subclasses the protocol: inherits the no-op ``request_headers``."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def on_event(self, event: Event) -> None:
        if isinstance(event, AttemptFinished) and event.status_code == 429:
            self.counts[event.operation.operation_id] += 1
        if isinstance(event, CallFinished):
            assert_type(event.outcome, Outcome)
            assert_type(event.retries, int)


class TeamHeader:
    """Matches the protocol structurally, without subclassing it."""

    def on_event(self, event: Event) -> None:
        return None

    def request_headers(self, event: AttemptStarted) -> Mapping[str, str] | None:
        return {"X-Team": "statuses"} if event.attempt == 1 else None


def usage() -> None:
    client = GreenStat(id_instance=1, api_token="abc123def", plugins=[RateLimitCounter(), TeamHeader()])
    assert_type(client.plugins, tuple[Plugin, ...])
    assert_type(client.with_options(plugins=[]), GreenStat)
    AsyncGreenStat(id_instance=1, api_token="abc123def", plugins=(TeamHeader(),))
