from __future__ import annotations

from greenstat_ext.mock import MockStats


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
