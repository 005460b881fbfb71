"""Issue 14's acceptance: 4 processes x 10 calls sharing one Redis budget, the mock at its default rate.

About 40 s, so it sits alone in this module (pytest-xdist runs it beside the rest of the suite). The same
fleet without the store, and the 429s it earns, is measured by ``bench/fleet.py`` (docs/scaling.md).
"""

from __future__ import annotations

from greenstat_ext._spec import operation
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings
from tests import _figures
from tests.ratelimit_store._fleet import run_fleet

PROCESSES, CALLS = 4, 10


def test_four_processes_share_one_budget_and_earn_no_429(redis_url: str) -> None:
    rate = operation("getStatusStatistic").rate_limit.rate
    with MockServer(MockSettings()) as mock:  # the default settings: the spec's rate limit, no faults
        fleet = run_fleet(
            mock.base_url, DEMO_ID_INSTANCE, DEMO_TOKEN, store=redis_url, processes=PROCESSES, calls=CALLS
        )
        counts = dict(mock.stats.by_status)
    assert fleet.errors == []
    assert fleet.calls == PROCESSES * CALLS
    assert counts == {200: PROCESSES * CALLS}, counts  # not one 429, and no retry was needed
    # 40 requests of one bucket, each starting an interval after the previous one ended: >= 39 intervals.
    assert fleet.span >= (PROCESSES * CALLS - 1) / rate
    _figures.record(
        "shared rate budget (Redis)",
        f"{PROCESSES} processes x {CALLS} getStatusStatistic calls, one Redis store: mock counters "
        f"{counts}, spread over {fleet.span:.1f} s",
    )
