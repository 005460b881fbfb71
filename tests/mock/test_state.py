from __future__ import annotations

from collections import Counter

from greenstat_client.models import StatusStatistic, StatusValue
from greenstat_ext.mock import DEMO_MESSAGES, DemoMessage, MessageStore
from greenstat_ext.mock._state import KEPT_REPOSTS, RETENTION

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


def _at_cycle_start(store: MessageStore, clock: FakeClock, id_message: str) -> str:
    """Move the clock to the next re-post of ``id_message``; the id of that re-post (a new status)."""
    clock.now = store.cycle_start(id_message, clock.now) + DEMO_MESSAGES[id_message].period
    return store.repost_id(id_message, clock.now)


def _store_at_repost(seed: int, clock: FakeClock, id_message: str) -> MessageStore:
    """A store made at the moment of a re-post of ``id_message``: the documented id names that re-post."""
    _at_cycle_start(MessageStore(seed=seed, clock=clock), clock, id_message)
    return MessageStore(seed=seed, clock=clock)


def test_states_and_timestamps_only_move_forward(clock: FakeClock) -> None:
    store = _store_at_repost(0, clock, WATCH)
    previous = _by_participant(store.snapshot(WATCH))
    assert {item.status for item in previous.values()} == {StatusValue.PENDING}
    seen: Counter[StatusValue] = Counter()
    for _ in range(2 * DEMO_MESSAGES[WATCH].period):  # past the next re-post: this status never starts over
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
    assert final[StatusValue.READ] == 20  # every recipient of this demo reads it
    assert set(seen) == set(StatusValue)  # every state was observed along the way


def test_mixed_message_starts_with_every_state(clock: FakeClock) -> None:
    for seed in range(5):
        store = MessageStore(seed=seed, clock=clock)
        items = store.snapshot(_at_cycle_start(store, clock, MIXED))
        assert {item.status for item in items} == set(StatusValue), seed


def test_state_is_a_function_of_seed_and_clock_not_of_the_start(clock: FakeClock) -> None:
    """Two stores made at different moments (two processes started apart) answer alike at one moment for
    every re-post; only which re-post the documented ids name differs (the newest when each was made)."""
    early = MessageStore(seed=3, clock=clock)
    early.body(WATCH)  # the early one has built and cached a body already
    clock.advance(12_345.0)
    late = MessageStore(seed=3, clock=clock)
    made = clock.now
    small = [id_message for id_message, spec in DEMO_MESSAGES.items() if 0 < spec.recipients <= 20]
    for _ in range(3):
        for id_message in small:
            for moment in (clock.now - 600, clock.now):
                repost = early.repost_id(id_message, moment)
                assert repost == late.repost_id(id_message, moment)
                assert early.body(repost) == late.body(repost), (id_message, moment)
        early_journal, late_journal = _canonical(early, made - 12_345.0), _canonical(late, made)
        assert late_journal.items() <= early_journal.items()
        # The early one also lists the re-posts its documented ids name, since past the last ones kept.
        early_aliases = {early.repost_id(id_message, made - 12_345.0) for id_message in DEMO_MESSAGES}
        assert early_journal.keys() - late_journal.keys() <= early_aliases
        clock.advance(37.0)


def _canonical(store: MessageStore, made: float) -> dict[str, tuple[int, StatusValue]]:
    """The journal of ``store`` (made at ``made``) with each documented id replaced by its re-post's id."""
    aliases = {id_message: store.repost_id(id_message, made) for id_message in DEMO_MESSAGES}
    return {
        aliases.get(item.id_message, item.id_message): (item.timestamp, item.status)
        for item in store.outgoing()
    }


def test_a_repost_is_a_new_status_and_the_old_one_stays_final(clock: FakeClock) -> None:
    """Hours after any start a demo status still progresses: it is re-posted every ``period`` seconds, each
    time as a new status (a new id, listed in the journal); the one before never starts over."""
    period = DEMO_MESSAGES[WATCH].period
    clock.advance(7 * 86_400)
    store = _store_at_repost(0, clock, WATCH)
    start = clock.now
    assert {item.status for item in store.snapshot(WATCH)} == {StatusValue.PENDING}
    assert all(item.timestamp == start for item in store.snapshot(WATCH))
    assert store.repost_id(WATCH, start) != WATCH
    assert store.snapshot(store.repost_id(WATCH, start)) == store.snapshot(WATCH)  # the alias names it
    clock.advance(period - 1)
    final = store.snapshot(WATCH)
    assert {item.status for item in final} == {StatusValue.READ}
    clock.advance(1)  # the next re-post: a new status, everything pending; the documented one stays read
    new = store.repost_id(WATCH, clock.now)
    assert new not in (WATCH, store.repost_id(WATCH, start))
    assert {item.status for item in store.snapshot(new)} == {StatusValue.PENDING}
    assert store.snapshot(WATCH) == final
    listed = [item.id_message for item in store.outgoing()]
    assert listed.count(WATCH) == 1
    assert new in listed
    assert store.repost_id(WATCH, start) not in listed  # listed once, under the documented id
    assert store.snapshot(store.repost_id(WATCH, clock.now + period)) == []  # a re-post not made yet


def test_a_repost_expires_after_30_days(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    old = store.repost_id(MIXED, clock.now)
    assert store.snapshot(old)
    clock.advance(RETENTION + DEMO_MESSAGES[MIXED].period)
    assert store.snapshot(old) == []
    assert store.snapshot(MIXED) == []  # the documented id named that re-post: expired with it
    assert old not in [item.id_message for item in store.outgoing()]
    assert store.snapshot(store.repost_id(MIXED, clock.now))  # the newest re-post answers


def test_the_journal_lists_the_last_reposts_and_the_documented_one(clock: FakeClock) -> None:
    """Besides the re-post its documented id names, the journal lists the last KEPT_REPOSTS of each demo
    status; an older one is not listed, and its statistics still answer (the 30-day retention)."""
    store = MessageStore(seed=0, clock=clock)
    period = DEMO_MESSAGES[MIXED].period
    clock.advance(20 * period)
    kept = [store.repost_id(MIXED, clock.now - back * period) for back in range(KEPT_REPOSTS)]
    older = store.repost_id(MIXED, clock.now - KEPT_REPOSTS * period)
    assert all(store.snapshot(id_message) for id_message in kept)
    assert store.snapshot(MIXED)  # 20 re-posts old, still answered
    listed = {item.id_message for item in store.outgoing() if item.id_message.startswith(MIXED[:8])}
    assert listed == {*kept, MIXED}
    assert store.snapshot(older)  # not listed, still answered: its recipients do not vanish early


def test_cached_bodies_are_bounded(clock: FakeClock) -> None:
    """However many statuses are asked for, at most 8 bodies are kept (the real demo's 100,000-recipient
    re-posts are 7.6 MB each)."""
    spec = DemoMessage("test", recipients=5, age=10.0, pace=10.0, period=60)
    demo = {f"{letter}{letter * 15}": spec for letter in "ABCDE"}
    store = MessageStore(seed=0, clock=clock, demo=demo)
    clock.advance(10 * spec.period)
    built = {store.body(store.repost_id(id_message, clock.now - back * spec.period))
             for id_message in demo for back in range(KEPT_REPOSTS)}  # fmt: skip
    assert len(built) == len(demo) * KEPT_REPOSTS > 8  # distinct bodies, all built
    assert store.renders == len(built)
    assert len(store._cache) <= 8


def test_watch_demo_seed_reaches_delivered_within_every_cycle(clock: FakeClock) -> None:
    """``make demo`` watches the progressing status with seed 14621 (scripts/demo.py's ``WATCH_SEED``)
    ``--until delivered --timeout 40``: from any moment of a cycle, every recipient has reached delivered
    (or read) within 40 s, or already has."""
    store = _store_at_repost(14621, clock, WATCH)
    start = clock.now
    done = start
    while not all(item.status in (StatusValue.DELIVERED, StatusValue.READ) for item in store.snapshot(WATCH)):
        clock.advance(1.0)
        done = clock.now
    assert done - start <= 35
    for offset in range(int(done - start), 2 * DEMO_MESSAGES[WATCH].period):  # and for ever after
        clock.now = start + offset
        statuses = {item.status for item in store.snapshot(WATCH)}
        assert statuses <= {StatusValue.DELIVERED, StatusValue.READ}, offset


def test_body_is_cached_until_the_next_change(clock: FakeClock) -> None:
    store = MessageStore(seed=0, clock=clock)
    first = store.body(MIXED)
    assert store.body(MIXED) is first
    clock.advance(3600)
    assert store.body(MIXED) != first


def test_participants_are_unique_chat_ids(clock: FakeClock) -> None:
    spec = DemoMessage("test", recipients=5000, age=100.0, pace=10.0)
    store = MessageStore(seed=0, clock=clock, demo={"X0000000000000000": spec})
    items = store.snapshot(_at_cycle_start_of(store, clock, "X0000000000000000", spec))  # the start-up mix
    assert len({item.participant for item in items}) == 5000
    assert all(item.participant.endswith("@c.us") and item.participant[:-5].isdigit() for item in items)
    mix = Counter(item.status for item in items)
    assert all(mix[state] > 100 for state in StatusValue), mix


def _at_cycle_start_of(store: MessageStore, clock: FakeClock, id_message: str, spec: DemoMessage) -> str:
    clock.now = store.cycle_start(id_message, clock.now) + spec.period
    return store.repost_id(id_message, clock.now)


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
        store = _store_at_repost(seed, clock, WATCH)
        clock.advance(120)  # two minutes after its re-post
        assert {item.status for item in store.snapshot(WATCH)} == {StatusValue.READ}, seed
