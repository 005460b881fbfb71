"""``greenstat monitor --instances FILE``: the instances one process watches, each with its own budget.

Why a file and not repeated flags: tokens do not belong in a process list (``ps`` shows argv to every
user). One line per instance, ``ID_INSTANCE TOKEN [API_URL]``, blank lines and ``#`` comments ignored. The
file is hostile until bounded: at most :data:`MAX_BYTES` and :data:`MAX_INSTANCES`; an error names the line
and what is wrong with it, never the token.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from ._common import EXIT_USAGE, fail

if TYPE_CHECKING:
    from .._credentials import Credentials

__all__ = ["MAX_INSTANCES", "read_instances"]

MAX_BYTES: Final = 1 << 20
MAX_INSTANCES: Final = 1000
"""Far beyond what one process serves (docs/scaling.md measures it); a bigger fleet is partitioned."""


def read_instances(command: str, path: Path, default_api_url: str | None) -> list[Credentials]:
    """The credentials in ``path``; ``default_api_url`` (``--api-url`` / ``GREEN_API_URL``) for lines
    without one. Exits with a usage error on any bad line."""
    from .._credentials import Credentials
    from .._errors import ConfigurationError

    flag = "--instances"
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        fail(command, f"{flag}: cannot read {path}: {exc.strerror or exc}", EXIT_USAGE)
    if len(raw) > MAX_BYTES:
        fail(command, f"{flag}: {path} is larger than {MAX_BYTES} bytes", EXIT_USAGE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        fail(command, f"{flag}: {path} is not UTF-8 text", EXIT_USAGE)
    found: list[Credentials] = []
    seen: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        where = f"{flag}: {path}, line {number}"
        if len(fields) not in (2, 3):
            fail(
                command,
                f"{where}: expected ID_INSTANCE TOKEN [API_URL], got {len(fields)} field(s)",
                EXIT_USAGE,
            )
        api_url = fields[2] if len(fields) == 3 else default_api_url
        try:
            credentials = Credentials.resolve(fields[0], fields[1], api_url or None, environ={})
        except ConfigurationError as exc:  # its message describes the shape, never the value
            fail(command, f"{where}: {exc}", EXIT_USAGE)
        key = (credentials.id_instance, credentials.api_url)
        if key in seen:
            fail(command, f"{where}: instance {credentials.id_instance} is listed twice", EXIT_USAGE)
        seen.add(key)
        found.append(credentials)
        if len(found) > MAX_INSTANCES:
            fail(
                command,
                f"{flag}: more than {MAX_INSTANCES} instances: partition them across processes",
                EXIT_USAGE,
            )
    if not found:
        fail(
            command,
            f"{flag}: {path} lists no instance (one per line: ID_INSTANCE TOKEN [API_URL])",
            EXIT_USAGE,
        )
    return found
