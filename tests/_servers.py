"""Serve a Starlette app with uvicorn on 127.0.0.1 for a test, and stop it afterwards.

Why a real server: the kit's job is to talk HTTP to someone else's implementation, so the tests exercise the
same path (sockets, headers, content types) a user's run does, not an in-process shortcut.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from greenstat_ext.mock import AppServer
from greenstat_ext.mock._server import bind_loopback
from greenstat_ext.mock._state import mid_cycle_clock as mid_cycle_clock  # the tests import it from here


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with bind_loopback() as sock:
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run ``app`` on a free loopback port in a thread; yield its base URL."""
    with AppServer(app) as server:
        yield server.base_url
