"""A hypothesis state machine over the client and the real mock together: post, read statistics, list,
delete, with the invariants a user relies on checked after every step.

- a posted id is listed by ``get_outgoing_statuses`` exactly once until it is deleted, then never again;
- its statistics start with every recipient and never move backward (state order and timestamps), and the
  recipients are the listed ``participants``;
- a deleted id is gone: its statistics are ``[]`` and a second delete is a 400.

The mock runs on loopback on a fake clock that a rule moves forward, so recipients progress within a run
(seeded, bounded: ``make test`` runs a few short programs; ``make fuzz`` raises the bound).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from greenstat_ext import BadRequestError, GreenStat, StatusFont
from greenstat_ext.mock import DEMO_ID_INSTANCE, DEMO_TOKEN, MockServer, MockSettings

ORDER = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
CONTACTS = [f"7900123{n:04d}@c.us" for n in range(12)]
EXAMPLES = max(6, int(os.environ.get("GREENSTAT_FUZZ_EXAMPLES", "0")) // 100)


class FakeClock:
    """UNIX time that only moves when a rule says so (thread-safe: the mock reads it from its thread)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


CLOCK = FakeClock()
SERVER: MockServer | None = None


@pytest.fixture(scope="module", autouse=True)
def mock_server() -> Iterator[MockServer]:
    global SERVER
    with MockServer(MockSettings(rate_limit=0, clock=CLOCK)) as server:
        SERVER = server
        yield server
    SERVER = None


class PostTrackDelete(RuleBasedStateMachine):
    posted = Bundle("posted")
    deleted = Bundle("deleted")

    def __init__(self) -> None:
        super().__init__()
        assert SERVER is not None
        self.client = GreenStat(
            api_url=SERVER.base_url,
            id_instance=DEMO_ID_INSTANCE,
            api_token=DEMO_TOKEN,
            rate_limit=0,
            max_retries=0,
        )
        self.audience: dict[str, set[str]] = {}  # live id -> the recipients it was posted to
        self.seen: dict[str, dict[str, tuple[int, int]]] = {}  # id -> participant -> (state rank, timestamp)
        self.gone: set[str] = set()

    def teardown(self) -> None:
        self.client.close()

    @rule(
        target=posted,
        message=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40),
        participants=st.lists(st.sampled_from(CONTACTS), min_size=1, max_size=5, unique=True),
        font=st.sampled_from([None, *StatusFont]),
    )
    def post_text(self, message: str, participants: list[str], font: StatusFont | None) -> str:
        result = self.client.send_text_status(message, font=font, participants=participants)
        assert result.id_message not in self.audience
        assert result.id_message not in self.gone
        self.audience[result.id_message] = set(participants)
        return result.id_message

    @rule(target=posted, kind=st.sampled_from(["voice.mp3", "clip.mp4", "photo.jpg"]))
    def post_media(self, kind: str) -> str:
        url = f"https://example.test/{kind}"
        participants = CONTACTS[:3]
        if kind.endswith(".mp3"):
            result = self.client.send_voice_status(url, kind, participants=participants)
        else:
            result = self.client.send_media_status(url, kind, caption="caption", participants=participants)
        self.audience[result.id_message] = set(participants)
        return result.id_message

    @rule(id_message=posted)
    def read_statistics(self, id_message: str) -> None:
        if id_message in self.gone:
            assert self.client.get_status_statistic(id_message) == []
            return
        stats = self.client.get_status_statistic(id_message)
        assert {s.participant for s in stats} == self.audience[id_message]
        before = self.seen.setdefault(id_message, {})
        for item in stats:
            rank, stamp = ORDER[item.status.value], item.timestamp
            previous = before.get(item.participant)
            if previous is not None:
                assert rank >= previous[0], f"{item.participant} moved back to {item.status.value}"
                assert stamp >= previous[1], f"{item.participant}'s timestamp went back"
            before[item.participant] = (rank, stamp)

    @rule(seconds=st.sampled_from([1.0, 5.0, 30.0, 300.0]))
    def time_passes(self, seconds: float) -> None:
        CLOCK.advance(seconds)

    @rule(target=deleted, id_message=consumes(posted))
    def delete(self, id_message: str) -> str:
        if id_message in self.gone:  # posted twice into the bundle by hypothesis' sharing: already deleted
            return id_message
        self.client.delete_status(id_message)
        del self.audience[id_message]
        self.gone.add(id_message)
        return id_message

    @rule(id_message=deleted)
    def delete_again_is_a_400(self, id_message: str) -> None:
        with pytest.raises(BadRequestError):
            self.client.delete_status(id_message)

    @invariant()
    def listed_exactly_once_until_deleted(self) -> None:
        listed = [s.id_message for s in self.client.get_outgoing_statuses(minutes=43_200) if s.send_by_api]
        for id_message in self.audience:
            assert listed.count(id_message) == 1, id_message
        assert not self.gone & set(listed)


TestPostTrackDelete = PostTrackDelete.TestCase
TestPostTrackDelete.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=12,
    derandomize=not os.environ.get("GREENSTAT_FUZZ_SEED"),  # make test: the same programs every run
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
