"""The one place that knows what the instance token looks like and masks it.

Green API puts ``apiTokenInstance`` in the URL *path*, so every full URL is a credential: httpx logs it at
INFO, httpx exceptions carry it in ``exc.request.url``, servers may echo it in error bodies. Every path that
turns a URL, a body or a log record into text goes through :func:`redact` before anyone can see it.

Two mechanisms, because either alone has a hole:

* a pattern that masks the segment after ``/waInstance<digits>/<method>/`` (catches any token, even one this
  process never saw, e.g. a URL logged by another library);
* exact replacement of every token a client was built with (catches the token outside a URL, e.g. a server
  echoing it in a JSON body). Tokens shorter than :data:`_MIN_REGISTERED_LEN` are not registered: masking
  every "a" in a log would hide more than it protects, and the URL pattern still covers them.
"""

from __future__ import annotations

import logging
import re
import threading

import httpx

MASK = "***"
_MIN_REGISTERED_LEN = 6
_URL_TOKEN = re.compile(r"(/waInstance[0-9]+/[A-Za-z]+/)([^/?#\s\"'<>]+)")

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()

#: Loggers whose records may contain a request URL. A filter on a logger only sees records created on that
#: very logger (not on its children), so every concrete httpcore logger is listed.
REDACTED_LOGGERS: tuple[str, ...] = (
    "greenstat",
    "greenstat.retry",
    "greenstat.ratelimit",
    "greenstat.client",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def register_secret(secret: str) -> None:
    """Remember a token so :func:`redact` masks it wherever it appears, not only inside a URL path."""
    global _secrets
    if len(secret) < _MIN_REGISTERED_LEN:
        return
    with _lock:
        if secret not in _secrets:
            # Longest first, so a token that contains another registered one is masked whole.
            _secrets = tuple(sorted({*_secrets, secret}, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every instance token masked."""
    text = _URL_TOKEN.sub(lambda m: m.group(1) + MASK, text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_url(url: httpx.URL | str) -> httpx.URL:
    """The URL with the token segment masked (safe to store on exceptions and to log)."""
    return httpx.URL(redact(str(url)))


def redacted_request(request: httpx.Request) -> httpx.Request:
    """A body-less copy of ``request`` whose URL and headers carry no token."""
    headers = {k: redact(v) for k, v in request.headers.items()}
    return httpx.Request(request.method, redact_url(request.url), headers=headers)


class RedactingFilter(logging.Filter):
    """Masks tokens in a record's message, arguments and exception text before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's problem, not ours
            return True
        masked = redact(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the filter to greenstat's, httpx's and httpcore's loggers (idempotent, cheap)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
