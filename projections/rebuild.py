"""`zs views rebuild`: replay the whole log into new tables beside the old views, and swap them in,
in one transaction, only once they are complete.

The new tables are the views' own with a suffix (`zs_board_rebuild`, ...). While they fill, every
other command keeps reading and catching up the old views. An event that cannot be read stops the
rebuild with its position, aggregate and event name; the half-built tables are dropped and the old
views answer as before. A rebuild killed mid-way leaves the old views whole too; the next rebuild
drops what it left behind. Each batch passes `Rebuild.check` before it is applied: `zs views rebuild`
checks the stored rows against their leaves there (`integrity.guard.ReplayGuard`), as the replay reads
them, and once more that no leaf is left over before the swap; a changed log stops the rebuild like an
unreadable event, with nothing swapped in. On a long log in a SQLite file, with a core to spare, the
same check runs in a second process beside the replay instead (projections/beside.py), and its verdict
is awaited before the swap."""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Sequence
from typing import Any

from domain.errors import DomainError, RuleViolated
from projections.db import Cursor, Db
from projections.tables import flush_held
from projections.runner import Progress, LoggedEvent, Runner, View, decode

SUFFIX = "_rebuild"
VIEW_TABLE = re.compile(r"\bzs_(?!tracking\b)(\w+)")
INDEX = re.compile(r"\bix_(\w+)")


def rebuild_views(runner: Runner, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
    """Replay the whole log into new tables beside the named views (all by default), and swap
    them in, in one transaction, only once complete. Until then the old views keep answering;
    an unreadable event stops the rebuild (`UnreadableEvent`) and leaves them as they were."""
    from projections.beside import guard_for

    chosen = [runner.views[name] for name in (names or runner.views)]
    guard = guard_for(runner.recorder, runner.store, runner.head())
    return Rebuild(runner, chosen, guard).run(progress)  # a changed log: nothing swapped in


def replay_changed(runner: Runner, progress: Progress | None = None) -> int:
    """The views an upgrade changed the shape of (`Runner.changed`), made afresh when the runner opened,
    replayed as `zs views rebuild` replays (the rows held in memory, the indexes made once at the end)
    rather than caught up in place, which writes into indexed tables and closes each version by an
    UPDATE (five times slower at 1M events). Like the catch-up it stands for, it reads the log without
    the leaf check (`zs verify` and `zs views rebuild` check it). Returns how many events were read."""
    names, runner.changed = runner.changed, []
    if not names or not runner.head():
        return 0
    return Rebuild(runner, [runner.views[name] for name in names]).run(progress)


class UnreadableEvent(DomainError):
    """A stored event the views cannot read: the rebuild stopped and changed nothing."""

    def __init__(self, record: Any, error: Exception) -> None:
        aggregate = _uuid(getattr(record, "aggregate_id", "?"))
        name = f"{getattr(record, 'kind', '?')}.{getattr(record, 'event', '?')}"
        super().__init__(
            f"the event at position {record.position} (aggregate {aggregate}, {name}) cannot be read: "
            f"{type(error).__name__}: {error}; the rebuild stopped and the views still answer as before"
        )
        self.position = record.position


class ShadowDb(Db):
    """The same database, where each view table but `zs_tracking` is its `_rebuild` twin."""

    def __init__(self, db: Db) -> None:
        self.__dict__.update(db.__dict__)
        self._cache = {}
        self._shadow: dict[str, str] = {}
        self.held: dict[Any, Any] = {}  # each history table's open versions (projections/tables.py)
        self.held_state: dict[Any, Any] = {}  # each state table's rows, written once at the end

    def q(self, sql: str) -> str:
        done = self._shadow.get(sql)
        if done is None:
            twin = VIEW_TABLE.sub(lambda m: f"zs_{m.group(1)}{SUFFIX}", sql)
            done = self._shadow[sql] = super().q(INDEX.sub(lambda m: f"ix_{m.group(1)}{SUFFIX}", twin))
        return done


class Rebuild:
    def __init__(self, runner: Runner, views: Sequence[View], guard: Any = None) -> None:
        self.runner = runner
        self.guard = guard  # called with each batch of stored rows, then `guard.finish()` before the swap
        self.views = list(views)
        self.db = runner.db
        self.shadow = ShadowDb(runner.db)
        self.token = uuid.uuid4().hex  # marks this rebuild's rows: a second rebuild started meanwhile stops this one

    def run(self, progress: Progress | None = None) -> int:
        self._begin()
        try:
            count = self._replay(progress)
            if self.guard is not None:
                self.guard.finish()
        except BaseException:
            self._abandon()
            raise
        finally:
            getattr(self.guard, "close", lambda: None)()  # a check in another process: stopped if still running
        self._swap(count)
        return count + self.runner.catch_up(progress)

    def check(self, batch: Sequence[tuple[int, str, int, str, bytes]]) -> None:
        """Called with each batch of stored rows (position, aggregate id, version, topic, state) before
        it is applied. Raise to stop the rebuild; the old views stay as they are."""
        if self.guard is not None:
            self.guard(batch)

    # -- the steps ---------------------------------------------------------------------------------

    def _begin(self) -> None:
        with self.shadow.locked() as cursor:
            for view in self.views:
                view.drop(cursor)  # what a killed rebuild left behind
                view.create(cursor, indexes=False)  # indexes are made once the tables are swapped in
                cursor.execute("INSERT INTO zs_tracking (view, position, fingerprint) VALUES (?, 0, ?) "
                               "ON CONFLICT (view) DO UPDATE SET position = 0, fingerprint = excluded.fingerprint",
                               (self._row(view), self.token))

    def _replay(self, progress: Progress | None) -> int:
        from projections import runner as module

        head = self.runner.head()
        position = read = 0
        size = min(module.REBUILD_BATCH, module.REBUILD_BATCH_POSTGRES) if self.db.postgres else module.REBUILD_BATCH
        start = getattr(self.guard, "start", None)
        if start is not None:
            start(head, size)  # a check beside the replay (projections/beside.py) reads what it reads
        collecting = gc.isenabled()
        gc.disable()  # the replay makes no cycles; sweeping its many live rows would only cost time
        try:
            with self.db.relaxed_sync():
                while position < head:
                    batch = self.db.read_log(position, head, size)
                    if not batch:
                        break
                    self.check(batch)
                    records = _decoded(batch)
                    with self.shadow.locked() as cursor:
                        self._mine(cursor)
                        for view in self.views:
                            _apply(view, cursor, records)
                            cursor.execute("UPDATE zs_tracking SET position = ? WHERE view = ?",
                                           (records[-1].position, self._row(view)))
                    position = records[-1].position
                    read += len(records)
                    del batch, records  # before the next batch is read: one batch in memory at a time, not two
                    if progress:
                        progress(position, head)
                with self.shadow.locked() as cursor:
                    self._mine(cursor)
                    flush_held(cursor)
        finally:
            if collecting:
                gc.enable()
        self.position = position
        return read

    def _swap(self, count: int) -> None:
        """Drop the old tables and rename the new ones in, in one transaction: a reader sees either
        the old views or the new, never a mixture and never none."""
        with self.db.locked() as cursor:
            self._mine(cursor)
            for view in self.views:
                for table in view.tables:
                    self._rename(cursor, table)
                view.create_indexes(cursor)
                cursor.execute("UPDATE zs_tracking SET position = ?, fingerprint = ? WHERE view = ?",
                               (self.position, view.fingerprint(), view.name))
                cursor.execute("DELETE FROM zs_tracking WHERE view = ?", (self._row(view),))

    def _abandon(self) -> None:
        try:
            with self.shadow.locked() as cursor:
                rows = cursor.fetchall("SELECT view FROM zs_tracking WHERE fingerprint = ?", (self.token,))
                if rows:  # still ours: drop what we built
                    for view in self.views:
                        view.drop(cursor)
                        cursor.execute("DELETE FROM zs_tracking WHERE view = ?", (self._row(view),))
        except Exception:  # the original error is what the user needs to see; the next rebuild cleans up
            pass

    # -- helpers -------------------------------------------------------------------------------------

    def _row(self, view: View) -> str:
        return f"{view.name}{SUFFIX}"

    def _mine(self, cursor: Cursor) -> None:
        rows = cursor.fetchall("SELECT view FROM zs_tracking WHERE fingerprint = ?", (self.token,))
        if len(rows) != len(self.views):
            raise RuleViolated("another `zs views rebuild` started meanwhile; this one stopped, "
                               "and the views answer as the other leaves them")

    def _rename(self, cursor: Cursor, table: str) -> None:
        raw = cursor.cursor
        if not self.db.postgres:
            raw.execute(f"DROP TABLE IF EXISTS {table}")
            raw.execute(f"ALTER TABLE {table}{SUFFIX} RENAME TO {table}")
            return
        schema = self.db.schema
        raw.execute(f"DROP TABLE IF EXISTS {schema}.{table}")
        raw.execute(f"ALTER TABLE {schema}.{table}{SUFFIX} RENAME TO {table}")
        raw.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s", (schema, table))
        for row in raw.fetchall():  # the primary key's index keeps the old name: give it the table's
            name = row["indexname"]
            if f"{table}{SUFFIX}" in name:
                raw.execute(f"ALTER INDEX {schema}.{name} RENAME TO {name.replace(f'{table}{SUFFIX}', table)}")


def _decoded(batch: Sequence[tuple[int, str, int, str, bytes]]) -> list[LoggedEvent]:
    records = []
    for row in batch:
        try:
            records.append(decode(row))
        except Exception as error:  # an unknown topic
            raise UnreadableEvent(_Row(row), error) from None
    return records


def _apply(view: View, cursor: Cursor, records: list[LoggedEvent]) -> None:
    try:
        view.apply(cursor, records)
    except Exception as error:
        for record in records:  # which event could not be read?
            try:
                record.state
                record.timestamp
            except Exception as unreadable:
                raise UnreadableEvent(record, unreadable) from None
        raise error


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(hex=str(text)))
    except ValueError:
        return str(text)


class _Row:
    def __init__(self, row: tuple[int, str, int, str, bytes]) -> None:
        self.position, self.aggregate_id = row[0], row[1]
        kind, _, event = row[3].partition(":")[2].partition(".")
        self.kind, self.event = kind or row[3], event or "?"
