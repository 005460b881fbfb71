"""Keep the instance token out of everything the kit shows or writes.

Why: Green API puts the token in the URL path, so every URL, curl line, exception text from ``requests`` and
some schemathesis messages carry it. The kit scrubs each string it renders (report, JUnit XML, errors) rather
than trusting each producer to have left it out.
"""

from __future__ import annotations

from greenstat_ext._redact import MASK, redact, register_secret

__all__ = ["MASK", "Redactor"]

# A cut shorter than this is too common a string to mask (it would hide ordinary text, not protect a secret).
_MIN_PARTIAL = 4


class Redactor:
    """Replace the secret token, and any token-shaped path segment, with :data:`MASK`."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token
        # Also known process-wide: the report and JUnit writers pass every string they emit through
        # greenstat_ext._redact.redact, a second line of defence that does not depend on each message.
        register_secret(token)

    def __repr__(self) -> str:
        return "Redactor(token=***)"

    def __call__(self, text: str) -> str:
        # The shared URL pattern first, then this run's token wherever else it appears, however short:
        # the user handed it to us explicitly, so masking every occurrence is right here.
        text = redact(text)
        return text.replace(self._token, MASK) if self._token else text

    def excerpt(self, text: str, limit: int) -> str:
        """At most ``limit`` characters of ``text`` (plus "…"), redacted BEFORE the cut.

        Why this order: cutting first can split the token, and the masking no longer recognises a half token
        (``yyy…Zq7sEcr``). After redacting the whole text, a token that the text itself held only in part
        (a server that truncated it) may still end exactly at the cut: a tail that is a prefix of the token
        is masked too.
        """
        text = self(text)
        if len(text) <= limit:
            return text
        cut = text[:limit]
        if self._token:
            for size in range(min(len(self._token) - 1, len(cut)), _MIN_PARTIAL - 1, -1):
                if cut.endswith(self._token[:size]):
                    cut = cut[:-size] + MASK
                    break
        return cut + "…"
