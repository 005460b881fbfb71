"""schemathesis' stateful phase against the mock: it follows the spec's links from each send's ``idMessage``
to ``getStatusStatistic`` and ``deleteStatus``, so posted statuses are read and deleted as a user would, and
every answer along the way must conform (seeded, bounded; ``make fuzz`` runs it longer)."""

from __future__ import annotations

from greenstat_ext.mock import MockSettings, create_app, get_state

from ._harness import run_schemathesis


def test_the_stateful_phase_follows_the_links_with_no_failure() -> None:
    app = create_app(MockSettings(rate_limit=0))
    result = run_schemathesis(app=app, pinned=True, max_examples=15, stateful=True, checks=["all"])
    print("\n" + result.summary("schemathesis stateful (links), ASGI"))
    assert result.failures == []
    assert result.errors == []
    assert result.cases > 0
    assert result.phases.get("stateful", 0) == result.cases
    stats = get_state(app).stats
    assert stats.total == result.cases
    # The links were followed: statuses the run posted were deleted through the DeleteStatus link (an id of
    # its own making would get 400), and the statistics of posted ones were read.
    assert sum(stats.created.values()) > 0
    assert sum(stats.deleted.values()) > 0
    assert result.statuses[200] > result.statuses[400]
