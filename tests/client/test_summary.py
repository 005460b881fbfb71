from __future__ import annotations

import pytest

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext import summarize

from ._helpers import BODY


def stat(status: str, timestamp: int) -> StatusStatistic:
    return StatusStatistic(participant=f"{timestamp}@c.us", timestamp=timestamp, status=StatusValue(status))


def test_counts_total_rate_and_span() -> None:
    summary = summarize(StatusStatistic.from_dict(item) for item in BODY)
    assert summary.total == 4
    assert dict(summary.counts) == {"pending": 1, "sent": 1, "delivered": 1, "read": 1}
    assert summary.read_rate == 0.25
    assert (summary.first_timestamp, summary.last_timestamp) == (1700000000, 1700000042)
    assert summary.unknown_statuses == ()


def test_unknown_statuses_are_counted_under_their_own_name() -> None:
    summary = summarize([stat("read", 5), stat("played", 3), stat("played", 9), stat("archived", 4)])
    assert list(summary.counts) == ["pending", "sent", "delivered", "read", "archived", "played"]
    assert summary.counts["played"] == 2
    assert summary.unknown_statuses == ("archived", "played")
    assert summary.total == 4
    assert summary.read_rate == 0.25
    assert (summary.first_timestamp, summary.last_timestamp) == (3, 9)


def test_empty() -> None:
    summary = summarize([])
    assert summary.total == 0
    assert summary.read_rate is None
    assert summary.first_timestamp is None
    assert summary.last_timestamp is None
    assert all(v == 0 for v in summary.counts.values())


def test_to_dict_is_json_ready() -> None:
    summary = summarize([stat("read", 1), stat("read", 2)])
    assert summary.to_dict() == {
        "total": 2,
        "counts": {"pending": 0, "sent": 0, "delivered": 0, "read": 2},
        "read_rate": 1.0,
        "first_timestamp": 1,
        "last_timestamp": 2,
        "unknown_statuses": [],
    }


@pytest.mark.parametrize("n", [1, 3, 10])
def test_read_rate(n: int) -> None:
    items = [stat("read", 1)] + [stat("delivered", 2)] * (n - 1)
    assert summarize(items).read_rate == pytest.approx(1 / n)


def test_str_is_one_readable_line() -> None:
    items = [
        StatusStatistic(participant="1@c.us", timestamp=1, status=StatusValue.READ),
        StatusStatistic(participant="2@c.us", timestamp=2, status=StatusValue("played")),
    ]
    expected = "2 recipient(s): pending 0, sent 0, delivered 0, read 1, played 1; read rate 50%"
    assert str(summarize(items)) == expected
    assert str(summarize([])) == "0 recipient(s): pending 0, sent 0, delivered 0, read 0; read rate n/a"
