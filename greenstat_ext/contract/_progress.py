"""Where a contract run is, while it runs: a progress bar on a terminal, plain lines in a CI log.

Why two forms: a paced run against Green API lasts minutes. On a terminal a bar (phase, operation, requests
sent, 200s and 429s) redraws in place; in a CI log a bar prints nothing useful (rich draws none when the
stream is not a terminal), and a run that prints nothing for minutes looks hung. So when stderr or stdout is
not a terminal the kit prints one line to stderr each time an operation's share or one of its phases starts
or finishes, with that phase's counts: greppable, timestamped from the run's start, never the token (the
lines hold operation and phase names and numbers only).

The callbacks come from the operations' threads (the runner calls them under its lock); the printer takes a
lock of its own as well, so a line is never interleaved with another.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ._defaults import ProgressEvent

__all__ = ["ProgressLines", "progress_reporter"]


class ProgressLines:
    """Turns the runner's events into lines: ``[  12.3 s] getStatusStatistic: coverage finished: 37
    requests (200: 10, 429: 0)``. A phase's "finished" line comes when the thread sending it moves on to
    another phase or operation, finishes its operation's share, or the run ends (:meth:`close`)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        # By thread (each does one thing at a time): the operation and phase of its last answer, and that
        # phase's counts so far. An operation's thread also polls the known status of another operation.
        self._phase: dict[int, tuple[str, str]] = {}
        self._counts: dict[int, Counter[str]] = {}

    def __call__(self, event: ProgressEvent) -> None:
        with self._lock:
            if event.kind == "answer":
                self._answer(event)
            elif event.kind == "started":
                # The operations' threads start once the main thread's own phases (the credentials, the
                # first poll) are done: those are finished now, not at the end of the run.
                self._end_phase(threading.main_thread().ident or 0)
                self._line(event.operation, f"started: {event.sent} cases planned")
            elif event.kind == "finished":
                self._end_phase(threading.get_ident())
                self._line(
                    event.operation,
                    f"finished: {event.sent} requests (200: {event.ok}, 429: {event.rate_limited})",
                )

    def close(self) -> None:
        """The run ended (or was interrupted): the phases still open are finished."""
        with self._lock:
            for key in list(self._phase):
                self._end_phase(key)

    def _answer(self, event: ProgressEvent) -> None:
        key = threading.get_ident()
        if self._phase.get(key) != (event.operation, event.phase):
            self._end_phase(key)
            self._phase[key] = (event.operation, event.phase)
            self._counts[key] = Counter()
            self._line(event.operation, f"{event.phase} started")
        counts = self._counts[key]
        counts["sent"] += 1
        counts["ok"] += event.status == 200
        counts["limited"] += event.status == 429

    def _end_phase(self, key: int) -> None:
        current = self._phase.pop(key, None)
        if current is None:
            return
        operation, phase = current
        counts = self._counts.pop(key)
        self._line(
            operation,
            f"{phase} finished: {counts['sent']} requests (200: {counts['ok']}, 429: {counts['limited']})",
        )

    def _line(self, operation: str, text: str) -> None:
        elapsed = self._clock() - self._started
        print(f"[{elapsed:7.1f} s] {operation}: {text}", file=self._stream, flush=True)


@contextmanager
def progress_reporter(console: Console) -> Iterator[Callable[[ProgressEvent], None]]:
    """A progress bar when both stdout (``console``) and stderr are terminals; progress lines on stderr
    otherwise (a CI log, a pipe)."""
    bar_console = Console(stderr=True)
    if not (console.is_terminal and bar_console.is_terminal):
        lines = ProgressLines(sys.stderr)
        try:
            yield lines
        finally:
            lines.close()
        return
    columns = (
        TextColumn("[bold]{task.fields[phase]}[/bold] {task.fields[operation]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("200: {task.fields[ok]}  429: {task.fields[limited]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=bar_console, transient=True) as progress:
        task = progress.add_task("run", total=None, phase="start", operation="", ok=0, limited=0)

        def update(event: ProgressEvent) -> None:
            if event.kind != "answer":
                return
            progress.update(
                task,
                completed=event.sent,
                total=event.planned,
                phase=event.phase,
                operation=event.operation,
                ok=event.ok,
                limited=event.rate_limited,
            )

        yield update
