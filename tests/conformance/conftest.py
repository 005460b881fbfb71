from __future__ import annotations

import pytest

from ._harness import SUMMARIES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the conformance counts even when the tests pass (pytest captures their output)."""
    if SUMMARIES:
        terminalreporter.section("schemathesis conformance")
        for line in SUMMARIES:
            terminalreporter.write_line(line)
