"""Figures the suite measures and prints at the end of every run (pytest captures the tests' own output).

Why: several acceptance criteria are counts ("≥ 300 schemathesis cases", "≥ 999 of 1,000 calls", "leak
checks run"); the tests assert them, and this prints what was actually measured so a CI log shows it.

Each line is kept with the position (in the collection order) of the test that recorded it. Why: under
pytest-xdist the tests run in worker processes, which ship their figures to the controller at the end
(tests/conftest.py); sorting the merged lines by position prints them in the order a serial run would.
"""

from __future__ import annotations

#: section -> [(position of the recording test, line)], in recording order.
FIGURES: dict[str, list[tuple[int, str]]] = {}
#: The collection index of the test running now (set by tests/conftest.py before each test).
POSITION = [0]


def record(section: str, line: str) -> None:
    FIGURES.setdefault(section, []).append((POSITION[0], line))


def merge(figures: dict[str, list[tuple[int, str]]]) -> None:
    """Add figures recorded in another process (an xdist worker)."""
    for section, lines in figures.items():
        FIGURES.setdefault(section, []).extend((position, line) for position, line in lines)


def ordered() -> list[tuple[str, list[str]]]:
    """Sections in the order their first line was recorded, lines in test order: a serial run's order."""
    sections = sorted(FIGURES.items(), key=lambda section: min(position for position, _ in section[1]))
    # sorted() is stable: the lines of one test keep the order it recorded them in.
    return [(name, [line for _, line in sorted(lines, key=lambda pair: pair[0])]) for name, lines in sections]
