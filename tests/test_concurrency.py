"""Reads never fail because others write (issue 9, item 7), on SQLite and PostgreSQL.

8 reading processes open the ledger and its views afresh for every read, as each `zs` command does,
while 2 writing processes note progress on the same project, for a few seconds. No read may fail,
and the only write failure allowed is the domain's "someone else changed this" for a writer that lost
a race on the same aggregate. Every write that succeeded is in the log, once."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from domain.application import Ledger, Machine
from domain.errors import RuleViolated
from domain.values import Stage
from projections.queries import Queries
from projections.rebuild import rebuild_views
from tests.conftest import set_up_commission

READERS, WRITERS, SECONDS = 8, 2, 3.0
PROJECT = "HW-2021-001"
RACE = "someone else changed this at the same moment"
MACHINE = Machine(os_user="tester", host="test-host")


def _loop(kind: str, store: str, until: float, results: Any, step: Callable[[Ledger, Counter[str]], None]) -> None:
    """Open the ledger, take one step, close it, until the time is up and one step has succeeded (on a
    busy machine one step may outlast the time; a minute more at most); count how each step ended.
    A lost race is counted apart ("raced"); every other failure counts as failed, whatever its kind."""
    counts: Counter[str] = Counter()
    errors: list[str] = []
    while time.monotonic() < until or (not counts["ok"] and time.monotonic() < until + 60):
        try:
            ledger = Ledger(store, machine=MACHINE, create=False)
            try:
                step(ledger, counts)
            finally:
                ledger.close()
            counts["ok"] += 1
        except RuleViolated as error:
            counts["raced" if RACE in str(error) else "failed"] += 1
            if RACE not in str(error):
                errors.append(str(error))
        except Exception as error:
            counts["failed"] += 1
            errors.append(f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
    results.put((kind, dict(counts), errors[:3]))


def _read_once(ledger: Ledger, counts: Counter[str]) -> None:
    queries = Queries(ledger)
    assert queries.board()[0]["number"] == PROJECT
    queries.progress()


def _read(store: str, until: float, results: Any) -> None:
    _loop("read", store, until, results, _read_once)


def _rebuild(store: str, until: float, results: Any) -> None:
    _loop("rebuild", store, until, results, lambda ledger, counts: rebuild_views(Queries(ledger).runner))


def _write(store: str, until: float, actor: str, results: Any) -> None:
    _loop("write", store, until, results,
          lambda ledger, counts: ledger.note_progress(actor, PROJECT, f"{actor} 第{counts['ok'] + 1}次会商"))


def run_readers_beside_writers(store: str, rebuilders: int = 0) -> dict[str, Counter[str]]:
    ledger = set_up_commission(Ledger(store, machine=MACHINE))
    Queries(ledger)
    before = ledger.recorder.max_notification_id()
    ledger.close()

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    until = time.monotonic() + 2.0 + SECONDS  # every process starts before the clock runs out
    processes = [context.Process(target=_read, args=(store, until, results)) for _ in range(READERS)]
    processes += [context.Process(target=_write, args=(store, until, actor, results))
                  for actor in ("孙联络", "钱副处")[:WRITERS]]
    processes += [context.Process(target=_rebuild, args=(store, until, results)) for _ in range(rebuilders)]
    for process in processes:
        process.start()
    totals: dict[str, Counter[str]] = {"read": Counter(), "write": Counter(), "rebuild": Counter()}
    errors: list[str] = []
    for _ in processes:
        kind, counts, found = results.get(timeout=120)
        totals[kind].update(counts)
        errors += found
    for process in processes:
        process.join(timeout=30)

    assert totals["read"]["failed"] == 0, errors
    assert totals["write"]["failed"] == 0, errors
    assert totals["rebuild"]["failed"] == 0, errors
    assert totals["rebuild"]["ok"] >= rebuilders, totals
    assert totals["read"]["ok"] >= READERS and totals["write"]["ok"] >= WRITERS, totals

    ledger = Ledger(store, machine=MACHINE, create=False)
    try:
        recorded = ledger.recorder.select_notifications(start=1, limit=10_000)
        assert len(recorded) == before + totals["write"]["ok"]  # none lost, none twice
        assert len(ledger.project(PROJECT).notes) == totals["write"]["ok"]
        queries = Queries(ledger)  # (PostgreSQL's positions may skip the numbers of the lost races)
        assert queries.runner.positions() == {name: recorded[-1].id for name in queries.runner.views}
        assert len(queries.audit()) == len(recorded)
    finally:
        ledger.close()
    return totals


def test_readers_beside_writers_on_sqlite_never_fail(tmp_path):
    run_readers_beside_writers(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.mark.postgres
def test_readers_beside_writers_on_postgres_never_fail(pg_store):
    run_readers_beside_writers(pg_store)


def test_readers_beside_writers_and_a_rebuild_on_sqlite_never_fail(tmp_path):
    run_readers_beside_writers(f"sqlite:///{tmp_path / 'ledger.db'}", rebuilders=1)


@pytest.mark.postgres
def test_readers_beside_writers_and_a_rebuild_on_postgres_never_fail(pg_store):
    run_readers_beside_writers(pg_store, rebuilders=1)


@pytest.mark.postgres
def test_processes_opening_a_new_postgres_ledger_at_once_make_its_tables_once(pg_store):
    """Each opening used to run CREATE ... IF NOT EXISTS, and two at once failed with "tuple
    concurrently updated"; now the first makes the tables under a lock and the rest find them."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_open_and_read, args=(pg_store, results)) for _ in range(6)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes == ["ok"] * 6


def _open_and_read(store: str, results: Any) -> None:
    try:
        ledger = Ledger(store, machine=MACHINE)
        Queries(ledger).board()
        ledger.close()
        results.put("ok")
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")


def test_a_reader_answers_from_the_views_as_they_stand_while_the_write_lock_stays_taken(tmp_path):
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = set_up_commission(Ledger(store, machine=MACHINE))
    Queries(ledger)
    ledger.advance_project("孙联络", PROJECT, Stage.NEGOTIATING)
    ledger.close()

    holder = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        impatient = Ledger(store, machine=MACHINE, create=False, env={"SQLITE_LOCK_TIMEOUT": "1"})
        queries = Queries(impatient)
        assert queries.runner.behind
        assert queries.board()[0]["stage"] == "lead"  # the views as they stood, one event behind
        impatient.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    ledger = Ledger(store, machine=MACHINE, create=False)
    queries = Queries(ledger)
    assert not queries.runner.behind and queries.board()[0]["stage"] == "negotiating"
    ledger.close()
