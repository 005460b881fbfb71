"""One writer per store file: an OS lock on ``<db>.lock``, held for the monitor's lifetime.

Why an OS lock, not a row in the database: the kernel releases it when the process dies, kill -9 included,
so a crashed monitor never leaves a stale lock that a human must clear, and two monitors started at the
same instant cannot both win (a check-then-write on a row would be a race).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

__all__ = ["StoreLock", "StoreLockedError"]


class StoreLockedError(RuntimeError):
    """Another process holds the store: a second monitor on the same file refuses to start."""


class StoreLock:
    """An exclusive, non-blocking lock on ``path`` (created if missing); the holder's pid is written in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - held until release()
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read(32).strip()
            handle.close()
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise StoreLockedError(
                f"the store {self.path.with_suffix('')} is in use by {who} (another greenstat monitor?); "
                "one monitor per store file: stop it, or give this one another --db"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
