"""Keeping the instance token out of every log line of the mock.

Why a logging filter on the loggers themselves: uvicorn's access log formats the request path, which holds
``apiTokenInstance``, and uvicorn's error log can print a traceback with the request. A filter attached to
the ``uvicorn.access``/``uvicorn.error``/``greenstat.mock`` loggers rewrites each record before any handler
(console, file, pytest's caplog) sees it, whatever logging configuration the user runs with.

What gets masked, and how, is :mod:`greenstat_ext._redact`'s (the one implementation the client, the kit
and the CLI use too): every ``/waInstance…/{method}/…`` path whatever its shape or method, and the mock's
own tokens everywhere. This module only adds what is the mock's: which loggers, bytes arguments shown as
text, and the ``drop`` fault's traceback swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from greenstat_ext._redact import MASK, RedactingFilter
from greenstat_ext._redact import mask_token as mask_token
from greenstat_ext._redact import mask_url_paths as mask_path

from ._faults import ConnectionDropped

__all__ = ["MASK", "TokenMaskingFilter", "install_token_masking", "mask_path", "mask_token"]

# A filter only sees records created on its own logger: uvicorn.asgi is where the trace level logs every ASGI
# message (the scope, with the path, included).
MASKED_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "uvicorn.asgi", "greenstat.mock")


class TokenMaskingFilter(RedactingFilter):
    """Masks tokens in paths, and any of the given ``tokens`` wherever they appear, in a record's formatted
    message, its exception text and its stack, whatever the types of its arguments.

    Bytes arguments are shown decoded (as uvicorn's access log shows a path), not as ``b'…'``. And it
    swallows uvicorn's "Exception in ASGI application" record for :class:`ConnectionDropped`: that
    exception is how the ``drop`` fault closes a connection on purpose, not an error.
    """

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        super().__init__(secrets=tokens)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ConnectionDropped):
            return False
        if isinstance(record.args, tuple):
            record.args = tuple(_text(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _text(arg) for key, arg in record.args.items()}
        return super().filter(record)


def _text(value: object) -> object:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def install_token_masking(tokens: Iterable[str] = ()) -> TokenMaskingFilter:
    """Attach one masking filter to uvicorn's and greenstat's loggers (replacing an earlier one)."""
    new = TokenMaskingFilter(tokens)
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, TokenMaskingFilter)]:
            logger.removeFilter(old)
        logger.addFilter(new)
    return new
