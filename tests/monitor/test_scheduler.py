"""The scheduler in simulated time (no server, no sleeps): it prefers where change is likely and starves none.

The bound under test is the documented one (docs/monitor.md, greenstat_ext/monitor/_scheduler.py): with
``L`` live statuses and one poll per second, no live status waits more than ``max_interval + L`` seconds
between two polls, whatever the others do.
"""

from __future__ import annotations

import random

import pytest

from greenstat_ext.monitor import RoundRobin, Scheduler


def _gaps(
    scheduler: Scheduler[str], rates: dict[str, float], open_: dict[str, int], seconds: int, seed: int
) -> dict[str, list[float]]:
    """Poll once per simulated second; a status changes with probability ``rate`` per second while it has
    open recipients."""
    rng = random.Random(seed)
    last: dict[str, float] = {}
    pending = dict.fromkeys(rates, 0)
    gaps: dict[str, list[float]] = {key: [] for key in rates}
    for key in rates:
        scheduler.add(key)
    for now in range(seconds):
        for name, rate in rates.items():  # what happened during this second, seen at the next poll
            if open_[name] and rng.random() < rate:
                pending[name] += 1
        picked = scheduler.next(float(now))
        assert picked is not None
        key = picked
        if key in last:
            gaps[key].append(now - last[key])
        last[key] = now
        changes, pending[key] = pending[key], 0
        open_[key] = max(open_[key] - changes, 0)
        scheduler.observe(key, float(now), changes=changes, open_recipients=open_[key])
    return gaps


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_live_status_waits_longer_than_the_bound(seed: int) -> None:
    rng = random.Random(seed)
    live = 40
    rates = {f"s{i}": rng.choice([0.0, 0.0, 0.001, 0.01, 0.3, 0.9]) for i in range(live)}
    open_ = {key: (0 if rate == 0 else rng.randint(50, 1000)) for key, rate in rates.items()}
    scheduler: Scheduler[str] = Scheduler(max_interval=120.0)
    gaps = _gaps(scheduler, rates, open_, 3000, seed)
    assert all(gaps[key] for key in rates)  # every status polled again, the idle ones included
    worst = max(max(g) for g in gaps.values())
    assert worst <= 120.0 + live


def test_busy_statuses_are_polled_more_often_than_finished_ones() -> None:
    rates = {"busy": 0.5, "slow": 0.01, "done": 0.0}
    open_ = {"busy": 1000, "slow": 1000, "done": 0}
    gaps = _gaps(Scheduler(max_interval=300.0), rates, open_, 1200, 7)
    polls = {key: len(g) for key, g in gaps.items()}
    assert polls["busy"] > polls["slow"] > polls["done"]
    assert polls["done"] <= 1200 / 300 + 1  # a status everyone read: only the starvation bound polls it


def test_new_statuses_go_first_and_removed_ones_never() -> None:
    scheduler: Scheduler[str] = Scheduler()
    scheduler.add("old")
    scheduler.observe("old", 0.0, changes=50, open_recipients=100)
    scheduler.add("new")
    assert scheduler.next(1.0) == "new"
    scheduler.remove("new")
    assert scheduler.next(2.0) == "old"
    assert "new" not in scheduler
    assert len(scheduler) == 1
    scheduler.remove("old")
    assert scheduler.next(3.0) is None


def test_round_robin_polls_the_least_recently_polled() -> None:
    rr: RoundRobin[str] = RoundRobin()
    for key in "abc":
        rr.add(key)
    order = []
    for now in range(6):
        picked = rr.next(float(now))
        assert picked is not None
        order.append(picked)
        rr.observe(picked, float(now), changes=0, open_recipients=0)
    assert order == ["a", "b", "c", "a", "b", "c"]


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_a_bound_that_is_not_positive_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="max_interval"):
        Scheduler(max_interval=bad)
