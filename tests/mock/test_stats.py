from __future__ import annotations

from greenstat_ext.mock import MockStats
from greenstat_ext.mock._stats import MAX_TRACKED_MESSAGES


def test_counts_by_status_message_and_fault() -> None:
    stats = MockStats()
    stats.record("A", 200)
    stats.record("A", 502, fault="502")
    stats.record("A", None, fault="drop")
    stats.record("B", 401)
    stats.record(None, 404)
    assert stats.by_status == {200: 1, 502: 1, 401: 1, 404: 1}
    assert stats.requests_for("A") == 3
    assert stats.count(id_message="A") == 2  # answered ones; the drop has no status
    assert stats.count(id_message="A", status=502) == 1
    assert stats.count(status=401) == 1
    assert stats.count() == 4
    assert stats.dropped == 1
    assert stats.total == 5
    assert stats.faults == {"502": 1, "drop": 1}
    stats.reset()
    assert (stats.total, stats.requests_for("A"), stats.faults) == (0, 0, {})


def test_copies_do_not_alias_the_counters() -> None:
    stats = MockStats()
    stats.record("A", 200)
    snapshot = stats.by_status
    snapshot[200] += 10
    assert stats.by_status == {200: 1}


def test_ids_the_spec_refuses_are_not_counted_by_message() -> None:
    stats = MockStats()
    for i in range(50):
        stats.record(f"{i:05d}" + "x" * 30_000, 400)  # 30 KB ids: answered 400, must not become keys
    stats.record("", 400)
    assert stats.tracked == 0
    assert stats.by_status == {400: 51}
    assert stats.requests_for("00001" + "x" * 30_000) == 0


def test_distinct_ids_are_capped_least_recently_seen_first_out() -> None:
    stats = MockStats(max_messages=3)
    for name in ("A", "B", "C"):
        stats.record(name, 200)
    stats.record("A", 502)  # A becomes the most recent
    stats.record("D", 200)  # evicts B, the least recently seen
    assert stats.tracked == 3
    assert stats.evicted == 1
    assert stats.requests_for("B") == 0
    assert (stats.requests_for("A"), stats.count(id_message="A", status=502)) == (2, 1)
    assert stats.by_status == {200: 4, 502: 1}  # per-status totals never forget


def test_many_distinct_ids_stay_within_the_cap() -> None:
    stats = MockStats()
    for i in range(MAX_TRACKED_MESSAGES + 5_000):
        stats.record(f"{i:0256d}", 200)
    assert stats.tracked == MAX_TRACKED_MESSAGES
    assert stats.evicted == 5_000
    assert stats.requests_for(f"{MAX_TRACKED_MESSAGES + 4_999:0256d}") == 1
