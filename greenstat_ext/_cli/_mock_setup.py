"""``greenstat mock``'s validation: every flag becomes the mock's settings, or a one-line usage error.

Why a module of its own: the checks run before the server starts (a typo is exit code 2, never a
traceback from inside uvicorn) and are tested without serving anything. The mock's own modules are
imported inside each function, after :func:`require_extra`: the ``mock`` extra may be missing.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ._common import fail
from ._extras import missing_extra

if TYPE_CHECKING:
    from greenstat_client.models import StatusStatistic
    from greenstat_ext.mock import FaultSettings, MockSettings

__all__ = ["fault_settings", "listen", "load", "require_extra", "settings_of"]


def require_extra() -> None:
    """Fail with an install hint, before any work, when the ``mock`` extra is missing."""
    try:
        import greenstat_ext.mock  # noqa: F401
    except ImportError as exc:  # starlette/uvicorn come with greenstat[mock]
        raise missing_extra("mock", "mock", exc) from None


def fault_settings(
    rate: float, kinds: list[str] | None, seed: int, retry_after: int, delay: float
) -> FaultSettings:
    from greenstat_ext.mock import FaultSettings

    try:
        return FaultSettings(
            rate=rate,
            seed=seed,
            kinds=tuple(kinds) if kinds else FaultSettings().kinds,
            retry_after=retry_after,
            delay=delay,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--faults' / '--fault-kind'") from None


def load(data: Path | None) -> dict[str, list[StatusStatistic]] | None:
    from greenstat_ext.mock import DataFileError, load_data

    if data is None:
        return None
    try:
        return load_data(data)
    except DataFileError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--data'") from None


def settings_of(*, id_instance: int | None, token: str | None, seed: int, rate_limit: float | None,
              faults: FaultSettings, quota_exceeded: bool, beta_access: bool,
              data: dict[str, list[StatusStatistic]] | None) -> MockSettings:  # fmt: skip
    from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockSettings

    try:
        return MockSettings(
            id_instance=id_instance if id_instance is not None else DEMO_ID_INSTANCE,
            token=token if token is not None else DEMO_TOKEN,
            seed=seed,
            rate_limit=rate_limit,
            faults=faults,
            quota_exceeded=quota_exceeded,
            beta_access=beta_access,
            data=data,
        )
    except ValueError as exc:  # never the token itself: MockSettings does not echo it
        raise typer.BadParameter(str(exc)) from None


def listen(host: str, port: int) -> socket.socket:
    from greenstat_ext.mock._server import bind_loopback

    try:
        return bind_loopback(host, port)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--host'") from None
    except OSError as exc:
        busy = " (another mock? --port 0 picks a free port)" if exc.errno == errno.EADDRINUSE else ""
        fail("mock", f"cannot listen on {host}:{port}: {exc.strerror or exc}{busy}", 1)
