"""Keeping the instance token out of every log line.

Why a logging filter on the loggers themselves: uvicorn's access log formats the request path, which holds
``apiTokenInstance``, and uvicorn's error log can print a traceback with the request. A filter attached to
the ``uvicorn.access``/``uvicorn.error``/``greenstat.mock`` loggers rewrites each record before any handler
(console, file, pytest's caplog) sees it, whatever logging configuration the user runs with.

Why the *formatted* message: an argument may be any object (uvicorn's trace log passes the ASGI scope, a dict
whose ``raw_path`` bytes hold the token), so masking str/bytes arguments is not enough; what a handler will
print is ``record.getMessage()``, so that is what gets masked. The formatting, exception text and stack
handling are those of the client's :class:`greenstat_ext._redact.RedactingFilter`, reused as the base class.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from greenstat_ext._redact import RedactingFilter, register_secret

from ._faults import ConnectionDropped

__all__ = ["MASK", "TokenMaskingFilter", "install_token_masking", "mask_path", "mask_token"]

MASK = "***"
# A filter only sees records created on its own logger: uvicorn.asgi is where the trace level logs every ASGI
# message (the scope, with the path, included).
MASKED_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "uvicorn.asgi", "greenstat.mock")

# /waInstance{idInstance}/{method}/{apiTokenInstance}[/...]: what follows the method is the secret.
# Structural on purpose: a client may send odd shapes (``…/getStatusStatistic//TOKEN``, ``/WAINSTANCE1/…``,
# ``%2F`` inside a segment), and a foreign token in any of them must not reach a log. So: the path that
# starts at a ``waInstance`` segment (any case, after any number of slashes) runs to a query, fragment,
# whitespace, quote or angle bracket (a path inside a repr, b'/waInstance1/m/T', keeps its closing quote);
# inside it the instance segment keeps ``waInstance`` and its digits, the first non-empty segment after it
# is kept only if it looks like a method name (letters only), and every other non-empty segment is masked.
_INSTANCE_PATH = re.compile(r"(?i)/(wainstance)([^?#\s\"'<>]*)")
_INSTANCE_ID = re.compile(r"[0-9]*")
_METHOD_NAME = re.compile(r"[A-Za-z]{1,64}")


def _mask_instance_path(match: re.Match[str]) -> str:
    head, rest = match.group(1), match.group(2)
    instance, slash, tail = rest.partition("/")
    digits = _INSTANCE_ID.match(instance)
    kept_id = digits.group(0) if digits else ""
    out = [head + kept_id + (MASK if len(kept_id) < len(instance) else "")]
    if not slash:
        return "/" + out[0]
    method_seen = False
    for segment in tail.split("/"):
        keep = not segment or (not method_seen and _METHOD_NAME.fullmatch(segment) is not None)
        out.append(segment if keep else MASK)
        method_seen = method_seen or bool(segment)
    return "/" + "/".join(out)


def mask_path(text: str) -> str:
    """``/waInstance1/getStatusStatistic/SECRET?x`` → ``/waInstance1/getStatusStatistic/***?x``.

    Also ``…/getStatusStatistic//SECRET``, ``/wainstance1/…`` and ``…/getStatusStatistic%2FSECRET`` (the
    whole segment): everything after the method is masked, whatever its shape.
    """
    return _INSTANCE_PATH.sub(_mask_instance_path, text)


def mask_token(token: str) -> str:
    """The token as shown at start-up: its last 4 characters only, e.g. ``***2345 (50 chars)``."""
    tail = token[-4:] if len(token) >= 16 else ""
    return f"{MASK}{tail} ({len(token)} chars)"


class TokenMaskingFilter(RedactingFilter):
    """Masks tokens in paths, and any of the given literal ``tokens``, in a record's formatted message, its
    exception text and its stack, whatever the types of its arguments.

    It also swallows uvicorn's "Exception in ASGI application" record for :class:`ConnectionDropped`:
    that exception is how the ``drop`` fault closes a connection on purpose, not an error.
    """

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        super().__init__("greenstat-token-mask")
        self.tokens = tuple(t for t in tokens if t)
        for token in self.tokens:
            register_secret(token)  # the base class masks registered tokens in exception text and stacks

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
        # str/bytes arguments first (bytes shown decoded, as the access log does), then the whole message.
        record.msg = self._clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._clean(arg) for key, arg in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report; args are masked
            return True
        masked = self._clean(message)
        if masked != message:
            record.msg, record.args = masked, None
        super().filter(record)  # the shared pattern and registered tokens; formats and masks exc_text/stack
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
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
