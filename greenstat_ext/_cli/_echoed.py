"""Server strings as the CLI may print them: the token masked wherever a server echoed it, and JSON output
ASCII-safe for what a terminal would act on.

Why here and not in each renderer: ``stats`` has four outputs (table, every row, TSV, ``--json``) and
``report`` four more (table, CSV, JSON, an HTML page made to be shared); masking the data once, right after
it is fetched, covers every one of them and any output added later. A server that returns the token as a
``participant`` or an ``idMessage`` (a broken gateway, a hostile one) otherwise had it printed.

Why JSON is escaped after ``json.dumps``: ``ensure_ascii=False`` keeps names in their own script (a
Cyrillic name stays readable), but it also writes C1 controls (U+009B is a CSI: an escape sequence in one
character), DEL and bidi overrides (U+202E) raw; the table, TSV and CSV escape them (``printable``). Every
character that is not printable (and not the indentation's newline) is written as its ``\\u`` escape, which
a JSON reader turns back into the same string: the data is unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from .._redact import redact
from ._common import _GIVEN, given_tokens

if TYPE_CHECKING:
    from greenstat_client.models import StatusStatistic

    from ._report_data import Report

__all__ = ["json_safe", "mask_report", "mask_statistics", "output_masker"]


def output_masker() -> Callable[[str], str]:
    """A function masking, in one server string, every token this command was given (``--token``, the
    variables) and every Green API URL path. Built once per output: the tokens are read once, and a string
    that cannot hold one (the common case) costs a few substring tests."""
    secrets = tuple(dict.fromkeys(s for s in (*_GIVEN.get(), *given_tokens((), os.environ)) if s))

    def mask(text: str) -> str:
        # What ``redact`` looks for: a token as written, percent-encoded or JSON-escaped, or a URL path.
        may_hide = "%" in text or "\\" in text or "nstance" in text.lower()
        if not may_hide and not any(secret in text for secret in secrets):
            return text
        return redact(text, secrets=secrets)

    return mask


def mask_statistics(items: Sequence[StatusStatistic]) -> list[StatusStatistic]:
    """``items`` with the token masked in each ``participant`` and ``status`` (the same objects when none
    holds it)."""
    from greenstat_client.models import StatusValue

    mask = output_masker()
    masked: list[StatusStatistic] = []
    for item in items:
        status = str(StatusValue(item.status).value)
        participant, shown_status = mask(item.participant), mask(status)
        if participant != item.participant or shown_status != status:
            changes: dict[str, object] = {"participant": participant}
            if shown_status != status:
                changes["status"] = StatusValue(shown_status)
            item = msgspec.structs.replace(item, **changes)
        masked.append(item)
    return masked


def mask_report(report: Report) -> Report:
    """``report`` with the token masked in every row's ``id_message`` and ``kind``, and in each reach curve's
    ``id_message`` (``report --db``)."""
    mask = output_masker()
    rows = tuple(
        row
        if mask(row.id_message) == row.id_message and mask(row.kind) == row.kind
        else dataclasses.replace(row, id_message=mask(row.id_message), kind=mask(row.kind))
        for row in report.rows
    )
    reach = tuple(
        curve
        if mask(curve.id_message) == curve.id_message
        else dataclasses.replace(curve, id_message=mask(curve.id_message))
        for curve in report.reach
    )
    return dataclasses.replace(report, rows=rows, reach=reach)


def _escape(char: str) -> str:
    return json.dumps(char)[1:-1]  # "\u009b"; a character beyond the BMP as its surrogate pair


def json_safe(text: str) -> str:
    """``text`` (JSON from ``json.dumps(..., ensure_ascii=False)``) with every non-printable character but
    the newline written as a ``\\u`` escape: the same document, safe on a terminal."""
    lines = text.split("\n")
    if all(line.isprintable() for line in lines):
        return text
    return "\n".join(
        line if line.isprintable() else "".join(c if c.isprintable() else _escape(c) for c in line)
        for line in lines
    )
