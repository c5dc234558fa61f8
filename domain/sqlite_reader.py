"""A SQLite ledger opened for a read that finds its views current (projections/readstore.py), without
eventsourcing's persistence modules (docs/performance.md, start-up): one connection, opened as
eventsourcing.sqlite opens its own (auto-commit, an explicit BEGIN per transaction, WAL, rows as
sqlite3.Row, the store's lock timeout), with the few parts of its datastore and recorder that the views'
tables (projections/db.py) and the runner use: `transaction`, `get_connection`, `events_table_name`,
`max_notification_id`. Anything else asked of the recorder (the Merkle leaves that `zs audit`, `zs summary`
and `zs views rebuild` check the log against: integrity/recorders.py) is answered by the store's own
recorder, opened through eventsourcing when first asked, so every check runs as before. A store that
needs more (a write, schema work) opens the Ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

EVENTS_TABLE = "stored_events"  # eventsourcing's SQLiteApplicationRecorder's table


class ReaderCursor:
    """As eventsourcing.sqlite.SQLiteCursor: the sqlite3 cursor as `sqlite_cursor`."""

    def __init__(self, sqlite_cursor: sqlite3.Cursor) -> None:
        self.sqlite_cursor = sqlite_cursor

    def execute(self, *args: Any) -> None:
        self.sqlite_cursor.execute(*args)

    def executemany(self, *args: Any) -> None:
        self.sqlite_cursor.executemany(*args)

    def fetchall(self) -> Any:
        return self.sqlite_cursor.fetchall()

    def fetchone(self) -> Any:
        return self.sqlite_cursor.fetchone()

    @property
    def lastrowid(self) -> Any:
        return self.sqlite_cursor.lastrowid


class ReaderConnection:
    """As eventsourcing.sqlite.SQLiteConnection, for projections.db's `locked` and `relaxed_sync`."""

    def __init__(self, sqlite_conn: sqlite3.Connection) -> None:
        self._sqlite_conn = sqlite_conn


class ReaderDatastore:
    def __init__(self, path: str, lock_timeout: float) -> None:
        self.db_name = path
        self._connection = sqlite3.connect(path, uri=True, check_same_thread=False, isolation_level=None,
                                           timeout=lock_timeout)
        mode = self._connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.row_factory = sqlite3.Row

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[ReaderCursor]:
        """One transaction: committed when `commit` and nothing went wrong, else rolled back."""
        cursor = self._connection.cursor()
        try:
            cursor.execute("BEGIN")
            try:
                yield ReaderCursor(cursor)
            except BaseException:
                self._connection.rollback()
                raise
            if commit:
                self._connection.commit()
            else:
                self._connection.rollback()
        finally:
            cursor.close()

    @contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[ReaderConnection]:
        yield ReaderConnection(self._connection)

    def close(self) -> None:
        self._connection.close()


class ReaderRecorder:
    """What the read side asks of eventsourcing's application recorder; the rest from `full()`, the
    store's own recorder (the leaf recorder), opened on first use."""

    def __init__(self, datastore: ReaderDatastore, full: Callable[[], Any]) -> None:
        self.datastore = datastore
        self.events_table_name = EVENTS_TABLE
        self._full = full

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_full":
            raise AttributeError(name)
        return getattr(self._full(), name)

    def max_notification_id(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
            return int(cursor.fetchone()[0] or 0)


class ReaderFactory:
    """As eventsourcing's InfrastructureFactory for `ReadStore`: the recorder, and `close`. `opener`
    opens the store's own factory (eventsourcing's), when the recorder is asked for more."""

    def __init__(self, path: str, lock_timeout: float, opener: Callable[[], Any]) -> None:
        self.datastore = ReaderDatastore(path, lock_timeout)
        self._opener = opener
        self._factory: Any = None
        self._recorder: Any = None

    def application_recorder(self) -> ReaderRecorder:
        return ReaderRecorder(self.datastore, self._full_recorder)

    def _full_recorder(self) -> Any:
        if self._recorder is None:
            self._factory = self._opener()
            self._recorder = self._factory.application_recorder()
        return self._recorder

    def close(self) -> None:
        self.datastore.close()
        if self._factory is not None:
            self._factory.close()
