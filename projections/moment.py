"""When a query answers: now, or as the ledger stood at T (events effective by T) as known at K (events
recorded by K); and the rows of a view at that moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from projections.db import BY_KEY, PLAN_ONCE, ts
from projections.tables import FAR, OPEN, SPANS
SOURCES = {  # a view's current table and its history table
    "board": ("zs_board", "zs_project_versions"),
    "problems": ("zs_problems", "zs_problem_versions"),
    "units": ("zs_units", "zs_unit_versions"),
    "reports": ("zs_reports", "zs_report_versions"),
    "supervisions": ("zs_supervisions", "zs_supervision_versions"),
    "lamps": ("zs_lamp_projects", "zs_lamp_project_versions"),
}


@dataclass(frozen=True)
class Moment:
    """When to answer: `as_of` (effective by) and `known_at` (recorded by); both None means now."""

    as_of: datetime | None = None
    known_at: datetime | None = None

    @property
    def now(self) -> bool:
        return self.as_of is None and self.known_at is None

    def params(self) -> tuple[str, str]:
        return (ts(self.as_of) if self.as_of else FAR, ts(self.known_at) if self.known_at else FAR)


NOW = Moment()


def rows_at(table: str, at: Moment, unit: str | None = None,
            columns: Sequence[str] = ()) -> tuple[str, tuple[Any, ...]]:
    """A FROM clause for the rows of a view as they stood at a moment: the current table now, or
    each aggregate's latest version effective by T and recorded by K (a prefix of its versions,
    since both times only grow along an aggregate's history). As known now (no K) and for all units,
    that is the version whose span holds T (`spans_at`); otherwise the general search (`latest_at`).
    With `columns`, the as-of rows carry only those: SQLite copies every column a subquery selects
    for each of its rows, though the query around it reads a few."""
    current, versions = SOURCES[table]
    if at.now:
        return (f"(SELECT * FROM {current} WHERE unit = ?) AS r", (unit,)) if unit else (f"{current} AS r", ())
    if at.known_at is None and unit is None:
        return spans_at(versions, at, columns)
    return latest_at(versions, at, unit, columns)


def latest_at(versions: str, at: Moment, unit: str | None = None,
              columns: Sequence[str] = ()) -> tuple[str, tuple[Any, ...]]:
    """Per aggregate, the highest version effective by T and recorded by K: a group-by over the
    version table's `(id, version, effective_at, recorded_at)` index (or its unit's part of the unit one)."""
    inner = " AND unit = ?" if unit else ""
    chosen = ", ".join(f"v.{c}" for c in columns) or "v.*"
    # The chosen versions drive the join (SQLite: a CROSS JOIN keeps that order; PostgreSQL: BY_KEY),
    # each row found by its key; for one unit the unit is asked of both sides too.
    return (f"({BY_KEY} SELECT {chosen} FROM (SELECT id, MAX(version) AS version FROM {versions} "
            f"WHERE effective_at <= ? AND recorded_at <= ?{inner} GROUP BY id) m CROSS JOIN {versions} v "
            f"WHERE v.id = m.id AND v.version = m.version{inner.replace('unit', 'v.unit')}) AS r",
            at.params() + ((unit, unit) if unit else ()))


def spans_at(versions: str, at: Moment, columns: Sequence[str] = ()) -> tuple[str, tuple[Any, ...]]:
    """As known now, the versions with `effective_at <= T < valid_to`: the one per aggregate that
    `latest_at` finds (an aggregate's versions take effect in order, so the latest by T is the one
    whose successor, if any, took effect after T). A version of span class c began at most 2**c hours
    before its end, so one that holds T began after T - 2**c hours: each class is a short range of
    the `(span, effective_at, valid_to)` index, whatever the length of the history; the open versions
    (class OPEN, one per aggregate) and the last class are read from their start."""
    assert at.as_of is not None and at.known_at is None
    t = ts(at.as_of)
    chosen = ", ".join(columns) or "*"
    parts, params = [], []
    for c in range(SPANS):
        since = "" if c == SPANS - 1 else _before(at.as_of, timedelta(hours=2 ** c))
        parts.append(f"SELECT {chosen} FROM {versions} WHERE span = {c} AND effective_at > ? AND effective_at <= ? "
                     "AND valid_to > ?")
        params += [since, t, t]
    parts.append(f"SELECT {chosen} FROM {versions} WHERE span = {OPEN} AND effective_at <= ?")
    params.append(t)
    return f"({PLAN_ONCE} {' UNION ALL '.join(parts)}) AS r", tuple(params)


def _before(moment: datetime, span: timedelta) -> str:
    try:
        return ts(moment - span)
    except OverflowError:  # before the first representable instant: no lower bound
        return ""
