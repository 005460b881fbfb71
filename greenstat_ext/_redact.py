"""The one place that knows what the instance token looks like and masks it.

Green API puts ``apiTokenInstance`` in the URL *path*, so every full URL is a credential: httpx logs it at
INFO, httpx exceptions carry it in ``exc.request.url``, servers may echo it in error bodies. Every path that
turns a URL, a body or a log record into text goes through :func:`redact` before anyone can see it.

Two mechanisms, because either alone has a hole:

* a pattern that masks the segment after ``/waInstance<digits>/<method>/`` (catches any token, even one this
  process never saw, e.g. a URL logged by another library);
* exact replacement of every token a client was built with (catches the token outside a URL, e.g. a server
  echoing it in a JSON body). Tokens shorter than :data:`_MIN_REGISTERED_LEN` are not registered: masking
  every "a" in every log line of the process would hide more than it protects, and the URL pattern still
  covers them.

A client knows its *own* token, whatever its length, so everything it builds from a response passes it as
``secrets=``: a short one is masked wherever it stands as a whole word (``"the token abc12 is invalid"``),
a long one wherever it appears. Every token is also matched percent-encoded (``%61bc12``): servers echo
encoded URLs and forms. :func:`redact_excerpt` redacts the whole text first and only then cuts it,
masking a word the cut splits, so an excerpt never ends in the first half of a token.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable

import httpx

from ._spec import token_limits

MASK = "***"
_MIN_REGISTERED_LEN = 6
_URL_TOKEN = re.compile(r"(/waInstance[0-9]+/[A-Za-z]+/)([^/?#\s\"'<>]+)")
#: A character a token may have: the alphabet of the spec's ``apiTokenInstance`` pattern (``[A-Za-z0-9]``).
_TOKEN_CHAR = token_limits().char_class
_WORD_CHAR = re.compile(_TOKEN_CHAR)
#: The end of a word split by a cut, up to the spec's longest token: a longer run is masked only in its
#: last ``maxLength`` characters, which is all of it a token could be.
_TRAILING_WORD = re.compile(f"{_TOKEN_CHAR}{{1,{token_limits().max_length}}}$")

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


#: Where a short token's "word" may begin although an alphanumeric character precedes it: right after an
#: escape, whose last character is a letter or digit (``%3Dabc12`` in a query, ``\nabc12`` in raw JSON
#: text, ``\x00abc12`` in a bytes ``repr``), the token still stands alone once the text is decoded.
_WORD_START = (
    rf"(?:(?<!{_TOKEN_CHAR})"
    r"|(?<=%[0-9A-Fa-f]{2})|(?<=\\[nrtbf])|(?<=\\x[0-9A-Fa-f]{2})"
    r"|(?<=\\u[0-9A-Fa-f]{4}))"
)


def _hex_digit(digit: str) -> str:
    return f"[{digit.lower()}{digit.upper()}]" if digit.isalpha() else digit


@functools.lru_cache(maxsize=64)
def _pattern(secret: str) -> re.Pattern[str]:
    """``secret`` as written or with any of its characters percent-encoded (``%61bc``, ``%61%62%63``, either
    case of hex digit): a server that echoes a URL or a form may encode it. A secret shorter than the
    registry's minimum must also stand as a whole word (not "ab" inside "about")."""
    parts = []
    for char in secret:
        encoded = "".join("%" + "".join(_hex_digit(d) for d in f"{byte:02X}") for byte in char.encode())
        parts.append(f"(?:{re.escape(char)}|{encoded})")
    body = "".join(parts)
    if len(secret) >= _MIN_REGISTERED_LEN:
        return re.compile(body)
    return re.compile(rf"{_WORD_START}{body}(?!{_TOKEN_CHAR})")


#: A percent-escape of an ASCII letter or digit, the only characters a token has: when a text has none
#: (``%20`` and ``%3D`` are common, ``%61`` is not), no encoded form of a token can be in it and the fast
#: exact search suffices. The per-character pattern costs about 0.1 s per MB, the search next to nothing.
_ENCODED_ALNUM = re.compile(r"%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa])")


def _mask(secret: str, text: str, *, encoded: bool, encoded_alnum: bool) -> str:
    if not encoded or (not encoded_alnum and secret.isascii() and secret.isalnum()):
        if secret not in text:
            return text
        if len(secret) >= _MIN_REGISTERED_LEN:
            return text.replace(secret, MASK)
    return _pattern(secret).sub(MASK, text)


def redact(text: str, *, secrets: Iterable[str] = ()) -> str:
    """``text`` with every instance token masked, as written or percent-encoded.

    ``secrets`` are extra tokens to mask in this text only, at any length: a client passes its own token.
    One shorter than the registry's minimum is masked where it stands as a whole word (not inside
    "about" for a token "ab"; a word may start right after an escape such as ``%3D`` or ``\\n``); a longer
    one wherever it appears.
    """
    text = _URL_TOKEN.sub(lambda m: m.group(1) + MASK, text)
    extra = tuple(s for s in secrets if s and s not in _secrets)
    encoded = "%" in text
    encoded_alnum = encoded and _ENCODED_ALNUM.search(text) is not None  # masking cannot add one
    # Longest first, so a token that contains another one is masked whole.
    for secret in sorted((*_secrets, *extra), key=len, reverse=True) if extra else _secrets:
        text = _mask(secret, text, encoded=encoded, encoded_alnum=encoded_alnum)
    return text


def redact_excerpt(text: str, limit: int, *, secrets: Iterable[str] = ()) -> str:
    """At most about ``limit`` characters of ``text``, redacted *before* the cut.

    Cutting first would turn a token into a prefix no exact match can find. And when the cut splits a word
    (a run of letters and digits), that word's kept end is masked too: it may be the start of a token this
    process never saw.
    """
    text = redact(text, secrets=secrets)
    if len(text) <= limit:
        return text
    kept = text[:limit]
    if _WORD_CHAR.match(text[limit]):
        kept = _TRAILING_WORD.sub(MASK, kept)
    return kept


def redact_url(url: httpx.URL | str, *, secrets: Iterable[str] = ()) -> httpx.URL:
    """The URL with the token segment masked (safe to store on exceptions and to log)."""
    return httpx.URL(redact(str(url), secrets=secrets))


def redacted_request(request: httpx.Request, *, secrets: Iterable[str] = ()) -> httpx.Request:
    """A body-less copy of ``request`` whose URL and headers carry no token."""
    headers = redacted_headers(request.headers, secrets=secrets)
    return httpx.Request(request.method, redact_url(request.url, secrets=secrets), headers=headers)


def redacted_headers(headers: httpx.Headers, *, secrets: Iterable[str] = ()) -> httpx.Headers:
    """A copy of headers with tokens masked in every value (servers echo URLs in ``Location``).

    Rebuilt from bytes in the headers' own encoding: ``httpx.Headers`` built from ``str`` values encodes
    them as ASCII, so one non-ASCII header (``Server: café``, legal as Latin-1) raised
    ``UnicodeEncodeError``. The mask and the tokens are ASCII, so every value re-encodes.
    """
    encoding = headers.encoding
    secrets = tuple(secrets)
    return httpx.Headers(
        [(k.encode(encoding), redact(v, secrets=secrets).encode(encoding)) for k, v in headers.multi_items()],
        encoding=encoding,
    )


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
