"""When a query answers: now, or as the ledger stood at T (events effective by T) as known at K (events
recorded by K); and the rows of a view at that moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.db import ts

FAR = "9999-12-31T00:00:00.000000+00:00"
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


def rows_at(table: str, at: Moment, unit: str | None = None) -> tuple[str, tuple[Any, ...]]:
    """A FROM clause for the rows of a view as they stood at a moment: the current table now, or
    each aggregate's latest version effective by T and recorded by K (a prefix of its versions,
    since both times only grow along an aggregate's history)."""
    current, versions = SOURCES[table]
    if at.now:
        return (f"(SELECT * FROM {current} WHERE unit = ?) AS r", (unit,)) if unit else (f"{current} AS r", ())
    inner = " AND unit = ?" if unit else ""
    return (f"(SELECT v.* FROM {versions} v JOIN (SELECT id, MAX(version) AS version FROM {versions} "
            f"WHERE effective_at <= ? AND recorded_at <= ?{inner} GROUP BY id) m "
            f"ON v.id = m.id AND v.version = m.version) AS r", at.params() + ((unit,) if unit else ()))
