"""Loopback addresses: which hosts are this machine, and whether a failure is "nothing listens here".

Why a module: three places ask the same question. The mock binds only to loopback; the retry policy gives
up at once on a connection refused by a loopback address (no wait makes a local server appear, and three
retries cost a new user 5 to 8 seconds of silence); and the CLI adds "is the mock running?" to the line of a
loopback URL it cannot reach. Standard library only, below Core, Mock and Kit (like ``_redact``).
"""

from __future__ import annotations

import errno
import ipaddress
from typing import Final
from urllib.parse import urlsplit

__all__ = ["MOCK_HINT", "connection_refused", "is_loopback_host", "is_loopback_url"]

#: What the CLI adds to "cannot reach" for a loopback URL.
MOCK_HINT: Final = "is the mock running? `greenstat mock`"

#: How deep a cause chain is followed (httpx -> httpcore -> anyio's OSError -> ConnectionRefusedError).
_CHAIN_DEPTH: Final = 8


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1`` (brackets allowed): this machine, by name or number."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is a loopback host (False for anything that does not parse)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and is_loopback_host(host)


def connection_refused(exc: BaseException) -> bool:
    """Whether ``exc`` is, or was caused by, a refused TCP connection (``ECONNREFUSED``)."""
    seen: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError) or (
            isinstance(seen, OSError) and seen.errno == errno.ECONNREFUSED
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
