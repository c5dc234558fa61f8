"""The as-of rows (projections/moment.py `rows_at`) pick each aggregate's latest version by T and K from
an index alone, for all units and for one (issue 12 item 5): on a ledger of a million events a scan of the
version table itself, one row lookup per version, cost seconds. Checked on SQLite's query plan; a view
whose history index loses a column or its unit-led twin fails here, not only in bench/."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.application import Ledger
from domain.values import UTC
from projections.lamps import FACTS
from projections.moment import SOURCES, Moment, rows_at
from projections.queries import Queries
from tests.conftest import Clock, set_up_commission

AT = Moment(datetime(2021, 9, 1, tzinfo=UTC), datetime(2021, 9, 2, tzinfo=UTC))


@pytest.fixture
def queries(tmp_path) -> Queries:
    ledger = Ledger(f"sqlite:///{tmp_path / 'plan.db'}", clock=Clock(datetime(2021, 9, 1, 2, tzinfo=UTC)))
    set_up_commission(ledger)
    queries = Queries(ledger)
    queries.board()  # the views are made and caught up
    return queries


def plan(queries: Queries, table: str, unit: str | None) -> list[str]:
    source, params = rows_at(table, AT, unit)
    return [row["detail"] for row in queries.db.fetchall(f"EXPLAIN QUERY PLAN SELECT * FROM {source}", params)]


@pytest.mark.parametrize("table", sorted(SOURCES))
def test_the_latest_versions_come_from_a_covering_index(queries: Queries, table: str) -> None:
    versions = SOURCES[table][1]
    has_unit = "unit" in {row["name"] for row in queries.db.fetchall(f"PRAGMA table_info({versions})")}
    for unit in ("HW", None) if has_unit else (None,):
        steps = plan(queries, table, unit)
        picking = [s for s in steps if f" {versions} " in f" {s} " and "AS v" not in s and " v " not in f" {s} "]
        assert picking, steps
        assert all("COVERING INDEX" in s for s in picking), (unit, steps)
        if unit:
            assert any("(unit=?)" in s for s in picking), steps


@pytest.mark.parametrize("table, columns", [
    ("board", ("unit", "stage", "status", "library", "investment_cents")),  # progress: the projects by stage
    ("problems", ("id", "problem_id", "unit", "due_on", "status", "raised_at", "closed_at")),  # problems_at
    ("reports", ("report_id", "status", "last_sent_at")),  # report_states
    ("lamps", ("unit", *FACTS)),  # lamp_counts_at
])
def test_all_units_counts_at_a_date_read_the_span_index_alone(queries: Queries, table: str,
                                                              columns: tuple[str, ...]) -> None:
    """All units' progress as of a date (as known now) reads these columns of every version whose span
    holds T: the span index carries them, so no row is looked up (on the 1M ledger, about 19,000 a date)."""
    source, params = rows_at(table, Moment(AT.as_of), columns=columns)
    steps = [row["detail"] for row in queries.db.fetchall(f"EXPLAIN QUERY PLAN SELECT * FROM {source}", params)]
    picking = [s for s in steps if SOURCES[table][1] in s]
    assert len(picking) == 21 and all("COVERING INDEX" in s and "span_effective_at_valid_to" in s
                                      for s in picking), steps
