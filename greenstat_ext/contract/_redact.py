"""Keep the instance token out of everything the kit shows or writes.

Why: Green API puts the token in the URL path, so every URL, curl line, exception text from ``requests`` and
some schemathesis messages carry it. The kit scrubs each string it renders (report, JUnit XML, errors) rather
than trusting each producer to have left it out.
"""

from __future__ import annotations

import re

__all__ = ["MASK", "Redactor"]

MASK = "***"
_TOKEN_SEGMENT = re.compile(r"(/getStatusStatistic/)[^/?#\s'\"]*")


class Redactor:
    """Replace the secret token, and any token-shaped path segment, with :data:`MASK`."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "Redactor(token=***)"

    def __call__(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, MASK)
        return _TOKEN_SEGMENT.sub(rf"\g<1>{MASK}", text)
