"""A user's plugin as the docs describe it: records every event and the headers it added."""

from __future__ import annotations

from collections.abc import Mapping

from greenstat_ext.plugins import AttemptStarted, Event, Plugin


class Recording(Plugin):
    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self.events: list[Event] = []
        self.headers = headers

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    def request_headers(self, event: AttemptStarted) -> Mapping[str, str] | None:
        return self.headers

    def kinds(self) -> list[str]:
        return [type(event).__name__ for event in self.events]
