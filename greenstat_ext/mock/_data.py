"""Loading ``--data`` files: the statuses a user wants the mock to serve instead of the demo ones.

Why the wire format: the file maps each ``idMessage`` to exactly the JSON array the API answers, so a real
response can be pasted in as is. Why so strict: the mock is the reference implementation, so it must never
serve a body that breaks ``openapi.yaml`` -- with one deliberate exception: a ``status`` outside today's
enum is served as given (bounded), to try a client's forward compatibility (the spec asks clients to
tolerate new values; the start-up banner says how many such recipients a file has). A bad file is
refused at start-up with a message that names the entry (``"BAE5F4886F6F2D05"[3]``) and the member
(``$.timestamp``), never later with a 500.
"""

from __future__ import annotations

import json
import os
import stat
from os import PathLike
from typing import Any

import msgspec

from greenstat_client.models import StatusStatistic
from greenstat_ext._spec import parameter

__all__ = [
    "ID_MESSAGE_MAX_LENGTH",
    "MAX_DATA_FILE_BYTES",
    "MAX_UNKNOWN_STATUS_LENGTH",
    "DataFileError",
    "load_data",
    "parse_data",
]

ID_MESSAGE_MAX_LENGTH = parameter("getStatusStatistic", "idMessage").length_bounds[1]
#: An unknown ``status`` (what a newer API might send) is served as given, so clients' forward compatibility
#: can be tried against the mock (the spec asks clients to tolerate new values). Bounded as a name, not a
#: payload: this is the mock's own limit, not the spec's (the spec's enum has no length).
MAX_UNKNOWN_STATUS_LENGTH = 64
"""The spec's bound on ``idMessage`` (characters)."""

MAX_DATA_FILE_BYTES = 256 * 1024 * 1024
"""The largest ``--data`` file read (256 MiB: ~3.4 million recipients). Why a cap: the whole file is decoded
in memory, and a path like ``/dev/zero`` or a wrong multi-GB file would otherwise be read until memory runs
out instead of being refused."""


class DataFileError(ValueError):
    """A ``--data`` file that cannot be served; the message names the file and the bad entry."""


def _size(count: int) -> str:
    mib = 1024 * 1024
    return f"{count // mib} MiB" if count % mib == 0 else f"{count} bytes"


def _entry(id_message: str, index: int) -> str:
    return f"{json.dumps(id_message)}[{index}]"


def parse_data(document: Any, *, source: str = "data") -> dict[str, list[StatusStatistic]]:
    """Validate a decoded document ``{idMessage: [StatusStatistic, ...]}`` against the spec."""
    if not isinstance(document, dict):
        raise DataFileError(
            f"{source}: expected a JSON object mapping idMessage to an array of recipients, "
            f"got {type(document).__name__}"
        )
    result: dict[str, list[StatusStatistic]] = {}
    for id_message, items in document.items():
        key = json.dumps(id_message)
        if not 1 <= len(id_message) <= ID_MESSAGE_MAX_LENGTH:
            raise DataFileError(
                f"{source}: idMessage {key[:40]}: must be 1 to {ID_MESSAGE_MAX_LENGTH} characters"
            )
        if not isinstance(items, list):
            raise DataFileError(
                f"{source}: {key}: expected an array of recipients, got {type(items).__name__}"
            )
        seen: dict[str, int] = {}
        parsed: list[StatusStatistic] = []
        for index, item in enumerate(items):
            where = f"{source}: {_entry(id_message, index)}"
            if not isinstance(item, dict):
                raise DataFileError(f"{where}: expected an object, got {type(item).__name__}")
            try:
                statistic = StatusStatistic.from_dict(item)
            except msgspec.ValidationError as exc:
                raise DataFileError(f"{where}: {exc}") from None
            status = str(statistic.status.value)
            if not statistic.status.is_known and not (
                0 < len(status) <= MAX_UNKNOWN_STATUS_LENGTH and status.isprintable()
            ):
                raise DataFileError(
                    f"{where}: status {status[:40]!r}: a value other than pending, sent, delivered, read "
                    f"must be 1 to {MAX_UNKNOWN_STATUS_LENGTH} printable characters"
                )
            if statistic.participant in seen:
                raise DataFileError(
                    f"{where}: participant {statistic.participant!r} already listed at "
                    f"{_entry(id_message, seen[statistic.participant])}"
                )
            seen[statistic.participant] = index
            parsed.append(statistic)
        result[id_message] = parsed
    return result


def load_data(path: str | PathLike[str]) -> dict[str, list[StatusStatistic]]:
    """Read and validate a ``--data`` file; raises :class:`DataFileError` with a one-line explanation.

    Why a regular file only, checked before it is opened and again on the open descriptor: opening a FIFO
    blocks until a writer comes (the command would hang before serving anything), and a device such as
    ``/dev/zero`` is endless. ``O_NONBLOCK`` makes the open itself return even if the path was swapped for a
    FIFO in between; the descriptor's own ``fstat`` is then what decides.
    """
    source = str(path)
    limit = MAX_DATA_FILE_BYTES
    not_regular = DataFileError(f"{source}: not a regular file (a FIFO, device or directory cannot be read)")
    too_big = DataFileError(f"{source}: larger than {_size(limit)}, the most a --data file may hold")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise not_regular
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise not_regular
            if info.st_size > limit:
                raise too_big  # refused before reading a byte
            raw = file.read(limit + 1)  # at most limit + 1 bytes, should the file grow while it is read
    except OSError as exc:
        raise DataFileError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise too_big
    try:
        document = msgspec.json.decode(raw)
        return parse_data(document, source=source)
    except msgspec.DecodeError as exc:
        raise DataFileError(f"{source}: not valid JSON: {exc}") from None
    except UnicodeDecodeError as exc:  # msgspec decodes strings as UTF-8 and raises this bare
        raise DataFileError(f"{source}: not valid UTF-8 (byte {exc.start}: {exc.reason})") from None
    except RecursionError:  # e.g. 100,000 nested arrays: msgspec's decoder recurses per level
        raise DataFileError(f"{source}: JSON nested too deeply to be a --data file") from None
