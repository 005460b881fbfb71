"""Session-wide hooks: print the figures the tests measured, also when they ran in pytest-xdist workers."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from tests import _figures
from tests.client._helpers import LEAK_CHECKS

_POSITION = pytest.StashKey[int]()
_FIGURES_KEY = "greenstat_figures"
_LEAK_CHECKS_KEY = "greenstat_leak_checks"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every xdist worker collects the same items in the same order, so these positions agree across them.
    for position, item in enumerate(items):
        item.stash[_POSITION] = position


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    _figures.POSITION[0] = item.stash.get(_POSITION, 0)
    return (yield)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: ship what this process recorded to the controller (see pytest_testnodedown)."""
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_FIGURES_KEY] = _figures.FIGURES
        workeroutput[_LEAK_CHECKS_KEY] = LEAK_CHECKS[0]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the xdist controller: merge one finished worker's figures and leak-check count into ours."""
    workeroutput: dict[str, Any] = getattr(node, "workeroutput", {})
    _figures.merge(workeroutput.get(_FIGURES_KEY, {}))
    LEAK_CHECKS[0] += workeroutput.get(_LEAK_CHECKS_KEY, 0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print every figure the tests recorded, even when they pass; then the total of token-leak checks."""
    for section, lines in _figures.ordered():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)
    if LEAK_CHECKS[0]:
        terminalreporter.section("token redaction")
        terminalreporter.write_line(
            f"{LEAK_CHECKS[0]} token-leak checks run (each one fails its test on a leak)"
        )


@pytest.fixture(autouse=True)
def _no_shared_rate_limit_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ``GREEN_API_RATE_LIMIT_STORE`` must not send the suite's buckets to their Redis:
    tests that want a store set it themselves (tests/ratelimit_store)."""
    monkeypatch.delenv("GREEN_API_RATE_LIMIT_STORE", raising=False)
