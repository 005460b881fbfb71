"""Keeping the instance token out of every log line.

Why a logging filter on the loggers themselves: uvicorn's access log formats the request path, which holds
``apiTokenInstance``, and uvicorn's error log can print a traceback with the request. A filter attached to
the ``uvicorn.access``/``uvicorn.error``/``greenstat.mock`` loggers rewrites each record before any handler
(console, file, pytest's caplog) sees it, whatever logging configuration the user runs with.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from ._faults import ConnectionDropped

__all__ = ["MASK", "TokenMaskingFilter", "install_token_masking", "mask_path", "mask_token"]

MASK = "***"
MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error", "greenstat.mock")

# /waInstance{idInstance}/{method}/{apiTokenInstance}[/...]: the third segment is the secret.
_TOKEN_IN_PATH = re.compile(r"(/waInstance[^/?#\s]*/[^/?#\s]+/)([^/?#\s]+)")


def mask_path(text: str) -> str:
    """``/waInstance1/getStatusStatistic/SECRET?x`` → ``/waInstance1/getStatusStatistic/***?x``."""
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + MASK, text)


def mask_token(token: str) -> str:
    """The token as shown at start-up: its last 4 characters only, e.g. ``***2345 (50 chars)``."""
    tail = token[-4:] if len(token) >= 16 else ""
    return f"{MASK}{tail} ({len(token)} chars)"


class TokenMaskingFilter(logging.Filter):
    """Masks tokens in paths, and any of the given literal ``tokens``, in a record's message and args.

    It also swallows uvicorn's "Exception in ASGI application" record for :class:`ConnectionDropped`:
    that exception is how the ``drop`` fault closes a connection on purpose, not an error.
    """

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        super().__init__("greenstat-token-mask")
        self.tokens = tuple(t for t in tokens if t)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str):
            return value
        value = mask_path(value)
        for token in self.tokens:
            value = value.replace(token, MASK)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ConnectionDropped):
            return False
        record.msg = self._clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._clean(arg) for key, arg in record.args.items()}
        return True


def install_token_masking(tokens: Iterable[str] = ()) -> TokenMaskingFilter:
    """Attach one masking filter to uvicorn's and greenstat's loggers (replacing an earlier one)."""
    new = TokenMaskingFilter(tokens)
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, TokenMaskingFilter)]:
            logger.removeFilter(old)
        logger.addFilter(new)
    return new
