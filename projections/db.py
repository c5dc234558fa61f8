"""The views' own tables, in the ledger's database (SQLite or PostgreSQL), written in one dialect.

SQL is written for SQLite (`?` parameters, bare `zs_` table names); for PostgreSQL the tables are
qualified with the store's schema and the parameters become `%s`. Index names start with `ix_`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from domain.values import UTC

TABLE = re.compile(r"\bzs_(\w+)")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class Db:
    def __init__(self, recorder: Any) -> None:
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

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction(commit=False) as cursor:
            return cursor.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None


class Cursor:
    """A cursor that speaks the views' dialect and returns rows as dicts."""

    def __init__(self, db: Db, cursor: Any) -> None:
        self.db = db
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self.db.q(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self.db.q(sql), [tuple(r) for r in rows])

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
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime(TS_FORMAT)


def from_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
