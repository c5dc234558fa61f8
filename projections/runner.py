"""The pull loop: read the notification log from the views' position, apply each batch to every
view that has not seen it, and move each view's tracking position in the same transaction.

A crash (even SIGKILL) rolls back a half-applied batch with its positions, so no event is lost or
counted twice. eventsourcing 9.5.6 cannot subscribe to SQLite, hence pulling. A view may lag the
log; every query catches up first, so the CLI reads its own writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.base import upcast
from projections.db import Cursor, Db, ts

BATCH = 2000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Record:
    """One event as the views read it: the stored JSON, decoded but not validated (fast replay)."""

    position: int
    topic: str
    aggregate_id: str
    version: int
    state: dict[str, Any]

    @property
    def event(self) -> str:
        return self.topic.rsplit(".", 1)[-1]

    @property
    def recorded_at(self) -> str:
        return ts(self.state["timestamp"])

    @property
    def effective_at(self) -> str:
        return ts(self.state["effective_at"])


def decode(notification: Any) -> Record:
    state = json.loads(notification.state)
    if "class_version" in state:
        upcast(resolve_topic(notification.topic), state)
    return Record(notification.id, notification.topic, str(notification.originator_id),
                  notification.originator_version, state)


class View:
    """A view: its tables, and how a batch of records changes them."""

    name: str = ""
    tables: Sequence[str] = ()
    schema: Sequence[str] = ()

    def create(self, cursor: Cursor) -> None:
        for statement in self.schema:
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
            cursor.execute("CREATE TABLE IF NOT EXISTS zs_tracking (view TEXT PRIMARY KEY, position BIGINT NOT NULL)")
            for view in self.views.values():
                view.create(cursor)
                cursor.execute("INSERT INTO zs_tracking (view, position) VALUES (?, 0) ON CONFLICT (view) DO NOTHING",
                               (view.name,))

    def positions(self) -> dict[str, int]:
        rows = self.db.fetchall("SELECT view, position FROM zs_tracking")
        found = {row["view"]: int(row["position"]) for row in rows}
        return {name: found.get(name, 0) for name in self.views}

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, progress: Progress | None = None, limit: int | None = None) -> int:
        """Apply everything recorded since the views' positions; returns how many events were read."""
        read = 0
        head = self.head()
        while True:
            positions = self.positions()
            start = min(positions.values(), default=head)
            if start >= head:
                return read
            size = BATCH if limit is None else min(BATCH, limit - read)
            if size <= 0:
                return read
            batch = self.recorder.select_notifications(start=start + 1, limit=size, stop=head)
            if not batch:
                return read
            try:
                self._apply(batch, positions)
            except ConcurrentCatchUp:
                continue  # another process applied it first: re-read the positions
            read += len(batch)
            if progress:
                progress(batch[-1].id, head)

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
        chosen = list(names or self.views)
        with self.db.transaction() as cursor:
            for name in chosen:
                view = self.views[name]
                view.drop(cursor)
                view.create(cursor)
                cursor.execute("UPDATE zs_tracking SET position = 0 WHERE view = ?", (name,))
        return self.catch_up(progress)


class ConcurrentCatchUp(Exception):
    """Another process moved this view on while we applied the same batch; ours rolled back."""

    def __init__(self, name: str) -> None:
        super().__init__(f"view {name} was moved on by another process; retry")
