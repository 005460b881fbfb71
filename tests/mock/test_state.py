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


def _at_cycle_start(store: MessageStore, clock: FakeClock, id_message: str) -> None:
    """Move the clock to the next re-post of ``id_message`` (its cycle's "start-up")."""
    clock.now = store.cycle_start(id_message, clock.now) + DEMO_MESSAGES[id_message].period


def test_states_and_timestamps_only_move_forward(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    _at_cycle_start(store, clock, WATCH)
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
        store = MessageStore(seed=seed, clock=clock)
        _at_cycle_start(store, clock, MIXED)
        items = store.snapshot(MIXED)
        assert {item.status for item in items} == set(StatusValue), seed


def test_state_is_a_function_of_seed_and_clock_not_of_the_start(clock: FakeClock) -> None:
    """Two stores made at different moments (two processes started apart) answer alike at one moment."""
    early = MessageStore(seed=3, clock=clock)
    early.body(WATCH)  # the early one has built and cached a body already
    clock.advance(12_345.0)
    late = MessageStore(seed=3, clock=clock)
    for _ in range(3):
        for id_message in DEMO_MESSAGES:
            if DEMO_MESSAGES[id_message].recipients <= 20:
                assert early.body(id_message) == late.body(id_message), id_message
        assert early.outgoing() == late.outgoing()
        clock.advance(37.0)


def test_demo_statuses_are_reposted_and_keep_evolving(clock: FakeClock) -> None:
    """Hours after any start a demo status still progresses: it is re-posted every ``period`` seconds."""
    store = MessageStore(seed=0, clock=clock)
    period = DEMO_MESSAGES[WATCH].period
    clock.advance(7 * 86_400)
    _at_cycle_start(store, clock, WATCH)
    start = clock.now
    assert {item.status for item in store.snapshot(WATCH)} == {StatusValue.PENDING}
    assert all(item.timestamp == start for item in store.snapshot(WATCH))
    clock.advance(period - 1)
    assert StatusValue.READ in {item.status for item in store.snapshot(WATCH)}
    clock.advance(1)  # the next cycle: posted again, everything pending again
    assert {item.status for item in store.snapshot(WATCH)} == {StatusValue.PENDING}


def test_watch_demo_seed_reaches_delivered_within_every_cycle(clock: FakeClock) -> None:
    """``make demo`` watches the progressing status with seed 14621 (scripts/demo.py's ``WATCH_SEED``)
    ``--until delivered --timeout 40``: from any moment of a cycle, every recipient has reached delivered
    (or read) within 40 s, or already has."""
    store = MessageStore(seed=14621, clock=clock)
    _at_cycle_start(store, clock, WATCH)
    start = clock.now
    done = start
    while not all(item.status in (StatusValue.DELIVERED, StatusValue.READ) for item in store.snapshot(WATCH)):
        clock.advance(1.0)
        done = clock.now
    assert done - start <= 35
    for offset in range(int(done - start), DEMO_MESSAGES[WATCH].period):
        clock.now = start + offset
        statuses = {item.status for item in store.snapshot(WATCH)}
        assert statuses <= {StatusValue.DELIVERED, StatusValue.READ}, offset


def test_body_is_cached_until_the_next_change(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    first = store.body(WATCH)
    assert store.body(WATCH) is first
    clock.advance(3600)
    assert store.body(WATCH) != first


def test_participants_are_unique_chat_ids(clock: FakeClock) -> None:
    spec = DemoMessage("test", recipients=5000, age=100.0, pace=10.0)
    store = MessageStore(seed=0, clock=clock, demo={"X": spec})
    clock.now = store.cycle_start("X", clock.now) + spec.period  # at a re-post: the start-up mix
    items = store.snapshot("X")
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


def test_every_recipient_of_the_watch_demo_reads_it_whatever_the_seed(clock: FakeClock) -> None:
    """The README's `greenstat stats F7AEC... --watch` (until read) ends with the default seed, and others."""
    assert DEMO_MESSAGES[WATCH].everyone_reads
    for seed in range(8):
        store = MessageStore(seed=seed, clock=clock)
        _at_cycle_start(store, clock, WATCH)
        clock.advance(120)  # two minutes into a three-minute cycle
        assert {item.status for item in store.snapshot(WATCH)} == {StatusValue.READ}, seed
