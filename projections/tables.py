"""State tables (one current row per aggregate) and history tables (one row per version)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import math
from datetime import datetime
from operator import itemgetter
from typing import Any

from projections.db import Cursor

CHUNK = 500


class StateTable:
    def __init__(self, name: str, columns: Sequence[str], key: str = "id", ints: Sequence[str] = (),
                 indexes: Sequence[Sequence[str]] = (), kept: bool = True) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.key = key
        self.ints = set(ints)
        self.indexes = indexes
        self.values = itemgetter(*self.columns)  # a row's values in column order, at C speed
        self.kept = kept  # a rebuild holds its rows in memory (rows rewritten often); False: rows written once
        self.key_of = itemgetter(*(k.strip() for k in key.split(","))) if key else None

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

    def held_rows(self, cursor: Cursor) -> dict[Any, dict[str, Any]] | None:
        """A rebuild's rows of this table, by key: its twin table starts empty and only the rebuild
        writes it, so memory holds every row, written once when the replay ends (`flush_held`).
        None outside a rebuild, or for a table whose rows are written once anyway."""
        holding = getattr(cursor.db, "held_state", None)
        return None if holding is None or not self.kept else holding.setdefault(self, {})

    def load(self, cursor: Cursor, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        held = self.held_rows(cursor)
        if held is not None:
            return {key: held[key] for key in keys if key in held}
        keys = list(dict.fromkeys(keys))
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in cursor.fetchall(f"SELECT * FROM {self.name} WHERE {self.key} IN ({marks})", chunk):
                found[row[self.key]] = row
        return found

    def insert(self, cursor: Cursor, rows: Iterable[dict[str, Any] | Sequence[Any]]) -> None:
        """Insert rows given as dicts, or as tuples or lists in the table's column order."""
        values = self.values
        self.write(cursor, [values(row) if isinstance(row, dict) else row for row in rows])

    def write(self, cursor: Cursor, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows given as tuples or lists in the table's column order."""
        cols = ", ".join(self.columns)
        marks = ", ".join("?" * len(self.columns))
        cursor.executemany(f"INSERT INTO {self.name} ({cols}) VALUES ({marks})", rows)

    def load_all(self, db: Any, keys: Iterable[str]) -> list[dict[str, Any]]:
        """`load` outside a transaction of one's own."""
        with db.transaction(commit=False) as cursor:
            return list(self.load(cursor, keys).values())

    def follow(self, cursor: Cursor, records: Sequence[Any], handle: Callable[[dict[str, Any], Any], bool | None],
               history: HistoryTable | None = None) -> None:
        """A view's step over its records: each record's row (loaded, or blank for a new aggregate) changed
        by `handle(row, record)`, which answers False when it left the row as it was; then the changed rows
        written back and, with `history`, one version row for each change."""
        held = self.held_rows(cursor) if self.key == "id" else None
        rows = held if held is not None else self.load(cursor, [r.aggregate_id for r in records])
        changed: dict[str, dict[str, Any]] = {}
        versions: list[list[Any]] = []  # outside a rebuild: the versions to insert
        opened = None if history is None else history.held_open(cursor)  # in a rebuild: the latest of each
        blank, version = self.blank, None if history is None else history.version
        if history is not None:
            effective, valid_to, span = history.at["effective_at"], history.at["valid_to"], history.at["span"]
        for r in records:
            key = r.aggregate_id
            row = rows.get(key)
            if row is None:
                row = blank(key)
                if handle(row, r) is False:
                    continue
                rows[key] = row  # in a rebuild, straight into the rows it holds
            elif handle(row, r) is False:
                continue
            row["version"] = r.version
            changed[key] = row
            if version is None:
                continue
            new = version(row, r)
            if opened is None:
                versions.append(new)
                continue
            previous = opened.get(key)  # as `HistoryTable.insert` does in a rebuild, without a second pass
            if previous is not None:
                at = new[effective]
                previous[valid_to], previous[span] = at, span_class(previous[effective], at)
                versions.append(previous)
            opened[key] = new
        if held is None:
            self.upsert(cursor, changed.values())
        if history is not None:
            if opened is None:
                history.insert(cursor, versions)
            else:
                history.write(cursor, versions)  # the versions closed by this batch

    def upsert(self, cursor: Cursor, rows: Iterable[dict[str, Any]]) -> None:
        held = self.held_rows(cursor)
        if held is not None and self.key_of is not None:
            key_of = self.key_of
            held.update((key_of(row), row) for row in rows)
            return
        cols = ", ".join(self.columns)
        marks = ", ".join("?" * len(self.columns))
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c != self.key)
        cursor.executemany(
            f"INSERT INTO {self.name} ({cols}) VALUES ({marks}) ON CONFLICT ({self.key}) DO UPDATE SET {updates}",
            [self.values(row) for row in rows],
        )


class HistoryTable(StateTable):
    """Every version of an aggregate's row, with the two times that select it for as-of queries, and
    when the next version took effect (`valid_to`, FAR while it is the latest) with the class of that
    span's length (`span`, OPEN while it is the latest): as known now, the rows at T are those with
    `effective_at <= T < valid_to`, which `rows_at` finds span class by span class in the
    `(span, effective_at, valid_to)` index (projections/moment.py)."""

    STAMP = ("version", "effective_at", "recorded_at", "position", "valid_to", "span")

    def __init__(self, name: str, columns: Sequence[str], ints: Sequence[str] = (),
                 indexes: Sequence[Sequence[str]] = (), carried: Sequence[str] = ()) -> None:
        # Rows are only ever appended, so the (id, version) key is an index made after a bulk load
        # rather than a primary key kept up row by row. It carries the two times, and a view with units
        # has a second one led by the unit: the as-of rows (projections/moment.py rows_at) pick each
        # aggregate's latest version by T and K from the index alone, for all units or for one.
        # `carried`: the columns that all units' counts at T read (progress), carried in the span index
        # so that SQLite answers them from the index alone, without looking up each row it finds there.
        stamps = ("id", "version", "effective_at", "recorded_at")
        per_unit = [("unit", *stamps)] if "unit" in columns else []
        super().__init__(name, tuple(columns) + self.STAMP, key="", ints=tuple(ints) + ("version", "position", "span"),
                         indexes=[stamps, *per_unit, ("span", "effective_at", "valid_to", *carried), *indexes])
        self.state_values = itemgetter(*columns)
        self.at = {c: i for i, c in enumerate(self.columns)}

    def version(self, row: dict[str, Any], record: Any) -> list[Any]:
        """The row as it stands after `record`, stamped with the record's version and two times: a
        list, which `insert` takes over (it closes the version in place when the next one comes)."""
        return [*self.state_values(row), record.version, record.effective_at, record.recorded_at, record.position,
                FAR, OPEN]

    def held_open(self, cursor: Cursor) -> dict[str, list[Any]] | None:
        """In a rebuild, each aggregate's latest version, held open until the next one closes it; None
        outside a rebuild."""
        rebuilding = getattr(cursor.db, "held", None)
        return None if rebuilding is None else rebuilding.setdefault(self, {})

    def insert(self, cursor: Cursor, rows: Iterable[dict[str, Any] | Sequence[Any]]) -> None:
        """Append versions, each closing its aggregate's previous one (its `valid_to` and `span`). A
        rebuild (a cursor whose db holds `held`) keeps each aggregate's latest version in memory until
        the next one closes it, so that it never updates a row (its tables have no index yet); `flush`
        writes the ones still open when its replay ends. Lists (as `version` makes them) are taken
        over, not copied."""
        at = self.at
        ident, effective = at["id"], at["effective_at"]
        valid_to, span = at["valid_to"], at["span"]
        values = self.values
        versions = [row if type(row) is list else list(values(row) if isinstance(row, dict) else row) for row in rows]
        held = self.held_open(cursor)
        latest: dict[str, list[Any]] = {}
        if held is not None:
            done: list[list[Any]] = []
            for row in versions:
                key = row[ident]
                previous = latest.get(key)
                if previous is None:
                    previous = held.pop(key, None)
                    if previous is not None:
                        done.append(previous)
                if previous is not None:
                    previous[valid_to], previous[span] = row[effective], span_class(previous[effective], row[effective])
                latest[key] = row
            held.update(latest)
            done += [row for row in versions if latest[row[ident]] is not row]
            self.write(cursor, done)
            return
        for row in versions:
            previous = latest.get(row[ident])
            if previous is not None:
                previous[valid_to], previous[span] = row[effective], span_class(previous[effective], row[effective])
            latest[row[ident]] = row
        firsts: dict[str, list[Any]] = {}
        for row in versions:
            firsts.setdefault(row[ident], row)
        keys = list(firsts)
        closing = []
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for old in cursor.fetchall(f"SELECT id, version, effective_at FROM {self.name} WHERE id IN ({marks}) "
                                       f"AND span = {OPEN}", chunk):
                new = firsts[old["id"]]
                closing.append((new[effective], span_class(old["effective_at"], new[effective]),
                                old["id"], old["version"]))
        cursor.executemany(f"UPDATE {self.name} SET valid_to = ?, span = ? WHERE id = ? AND version = ?", closing)
        self.write(cursor, versions)


def flush_held(cursor: Cursor) -> None:
    """Write what a rebuild held back as its replay ends: the versions (each aggregate's latest: still
    open), and the state tables' rows (each once, as it stands at the end)."""
    held: dict[HistoryTable, dict[str, list[Any]]] = getattr(cursor.db, "held", {})
    for table, rows in held.items():
        table.write(cursor, list(rows.values()))
    held.clear()
    state: dict[StateTable, dict[Any, dict[str, Any]]] = getattr(cursor.db, "held_state", {})
    for table, current in state.items():
        StateTable.insert(table, cursor, current.values())
    state.clear()


FAR = "9999-12-31T00:00:00.000000+00:00"  # no end yet, and "as known now"
OPEN = 99  # the span class of a version that is still its aggregate's latest
SPANS = 20  # span classes 0..19: up to 2**c hours between a version and the next; the last, any longer


def span_class(start: str, end: str, _instant: Callable[[str], datetime] = datetime.fromisoformat) -> int:
    """The class of a version's span: the least c with end - start <= 2**c hours (0 for an hour or less)."""
    seconds = (_instant(end) - _instant(start)).total_seconds()
    if seconds <= 3600:
        return 0
    c = math.ceil(math.log2(seconds / 3600))
    return c if c < SPANS else SPANS - 1  # the last: unbounded


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
