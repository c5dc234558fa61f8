"""The PostgreSQL recorder that writes each event's leaf in the same transaction as the event.

eventsourcing 9.5.6 inserts events after `LOCK TABLE ... IN EXCLUSIVE MODE` on the events table,
held to the end of the transaction, so writers are serialised and MAX(position) + 1 cannot be
taken twice. The notification ids may have gaps (a rolled-back insert uses up its sequence
numbers); positions have none."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor, sql
from psycopg.adapt import PyFormat
from psycopg.rows import DictRow, tuple_row

from integrity.leaves import TABLE, event_leaf, leaves
from integrity.recorders import BULK, FETCH, Row, Sealed, check_rows, event_rows


# Binary COPY's column types. An aggregate id goes as its 16 bytes, which are what a uuid's binary form
# is: the server reads each field by its column's type, so the bytes need no UUID object to be sent.
EVENT_TYPES = ["bytea", "int8", "text", "bytea"]  # originator_id (uuid), originator_version, topic, state
LEAF_TYPES = ["int8", "int8", "bytea", "int8", "bytea"]  # position, notification_id, originator_id (uuid), version, leaf


class PostgresLeafRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # The library's database-function insert path would skip the leaves: always take the one below.
        self.datastore.enable_db_functions = False
        names = {"schema": sql.Identifier(self.datastore.schema), "leaves": sql.Identifier(TABLE),
                 "events": sql.Identifier(self.events_table_name),
                 "qualified": sql.Literal(f'"{self.datastore.schema}"."{self.events_table_name}"')}
        self.sql_create_statements.append(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{leaves} (position bigint PRIMARY KEY, "
            "notification_id bigint NOT NULL UNIQUE, originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, leaf bytea NOT NULL)").format(**names))
        self.q = {key: sql.SQL(text).format(**names) for key, text in {
            "last": "SELECT (SELECT MAX(position) FROM {schema}.{leaves}), "
                    "EXISTS (SELECT 1 FROM {schema}.{events} WHERE notification_id < %s)",
            "insert": "INSERT INTO {schema}.{leaves} VALUES (%s, %s, %s, %s, %s)",
            "copy": "COPY {schema}.{events} (originator_id, originator_version, topic, state) FROM STDIN "
                    "(FORMAT BINARY)",
            "copy_leaves": "COPY {schema}.{leaves} FROM STDIN (FORMAT BINARY)",
            "currval": "SELECT currval(pg_get_serial_sequence({qualified}, 'notification_id'))",
            "select": "SELECT e.originator_version, e.topic, e.state, l.position, l.leaf FROM {schema}.{events} e "
                      "LEFT JOIN {schema}.{leaves} l ON l.notification_id = e.notification_id "
                      "WHERE e.originator_id = %s",
            "lock": "LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE",
            "count": "SELECT COUNT(*) FROM {schema}.{leaves}",
            "leaves": "SELECT position, notification_id, leaf FROM {schema}.{leaves} ORDER BY position",
            "subject": "SELECT originator_id, originator_version FROM {schema}.{leaves} WHERE position = %s",
            "events": "SELECT notification_id, originator_id, originator_version, topic, state "
                      "FROM {schema}.{events} WHERE notification_id > %s ORDER BY notification_id",
            "event": "SELECT notification_id, originator_id, originator_version, topic, state "
                     "FROM {schema}.{events} WHERE notification_id = %s",
            "at": "SELECT notification_id, leaf FROM {schema}.{leaves} WHERE position = %s",
            "position": "SELECT l.position, l.leaf FROM {schema}.{events} e JOIN {schema}.{leaves} l "
                        "ON l.notification_id = e.notification_id "
                        "WHERE e.originator_id = %s AND e.originator_version = %s",
            "counts": "SELECT COUNT(*), MIN(position), MAX(position), "
                      "(SELECT COUNT(*) FROM {schema}.{events}) FROM {schema}.{leaves}",
            "joined": "SELECT l.position, l.notification_id, l.leaf, e.originator_id, e.originator_version, "
                      "e.topic, e.state FROM {schema}.{leaves} l LEFT JOIN {schema}.{events} e "
                      "ON e.notification_id = l.notification_id ORDER BY l.position",
            "unleafed": "SELECT notification_id, originator_id, originator_version, topic, state "
                        "FROM {schema}.{events} e WHERE NOT EXISTS (SELECT 1 FROM {schema}.{leaves} l "
                        "WHERE l.notification_id = e.notification_id) ORDER BY notification_id",
            "between": "SELECT notification_id, position, leaf FROM {schema}.{leaves} "
                       "WHERE notification_id BETWEEN %s AND %s",
            "before": "SELECT COUNT(*) FROM {schema}.{leaves} WHERE notification_id < %s",
            "first": "SELECT topic, state FROM {schema}.{events} WHERE originator_id = %s "
                     "ORDER BY originator_version LIMIT 1",
        }.items()}

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Many events at once are COPY'd in (binary), then their leaves; a few take the library's INSERT.
        Each event is mapped (`domain.mapper.Mapped.rows`) while the rows before it are on their way
        to the server, and its leaf hashed while the leaves before it are."""
        if len(stored_events) < BULK or kwargs:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor(row_factory=tuple_row) as curs:
            self._lock_table(curs)  # held to the commit: no other writer takes sequence numbers meanwhile,
            self._notify_channel(curs)  # so the COPY's rows take consecutive ones
            bytes_as_bytea(curs)
            rows: list[tuple[bytes, int, str, bytes]] = []
            keep = rows.append
            with curs.copy(self.q["copy"]) as copy:
                copy.set_types(EVENT_TYPES)
                write = copy.write_row
                for row in event_rows(stored_events):
                    write(row)
                    keep(row)
            last_id = curs.execute(self.q["currval"]).fetchone()[0]
            ids = list(range(last_id - len(rows) + 1, last_id + 1))
            last, older = curs.execute(self.q["last"], (ids[0],)).fetchone()
            if last is None:
                if older:
                    return ids  # older events have no leaves yet: `zs verify --seal` builds the tree first
                last = 0
            with curs.copy(self.q["copy_leaves"]) as copy:
                copy.set_types(LEAF_TYPES)
                write = copy.write_row
                shift = last + 1 - ids[0]  # position - log id
                for nid, (raw, version, leaf) in zip(ids, leaves(last, rows)):
                    write((nid + shift, nid, raw, version, leaf))
        return ids

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not ids:
            return ids
        curs.execute(self.q["last"], (ids[0],))
        row = curs.fetchone()
        last, older = row["max"], row["exists"]
        if last is None:
            if older:
                return ids  # older events have no leaves yet: `zs verify --seal` builds the tree first
            last = 0
        curs.executemany(self.q["insert"], [
            (last + offset, nid, s.originator_id, s.originator_version,
             event_leaf(last + offset, _raw(s.originator_id), s.originator_version, s.topic, s.state))
            # the sequence numbers the rows in the order given, whatever order RETURNING lists them in
            for offset, (nid, s) in enumerate(zip(sorted(ids), stored_events), start=1)])
        return ids

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        statement = self.q["select"]
        params: list[Any] = [originator_id]
        if gt is not None:
            statement += sql.SQL(" AND e.originator_version > %s")
            params.append(gt)
        if lte is not None:
            statement += sql.SQL(" AND e.originator_version <= %s")
            params.append(lte)
        statement += sql.SQL(" ORDER BY e.originator_version" + (" DESC" if desc else ""))
        if limit is not None:
            statement += sql.SQL(" LIMIT %s")
            params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, params, prepare=True)
            rows = [(v, t, bytes(s), p, bytes(h) if h is not None else None) for v, t, s, p, h in curs.fetchall()]
        check_rows(originator_id, rows, complete=gt is None and not desc)
        return [StoredEvent(originator_id=originator_id, originator_version=v, topic=t, state=s)
                for v, t, s, _, _ in rows]

    @contextmanager
    def snapshot(self) -> Iterator[PgSnapshot]:
        with self.datastore.get_connection() as conn, conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield PgSnapshot(self, conn)

    def leaf_hashes(self) -> list[bytes]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql.SQL("SELECT leaf FROM {schema}.{leaves} ORDER BY position").format(
                schema=sql.Identifier(self.datastore.schema), leaves=sql.Identifier(TABLE)))
            return [bytes(h) for (h,) in curs.fetchall()]

    def seal(self) -> int:
        with self.datastore.get_connection() as conn, conn.transaction():
            conn.execute(self.q["lock"])
            if conn.cursor(row_factory=tuple_row).execute(self.q["count"]).fetchone()[0]:
                raise Sealed("this ledger's tree is already built; every new event becomes a leaf as it is written")
            snap = PgSnapshot(self, conn)
            rows = [(p, nid, UUID(bytes=raw), v, event_leaf(p, raw, v, t, s))
                    for p, (nid, raw, v, t, s) in enumerate(snap.events(), start=1)]
            with conn.cursor() as curs:
                curs.executemany(self.q["insert"], rows)
            return len(rows)


class PgSnapshot:
    def __init__(self, recorder: PostgresLeafRecorder, conn: Any) -> None:
        self.recorder, self.conn = recorder, conn

    @staticmethod
    def id_bytes(aggregate_id: UUID) -> bytes:
        return aggregate_id.bytes

    def leaves(self) -> list[tuple]:
        with self.conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.recorder.q["leaves"])
            return curs.fetchall()

    def leaf_subjects(self, positions: list[int]) -> dict[int, tuple[bytes, int]]:
        found = {}
        with self.conn.cursor(row_factory=tuple_row) as curs:
            for position in positions:
                row = curs.execute(self.recorder.q["subject"], (position,)).fetchone()
                if row:
                    found[position] = (row[0].bytes, row[1])
        return found

    def counts(self) -> tuple[int, int | None, int | None, int]:
        return self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["counts"]).fetchone()

    def joined_batches(self) -> Iterator[list[tuple]]:
        with self.conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.recorder.q["joined"])
            while batch := curs.fetchmany(FETCH):
                yield batch

    def unleafed(self) -> list[tuple]:
        return self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["unleafed"]).fetchall()

    def leaves_before(self, notification_id: int) -> int:
        return self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["before"], (notification_id,)).fetchone()[0]

    def leaves_between(self, low: int, high: int) -> dict[int, tuple[int, bytes]]:
        rows = self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["between"], (low, high)).fetchall()
        return {n: (p, bytes(h)) for n, p, h in rows}

    def event_batches(self) -> Iterator[list[tuple]]:
        with self.conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.recorder.q["events"], (0,))
            while batch := curs.fetchmany(FETCH):
                yield batch

    def events(self, start: int = 0) -> Iterator[Row]:
        with self.conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.recorder.q["events"], (start,))
            while True:
                batch = curs.fetchmany(FETCH)
                if not batch:
                    return
                for n, a, v, t, s in batch:
                    yield n, a.bytes, v, t, bytes(s)

    def event(self, notification_id: int) -> Row | None:
        row = self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["event"], (notification_id,)).fetchone()
        return (row[0], row[1].bytes, row[2], row[3], bytes(row[4])) if row else None

    def at(self, position: int) -> tuple[bytes, Row | None] | None:
        row = self.conn.cursor(row_factory=tuple_row).execute(self.recorder.q["at"], (position,)).fetchone()
        return None if row is None else (bytes(row[1]), self.event(row[0]))

    def position_of(self, aggregate_id: bytes, version: int) -> tuple[int, bytes] | None:
        row = self.conn.cursor(row_factory=tuple_row).execute(
            self.recorder.q["position"], (UUID(bytes=aggregate_id), version)).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def first_event(self, aggregate_id: bytes) -> tuple[str, bytes] | None:
        row = self.conn.cursor(row_factory=tuple_row).execute(
            self.recorder.q["first"], (UUID(bytes=aggregate_id),)).fetchone()
        return (row[0], bytes(row[1])) if row else None


def bytes_as_bytea(curs: Cursor[Any]) -> None:
    """A binary COPY on this cursor sends bytes as bytea through psycopg's own C dumper: `set_types`
    would otherwise take the one registered last for bytea, DB-API's `Binary` wrapper's, in Python."""
    curs.adapters.register_dumper(bytes, curs.adapters.get_dumper(bytes, PyFormat.BINARY))


def _raw(originator_id: Any) -> bytes:
    return originator_id.bytes if isinstance(originator_id, UUID) else UUID(str(originator_id)).bytes
