"""A bulk write (1,000 events or more at once: PostgreSQL's binary COPY, SQLite's executemany) stores
each event as the library's single INSERT would, each with the leaf `event_leaf` defines, at
consecutive log ids and positions; on a ledger not yet sealed it writes no leaves, and the seal then
covers every event. The events are the committed fixture store's: every kind of event the ledger has."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from domain.application import Ledger
from domain.mapper import Mapped, PydanticMapper
import integrity.leaves
import integrity.recorders
import integrity.recorders_pg
from integrity.leaves import event_leaf, id_bytes, sqlite_rows
from integrity.recorders import BULK
from integrity.verify import scan
from tests.integrity.support import Raw
from tests.unit.test_stored_fixture import stored_events

MAPPER = PydanticMapper()
# 2,300 events of 37+ kinds; less the signed checkpoint, whose root is the fixture store's own tree
EVENTS = [MAPPER.to_domain_event(s) for s in stored_events() if not s.topic.endswith("CheckpointSigned")]


def row(stored) -> tuple[bytes, int, str, bytes]:
    return id_bytes(stored.originator_id), stored.originator_version, stored.topic, stored.state


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(range(len(EVENTS))), min_size=1, max_size=60, unique=True),
       st.lists(st.sampled_from(["rows", "iter", "item"]), min_size=1, max_size=4))
def test_mapped_events_read_in_any_order_equal_the_mappers_one_at_a_time(picked, reads):
    events = [EVENTS[i] for i in picked]
    expected = [MAPPER.to_stored_event(event) for event in events]
    mapped = Mapped(events, MAPPER)
    assert len(mapped) == len(events)
    for read in reads:
        if read == "rows":
            assert list(mapped.rows()) == [row(stored) for stored in expected]
        elif read == "iter":
            assert list(mapped) == expected
        else:
            middle = len(events) // 2
            assert (mapped[middle], mapped[-1], mapped[:2]) == (expected[middle], expected[-1], expected[:2])
    assert list(mapped) == expected  # however far the reads above went


def stored_rows(ledger: Ledger, store: str) -> list[tuple]:
    """(log id, aggregate id as 16 bytes, version, topic, state, position, leaf) in log order."""
    raw = Raw(ledger, store)
    rows = raw.execute("SELECT e.{id}, e.originator_id, e.originator_version, e.topic, e.state, l.position, l.leaf "
                       "FROM {events} e LEFT JOIN {leaves} l ON l.notification_id = e.{id} ORDER BY e.{id}")
    return [(n, id_bytes(a), v, t, bytes(s), p, h and bytes(h)) for n, a, v, t, s, p, h in rows]


@pytest.mark.parametrize("sizes", [(1200, 1099), (7, 1, BULK, 92, BULK + 199)], ids=["bulk first", "mixed"])
def test_a_bulk_write_stores_each_event_as_a_single_insert_would_with_its_leaf(store, sizes):
    ledger = Ledger(store)
    try:
        written = 0
        for size in sizes:  # below BULK the library's INSERT, from it the bulk path
            ledger.recorder.insert_events(Mapped(EVENTS[written:written + size], MAPPER))
            written += size
        rows = stored_rows(ledger, store)
        result = scan(ledger.recorder)
    finally:
        ledger.close()
    expected = [row(MAPPER.to_stored_event(event)) for event in EVENTS[:written]]
    assert [r[1:5] for r in rows] == expected
    first = rows[0][0]
    assert [r[0] for r in rows] == list(range(first, first + written))  # consecutive log ids
    assert [r[5] for r in rows] == list(range(1, written + 1))  # positions in log order
    assert [r[6] for r in rows] == [event_leaf(p, *r) for p, r in enumerate(expected, start=1)]
    assert result.intact and not result.problems and result.tree_size == result.events == written


def test_a_bulk_write_on_a_ledger_not_yet_sealed_leaves_the_tree_to_the_seal(store):
    plain = {"APPLICATION_RECORDER_TOPIC": "eventsourcing.sqlite:SQLiteApplicationRecorder"
             if store.startswith("sqlite") else "eventsourcing.postgres:PostgresApplicationRecorder"}
    old = Ledger(store, env=plain)
    old.recorder.insert_events([MAPPER.to_stored_event(event) for event in EVENTS[:5]])
    old.close()
    ledger = Ledger(store)
    try:
        ledger.recorder.insert_events(Mapped(EVENTS[5:5 + BULK + 10], MAPPER))
        assert all(r[5] is None for r in stored_rows(ledger, store))
        assert not scan(ledger.recorder).sealed
        assert ledger.recorder.seal() == 5 + BULK + 10
        ledger.recorder.insert_events(Mapped(EVENTS[5 + BULK + 10:], MAPPER))
        rows = stored_rows(ledger, store)
        result = scan(ledger.recorder)
    finally:
        ledger.close()
    assert [r[5] for r in rows] == list(range(1, len(EVENTS) + 1))
    assert result.intact and result.tree_size == result.events == len(EVENTS)


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=2**40))
def test_the_rows_sqlite_stores_in_bulk_equal_each_events_own_row_and_leaf(after, first_id):
    stored = [MAPPER.to_stored_event(event) for event in EVENTS[:40]]
    events, leaves = sqlite_rows(first_id, after, (row(s) for s in stored))
    assert events == [(s.originator_id.hex, s.originator_version, s.topic, s.state) for s in stored]
    assert leaves == [
        (after + i, first_id + i - 1, id_bytes(s.originator_id), s.originator_version,
         event_leaf(after + i, id_bytes(s.originator_id), s.originator_version, s.topic, s.state))
        for i, s in enumerate(stored, start=1)]


def _failing_leaves(monkeypatch, store: str) -> None:
    """The leaves' insert fails on its last row, once the events and the leaves before it are written."""
    if store.startswith("sqlite"):
        def rows(*args):
            events, leaves = sqlite_rows(*args)
            return events, [*leaves[:-1], leaves[0]]  # a position taken twice: the primary key refuses it
        monkeypatch.setattr(integrity.recorders, "sqlite_rows", rows)
    else:
        def leaves(after, rows):
            for index, leaf in enumerate(integrity.leaves.leaves(after, rows)):
                if index == BULK:
                    raise RuntimeError("the leaves' COPY broke off")
                yield leaf
        monkeypatch.setattr(integrity.recorders_pg, "leaves", leaves)


def test_a_bulk_write_failing_in_its_last_leaf_records_nothing_and_the_next_write_carries_on(store, monkeypatch):
    ledger = Ledger(store)
    try:
        ledger.recorder.insert_events(Mapped(EVENTS[:10], MAPPER))
        with monkeypatch.context() as patched:
            _failing_leaves(patched, store)
            with pytest.raises(Exception):
                ledger.recorder.insert_events(Mapped(EVENTS[10:10 + BULK + 1], MAPPER))
        assert len(stored_rows(ledger, store)) == 10
        ledger.recorder.insert_events(Mapped(EVENTS[10:10 + BULK + 1], MAPPER))
        rows = stored_rows(ledger, store)
        result = scan(ledger.recorder)
    finally:
        ledger.close()
    assert [r[5] for r in rows] == list(range(1, 10 + BULK + 2))
    assert result.intact and result.tree_size == result.events == 10 + BULK + 1


def test_two_bulk_writers_at_once_on_sqlite_each_record_whole_one_after_the_other(tmp_path):
    """Each waits for the file's write lock before it reads where the log ends, so neither numbers its
    events or leaves from a stale end."""
    path = tmp_path / "two.db"
    store = f"sqlite:///{path}"
    ledgers = [Ledger(store), Ledger(store)]
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # both writers queue behind it
    failures: list[Exception] = []

    def write(ledger: Ledger, events: list) -> None:
        try:
            ledger.recorder.insert_events(Mapped(events, MAPPER))
        except Exception as error:  # pragma: no cover - the failure the test looks for
            failures.append(error)

    writers = [threading.Thread(target=write, args=(ledger, EVENTS[i * BULK:(i + 1) * BULK]))
               for i, ledger in enumerate(ledgers)]
    try:
        for writer in writers:
            writer.start()
        time.sleep(0.3)
        blocker.execute("COMMIT")
        for writer in writers:
            writer.join()
        rows = stored_rows(ledgers[0], store)
        result = scan(ledgers[0].recorder)
    finally:
        blocker.close()
        for ledger in ledgers:
            ledger.close()
    assert not failures
    assert [r[0] for r in rows] == list(range(1, 2 * BULK + 1))
    assert [r[5] for r in rows] == list(range(1, 2 * BULK + 1))
    assert result.intact and result.tree_size == result.events == 2 * BULK
