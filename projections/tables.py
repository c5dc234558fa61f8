"""State tables (one current row per aggregate) and history tables (one row per version)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from projections.db import Cursor

CHUNK = 500


class StateTable:
    def __init__(self, name: str, columns: Sequence[str], key: str = "id", ints: Sequence[str] = (),
                 indexes: Sequence[Sequence[str]] = ()) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.key = key
        self.ints = set(ints)
        self.indexes = indexes

    def tables_sql(self) -> list[str]:
        cols = ", ".join(f"{c} {'BIGINT' if c in self.ints else 'TEXT'}" for c in self.columns)
        return [f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, PRIMARY KEY ({self.key}))"]

    def indexes_sql(self) -> list[str]:
        """Secondary indexes: made after a rebuild's bulk load, which is faster than keeping them up."""
        return [f"CREATE INDEX IF NOT EXISTS ix_{self.name.removeprefix('zs_')}_{'_'.join(index)} "
                f"ON {self.name} ({', '.join(index)})" for index in self.indexes]

    def load(self, cursor: Cursor, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in cursor.fetchall(f"SELECT * FROM {self.name} WHERE {self.key} IN ({marks})", chunk):
                found[row[self.key]] = row
        return found

    def insert(self, cursor: Cursor, rows: Iterable[dict[str, Any] | tuple[Any, ...]]) -> None:
        """Insert rows given as dicts, or as tuples in the table's column order."""
        cols = ", ".join(self.columns)
        marks = ", ".join("?" * len(self.columns))
        cursor.executemany(f"INSERT INTO {self.name} ({cols}) VALUES ({marks})",
                           [row if isinstance(row, tuple) else [row.get(c) for c in self.columns] for row in rows])

    def load_all(self, db: Any, keys: Iterable[str]) -> list[dict[str, Any]]:
        """`load` outside a transaction of one's own."""
        with db.transaction(commit=False) as cursor:
            return list(self.load(cursor, keys).values())

    def upsert(self, cursor: Cursor, rows: Iterable[dict[str, Any]]) -> None:
        cols = ", ".join(self.columns)
        marks = ", ".join("?" * len(self.columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c != self.key)
        cursor.executemany(
            f"INSERT INTO {self.name} ({cols}) VALUES ({marks}) ON CONFLICT ({self.key}) DO UPDATE SET {updates}",
            [[row.get(c) for c in self.columns] for row in rows],
        )


class HistoryTable(StateTable):
    """Every version of an aggregate's row, with the two times that select it for as-of queries."""

    STAMP = ("version", "effective_at", "recorded_at", "position")

    def __init__(self, name: str, columns: Sequence[str], ints: Sequence[str] = (),
                 indexes: Sequence[Sequence[str]] = ()) -> None:
        super().__init__(name, tuple(columns) + self.STAMP, key="id, version",
                         ints=tuple(ints) + ("version", "position"), indexes=indexes)
