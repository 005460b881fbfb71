"""Figures the suite measures and prints at the end of every run (pytest captures the tests' own output).

Why: several acceptance criteria are counts ("≥ 300 schemathesis cases", "≥ 999 of 1,000 calls", "leak
checks run"); the tests assert them, and this prints what was actually measured so a CI log shows it.
"""

from __future__ import annotations

FIGURES: dict[str, list[str]] = {}


def record(section: str, line: str) -> None:
    FIGURES.setdefault(section, []).append(line)
