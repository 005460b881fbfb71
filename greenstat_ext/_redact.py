"""The one place that knows what the instance token looks like and masks it.

Green API puts ``apiTokenInstance`` in the URL *path*, so every full URL is a credential: httpx logs it at
INFO, httpx exceptions carry it in ``exc.request.url``, servers may echo it in error bodies, uvicorn logs
the path of every request, the contract kit quotes URLs and bodies in its reports. Every path that turns a
URL, a body or a log record into text goes through this module before anyone can see it: the client, the
mock's logs, the kit's reports and the CLI all call it, so a fix here is a fix everywhere (before, each had
its own variant and each missed something another caught).

Two mechanisms, because either alone has a hole:

* a *structural* mask of every Green API path, ``/waInstance{id}/{method}/{token}[/...]``, whatever the
  method's name (catches any token, even one this process never saw, e.g. a URL logged by another library
  or sent to the mock by a client with someone else's token): see :func:`mask_url_paths`;
* exact replacement of every known token (catches the token outside a URL, e.g. a server echoing it in a
  JSON body), as written or percent-encoded (``%61bc12``: servers echo encoded URLs and forms).

Known tokens come in two scopes. The process-wide registry (:func:`register_secret`) is applied to every
log line of the process, so it keeps tokens of :data:`_MIN_REGISTERED_LEN`+ characters only: masking every
"a" in every log line would hide more than it protects. A caller that knows *its own* token passes it as
``secrets=``, at any length: the client masks a short one where it stands as a whole word
(``"the token abc12 is invalid"``, not "abc" in "abcdef": a user reads those messages); the mock, the kit
and the CLI mask theirs everywhere, also inside other words (``inside_words=True``, the :class:`Redactor`),
because their output is diagnostics about a run with that very token, where hiding too much costs nothing.

:func:`redact_excerpt` redacts the whole text first and only then cuts it, masking a word the cut splits,
so an excerpt never ends in the first half of a token.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ._spec import token_limits

if TYPE_CHECKING:  # only the client's helpers at the end use httpx, and import it when called
    import httpx

MASK = "***"
_MIN_REGISTERED_LEN = 6
#: A cut-off tail shorter than this is too common a string to take for the start of a known token.
_MIN_PARTIAL = 4

# /waInstance{idInstance}/{method}/{apiTokenInstance}[/...]: what follows the method is the secret.
# Structural on purpose: a client may send odd shapes (``…/{method}//TOKEN``, ``/WAINSTANCE1/…``,
# ``%2F`` inside a segment), a URL may itself be percent-encoded in a query (``%2FwaInstance1%2F…``), and a
# foreign token in any of them must not be shown. So: the path that starts at a ``waInstance`` segment (any
# case, after a slash or ``%2F``) runs to a query, fragment, whitespace, quote or angle bracket (a path
# inside a repr, b'/waInstance1/m/T', keeps its closing quote); inside it the instance segment keeps
# ``waInstance`` and its digits, the first non-empty segment after it is kept only if it looks like a method
# name (letters only, whichever method), and every other non-empty segment is masked.
#: ASCII case only, spelled out: no flag, so that ``\s`` stays Unicode, and so that the cheap ``str.lower``
#: test in :func:`mask_url_paths` finds every text this can match (``(?i)`` also matches U+0131, dotless i).
_INSTANCE_PATH = re.compile(r"(/|%2[fF])([wW][aA][iI][nN][sS][tT][aA][nN][cC][eE])([^?#\s\"'<>]*)")
_INSTANCE_ID = re.compile(r"[0-9]*")
_METHOD_NAME = re.compile(r"[A-Za-z]{1,64}")
#: A "word" is a run of the characters a token may have (the spec's pattern: letters and digits today).
_TOKEN_CHAR = token_limits().char_class
_WORD_CHAR = re.compile(_TOKEN_CHAR)
#: The end of a word split by a cut, up to the spec's longest token: a longer run is masked only in its last
#: ``maxLength`` characters, which is all of it a token could be.
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


def _mask_instance_path(match: re.Match[str]) -> str:
    lead, head, rest = match.group(1), match.group(2), match.group(3)
    instance, slash, tail = rest.partition("/")
    digits = _INSTANCE_ID.match(instance)
    kept_id = digits.group(0) if digits else ""
    out = [head + kept_id + (MASK if len(kept_id) < len(instance) else "")]
    if not slash:
        return lead + out[0]
    method_seen = False
    for segment in tail.split("/"):
        keep = not segment or (not method_seen and _METHOD_NAME.fullmatch(segment) is not None)
        out.append(segment if keep else MASK)
        method_seen = method_seen or bool(segment)
    return lead + "/".join(out)


def mask_url_paths(text: str) -> str:
    """``/waInstance1/anyMethod/SECRET?x`` → ``/waInstance1/anyMethod/***?x``, for every method name.

    Also ``…/anyMethod//SECRET``, ``/wainstance1/…``, ``…/anyMethod%2FSECRET`` (the
    whole segment) and ``%2FwaInstance1%2F…`` (from the instance id on): everything after the method is
    masked, whatever its shape.
    """
    if "wainstance" not in text.lower():  # about 1 ms per MB; the pattern alone takes ten times that
        return text
    return _INSTANCE_PATH.sub(_mask_instance_path, text)


#: Where a short token's "word" may begin although an alphanumeric character precedes it: right after an
#: escape, whose last character is a letter or digit (``%3Dabc12`` in a query, ``\nabc12`` in raw JSON
#: text, ``\x00abc12`` in a bytes ``repr``), the token still stands alone once the text is decoded.
_WORD_START = (
    rf"(?:(?<!{_TOKEN_CHAR})|(?<=%[0-9A-Fa-f]{{2}})|(?<=\\[nrtbf])|(?<=\\x[0-9A-Fa-f]{{2}})"
    r"|(?<=\\u[0-9A-Fa-f]{4}))"
)


def _hex_digit(digit: str) -> str:
    return f"[{digit.lower()}{digit.upper()}]" if digit.isalpha() else digit


@functools.lru_cache(maxsize=64)
def _pattern(secret: str, *, whole_word: bool) -> re.Pattern[str]:
    """``secret`` as written or with any of its characters percent-encoded (``%61bc``, ``%61%62%63``, either
    case of hex digit): a server that echoes a URL or a form may encode it. ``whole_word``: it must also
    stand as a whole word (not "ab" inside "about")."""
    parts = []
    for char in secret:
        encoded = "".join("%" + "".join(_hex_digit(d) for d in f"{byte:02X}") for byte in char.encode())
        # A JSON string escape (``\u0064``): a body that echoes the token so gives it back to json.loads.
        escaped = (
            r"\\[uU]" + "".join(_hex_digit(d) for d in f"{ord(char):04X}") if ord(char) < 0x10000 else None
        )
        parts.append(f"(?:{re.escape(char)}|{encoded}" + (f"|{escaped})" if escaped else ")"))
    body = "".join(parts)
    if not whole_word:
        return re.compile(body)
    return re.compile(rf"{_WORD_START}{body}(?!{_TOKEN_CHAR})")


#: A percent-escape of an ASCII letter or digit, the only characters a token has: when a text has none
#: (``%20`` and ``%3D`` are common, ``%61`` is not), no encoded form of a token can be in it and the fast
#: exact search suffices. The per-character pattern costs about 0.1 s per MB, the search next to nothing.
_ENCODED_ALNUM = re.compile(
    r"%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa])|\\[uU]00(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa])"
)


def _mask(secret: str, text: str, *, whole_word: bool, encoded: bool, encoded_alnum: bool) -> str:
    if not encoded or (not encoded_alnum and secret.isascii() and secret.isalnum()):
        if secret not in text:
            return text
        if not whole_word:
            return text.replace(secret, MASK)
    return _pattern(secret, whole_word=whole_word).sub(MASK, text)


def redact(text: str, *, secrets: Iterable[str] = (), inside_words: bool = False) -> str:
    """``text`` with every Green API path's token segment and every known token masked, as written or
    percent-encoded.

    ``secrets`` are extra tokens to mask in this text only, at any length: a caller passes its own token.
    One shorter than the registry's minimum is masked where it stands as a whole word (not inside
    "about" for a token "ab"; a word may start right after an escape such as ``%3D`` or ``\\n``), or
    wherever it appears with ``inside_words=True``; a longer one wherever it appears.
    """
    text = mask_url_paths(text)
    extra = tuple(s for s in secrets if s and s not in _secrets)
    encoded = "%" in text or "\\" in text  # a percent-encoding or a JSON escape may hide a token
    encoded_alnum = encoded and _ENCODED_ALNUM.search(text) is not None  # masking cannot add one
    # Longest first, so a token that contains another one is masked whole.
    for secret in sorted((*_secrets, *extra), key=len, reverse=True) if extra else _secrets:
        whole_word = not inside_words and len(secret) < _MIN_REGISTERED_LEN
        text = _mask(secret, text, whole_word=whole_word, encoded=encoded, encoded_alnum=encoded_alnum)
    return text


def redact_excerpt(
    text: str, limit: int, *, secrets: Iterable[str] = (), inside_words: bool = False, marker: str = ""
) -> str:
    """At most about ``limit`` characters of ``text``, redacted *before* the cut; ``marker`` (e.g. "…") is
    appended when something was cut.

    Cutting first would turn a token into a prefix no exact match can find. When the cut splits a word (a
    run of letters and digits), that word's kept end is masked too: it may be the start of a token this
    process never saw. Otherwise a kept end that is the first :data:`_MIN_PARTIAL`+ characters of one of
    ``secrets`` is masked: a server may have truncated the token right where the cut falls.
    """
    secrets = tuple(secrets)
    text = redact(text, secrets=secrets, inside_words=inside_words)
    if len(text) <= limit:
        return text
    kept = text[:limit]
    split_word = _WORD_CHAR.match(text[limit]) is not None
    return (_TRAILING_WORD.sub(MASK, kept) if split_word else _mask_partial(kept, secrets)) + marker


def _mask_partial(kept: str, secrets: tuple[str, ...]) -> str:
    """``kept`` with a tail that is the start (4+ characters) of one of ``secrets`` masked."""
    for secret in secrets:
        for size in range(min(len(secret) - 1, len(kept)), _MIN_PARTIAL - 1, -1):
            if kept.endswith(secret[:size]):
                return kept[:-size] + MASK
    return kept


def mask_token(token: str) -> str:
    """A token as shown to its owner (the mock's start-up banner): the last 4 characters of a real-sized
    one, so that two configured tokens can be told apart, and the length, e.g. ``***2345 (50 chars)``."""
    tail = token[-4:] if len(token) >= 16 else ""
    return f"{MASK}{tail} ({len(token)} chars)"


class Redactor:
    """:func:`redact` and :func:`redact_excerpt` bound to a run's own tokens, masked everywhere.

    For the mock's logs, the kit's reports and the CLI's last-resort message: the user handed these tokens
    over explicitly, so every occurrence is masked, however short, also inside other words. The tokens are
    registered too, so the process-wide :func:`redact` (the kit's report writers, the log filters) masks a
    real-sized one even in text that did not pass through this object.
    """

    __slots__ = ("_secrets",)

    def __init__(self, *secrets: str) -> None:
        self._secrets = tuple(s for s in secrets if s)
        for secret in self._secrets:
            register_secret(secret)

    def __repr__(self) -> str:
        return f"Redactor({', '.join(MASK for _ in self._secrets)})"

    def __call__(self, text: str) -> str:
        return redact(text, secrets=self._secrets, inside_words=True)

    def excerpt(self, text: str, limit: int) -> str:
        """At most ``limit`` characters of ``text`` plus "…" if cut, redacted *before* the cut."""
        return redact_excerpt(text, limit, secrets=self._secrets, inside_words=True, marker="…")


class RedactingFilter(logging.Filter):
    """Masks tokens in a record's message, exception text and stack before any handler formats it.

    Why the *formatted* message: an argument may be any object (uvicorn's trace log passes the ASGI scope, a
    dict whose ``raw_path`` bytes hold the token), so masking str arguments is not enough; what a handler
    will print is ``record.getMessage()``, so that is what gets masked. ``secrets`` are masked everywhere,
    like a :class:`Redactor`'s (the mock passes its token).
    """

    def __init__(self, name: str = "", *, secrets: Iterable[str] = ()) -> None:
        super().__init__(name)
        self.redactor = Redactor(*secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        # String arguments first, each on its own: a formatter may read ``args`` itself (uvicorn's access
        # formatter unpacks them), so they stay a tuple wherever masking them is enough.
        if isinstance(record.args, tuple):
            record.args = tuple(self._masked(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: self._masked(arg) for key, arg in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:
            # A broken format string is the logging module's to report, and its report prints the format
            # as it is: mask it (the arguments are already masked).
            record.msg = self._masked(record.msg)
            return True
        masked = self.redactor(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True

    def _masked(self, value: object) -> object:
        return self.redactor(value) if isinstance(value, str) else value


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the filter to greenstat's, httpx's and httpcore's loggers (idempotent, cheap)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def mask_url_password(url: str) -> str:
    """``url`` with the password of its user-info masked (``redis://user:***@host:6379/0``), and its query
    and fragment replaced by a mask (``redis://host/0?***``).

    For service URLs a user configures, such as the rate-limit store's (``redis://:password@host``): shown in
    a repr, a warning or an error, they must not show the password -- which redis-py also reads from the query
    (``?password=…``, its documented form for ``unix://`` sockets), so no query is ever shown. A netloc too
    malformed to parse (a bad port) keeps only its scheme: nothing of it is shown.
    """
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            parts = parts._replace(query=MASK if parts.query else "", fragment=MASK if parts.fragment else "")
        if parts.password is None:
            if not parts.netloc and url.startswith(
                f"{parts.scheme}://"
            ):  # unix:///path: keep its three slashes
                return f"{parts.scheme}://" + urlunsplit(parts._replace(scheme=""))
            return urlunsplit(parts)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port is not None else ""
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}{port}"))
    except ValueError:
        return f"{url.split(':', 1)[0]}://{MASK}"


# The client's helpers: the only httpx-typed ones, so httpx is imported when they are called, never by the
# mock or the kit through this module.


def redact_url(url: httpx.URL | str, *, secrets: Iterable[str] = ()) -> httpx.URL:
    """The URL with the token segment masked (safe to store on exceptions and to log)."""
    import httpx

    return httpx.URL(redact(str(url), secrets=secrets))


def redacted_request(request: httpx.Request, *, secrets: Iterable[str] = ()) -> httpx.Request:
    """A body-less copy of ``request`` whose URL and headers carry no token."""
    import httpx

    headers = redacted_headers(request.headers, secrets=secrets)
    return httpx.Request(request.method, redact_url(request.url, secrets=secrets), headers=headers)


def redacted_headers(headers: httpx.Headers, *, secrets: Iterable[str] = ()) -> httpx.Headers:
    """A copy of headers with tokens masked in every value (servers echo URLs in ``Location``).

    Rebuilt from bytes in the headers' own encoding: ``httpx.Headers`` built from ``str`` values encodes
    them as ASCII, so one non-ASCII header (``Server: café``, legal as Latin-1) raised
    ``UnicodeEncodeError``. The mask and the tokens are ASCII, so every value re-encodes.
    """
    import httpx

    encoding = headers.encoding
    secrets = tuple(secrets)
    return httpx.Headers(
        [(k.encode(encoding), redact(v, secrets=secrets).encode(encoding)) for k, v in headers.multi_items()],
        encoding=encoding,
    )
