"""The ledger's tables, made once per store and version, never by every command.

`zs init` and `zs demo` create them. Every other command checks them with one cheap SELECT of the
`zs_schema` row and runs no DDL: on PostgreSQL two processes running `CREATE ... IF NOT EXISTS` at the
same moment fail with "tuple concurrently updated", and on SQLite DDL takes the write lock. When the
row is missing or older (a ledger made by an earlier version), the tables are made or brought up to
date once, under a lock (PostgreSQL: an advisory lock on the schema; SQLite: `BEGIN IMMEDIATE`).
A store that holds no ledger is refused and left exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.attachments import create_table_sql
from domain.errors import DomainError, NotFound

SCHEMA_VERSION = 2  # 2: a row per recorder (the leaf recorders add the Merkle leaves table)


def part_for(recorder_topic: str) -> str:
    """The zs_schema row of a ledger written through this recorder: a store made through another
    recorder (one without the leaves table, say) gets this one's tables made when first opened."""
    return f"ledger {recorder_topic}"
NO_LEDGER = "no ledger here ({where}); create one with `zs init --admin NAME`"


class NoLedger(NotFound):
    """A command other than `init` or `demo` met a store that holds no ledger."""


class StoreUnavailable(DomainError):
    """The store cannot be reached or opened; the message carries the server's own reason."""


def check_sqlite_file(path: str, where: str, part: str) -> bool:
    """Before a SQLite store is opened for anything but creating it: is there a ledger? Read-only,
    so an empty or foreign file stays exactly as it was (opening it normally would turn on WAL).
    True when the schema row is current; False for a ledger that needs its tables brought up to date."""
    if not Path(path).is_file():
        raise NoLedger(NO_LEDGER.format(where=where))
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise StoreUnavailable(f"cannot open {path}: {error}") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "zs_schema" in tables:
            row = connection.execute("SELECT version FROM zs_schema WHERE part = ?", (part,)).fetchone()
            return row is not None and row[0] >= SCHEMA_VERSION
    except sqlite3.DatabaseError as error:
        raise StoreUnavailable(f"{path} is not a ledger: {error}") from None
    finally:
        connection.close()
    if "stored_events" not in tables:
        raise NoLedger(NO_LEDGER.format(where=where))
    return False


def ensure(recorder: Any, create: bool, where: str, part: str) -> None:
    """Make sure the ledger's tables exist at this version: one SELECT when they do."""
    store = _Store(recorder, part)
    if store.current():
        return
    with store.locked() as cursor:
        if not store.current(cursor):  # else another process made them while we waited for the lock
            if not create and not store.has_events(cursor):
                raise NoLedger(NO_LEDGER.format(where=where))
            store.create(cursor)
    store.after_create()


def is_current(recorder: Any, part: str) -> bool:
    """The ledger's tables exist at this version (one SELECT); raises StoreUnavailable when unreachable."""
    return _Store(recorder, part).current()


class _Store:
    def __init__(self, recorder: Any, part: str) -> None:
        self.recorder = recorder
        self.part = part
        self.datastore = recorder.datastore
        self.postgres = type(self.datastore).__name__.startswith("Postgres")
        self.schema = getattr(self.datastore, "schema", "public") if self.postgres else ""
        self.table = f"{self.schema}.zs_schema" if self.postgres else "zs_schema"
        self.mark = "%s" if self.postgres else "?"

    def current(self, cursor: Any = None) -> bool:
        if cursor is not None:
            if not self._exists(cursor, "zs_schema"):
                return False
            cursor.execute(f"SELECT version FROM {self.table} WHERE part = {self.mark}", (self.part,))
            row = cursor.fetchone()
            return row is not None and row["version"] >= SCHEMA_VERSION
        from eventsourcing.persistence import OperationalError, ProgrammingError  # only a Ledger's store

        try:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(f"SELECT version FROM {self.table} WHERE part = {self.mark}", (self.part,))
                row = cursor.fetchone()
        except OperationalError as error:  # PostgreSQL: no connection; SQLite: no such table
            if self.postgres:
                raise StoreUnavailable(unreachable(self.datastore, error)) from None
            return False
        except ProgrammingError:  # PostgreSQL: no such table or schema; the slow path finds out which
            return False
        return row is not None and row["version"] >= SCHEMA_VERSION

    def has_events(self, cursor: Any) -> bool:
        return self._exists(cursor, self.recorder.events_table_name)

    def _exists(self, cursor: Any, table: str) -> bool:
        if self.postgres:
            cursor.execute("SELECT to_regclass(%s) AS found", (f"{self.schema}.{table}",))
            return cursor.fetchone()["found"] is not None
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        return cursor.fetchone() is not None

    @contextmanager
    def locked(self) -> Iterator[Any]:
        """A cursor inside a transaction that no other process's schema work runs beside."""
        if self.postgres:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,))
                if cursor.fetchone() is None:
                    raise StoreUnavailable(f'cannot use the store: schema "{self.schema}" does not exist; '
                                           f"create it first (CREATE SCHEMA {self.schema})")
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock_key(self.schema),))
                yield cursor
            return
        with self.datastore.get_connection(commit=True) as connection:
            raw = connection._sqlite_conn
            raw.execute("BEGIN IMMEDIATE")  # waits for the write lock (the busy timeout), then holds it
            cursor = raw.cursor()
            try:
                yield cursor
            except BaseException:
                raw.rollback()
                raise
            raw.commit()

    def create(self, cursor: Any) -> None:
        if self.postgres:
            self._create_postgres(cursor)
        else:
            for statement in self.recorder.create_table_statements:
                cursor.execute(statement)
        cursor.execute(create_table_sql(self.postgres, self.schema))
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (part TEXT PRIMARY KEY, version BIGINT NOT NULL)")
        cursor.execute(f"INSERT INTO {self.table} (part, version) VALUES ({self.mark}, {self.mark}) "
                       f"ON CONFLICT (part) DO UPDATE SET version = excluded.version", (self.part, SCHEMA_VERSION))

    def _create_postgres(self, cursor: Any) -> None:
        """eventsourcing's DDL, in our transaction and under our lock. Its composite types have no
        IF NOT EXISTS, so a type already there (a ledger of an earlier version) is skipped."""
        for statement in self.recorder.sql_create_statements:
            text = statement.as_string()
            if "CREATE TYPE" in text:
                name = text.split("CREATE TYPE", 1)[1].split("AS", 1)[0].strip()
                cursor.execute("SELECT to_regtype(%s) AS found", (name,))
                if cursor.fetchone()["found"] is not None:
                    continue
            cursor.execute(statement, prepare=False)

    def after_create(self) -> None:
        if self.postgres:
            self.datastore.register_type_adapters()


def lock_key(schema: str) -> str:
    """The advisory lock every process takes before it changes the tables of this schema."""
    return f"zhaoshang:{schema}"


def unreachable(datastore: Any, error: Exception) -> str:
    """Why a PostgreSQL store cannot be used, in the server's own words: the pool only says it gave
    up waiting, so one direct connection asks the server (no such database, no such role, refused)."""
    pool = getattr(datastore, "pool", None)
    if pool is None:
        return f"cannot use the store: {error}"
    kwargs = {k: v for k, v in pool.kwargs.items() if k != "row_factory" and v not in (None, "")}
    try:
        pool.connection_class.connect(connect_timeout=5, **kwargs).close()
    except Exception as direct:  # the reason we want to show
        reason = " ".join(str(direct).split())
        reason = reason.split("failed: ", 1)[-1] if "failed: " in reason else reason
        where = f"{kwargs.get('user', '')}@{kwargs.get('host', '')}:{kwargs.get('port', '')}/{kwargs.get('dbname', '')}"
        return f"cannot use the store postgresql://{where}: {reason}"
    return f"cannot use the store: {error}"
