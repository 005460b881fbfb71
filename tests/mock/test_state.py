from __future__ import annotations

from collections import Counter

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext.mock import DEMO_MESSAGES, DemoMessage, MessageStore

from .conftest import FakeClock

ORDER = [StatusValue.PENDING, StatusValue.SENT, StatusValue.DELIVERED, StatusValue.READ]
WATCH = "F7AEC1B7086ECDC7E6E45923F5EDB825"
MIXED = "BAE5F4886F6F2D05"


def _by_participant(items: list[StatusStatistic]) -> dict[str, StatusStatistic]:
    return {item.participant: item for item in items}


def test_same_seed_same_data_other_seed_other_data(clock: FakeClock) -> None:
    one = MessageStore(seed=7, clock=clock).body(MIXED)
    assert MessageStore(seed=7, clock=clock).body(MIXED) == one
    assert MessageStore(seed=8, clock=clock).body(MIXED) != one


def test_demo_messages_are_documented_and_sized() -> None:
    assert {spec.recipients for spec in DEMO_MESSAGES.values()} >= {0, 12, 20, 100_000}
    assert all(spec.description for spec in DEMO_MESSAGES.values())


def test_states_and_timestamps_only_move_forward(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    previous = _by_participant(store.snapshot(WATCH))
    assert {item.status for item in previous.values()} == {StatusValue.PENDING}
    seen: Counter[StatusValue] = Counter()
    for _ in range(120):
        clock.advance(1.0)
        current = _by_participant(store.snapshot(WATCH))
        assert current.keys() == previous.keys()
        for participant, item in current.items():
            before = previous[participant]
            assert ORDER.index(item.status) >= ORDER.index(before.status)
            assert item.timestamp >= before.timestamp
            assert item.timestamp <= clock.now
            seen[item.status] += 1
        previous = current
    final = Counter(item.status for item in previous.values())
    assert final[StatusValue.READ] >= 10  # most recipients read it within two minutes
    assert set(seen) == set(StatusValue)  # every state was observed along the way


def test_mixed_message_starts_with_every_state(clock: FakeClock) -> None:
    for seed in range(5):
        items = MessageStore(seed=seed, clock=clock).snapshot(MIXED)
        assert {item.status for item in items} == set(StatusValue), seed


def test_body_is_cached_until_the_next_change(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    first = store.body(WATCH)
    assert store.body(WATCH) is first
    clock.advance(3600)
    assert store.body(WATCH) != first


def test_participants_are_unique_chat_ids(clock: FakeClock) -> None:
    spec = DemoMessage("test", recipients=5000, age=100.0, pace=10.0)
    items = MessageStore(seed=0, clock=clock, demo={"X": spec}).snapshot("X")
    assert len({item.participant for item in items}) == 5000
    assert all(item.participant.endswith("@c.us") and item.participant[:-5].isdigit() for item in items)
    mix = Counter(item.status for item in items)
    assert all(mix[state] > 100 for state in StatusValue), mix


def test_loaded_data_is_served_as_given_and_overrides_demo(clock: FakeClock) -> None:
    given = [StatusStatistic(participant="1@c.us", timestamp=5, status=StatusValue.READ)]
    store = MessageStore(seed=0, clock=clock, data={MIXED: given, "OWN": []})
    assert store.snapshot(MIXED) == given
    assert store.body("OWN") == b"[]"
    clock.advance(10_000)
    assert store.snapshot(MIXED) == given
