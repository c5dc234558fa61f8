"""The pull loop: read the notification log from the views' position, apply each batch to every
view that has not seen it, and move each view's tracking position in the same transaction.

A crash (even SIGKILL) rolls back a half-applied batch with its positions, so no event is lost or
counted twice. eventsourcing 9.5.6 cannot subscribe to SQLite, hence pulling. A view may lag the
log; every query catches up first, so the CLI reads its own writes."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from collections.abc import Callable, Sequence
from typing import Any


from projections.db import Cursor, Db, LockBusy, ts

BATCH = 2000
REBUILD_BATCH = 30000  # fewer, larger commits when replaying the whole log; its events are held decoded
REBUILD_BATCH_POSTGRES = 10000  # its rows come whole over the wire: smaller batches keep the memory flat
Progress = Callable[[int, int], None]


class LoggedEvent:
    """One event as the views read it: its stored JSON decoded once, as it is read (its state a plain
    attribute: the views read it millions of times in a replay), and never validated (fast replay)."""

    __slots__ = ("position", "topic", "aggregate_id", "version", "kind", "event", "state", "timestamp", "effective_at",
                 "recorded_at")

    def __init__(self, position: int, topic: str, aggregate_id: str, version: int, data: bytes) -> None:
        self.position, self.topic, self.aggregate_id, self.version = position, topic, aggregate_id, version
        self.kind, self.event, current = _topic(topic)
        state: dict[str, Any] = _json(data.decode())[0]
        if current > 1 and state.get("class_version", 1) < current:
            from eventsourcing.utils import resolve_topic

            from domain.mapper import upcast

            upcast(resolve_topic(topic), state)
        self.state = state
        # The two view times, made once for every view that asks, as the event is read. The mapper
        # writes UTC with microseconds as `...ffffffZ`: the view format is then made from the text.
        stamp = self.timestamp = state["timestamp"]
        if type(stamp) is str and len(stamp) == 27 and stamp[26] == "Z":
            recorded = self.recorded_at = f"{stamp[:26]}+00:00"
        elif type(stamp) is str and len(stamp) == 20 and stamp[19] == "Z":  # no microseconds
            recorded = self.recorded_at = f"{stamp[:19]}.000000+00:00"
        else:
            recorded = self.recorded_at = ts(stamp)
            stamp = self.timestamp = str(stamp)
        effective = state["effective_at"]
        self.effective_at: str = recorded if effective == stamp else ts(effective)

    @property
    def done_by(self) -> str:
        """Who did it: the person named on paper for a backfill, else the actor (rule 11)."""
        state = self.state
        return str(state.get("done_by") or state["actor"])


_json = json.JSONDecoder().raw_decode  # the mapper writes compact JSON: no whitespace to skip


@lru_cache(maxsize=None)
def _topic(topic: str) -> tuple[str, str, int]:
    """An event type's aggregate kind, event name, and current class version: stored states older
    than it are upcast, just as the mapper does, so the views read every event in its current shape."""
    from eventsourcing.utils import resolve_topic  # only when the views are behind: a new event to read

    import domain.topics  # noqa: F401  the stored names of moved classes, registered before one is resolved

    kind, _, event = topic.partition(":")[2].partition(".")
    return kind, event, getattr(resolve_topic(topic), "class_version", 1)


def decode(row: tuple[int, str, int, str, bytes]) -> LoggedEvent:
    """A stored event as (position, aggregate id hex, version, topic, state) → a LoggedEvent."""
    position, aggregate_id, version, topic, data = row
    return LoggedEvent(position, topic, aggregate_id, version, data)


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

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        raise NotImplementedError


class Runner:
    """Keeps the views caught up with the log. Opening one reads `zs_tracking` (one SELECT) and runs
    DDL only when a view is new or changed shape, under the store's lock; readers never fail because
    others write (see `catch_up`)."""

    def __init__(self, recorder: Any, views: Sequence[View], store: str | None = None) -> None:
        self.recorder = recorder
        self.store = store  # the store's URL, when known: another process may open it (projections/beside.py)
        self.db = Db(recorder)
        self.views = {view.name: view for view in views}
        self.behind = False  # True when the views answered as they stood: the write lock stayed taken
        self.seen: int | None = None  # the log's head at the last catch-up (None before the first)
        self.changed: list[str] = []  # views this runner made afresh (new, or changed shape by an upgrade)
        if not self._current():
            self._prepare()

    def _current(self) -> bool:
        """Every view's tables exist in this version's shape (their fingerprints in `zs_tracking`)."""
        try:
            rows = self.db.fetchall("SELECT view, fingerprint FROM zs_tracking")
        except Exception:  # no zs_tracking yet, or an older layout without fingerprints
            return False
        known = {row["view"]: row["fingerprint"] for row in rows}
        return all(known.get(name) == view.fingerprint() for name, view in self.views.items())

    def _prepare(self) -> None:
        with self.db.locked() as cursor:
            if "fingerprint" not in self.db.columns(cursor, "zs_tracking"):
                cursor.execute("DROP TABLE IF EXISTS zs_tracking")  # an older layout: every view is replayed
            cursor.execute("CREATE TABLE IF NOT EXISTS zs_tracking "
                           "(view TEXT PRIMARY KEY, position BIGINT NOT NULL, fingerprint TEXT)")
            known = {row["view"]: row["fingerprint"] for row in cursor.fetchall("SELECT view, fingerprint FROM zs_tracking")}
            for view in self.views.values():
                if known.get(view.name) == view.fingerprint():
                    continue  # another process prepared it while we waited for the lock
                view.drop(cursor)  # new, or its tables changed shape with this version: replay it afresh
                view.create(cursor)
                self.changed.append(view.name)
                cursor.execute("INSERT INTO zs_tracking (view, position, fingerprint) VALUES (?, 0, ?) "
                               "ON CONFLICT (view) DO UPDATE SET position = 0, fingerprint = excluded.fingerprint",
                               (view.name, view.fingerprint()))

    def positions(self) -> dict[str, int]:
        rows = self.db.fetchall("SELECT view, position FROM zs_tracking")
        found = {row["view"]: int(row["position"]) for row in rows}
        return {name: found.get(name, 0) for name in self.views}

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, progress: Progress | None = None, limit: int | None = None, batch_size: int | None = None) -> int:
        """Apply everything recorded since the views' positions; returns how many events were read.

        Reads never fail because others write. Each batch is applied under the store's lock (see
        `Db.locked`): on SQLite it waits up to the busy timeout (10 s) for another process's write to
        finish. If the lock stays taken longer (a long rebuild's batch), the views answer as they
        stand, a little behind the log, and `behind` says so; the next command catches up."""
        read = 0
        head = self.seen = self.head()
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
                self._apply(start, batch)
            except LockBusy:
                self.behind = True
                return read
            read += len(batch)
            if progress:
                progress(batch[-1][0], head)

    def _apply(self, start: int, batch: Sequence[Any]) -> None:
        """One batch, read from after `start`, applied to every view that stands between `start` and
        the batch's end: positions are read again under the lock, so a batch another process applied
        first is skipped, never applied twice."""
        records = [decode(n) for n in batch]
        last = records[-1].position
        with self.db.locked() as cursor:
            positions = {row["view"]: int(row["position"])
                         for row in cursor.fetchall("SELECT view, position FROM zs_tracking")}
            for name, view in self.views.items():
                seen = positions.get(name, 0)
                if seen < start or seen >= last:
                    continue  # moved back by a rebuild (the next round reads from its position), or done
                view.apply(cursor, [r for r in records if r.position > seen])
                cursor.execute("UPDATE zs_tracking SET position = ? WHERE view = ?", (last, name))
