"""The monitor's SQLite store: statuses, recipients' transitions, events, the outbox and dead letters.

Why SQLite (stdlib ``sqlite3``, WAL, one file): history must outlive the API's 30 days and the process, with
nothing to run beside the monitor. WAL lets ``greenstat report --db`` read while the monitor writes.

Why the outbox lives here, in the same transaction as the observation: an observation (a poll's new states)
and the events it produces are committed together or not at all. Killed before the commit, the next poll
sees the same changes again and produces the same events (same ids); killed after, the outbox still holds
every event not yet acknowledged by its sink. Nothing is lost, nothing is invented.

Schema versions (``PRAGMA user_version``) are applied in order by :data:`MIGRATIONS`; a store from any earlier
version is upgraded on open, one newer than this code is refused. The token is never stored: rows carry
the instance id only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ._events import Event
from ._lock import StoreLock

__all__ = [
    "DEFAULT_KEEP_DAYS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DeadLetter",
    "Observation",
    "OutboxItem",
    "StatusRow",
    "Store",
    "StoreError",
    "TransitionRow",
    "default_db_path",
]

DEFAULT_KEEP_DAYS: Final = 400

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: statuses, current recipient states, their transitions, events and the outbox.
    """
    CREATE TABLE statuses (
        instance_id INTEGER NOT NULL,
        id_message TEXT NOT NULL,
        kind TEXT NOT NULL,
        audience INTEGER NOT NULL,          -- listed participants, 0 = all contacts
        posted_at INTEGER NOT NULL,         -- API timestamp (UNIX s)
        first_seen REAL NOT NULL,
        deleted_at REAL,
        final_at REAL,
        PRIMARY KEY (instance_id, id_message)
    );
    CREATE TABLE recipients (
        instance_id INTEGER NOT NULL,
        id_message TEXT NOT NULL,
        participant TEXT NOT NULL,
        state TEXT NOT NULL,
        api_ts INTEGER NOT NULL,
        PRIMARY KEY (instance_id, id_message, participant)
    );
    CREATE TABLE transitions (
        instance_id INTEGER NOT NULL,
        id_message TEXT NOT NULL,
        participant TEXT NOT NULL,
        state TEXT NOT NULL,
        api_ts INTEGER NOT NULL,
        first_seen REAL NOT NULL,
        PRIMARY KEY (instance_id, id_message, participant, state)
    );
    CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        instance_id INTEGER NOT NULL,
        id_message TEXT NOT NULL,
        observed_at REAL NOT NULL,
        payload BLOB NOT NULL
    );
    CREATE TABLE outbox (
        event_id TEXT NOT NULL,
        sink TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt REAL NOT NULL,
        last_error TEXT,
        PRIMARY KEY (sink, event_id)
    );
    CREATE INDEX outbox_due ON outbox (sink, next_attempt);
    """,
    # 2: dead letters, the final counts of a status, and an index for retention.
    """
    CREATE TABLE dead_letters (
        event_id TEXT NOT NULL,
        sink TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT NOT NULL,
        died_at REAL NOT NULL,
        PRIMARY KEY (sink, event_id)
    );
    ALTER TABLE statuses ADD COLUMN final_counts TEXT;
    CREATE INDEX statuses_posted ON statuses (posted_at);
    """,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)

_MAX_ERROR_CHARS = 300
_CHUNK = 500  # ids per IN (...) query: under every SQLite build's limit of bound parameters


class StoreError(RuntimeError):
    """The store file cannot be used (not SQLite, from a newer greenstat, unreadable)."""


def default_db_path() -> Path:
    """``monitor.db`` under the user's data directory (``platformdirs``)."""
    from .._extras import extra_imports

    with extra_imports("the monitor's default store path", "monitor"):
        import platformdirs  # the monitor extra; imported only when no --db was given

    return Path(platformdirs.user_data_dir("greenstat", appauthor=False)) / "monitor.db"


@dataclass(frozen=True, slots=True)
class StatusRow:
    instance_id: int
    id_message: str
    kind: str
    audience: int
    posted_at: int
    first_seen: float
    deleted_at: float | None
    final_at: float | None
    final_counts: dict[str, int] | None


@dataclass(frozen=True, slots=True)
class TransitionRow:
    participant: str
    state: str
    api_ts: int
    first_seen: float


@dataclass(frozen=True, slots=True)
class OutboxItem:
    event_id: str
    payload: bytes
    attempts: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    event_id: str
    sink: str
    type: str
    attempts: int
    last_error: str
    died_at: float


@dataclass
class Observation:
    """What one discovery or poll saw, committed at once with the events it produced."""

    new_statuses: list[StatusRow]
    states: list[tuple[int, str, str, str, int, float]]  # instance, status, participant, state, api_ts, seen
    deleted: list[tuple[int, str, float]]
    final: list[tuple[int, str, float, dict[str, int]]]
    events: list[Event]
    #: instance, status, an earlier posting time than the one stored (see ``Monitor.poll``).
    posted: list[tuple[int, str, int]] = field(default_factory=list)

    @classmethod
    def empty(cls) -> Observation:
        return cls([], [], [], [], [])


class Store:
    """One store file, opened by one writer (see :mod:`._lock`); ``readonly`` opens without the lock.

    ``lock=False`` is for short maintenance writes beside a running monitor (``greenstat monitor replay``):
    SQLite serialises the transactions; the lock only keeps two monitors apart."""

    def __init__(self, path: str | Path, *, readonly: bool = False, lock: bool = True) -> None:
        self.path = Path(path)
        self._lock: StoreLock | None = None
        if readonly:
            if not self.path.exists():
                raise StoreError(f"no store at {self.path}")
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._db = _connect(uri, uri=True)
            try:
                self._check_version(writable=False)
            except BaseException:
                self._db.close()
                raise
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = StoreLock(self.path.with_name(self.path.name + ".lock")) if lock else None
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._db = _connect(str(self.path))
            self._check_version(writable=True)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (kill -9); only a power cut
            # may drop the last transactions, which the next poll then observes again.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self.migrate()
        except BaseException:
            if hasattr(self, "_db"):
                self._db.close()
            if self._lock is not None:
                self._lock.release()
            raise

    # -- schema -----------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self, *, writable: bool) -> None:
        try:
            version = self.version
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a greenstat store ({exc})") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this greenstat's {SCHEMA_VERSION}: "
                "upgrade greenstat"
            )
        if not writable and version < SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}: run greenstat monitor once to upgrade"
            )

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Apply every migration after the file's version up to ``target``, each in its own transaction."""
        self._check_version(writable=True)
        for version in range(self.version, target):
            with self._transaction():
                for statement in _statements(MIGRATIONS[version]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {version + 1}")

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- observations -----------------------------------------------------------------------------------
    def commit(self, observation: Observation, sinks: Sequence[str], now: float) -> None:
        """Write one observation and queue its events for every sink, in one transaction."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO statuses (instance_id, id_message, kind, audience, posted_at,"
                " first_seen) VALUES (?, ?, ?, ?, ?, ?)",
                [(s.instance_id, s.id_message, s.kind, s.audience, s.posted_at, s.first_seen)
                 for s in observation.new_statuses],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO recipients (instance_id, id_message, participant, state, api_ts)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state,"
                " api_ts = excluded.api_ts",
                [row[:5] for row in observation.states],
            )
            db.executemany(
                "INSERT OR IGNORE INTO transitions (instance_id, id_message, participant, state, api_ts,"
                " first_seen) VALUES (?, ?, ?, ?, ?, ?)",
                observation.states,
            )
            db.executemany(
                "UPDATE statuses SET posted_at = ? WHERE instance_id = ? AND id_message = ?"
                " AND posted_at > ?",
                [(at, instance, id_message, at) for instance, id_message, at in observation.posted],
            )
            db.executemany(
                "UPDATE statuses SET deleted_at = ? WHERE instance_id = ? AND id_message = ?"
                " AND deleted_at IS NULL",
                [(at, instance, id_message) for instance, id_message, at in observation.deleted],
            )
            db.executemany(
                "UPDATE statuses SET final_at = ?, final_counts = ? WHERE instance_id = ? AND id_message = ?"
                " AND final_at IS NULL",
                [(at, json.dumps(counts, sort_keys=True), instance, id_message)
                 for instance, id_message, at, counts in observation.final],
            )  # fmt: skip
            fresh = self._fresh(db, observation.events)
            db.executemany(
                "INSERT INTO events (event_id, type, instance_id, id_message, observed_at, payload)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(e.id, e.type, e.instance_id, e.id_message, e.observed_at, e.encode()) for e in fresh],
            )
            db.executemany(
                "INSERT OR IGNORE INTO outbox (event_id, sink, next_attempt) VALUES (?, ?, ?)",
                [(event.id, sink, now) for event in fresh for sink in sinks],
            )

    @staticmethod
    def _fresh(db: sqlite3.Connection, events: Sequence[Event]) -> list[Event]:
        """The events not stored yet (an event already stored was queued when it was): one query per
        :data:`_CHUNK` ids, not one statement per event (a first poll of a 100,000-recipient status)."""
        known: set[str] = set()
        ids = list(dict.fromkeys(event.id for event in events))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT event_id FROM events WHERE event_id IN ({marks})", chunk)  # noqa: S608
            known.update(event_id for (event_id,) in rows)
        out: list[Event] = []
        for event in events:
            if event.id not in known:
                known.add(event.id)  # a duplicate inside one observation counts once
                out.append(event)
        return out

    # -- reads ------------------------------------------------------------------------------------------
    def statuses(self, *, live_only: bool = False, instance_id: int | None = None) -> list[StatusRow]:
        clauses: list[str] = []
        args: list[Any] = []
        if live_only:
            clauses.append("deleted_at IS NULL AND final_at IS NULL")
        if instance_id is not None:
            clauses.append("instance_id = ?")
            args.append(instance_id)
        return self._status_rows(("WHERE " + " AND ".join(clauses)) if clauses else "", args)

    def _status_rows(self, where: str, args: Sequence[Any]) -> list[StatusRow]:
        columns = "instance_id, id_message, kind, audience, posted_at, first_seen, deleted_at, final_at, "
        columns += "final_counts"
        sql = f"SELECT {columns} FROM statuses {where} ORDER BY posted_at, id_message"  # noqa: S608 - our clauses
        rows = self._db.execute(sql, args).fetchall()
        return [
            StatusRow(
                int(row[0]),
                str(row[1]),
                str(row[2]),
                int(row[3]),
                int(row[4]),
                float(row[5]),
                row[6],
                row[7],
                json.loads(row[8]) if row[8] else None,
            )
            for row in rows
        ]

    def status(self, instance_id: int, id_message: str) -> StatusRow | None:
        """One status's row, or None if the monitor never saw it."""
        rows = self._status_rows("WHERE instance_id = ? AND id_message = ?", [instance_id, id_message])
        return rows[0] if rows else None

    def recipients(self, instance_id: int, id_message: str) -> dict[str, tuple[str, int]]:
        rows = self._db.execute(
            "SELECT participant, state, api_ts FROM recipients WHERE instance_id = ? AND id_message = ?",
            (instance_id, id_message),
        )
        return {participant: (state, api_ts) for participant, state, api_ts in rows}

    def transitions(self, instance_id: int, id_message: str) -> list[TransitionRow]:
        rows = self._db.execute(
            "SELECT participant, state, api_ts, first_seen FROM transitions WHERE instance_id = ?"
            " AND id_message = ? ORDER BY first_seen, participant",
            (instance_id, id_message),
        )
        return [TransitionRow(*row) for row in rows]

    def events(self) -> list[dict[str, Any]]:
        """Every event kept, in the order observed (tests, ``report``)."""
        rows = self._db.execute("SELECT payload FROM events ORDER BY observed_at, rowid")
        return [json.loads(payload) for (payload,) in rows]

    # -- outbox -----------------------------------------------------------------------------------------
    def due(self, sink: str, now: float, limit: int) -> list[OutboxItem]:
        rows = self._db.execute(
            # In the order of the index (sink, next_attempt, rowid): no sort of the whole backlog per batch.
            # Fresh events are due when committed, so this is the order they were observed in; an event
            # waiting out a backoff comes after the ones due before it.
            "SELECT o.event_id, e.payload, o.attempts FROM outbox o INDEXED BY outbox_due JOIN events e"
            " USING (event_id) WHERE o.sink = ? AND o.next_attempt <= ? ORDER BY o.next_attempt, o.rowid"
            " LIMIT ?",
            (sink, now, limit),
        )
        return [OutboxItem(event_id, bytes(payload), attempts) for event_id, payload, attempts in rows]

    def next_due(self, sink: str) -> float | None:
        row = self._db.execute("SELECT min(next_attempt) FROM outbox WHERE sink = ?", (sink,)).fetchone()
        return None if row[0] is None else float(row[0])

    def pending(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def delivered(self, sink: str, event_ids: Iterable[str]) -> None:
        with self._transaction() as db:
            db.executemany(
                "DELETE FROM outbox WHERE sink = ? AND event_id = ?", [(sink, i) for i in event_ids]
            )

    def retry_later(
        self, sink: str, event_ids: Iterable[str], *, at: float, error: str, max_attempts: int, now: float
    ) -> int:
        """Count one failed attempt; move what reached ``max_attempts`` to the dead letters. Returns how many
        died."""
        error = error[:_MAX_ERROR_CHARS]
        ids = list(event_ids)
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
                " WHERE sink = ? AND event_id = ?",
                [(at, error, sink, i) for i in ids],
            )
            return self._bury(db, sink, ids, max_attempts, now)

    def dead(self, sink: str, event_ids: Iterable[str], *, error: str, now: float) -> int:
        """Move events straight to the dead letters (a 4xx other than 429: retrying cannot help)."""
        ids = list(event_ids)
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE sink = ? AND event_id = ?",
                [(error[:_MAX_ERROR_CHARS], sink, i) for i in ids],
            )
            return self._bury(db, sink, ids, 0, now)

    @staticmethod
    def _bury(db: sqlite3.Connection, sink: str, ids: list[str], max_attempts: int, now: float) -> int:
        died = 0
        for event_id in ids:
            row = db.execute(
                "SELECT attempts, last_error FROM outbox WHERE sink = ? AND event_id = ? AND attempts >= ?",
                (sink, event_id, max_attempts),
            ).fetchone()
            if row is None:
                continue
            db.execute(
                "INSERT OR REPLACE INTO dead_letters (event_id, sink, attempts, last_error, died_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, sink, row[0], row[1] or "", now),
            )
            db.execute("DELETE FROM outbox WHERE sink = ? AND event_id = ?", (sink, event_id))
            died += 1
        return died

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._db.execute(
            "SELECT d.event_id, d.sink, e.type, d.attempts, d.last_error, d.died_at FROM dead_letters d"
            " JOIN events e USING (event_id) ORDER BY d.died_at, d.event_id"
        )
        return [DeadLetter(*row) for row in rows]

    def dead_letter_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM dead_letters").fetchone()[0])

    def replay(self, now: float, *, sink: str | None = None) -> int:
        """Put dead letters back in the outbox, attempts reset; returns how many."""
        where, args = ("WHERE sink = ?", (sink,)) if sink else ("", ())
        with self._transaction() as db:
            rows = db.execute(f"SELECT event_id, sink FROM dead_letters {where}", args).fetchall()  # noqa: S608
            db.executemany(
                "INSERT OR REPLACE INTO outbox (event_id, sink, attempts, next_attempt) VALUES (?, ?, 0, ?)",
                [(event_id, s, now) for event_id, s in rows],
            )
            db.execute(f"DELETE FROM dead_letters {where}", args)  # noqa: S608
        return len(rows)

    # -- retention --------------------------------------------------------------------------------------
    def prune(self, now: float, keep_days: float = DEFAULT_KEEP_DAYS) -> int:
        """Forget statuses posted more than ``keep_days`` ago (their recipients and transitions) and events
        observed that long ago; events still in the outbox or dead letters are kept until they leave them.
        Returns the statuses removed."""
        cutoff = now - keep_days * 86_400
        with self._transaction() as db:
            old = db.execute("SELECT instance_id, id_message FROM statuses WHERE posted_at < ?", (cutoff,))
            keys = old.fetchall()
            for table in ("recipients", "transitions", "statuses"):
                db.executemany(f"DELETE FROM {table} WHERE instance_id = ? AND id_message = ?", keys)  # noqa: S608
            db.execute(
                "DELETE FROM events WHERE observed_at < ? AND event_id NOT IN"
                " (SELECT event_id FROM outbox UNION SELECT event_id FROM dead_letters)",
                (cutoff,),
            )
        return len(keys)


def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(target, uri=uri, isolation_level=None, timeout=5.0, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the store: {exc}") from None
    return db


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip() and not s.strip().startswith("--")]
