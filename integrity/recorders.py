"""The SQLite recorder that writes each event's leaf in the same transaction as the event.

The Ledger asks for it through eventsourcing's APPLICATION_RECORDER_TOPIC. SQLite lets one writer
at a time into the file, so positions are dense: the next is MAX(position) + 1 inside the writer's
transaction, and the primary key refuses a duplicate outright."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnection, SQLiteCursor, SQLiteDatastore

from domain.errors import DomainError
from integrity.leaves import TABLE, Tampered, describe, event_leaf, id_bytes, sqlite_rows, subject_of

Row = tuple[int, bytes, int, str, bytes]  # notification id, aggregate id (16 bytes), version, topic, state
FETCH = 5000
BULK = 1000  # rows saved at once from which the connection takes a larger page cache
CACHE_KIB = 65536  # 64 MB (SQLite's default is 2 MB): kept by that pooled connection
# A bulk commit rewrites most pages of the events' primary key (random aggregate ids) into the WAL; at
# SQLite's default (1,000 pages) every such commit then copies them all into the file. That connection
# copies them once the WAL holds 32,768 pages (128 MB) instead: once for several commits (in WAL mode
# a commit is durable in the WAL; the copy into the file is not what makes it so).
WAL_PAGES = 32768
TAKE_WRITE_LOCK = f"DELETE FROM {TABLE} WHERE position IS NULL"  # deletes nothing; waits for the lock, then holds it
INSERT_LEAF = f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?)"


class SQLiteLeafRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.datastore: Any = HoldingDatastore(datastore)

    def hold(self) -> Any:
        """One transaction held open for a batch that writes as it goes (`Batch.flush`): see
        `HoldingDatastore.hold`."""
        return self.datastore.hold()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {TABLE} (position INTEGER PRIMARY KEY, "
                "notification_id INTEGER NOT NULL UNIQUE, originator_id BLOB NOT NULL, "
                "originator_version INTEGER NOT NULL, leaf BLOB NOT NULL)"]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """All the rows in one executemany, their leaves in another (the library inserts events one by one
        to read each rowid). The write lock is taken first: this transaction is then the file's only
        writer, so the rows take the rowids after the last one, and the leaves the positions after the
        last leaf; each event is mapped and its leaf hashed in one pass before either insert."""
        if not stored_events:
            return []
        c.execute(TAKE_WRITE_LOCK)
        if len(stored_events) >= BULK:  # the indexes' pages stay in memory, not re-read per row
            c.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            c.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
        c.execute(f"SELECT (SELECT MAX(rowid) FROM {self.events_table_name}), (SELECT MAX(position) FROM {TABLE})")
        last_id, last = c.fetchone()
        first = (last_id or 0) + 1
        events, leaves = sqlite_rows(first, last or 0, event_rows(stored_events))
        c.executemany(self.insert_events_statement, events)
        c.execute("SELECT last_insert_rowid()")
        if c.fetchone()[0] != first + len(events) - 1:  # the leaves name these log ids: never store them apart
            raise PersistenceError("the events did not take consecutive log ids; nothing was recorded")
        if last is not None or last_id is None:  # else older events have no leaves yet: `zs verify --seal` builds the tree first
            c.executemany(INSERT_LEAF, leaves)
        return list(range(first, first + len(events)))

    # -- reading: the events of one aggregate are checked against their leaves ------------------

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        sql = (f"SELECT e.originator_version, e.topic, e.state, l.position, l.leaf FROM {self.events_table_name} e "
               f"LEFT JOIN {TABLE} l ON l.notification_id = e.rowid WHERE e.originator_id = ?")
        params: list[Any] = [key]
        if gt is not None:
            sql += " AND e.originator_version > ?"
            params.append(gt)
        if lte is not None:
            sql += " AND e.originator_version <= ?"
            params.append(lte)
        sql += " ORDER BY e.originator_version" + (" DESC" if desc else "")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            rows = [(v, t, _bytes(s), p, h) for v, t, s, p, h in c.fetchall()]
        check_rows(originator_id, rows, complete=gt is None and not desc)
        return [StoredEvent(originator_id=self.convert_originator_id(key), originator_version=v, topic=t, state=s)
                for v, t, s, _, _ in rows]

    # -- the whole log, for verify, seal and proofs -----------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """Leaves and events read in one transaction, so a concurrent write is seen whole or not at all."""
        with self.datastore.transaction(commit=False) as c:
            yield Snapshot(self, c)

    def leaf_hashes(self) -> list[bytes]:
        with self.snapshot() as snap:
            return [leaf for _, _, leaf in snap.leaves()]

    def seal(self) -> int:
        """Builds the tree of a store whose events predate it; returns how many leaves were written."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(TAKE_WRITE_LOCK)
            c.execute(f"SELECT COUNT(*) FROM {TABLE}")
            if c.fetchone()[0]:
                raise Sealed("this ledger's tree is already built; every new event becomes a leaf as it is written")
            snap = Snapshot(self, c)
            rows = [(p, nid, raw, v, event_leaf(p, raw, v, t, s))
                    for p, (nid, raw, v, t, s) in enumerate(snap.events(), start=1)]
            c.executemany(INSERT_LEAF, rows)
            return len(rows)


class HoldingDatastore:
    """The SQLite datastore as the Ledger's recorder uses it. While a batch holds one transaction open
    (`hold`), the holding thread's reads and writes run inside it: they see what the batch has written
    so far, and each write is a savepoint of its own (a failed one leaves nothing of itself, so no
    event is ever committed without its leaf). Every other connection sees none of it until the
    commit at the batch's end, and another writer waits for the file's write lock meanwhile."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self._datastore = datastore
        self._held: tuple[int, SQLiteConnection] | None = None  # (holding thread, its connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datastore, name)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Begins the transaction; commits it on leaving, or rolls it back if anything raised."""
        if self._held is not None:
            raise PersistenceError("a transaction is held open already")
        with self._datastore.get_connection(commit=True) as connection, connection.transaction(commit=True):
            self._held = (threading.get_ident(), connection)
            try:
                yield
            finally:
                self._held = None

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        held = self._held
        if held is None or held[0] != threading.get_ident():
            with self._datastore.transaction(commit=commit) as cursor:
                yield cursor
            return
        connection = held[1]
        with connection.cursor() as raw:
            cursor = SQLiteCursor(raw)
            if commit:
                raw.execute("SAVEPOINT zs_write")
            try:
                yield cursor
            except BaseException as error:
                if commit:
                    raw.execute("ROLLBACK TO zs_write")
                    raw.execute("RELEASE zs_write")
                if isinstance(error, sqlite3.Error):
                    raise _persistence_error(error) from error
                raise
            if commit:
                raw.execute("RELEASE zs_write")


def _persistence_error(error: sqlite3.Error) -> PersistenceError:
    """As eventsourcing's own transaction names SQLite's errors (an IntegrityError becomes `Stale`)."""
    if isinstance(error, sqlite3.IntegrityError):
        return IntegrityError(error)
    if isinstance(error, sqlite3.OperationalError):
        return OperationalError(error)
    return PersistenceError(error)


class Snapshot:
    """Bulk reads inside one transaction, as plain tuples (no sqlite3.Row per row)."""

    def __init__(self, recorder: Any, cursor: SQLiteCursor) -> None:
        self.recorder = recorder
        self.connection = cursor.sqlite_cursor.connection

    def _cursor(self) -> Any:
        cursor = self.connection.cursor()
        cursor.row_factory = None
        return cursor

    id_bytes = staticmethod(bytes.fromhex)  # SQLite stores an aggregate id as its hex

    def leaves(self) -> list[tuple[int, int, bytes]]:
        """(position, notification id, leaf), by position."""
        cursor = self._cursor()
        cursor.execute(f"SELECT position, notification_id, leaf FROM {TABLE} ORDER BY position")
        return cursor.fetchall()

    def leaf_subjects(self, positions: list[int]) -> dict[int, tuple[bytes, int]]:
        """The aggregate id (16 bytes) and version each of these leaves was written for."""
        cursor = self._cursor()
        found = {}
        for position in positions:
            cursor.execute(f"SELECT originator_id, originator_version FROM {TABLE} WHERE position = ?", (position,))
            row = cursor.fetchone()
            if row:
                found[position] = (bytes(row[0]), row[1])
        return found

    def counts(self) -> tuple[int, int | None, int | None, int]:
        """How many leaves, their lowest and highest positions, and how many events."""
        cursor = self._cursor()
        cursor.execute(f"SELECT COUNT(*), MIN(position), MAX(position), "
                       f"(SELECT COUNT(*) FROM {self.recorder.events_table_name}) FROM {TABLE}")
        return cursor.fetchone()

    def joined_batches(self) -> Iterator[list[tuple]]:
        """Each leaf with the event it points to (NULLs when that event is gone), by position."""
        cursor = self._cursor()
        cursor.execute(f"SELECT l.position, l.notification_id, l.leaf, e.originator_id, e.originator_version, "
                       f"e.topic, e.state FROM {TABLE} l LEFT JOIN {self.recorder.events_table_name} e "
                       "ON e.rowid = l.notification_id ORDER BY l.position")
        while batch := cursor.fetchmany(FETCH):
            yield batch

    def unleafed(self) -> list[tuple]:
        """The events no leaf points to (written outside zs), in log order."""
        cursor = self._cursor()
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                       f"{self.recorder.events_table_name} e WHERE NOT EXISTS "
                       f"(SELECT 1 FROM {TABLE} l WHERE l.notification_id = e.rowid) ORDER BY rowid")
        return cursor.fetchall()

    def leaves_before(self, notification_id: int) -> int:
        cursor = self._cursor()
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE notification_id < ?", (notification_id,))
        return cursor.fetchone()[0]

    def leaves_between(self, low: int, high: int) -> dict[int, tuple[int, bytes]]:
        """log id → (position, leaf) for the log ids from low to high."""
        cursor = self._cursor()
        cursor.execute(f"SELECT notification_id, position, leaf FROM {TABLE} WHERE notification_id BETWEEN ? AND ?",
                       (low, high))
        return {n: (p, h) for n, p, h in cursor.fetchall()}

    def event_batches(self) -> Iterator[list[tuple]]:
        """Every event as stored (log id, aggregate id, version, topic, state), in log order."""
        cursor = self._cursor()
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                       f"FROM {self.recorder.events_table_name} ORDER BY rowid")
        while batch := cursor.fetchmany(FETCH):
            yield batch

    def events(self, start: int = 0) -> Iterator[Row]:
        cursor = self._cursor()
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                       f"FROM {self.recorder.events_table_name} WHERE rowid > ? ORDER BY rowid", (start,))
        fromhex = bytes.fromhex
        while True:
            batch = cursor.fetchmany(FETCH)
            if not batch:
                return
            for n, a, v, t, s in batch:
                yield n, fromhex(a), v, t, s if type(s) is bytes else _bytes(s)

    def event(self, notification_id: int) -> Row | None:
        cursor = self._cursor()
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                       f"FROM {self.recorder.events_table_name} WHERE rowid = ?", (notification_id,))
        row = cursor.fetchone()
        return (row[0], bytes.fromhex(row[1]), row[2], row[3], _bytes(row[4])) if row else None

    def at(self, position: int) -> tuple[bytes, Row | None] | None:
        """The leaf at a position and the event it points to (None when that event is gone)."""
        cursor = self._cursor()
        cursor.execute(f"SELECT notification_id, leaf FROM {TABLE} WHERE position = ?", (position,))
        row = cursor.fetchone()
        return None if row is None else (row[1], self.event(row[0]))

    def position_of(self, aggregate_id: bytes, version: int) -> tuple[int, bytes] | None:
        cursor = self._cursor()
        cursor.execute(f"SELECT l.position, l.leaf FROM {self.recorder.events_table_name} e JOIN {TABLE} l "
                       "ON l.notification_id = e.rowid WHERE e.originator_id = ? AND e.originator_version = ?",
                       (aggregate_id.hex(), version))
        row = cursor.fetchone()
        return (row[0], row[1]) if row else None

    def first_event(self, aggregate_id: bytes) -> tuple[str, bytes] | None:
        cursor = self._cursor()
        cursor.execute(f"SELECT topic, state FROM {self.recorder.events_table_name} "
                       "WHERE originator_id = ? ORDER BY originator_version LIMIT 1", (aggregate_id.hex(),))
        row = cursor.fetchone()
        return (row[0], _bytes(row[1])) if row else None


def event_rows(stored_events: Sequence[StoredEvent]) -> Iterator[tuple[bytes, int, str, bytes]]:
    """(aggregate id as 16 bytes, version, topic, state) of each event; a `domain.mapper.Mapped` maps its
    domain events straight into these, one at a time, without a StoredEvent each."""
    rows = getattr(stored_events, "rows", None)
    if rows is not None:
        return rows()
    return ((id_bytes(e.originator_id), e.originator_version, e.topic, e.state) for e in stored_events)


def _bytes(value: Any) -> bytes:
    """SQLite hands back TEXT where someone's UPDATE ... replace() turned a BLOB into text."""
    return value.encode() if isinstance(value, str) else bytes(value)


class Sealed(DomainError):
    """The tree was built already."""


def check_rows(originator_id: Any, rows: Sequence[tuple[int, str, bytes, int | None, bytes | None]],
               complete: bool) -> None:
    """Refuse to hand over events that no longer match their leaves, or an aggregate missing a version."""
    raw = id_bytes(originator_id)
    subject = None
    if rows and rows[0][0] == 1:
        subject = subject_of(rows[0][1], bytes(rows[0][2]))
    expected = 1
    previous = None
    for version, topic, state, position, leaf in rows:
        if position is not None and event_leaf(position, raw, version, topic, bytes(state)) != bytes(leaf):
            raise Tampered(describe(position, subject, "no longer matches its leaf"))
        if complete and version != expected:
            where = f"after position {previous}" if previous else "at its start"
            raise Tampered(describe(position or 0, subject, f"follows a missing version {expected} ({where})"))
        expected, previous = version + 1, position

