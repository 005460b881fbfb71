"""The SQLite store: migrations from every earlier version, the single-writer lock, read-only opening,
retention, and what it refuses."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from greenstat_ext.monitor import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Event,
    Observation,
    StatusRow,
    Store,
    StoreError,
    StoreLockedError,
)

DAY = 86_400.0
NOW = 1_800_000_000.0


def _at_version(path: Path, version: int) -> None:
    """A store file as greenstat left it at schema ``version`` (the migrations up to it, applied raw)."""
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {version}")
    if version >= 1:
        db.execute(
            "INSERT INTO statuses (instance_id, id_message, kind, audience, posted_at, first_seen)"
            " VALUES (1101000001, 'OLD', 'imageMessage', 0, 1700000000, 1700000001)"
        )
        db.execute(
            "INSERT INTO transitions VALUES (1101000001, 'OLD', '79001234567@c.us', 'read', 1700000100, 1.0)"
        )
    db.commit()
    db.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_is_migrated_with_its_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "m.db"
    _at_version(path, version)
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        rows = store.statuses()
        if version >= 1:
            assert [(r.id_message, r.kind, r.final_counts) for r in rows] == [("OLD", "imageMessage", None)]
            assert [t.state for t in store.transitions(1101000001, "OLD")] == ["read"]
        else:
            assert rows == []
        assert store.dead_letters() == []  # the newest tables exist


def test_a_newer_schema_and_a_foreign_file_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    _at_version(newer, SCHEMA_VERSION)
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this greenstat"):
        Store(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a greenstat store"):
        Store(junk)
    Store(tmp_path / "fresh.db").close()  # the lock was released after each refusal: files reusable
    Store(newer.with_name("junk2.db")).close()


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path):
        code = (
            "import sys\nfrom greenstat_ext.monitor import Store, StoreLockedError\n"
            "try:\n    Store(sys.argv[1])\nexcept StoreLockedError as e:\n    print(e)\n"
        )
        other = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60, check=True
        )
        assert "in use by process" in other.stdout
        assert "one monitor per store file" in other.stdout
        with pytest.raises(StoreLockedError):
            Store(path)
        with Store(path, readonly=True) as reader:  # reports read while the monitor writes
            assert reader.statuses() == []
    Store(path).close()  # released on close


def test_readonly_needs_an_existing_current_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "missing.db", readonly=True)
    old = tmp_path / "old.db"
    _at_version(old, 1)
    with pytest.raises(StoreError, match="run greenstat monitor once"):
        Store(old, readonly=True)


def _status(id_message: str, posted_at: float) -> StatusRow:
    return StatusRow(1, id_message, "extendedTextMessage", 2, int(posted_at), posted_at, None, None, None)


def test_retention_prunes_old_statuses_but_keeps_undelivered_events(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        obs = Observation.empty()
        obs.new_statuses += [_status("OLD", NOW - 401 * DAY), _status("NEW", NOW - 10 * DAY)]
        obs.states += [(1, "OLD", "a@c.us", "read", int(NOW - 401 * DAY), NOW - 401 * DAY)]
        obs.events += [Event("status.deleted", 1, "OLD", None, NOW - 400.5 * DAY)]
        store.commit(obs, ["jsonl:-"], NOW)
        assert store.prune(NOW, keep_days=400) == 1
        assert [r.id_message for r in store.statuses()] == ["NEW"]
        assert store.transitions(1, "OLD") == []
        assert len(store.events()) == 1  # still in the outbox: kept until delivered
        store.delivered("jsonl:-", [e["id"] for e in store.events()])
        store.prune(NOW, keep_days=400)
        assert store.events() == []  # delivered: now it goes


def test_committing_the_same_event_twice_queues_it_once(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        event = Event("recipient.read", 1, "S", 5, NOW, participant="a@c.us")
        for _ in range(2):
            obs = Observation.empty()
            obs.events.append(event)
            store.commit(obs, ["a", "b"], NOW)
        assert len(store.events()) == 1
        assert store.pending() == 2  # once per sink
