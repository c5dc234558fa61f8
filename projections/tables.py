"""State tables (one current row per aggregate) and history tables (one row per version)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
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
        self.values = itemgetter(*self.columns)  # a row's values in column order, at C speed

    def blank(self, key: str) -> dict[str, Any]:
        """A new row: every column present (None), so `values` can read it."""
        return dict.fromkeys(self.columns) | {"id": key}

    def tables_sql(self) -> list[str]:
        cols = ", ".join(f"{c} {'BIGINT' if c in self.ints else 'TEXT'}" for c in self.columns)
        key = f", PRIMARY KEY ({self.key})" if self.key else ""
        return [f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}{key})"]

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
        values = self.values
        cursor.executemany(f"INSERT INTO {self.name} ({cols}) VALUES ({marks})",
                           [row if isinstance(row, tuple) else values(row) for row in rows])

    def load_all(self, db: Any, keys: Iterable[str]) -> list[dict[str, Any]]:
        """`load` outside a transaction of one's own."""
        with db.transaction(commit=False) as cursor:
            return list(self.load(cursor, keys).values())

    def follow(self, cursor: Cursor, records: Sequence[Any], handle: Callable[[dict[str, Any], Any], bool | None],
               history: HistoryTable | None = None) -> None:
        """A view's step over its records: each record's row (loaded, or blank for a new aggregate) changed
        by `handle(row, record)`, which answers False when it left the row as it was; then the changed rows
        written back and, with `history`, one version row for each change."""
        rows = self.load(cursor, [r.aggregate_id for r in records])
        changed, versions = {}, []
        for r in records:
            row = rows.get(r.aggregate_id) or rows.setdefault(r.aggregate_id, self.blank(r.aggregate_id))
            if handle(row, r) is False:
                continue
            row["version"] = r.version
            changed[r.aggregate_id] = row
            if history is not None:
                versions.append(history.version(row, r))
        self.upsert(cursor, changed.values())
        if history is not None:
            history.insert(cursor, versions)

    def upsert(self, cursor: Cursor, rows: Iterable[dict[str, Any]]) -> None:
        cols = ", ".join(self.columns)
        marks = ", ".join("?" * len(self.columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c != self.key)
        cursor.executemany(
            f"INSERT INTO {self.name} ({cols}) VALUES ({marks}) ON CONFLICT ({self.key}) DO UPDATE SET {updates}",
            [self.values(row) for row in rows],
        )


class HistoryTable(StateTable):
    """Every version of an aggregate's row, with the two times that select it for as-of queries."""

    STAMP = ("version", "effective_at", "recorded_at", "position")

    def __init__(self, name: str, columns: Sequence[str], ints: Sequence[str] = (),
                 indexes: Sequence[Sequence[str]] = ()) -> None:
        # Rows are only ever appended, so the (id, version) key is an index made after a bulk load
        # rather than a primary key kept up row by row. It carries the two times, and a view with units
        # has a second one led by the unit: the as-of rows (projections/moment.py rows_at) pick each
        # aggregate's latest version by T and K from the index alone, for all units or for one.
        stamps = ("id", "version", "effective_at", "recorded_at")
        per_unit = [("unit", *stamps)] if "unit" in columns else []
        super().__init__(name, tuple(columns) + self.STAMP, key="", ints=tuple(ints) + ("version", "position"),
                         indexes=[stamps, *per_unit, *indexes])
        self.state_values = itemgetter(*columns)

    def version(self, row: dict[str, Any], record: Any) -> tuple[Any, ...]:
        """The row as it stands after `record`, stamped with the record's version and two times."""
        return self.state_values(row) + (record.version, record.effective_at, record.recorded_at, record.position)


class Tally:
    """Running counts per key (e.g. projects per unit, stage, status and library), kept exact by
    adding each change's difference, so "now" questions read a few rows however long the log."""

    def __init__(self, name: str, keys: Sequence[str], sums: Sequence[str]) -> None:
        self.name, self.keys, self.sums = name, tuple(keys), tuple(sums)
        self.pending: dict[tuple[Any, ...], list[int]] = {}

    def tables_sql(self) -> list[str]:
        cols = ", ".join([f"{k} TEXT NOT NULL" for k in self.keys] + [f"{s} BIGINT NOT NULL" for s in self.sums])
        return [f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, PRIMARY KEY ({', '.join(self.keys)}))"]

    def reset(self) -> None:
        """Forget what a failed batch left behind; called as each batch begins."""
        self.pending.clear()

    def add(self, key: tuple[Any, ...] | None, *amounts: int, sign: int = 1) -> None:
        if key is None:
            return
        totals = self.pending.get(key)
        if totals is None:
            totals = self.pending[key] = [0] * len(self.sums)
        for i, amount in enumerate(amounts):
            totals[i] += sign * amount

    def flush(self, cursor: Cursor) -> None:
        rows = [key + tuple(totals) for key, totals in self.pending.items() if any(totals)]
        self.pending.clear()
        cols = ", ".join(self.keys + self.sums)
        marks = ", ".join("?" * (len(self.keys) + len(self.sums)))
        updates = ", ".join(f"{s} = {self.name}.{s} + excluded.{s}" for s in self.sums)
        cursor.executemany(f"INSERT INTO {self.name} ({cols}) VALUES ({marks}) "
                           f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {updates}", rows)
        if rows:  # a count back at zero is no row at all, as a replay from scratch would leave it
            cursor.execute(f"DELETE FROM {self.name} WHERE {' AND '.join(f'{s} = 0' for s in self.sums)}")
