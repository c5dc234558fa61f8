"""What the read-side tests share: every view table dumped in a comparable form, and Shanghai moments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from domain.application import Ledger
from domain.values import SHANGHAI, UTC
from projections.db import Db
from tests.conftest import MACHINE, Clock, postgres_schema, set_up_commission

Dump = dict[str, list[tuple[Any, ...]]]


def view_tables(db: Db) -> list[str]:
    """Every table of the ledger's database whose name starts with zs_ (the views, tracking, attachments)."""
    with db.transaction(commit=False) as cursor:
        if db.postgres:
            cursor.cursor.execute("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = %s",
                                  (db.schema,))
        else:
            cursor.cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = [row["name"] for row in cursor.cursor.fetchall()]
    return sorted(n for n in names if n.startswith("zs_"))


def view_indexes(db: Db) -> list[str]:
    """The names of the views' secondary indexes (they start with ix_)."""
    with db.transaction(commit=False) as cursor:
        if db.postgres:
            cursor.cursor.execute("SELECT indexname AS name FROM pg_indexes WHERE schemaname = %s", (db.schema,))
        else:
            cursor.cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = [row["name"] for row in cursor.cursor.fetchall()]
    return sorted(n for n in names if n.startswith("ix_"))


def dump(ledger: Ledger) -> Dump:
    """Every zs_ table's rows, each as sorted (column, value) pairs, the rows sorted, and under
    "(indexes)" the views' index names: equal dumps, equal views. In a tally table (zs_..._counts)
    a row whose counts are all zero says nothing, so it is left out: incremental catch-up leaves
    such rows behind when a count goes back to zero, a replay never makes them."""
    db = Db(ledger.recorder)
    tables: Dump = {"(indexes)": [(name,) for name in view_indexes(db)]}
    with db.transaction(commit=False) as cursor:
        for name in view_tables(db):
            rows = cursor.fetchall(f"SELECT * FROM {name}")
            if name.endswith("_counts"):
                rows = [row for row in rows if any(isinstance(v, int) and v for v in row.values())]
            tables[name] = sorted((tuple(sorted((k, _plain(v)) for k, v in row.items())) for row in rows), key=repr)
    return tables


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def shanghai(*parts: int) -> datetime:
    """A Shanghai wall-clock moment, as UTC."""
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def commission_like(ledger: Ledger) -> Ledger:
    """The `commission` fixture's ledger (tests/conftest.py), for fixtures of a wider scope than a test."""
    return set_up_commission(ledger)


@contextmanager
def store_for_module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store URL that lives as long as a module-scoped fixture: a SQLite file, or a PostgreSQL schema
    of its own (request.param names which)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'ledger.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def module_commission(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Clock]]:
    """The commission on a module-scoped store, with its clock at 2021-09-01 10:00 Shanghai."""
    with store_for_module(request, tmp_path_factory) as store:
        clock = Clock(datetime(2021, 9, 1, 2, 0, tzinfo=UTC))
        ledger = Ledger(store, clock=clock, machine=MACHINE)
        try:
            yield commission_like(ledger), clock
        finally:
            ledger.close()


def log_actions(ledger: Ledger, upto: int | None = None) -> list[str]:
    """Each stored event's action (Project.StageAdvanced, ...), in log order, up to a position."""
    head = ledger.recorder.max_notification_id() or 0
    notifications = ledger.recorder.select_notifications(start=1, limit=upto if upto is not None else head)
    return [n.topic.partition(":")[2] for n in notifications]


# version tables that keep a row for every event of their aggregate kind
EVERY_EVENT = {"zs_problem_versions": "Problem.", "zs_report_versions": "Report.", "zs_unit_versions": "Unit."}


def assert_a_version_row_per_event(ledger: Ledger, upto: int, some: bool = True) -> None:
    """The version tables hold exactly one row for each event of their kind up to `upto`, none beyond
    (and, with `some`, at least one)."""
    db = Db(ledger.recorder)
    actions = log_actions(ledger, upto)
    for table, kind in EVERY_EVENT.items():
        rows = sorted(int(r["position"]) for r in db.fetchall(f"SELECT position FROM {table}"))
        events = [i + 1 for i, action in enumerate(actions) if action.startswith(kind)]
        assert rows == events, table
        assert events or not some, f"no {kind} event up to {upto}: the check would prove nothing"
