"""A long batch written as it goes (`Batch.flush`): on SQLite each flush writes the events collected so
far into the batch's one transaction, so memory stays flat; the batch is still all or nothing, nobody
else sees any of it before its end, and its own commands see what it flushed as stored. On PostgreSQL a
flush keeps the events in the batch until its end, as a batch without flushes does."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from decimal import Decimal

import pytest

import integrity.recorders
from domain.application import Ledger
from domain.errors import AlreadyExists, Stale
from domain.values import Level, Sector, Stage
from integrity.leaves import sqlite_rows
from integrity.recorders import BULK
from integrity.verify import scan
from tests.conftest import MACHINE
from tests.integrity.test_bulk_write import EVENTS


def head(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def add_project(ledger: Ledger, number: str) -> None:
    ledger.add_project("孙联络", number, "HW", f"项目{number}", Sector.SANITATION, Level.CITY, "某公司",
                       Decimal("100.00"))


def test_a_flushed_batch_is_seen_whole_by_its_own_commands_and_by_nobody_else_before_its_end(commission, store):
    other = Ledger(store, machine=MACHINE)  # another process's view of the same store
    before = head(commission)
    try:
        with commission.batch() as batch:
            add_project(commission, "HW-2021-002")
            batch.flush()
            commission.advance_project("孙联络", "HW-2021-002", Stage.NEGOTIATING, date(2021, 9, 1))
            add_project(commission, "HW-2021-003")
            batch.flush()
            commission.note_progress("孙联络", "HW-2021-002", "签约后进场准备")
            assert commission.project("HW-2021-002").stage is Stage.NEGOTIATING
            assert [p.number for p in commission.projects()].count("HW-2021-003") == 1  # stored or pending, once
            assert len(commission.history(commission.project("HW-2021-002").id)) == 3
            if store.startswith("sqlite"):
                assert (batch.flushed, len(batch.events), head(commission)) == (3, 1, before + 3)
            else:
                assert (batch.flushed, len(batch.events)) == (0, 4)
            assert head(other) == before  # nothing committed yet
            assert "HW-2021-002" not in [p.number for p in other.projects()]
        assert head(other) == before + 4
        assert other.project("HW-2021-002").version == 3
        result = scan(other.recorder)
    finally:
        other.close()
    assert result.intact and result.tree_size == result.events == before + 4


def test_an_exception_after_flushes_records_nothing_and_the_next_batch_carries_on(commission, store):
    before = head(commission)
    with pytest.raises(AlreadyExists, match="already registered"):
        with commission.batch() as batch:
            add_project(commission, "HW-2021-002")
            batch.flush()
            commission.note_progress("孙联络", "HW-2021-001", "进展")
            batch.flush()
            add_project(commission, "HW-2021-002")
    assert head(commission) == before
    assert "HW-2021-002" not in [p.number for p in commission.projects()]
    with commission.batch() as batch:
        add_project(commission, "HW-2021-002")
        batch.flush()
    assert head(commission) == before + 1
    result = scan(commission.recorder)
    assert result.intact and result.tree_size == result.events == before + 1


def test_a_flush_failing_in_its_last_leaf_leaves_nothing_of_itself_in_the_batchs_transaction(tmp_path, monkeypatch):
    """Caught inside the batch, a failed flush must not leave its events behind without their leaves."""
    ledger = Ledger(f"sqlite:///{tmp_path / 'flush.db'}")
    try:
        with ledger.batch() as batch:
            batch.collect(EVENTS[:BULK])
            batch.flush()
            batch.collect(EVENTS[BULK:2 * BULK])
            with monkeypatch.context() as patched:
                def rows(*args):
                    events, leaves = sqlite_rows(*args)
                    return events, [*leaves[:-1], leaves[0]]  # a position taken twice: the primary key refuses it
                patched.setattr(integrity.recorders, "sqlite_rows", rows)
                with pytest.raises(Stale):
                    batch.flush()
            assert (batch.flushed, len(batch.events)) == (BULK, BULK)  # kept: written again below
            batch.flush()
        result = scan(ledger.recorder)
    finally:
        ledger.close()
    assert result.intact and result.tree_size == result.events == 2 * BULK


def test_another_writer_waits_for_a_flushed_batch_then_records_after_it(tmp_path):
    store = f"sqlite:///{tmp_path / 'two.db'}"
    ledger, other = Ledger(store), Ledger(store)
    done: list[int] = []

    def write() -> None:
        other.recorder.insert_events([other.mapper.to_stored_event(e) for e in EVENTS[2 * BULK:2 * BULK + 5]])
        done.append(head(other))

    writer = threading.Thread(target=write)
    try:
        with ledger.batch() as batch:
            batch.collect(EVENTS[:BULK])
            batch.flush()
            writer.start()
            time.sleep(0.3)
            assert not done  # waiting for the file's write lock
            batch.collect(EVENTS[BULK:2 * BULK])
        writer.join()
        result = scan(ledger.recorder)
    finally:
        ledger.close()
        other.close()
    assert done == [2 * BULK + 5]
    assert result.intact and result.tree_size == result.events == 2 * BULK + 5


def test_a_reader_beside_a_flushed_batch_sees_the_store_as_it_was(tmp_path):
    path = tmp_path / "read.db"
    ledger = Ledger(f"sqlite:///{path}")
    reader = sqlite3.connect(path)
    try:
        with ledger.batch() as batch:
            batch.collect(EVENTS[:BULK])
            batch.flush()
            assert reader.execute("SELECT COUNT(*) FROM stored_events").fetchone() == (0,)
            assert reader.execute("SELECT COUNT(*) FROM zs_leaves").fetchone() == (0,)
        assert reader.execute("SELECT COUNT(*) FROM zs_leaves").fetchone() == (BULK,)
    finally:
        reader.close()
        ledger.close()
