"""The views' own tables, in the ledger's database (SQLite or PostgreSQL), written in one dialect.

SQL is written for SQLite (`?` parameters, bare `zs_` table names); for PostgreSQL the tables are
qualified with the store's schema and the parameters become `%s`. Index names start with `ix_`."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.schema import lock_key
from domain.sqlite_reader import ReaderCursor
from domain.values import UTC

TABLE = re.compile(r"\bzs_(\w+)")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"
# A statement that carries this comment is planned once for any value of its parameters: on PostgreSQL
# it is prepared and run by its generic plan, without parallel workers. The as-of rows by span
# (projections/moment.py `spans_at`) carry it: given T, the planner chose sequential and parallel
# scans of the version tables that took two to four times as long as the generic plan's index ranges.
PLAN_ONCE = "/* plan once */"
# A statement that carries this one joins each aggregate's chosen version to its row by key: on
# PostgreSQL it runs without hash or merge joins, since the planner, guessing far more aggregates than
# the chosen versions name, hashed the whole version table instead (projections/moment.py `latest_at`).
BY_KEY = "/* by key */"
MMAP_BYTES = 1 << 32  # SQLite caps it at its compile-time maximum
GENERIC = ("SELECT set_config('plan_cache_mode', 'force_generic_plan', true), "
           "set_config('max_parallel_workers_per_gather', '0', true)")
NESTED = "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"


class Db:
    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.datastore = recorder.datastore
        self.postgres = type(self.datastore).__name__.startswith("Postgres")
        self.schema = getattr(self.datastore, "schema", "public") if self.postgres else ""
        self.events_table = recorder.events_table_name
        self._cache: dict[str, str] = {}

    def q(self, sql: str) -> str:
        """A statement in this database's dialect."""
        done = self._cache.get(sql)
        if done is None:
            done = sql
            if self.postgres:
                done = TABLE.sub(lambda m: f"{self.schema}.zs_{m.group(1)}", done).replace("?", "%s")
            self._cache[sql] = done
        return done

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield Cursor(self, cursor)

    @contextmanager
    def locked(self) -> Iterator[Cursor]:
        """A write transaction that no other process's view writes run beside: on SQLite `BEGIN
        IMMEDIATE`, which waits for the write lock (the busy timeout) before reading anything, so the
        transaction never has to upgrade a stale read to a write ("database is locked"); on PostgreSQL
        the schema's advisory lock, the one `domain/schema.py` takes for its DDL. Raises `LockBusy`
        when SQLite's lock stays taken past the busy timeout."""
        if self.postgres:
            with self.transaction() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (lock_key(self.schema),))
                yield cursor
            return
        with self.datastore.get_connection(commit=True) as connection:
            raw = connection._sqlite_conn
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise LockBusy(str(error)) from None
            inner = ReaderCursor(raw.cursor())  # as eventsourcing.sqlite.SQLiteCursor
            try:
                yield Cursor(self, inner)
            except BaseException:
                raw.rollback()
                raise
            finally:
                inner.sqlite_cursor.close()
            raw.commit()

    def map_reads(self) -> None:
        """SQLite: this thread's reading connection reads the file through a memory map (up to SQLite's
        own limit) rather than a system call per page: the as-of questions read a row from thousands of
        pages of the version tables (5-8 % of progress as of a date at 1M, on a loaded machine)."""
        if self.postgres:
            return
        with self.datastore.get_connection(commit=False) as connection:
            connection._sqlite_conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        if self.postgres and (PLAN_ONCE in sql or BY_KEY in sql):
            with self.datastore.transaction(commit=False) as cursor:
                once = self._plan(cursor, sql)
                cursor.execute(self.q(sql), tuple(params), prepare=True if once else None)
                return [dict(row) for row in cursor.fetchall()]
        with self.transaction(commit=False) as cursor:
            return cursor.fetchall(sql, params)

    @staticmethod
    def _plan(cursor: Any, sql: str) -> bool:
        """PostgreSQL: the settings a statement's hints ask for, in its transaction; whether it is prepared."""
        if BY_KEY in sql:
            cursor.execute(NESTED)
        if PLAN_ONCE in sql:
            cursor.execute(GENERIC)
            return True
        return False

    def columns(self, cursor: Cursor, table: str) -> set[str]:
        """The columns a table has (none if it does not exist)."""
        if self.postgres:
            rows = cursor.fetchall("SELECT column_name AS name FROM information_schema.columns "
                                   "WHERE table_schema = ? AND table_name = ?", (self.schema, table))
        else:
            rows = cursor.fetchall(f"SELECT name FROM pragma_table_info('{table}')")
        return {row["name"] for row in rows}

    @contextmanager
    def relaxed_sync(self) -> Iterator[None]:
        """For a rebuild on SQLite: commits in WAL mode without waiting for the disk (synchronous =
        NORMAL). A crash loses no committed batch and corrupts nothing; a power cut may lose the last
        batches, which the next catch-up replays. PostgreSQL is left as it is."""
        if self.postgres:
            yield
            return
        with self.datastore.get_connection(commit=True) as connection:
            raw = connection._sqlite_conn
            before = raw.execute("PRAGMA synchronous").fetchone()[0]
            checkpoint = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            raw.execute("PRAGMA synchronous = NORMAL")
            raw.execute("PRAGMA wal_autocheckpoint = 100000")
        try:
            yield
        finally:
            with self.datastore.get_connection(commit=True) as connection:
                raw = connection._sqlite_conn
                raw.execute(f"PRAGMA synchronous = {int(before)}")
                raw.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def values(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples: for the hot paths that read many rows of a few columns."""
        with self.datastore.transaction(commit=False) as cursor:
            if self.postgres:
                from psycopg.rows import tuple_row

                once = self._plan(cursor, sql)
                cursor.row_factory = tuple_row  # plain tuples from psycopg too: no dict per row
                cursor.execute(self.q(sql), tuple(params), prepare=True if once else None)
                return cursor.fetchall()
            raw = cursor.sqlite_cursor.connection.cursor()
            raw.row_factory = None  # plain tuples, straight from sqlite3
            raw.execute(sql, tuple(params))
            return raw.fetchall()

    def read_log(self, after: int, stop: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        """Stored events in log order, (position, aggregate id as hex, version, topic, state), read
        straight from the events table: the replay's hot path, at the speed of a sequential scan."""
        if self.postgres:
            sql = (f"SELECT notification_id, originator_id, originator_version, topic, state "
                   f"FROM {self.schema}.{self.events_table} WHERE notification_id > %s AND notification_id <= %s "
                   f"ORDER BY notification_id LIMIT %s")
        else:
            sql = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table} "
                   f"WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?")
        with self.datastore.transaction(commit=False) as cursor:
            if self.postgres:
                from psycopg.rows import tuple_row

                cursor.row_factory = tuple_row  # plain tuples, as on SQLite: no dict per row
                cursor.execute(sql, (after, stop, limit))
                return [(n, a.hex, v, t, bytes(s)) for n, a, v, t, s in cursor.fetchall()]
            raw = cursor.sqlite_cursor
            raw.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
            raw.execute(sql, (after, stop, limit))
            return raw.fetchall()

    def read_aggregates(self, ids: Sequence[str]) -> list[tuple[int, str, int, str, bytes]]:
        """Every stored event of these aggregates (ids as hex), in log order."""
        rows: list[tuple[int, str, int, str, bytes]] = []
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            if self.postgres:
                sql = (f"SELECT notification_id, originator_id, originator_version, topic, state "
                       f"FROM {self.schema}.{self.events_table} WHERE originator_id = ANY(%s)")
                params: tuple[Any, ...] = ([UUID(hex=x) for x in chunk],)
            else:
                sql = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table} "
                       f"WHERE originator_id IN ({', '.join('?' * len(chunk))})")
                params = tuple(chunk)
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, params)
                found = cursor.fetchall()
            if self.postgres:
                rows += [(r["notification_id"], r["originator_id"].hex, r["originator_version"], r["topic"],
                          bytes(r["state"])) for r in found]
            else:
                rows += [tuple(r) for r in found]  # type: ignore[misc]
        return sorted(rows)

    def read_positions(self, positions: Sequence[int]) -> dict[int, bytes]:
        """The stored state of the events at these positions (the audit trail's details)."""
        found: dict[int, bytes] = {}
        column = "notification_id" if self.postgres else "rowid"
        table = f"{self.schema}.{self.events_table}" if self.postgres else self.events_table
        mark = "%s" if self.postgres else "?"
        with self.datastore.transaction(commit=False) as cursor:
            for i in range(0, len(positions), 500):
                chunk = positions[i:i + 500]
                cursor.execute(f"SELECT {column} AS position, state FROM {table} "
                               f"WHERE {column} IN ({', '.join([mark] * len(chunk))})", tuple(chunk))
                found.update({row["position"]: bytes(row["state"]) for row in cursor.fetchall()})
        return found

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None


class LockBusy(Exception):
    """Another process held SQLite's write lock for longer than the busy timeout."""


class Cursor:
    """A cursor that speaks the views' dialect and returns rows as dicts."""

    def __init__(self, db: Db, cursor: Any) -> None:
        self.db = db
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self.db.q(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self.db.q(sql), rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.execute(sql, params)
        return [dict(row) for row in self.cursor.fetchall()]

    @property
    def rowcount(self) -> int:
        inner = getattr(self.cursor, "sqlite_cursor", self.cursor)
        return int(inner.rowcount)


def ts(moment: datetime | str) -> str:
    """A UTC instant as sortable text: every view stores and compares times in this one format."""
    if isinstance(moment, str):
        if moment.endswith("Z"):  # how the mapper writes UTC: the replay's hot path, done on the text
            if len(moment) == 20:
                return f"{moment[:19]}.000000+00:00"
            if len(moment) == 27:
                return f"{moment[:26]}+00:00"
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime(TS_FORMAT)


def from_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
