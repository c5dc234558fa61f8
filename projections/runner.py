"""The pull loop: read the notification log from the views' position, apply each batch to every
view that has not seen it, and move each view's tracking position in the same transaction.

A crash (even SIGKILL) rolls back a half-applied batch with its positions, so no event is lost or
counted twice. eventsourcing 9.5.6 cannot subscribe to SQLite, hence pulling. A view may lag the
log; every query catches up first, so the CLI reads its own writes."""

from __future__ import annotations

import gc
import hashlib
import json
from functools import lru_cache
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.base import upcast
from projections.db import Cursor, Db, ts

BATCH = 2000
REBUILD_BATCH = 50000  # fewer, larger commits when replaying the whole log
Progress = Callable[[int, int], None]


class Record:
    """One event as the views read it: its stored JSON, decoded only when a view asks for its state
    (most events need only their kind and recorded time), and never validated (fast replay)."""

    __slots__ = ("position", "topic", "aggregate_id", "version", "kind", "event", "_data", "_state")

    def __init__(self, position: int, topic: str, aggregate_id: str, version: int, data: bytes) -> None:
        self.position, self.topic, self.aggregate_id, self.version = position, topic, aggregate_id, version
        self.kind, self.event, _ = _topic(topic)
        self._data = data
        self._state: dict[str, Any] | None = None

    @property
    def state(self) -> dict[str, Any]:
        if self._state is None:
            state = _json(self._data.decode())[0]
            current = _topic(self.topic)[2]
            if current > 1 and state.get("class_version", 1) < current:
                upcast(resolve_topic(self.topic), state)
            self._state = state
        return self._state

    @property
    def timestamp(self) -> str:
        """The recorded time as stored. The mapper writes it first, so it is read off the raw JSON."""
        data = self._data
        if self._state is None and data.startswith(b'{"timestamp":"'):
            return data[14:data.index(b'"', 14)].decode()
        return str(self.state["timestamp"])

    @property
    def recorded_at(self) -> str:
        return ts(self.timestamp)

    @property
    def effective_at(self) -> str:
        return ts(self.state["effective_at"])


_json = json.JSONDecoder().raw_decode  # the mapper writes compact JSON: no whitespace to skip


@lru_cache(maxsize=None)
def _topic(topic: str) -> tuple[str, str, int]:
    """An event type's aggregate kind, event name, and current class version: stored states older
    than it are upcast, just as the mapper does, so the views read every event in its current shape."""
    kind, _, event = topic.partition(":")[2].partition(".")
    return kind, event, getattr(resolve_topic(topic), "class_version", 1)


def decode(row: tuple[int, str, int, str, bytes]) -> Record:
    """A stored event as (position, aggregate id hex, version, topic, state) → a Record."""
    position, aggregate_id, version, topic, data = row
    return Record(position, topic, aggregate_id, version, data)


class View:
    """A view: its tables, and how a batch of records changes them."""

    name: str = ""
    tables: Sequence[str] = ()
    tables_sql: Sequence[str] = ()
    indexes_sql: Sequence[str] = ()

    def create(self, cursor: Cursor, indexes: bool = True) -> None:
        for statement in (*self.tables_sql, *(self.indexes_sql if indexes else ())):
            cursor.execute(statement)

    def fingerprint(self) -> str:
        """The shape of the view's tables: when a new version changes it, the view is rebuilt."""
        return hashlib.sha256("\n".join((*self.tables_sql, *self.indexes_sql)).encode()).hexdigest()[:16]

    def create_indexes(self, cursor: Cursor) -> None:
        for statement in self.indexes_sql:
            cursor.execute(statement)

    def drop(self, cursor: Cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        raise NotImplementedError


class Runner:
    def __init__(self, recorder: Any, views: Sequence[View]) -> None:
        self.recorder = recorder
        self.db = Db(recorder)
        self.views = {view.name: view for view in views}
        with self.db.transaction() as cursor:
            if "fingerprint" not in self.db.columns(cursor, "zs_tracking"):
                cursor.execute("DROP TABLE IF EXISTS zs_tracking")  # an older layout: every view is replayed
            cursor.execute("CREATE TABLE IF NOT EXISTS zs_tracking "
                           "(view TEXT PRIMARY KEY, position BIGINT NOT NULL, fingerprint TEXT)")
            known = {row["view"]: row["fingerprint"] for row in cursor.fetchall("SELECT view, fingerprint FROM zs_tracking")}
            for view in self.views.values():
                if known.get(view.name) != view.fingerprint():
                    view.drop(cursor)  # new, or its tables changed shape with this version: replay it afresh
                view.create(cursor)
                cursor.execute("INSERT INTO zs_tracking (view, position, fingerprint) VALUES (?, 0, ?) "
                               "ON CONFLICT (view) DO UPDATE SET position = CASE WHEN zs_tracking.fingerprint = "
                               "excluded.fingerprint THEN zs_tracking.position ELSE 0 END, "
                               "fingerprint = excluded.fingerprint", (view.name, view.fingerprint()))

    def positions(self) -> dict[str, int]:
        rows = self.db.fetchall("SELECT view, position FROM zs_tracking")
        found = {row["view"]: int(row["position"]) for row in rows}
        return {name: found.get(name, 0) for name in self.views}

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, progress: Progress | None = None, limit: int | None = None, batch_size: int | None = None) -> int:
        """Apply everything recorded since the views' positions; returns how many events were read."""
        read = 0
        head = self.head()
        while True:
            positions = self.positions()
            start = min(positions.values(), default=head)
            if start >= head:
                return read
            size = batch_size or BATCH
            size = size if limit is None else min(size, limit - read)
            if size <= 0:
                return read
            batch = self.db.read_log(start, head, size)
            if not batch:
                return read
            try:
                self._apply(batch, positions)
            except ConcurrentCatchUp:
                continue  # another process applied it first: re-read the positions
            read += len(batch)
            if progress:
                progress(batch[-1][0], head)

    def _apply(self, batch: Sequence[Any], positions: dict[str, int]) -> None:
        records = [decode(n) for n in batch]
        last = records[-1].position
        with self.db.transaction() as cursor:
            for name, view in self.views.items():
                seen = positions[name]
                mine = [r for r in records if r.position > seen]
                if not mine:
                    continue
                view.apply(cursor, mine)
                cursor.execute("UPDATE zs_tracking SET position = ? WHERE view = ? AND position = ?",
                               (last, name, seen))
                if cursor.rowcount != 1:
                    raise ConcurrentCatchUp(name)

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Drop the named views (all by default) and replay the whole log into them."""
        from integrity.guard import check_log

        check_log(self.recorder)  # a changed log is refused before any view is touched
        chosen = list(names or self.views)
        with self.db.transaction() as cursor:
            for name in chosen:
                view = self.views[name]
                view.drop(cursor)
                view.create(cursor, indexes=False)
                cursor.execute("UPDATE zs_tracking SET position = 0 WHERE view = ?", (name,))
        collecting = gc.isenabled()
        gc.disable()  # the replay makes no cycles; sweeping its many live rows would only cost time
        try:
            with self.db.relaxed_sync():
                count = self.catch_up(progress, batch_size=REBUILD_BATCH)
        finally:
            if collecting:
                gc.enable()
        with self.db.transaction() as cursor:
            for name in chosen:
                self.views[name].create_indexes(cursor)
        return count


class ConcurrentCatchUp(Exception):
    """Another process moved this view on while we applied the same batch; ours rolled back."""

    def __init__(self, name: str) -> None:
        super().__init__(f"view {name} was moved on by another process; retry")
