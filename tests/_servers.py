"""Serve a Starlette app with uvicorn on 127.0.0.1 for a test, and stop it afterwards.

Why a real server: the kit's job is to talk HTTP to someone else's implementation, so the tests exercise the
same path (sockets, headers, content types) a user's run does, not an in-process shortcut.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from greenstat_ext.mock import DEMO_MESSAGES, AppServer, MessageStore
from greenstat_ext.mock._server import bind_loopback


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


def mid_cycle_clock(id_message: str, seed: int = 0) -> Callable[[], float]:
    """A mock clock running at real speed from the middle of demo status ``id_message``'s current cycle.

    Why: the mock re-posts each demo status every ``period`` seconds under the same idMessage, its recipients
    starting over from ``pending``; a contract run that straddles that moment sees states go back and fails
    ``recipient_state_monotonic`` (rightly: the spec says states only move forward). A test about something
    else starts a third into a cycle, so its few seconds never straddle one.
    """
    store = MessageStore(seed=seed, clock=time.time)
    period = DEMO_MESSAGES[id_message].period
    start = store.cycle_start(id_message, time.time()) + period / 3
    origin = time.monotonic()
    return lambda: start + (time.monotonic() - origin)
