"""Keep the instance token out of everything the kit shows or writes.

Why: Green API puts the token in the URL path, so every URL, curl line, exception text from ``requests`` and
some schemathesis messages carry it. The kit scrubs each string it renders (report, JUnit XML, errors) rather
than trusting each producer to have left it out.
"""

from __future__ import annotations

from greenstat_ext._redact import MASK, redact

__all__ = ["MASK", "Redactor"]


class Redactor:
    """Replace the secret token, and any token-shaped path segment, with :data:`MASK`."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "Redactor(token=***)"

    def __call__(self, text: str) -> str:
        # The shared URL pattern first, then this run's token wherever else it appears, however short:
        # the user handed it to us explicitly, so masking every occurrence is right here.
        text = redact(text)
        return text.replace(self._token, MASK) if self._token else text
