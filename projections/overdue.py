"""`zs overdue`: the obligations overdue at T, oldest first (docs/domain.md rule 5).

Two paths, one answer. `overdue_at` lists every obligation at T (projections/obligations.py) and keeps
the overdue ones: any moment, as known at any K. `overdue_now`, what `zs overdue` runs, reads only the
ids of the reports already counted from the current table and walks each unit's run of obligations,
however long the log. tests/projections/test_agreement_property.py proves them equal on random ledgers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.values import report_key, shanghai_date
from projections.db import Db
from projections.moment import Moment
from projections.obligations import Schedule, counted_sql, enrolments, listing, report_states, status_of

if TYPE_CHECKING:
    from domain.timetable import Timetable


def overdue_at(db: Db, calendar: Timetable, as_of: datetime, at: Moment) -> list[dict[str, Any]]:
    """The overdue obligations at T as known at K (`at`): the listing's overdue rows, the others not made."""
    return listing(calendar, enrolments(db, at), report_states(db, at), as_of, overdue_only=True)


def overdue_now(db: Db, calendar: Timetable, now: datetime) -> list[dict[str, Any]]:
    """The overdue obligations now: each unit's obligations due before today whose report is not counted."""
    today = shanghai_date(now)
    (is_counted, values), (not_counted, _) = counted_sql(), counted_sql(negate=True)
    counted = {report_id for (report_id,) in db.values(
        f"SELECT report_id FROM zs_reports WHERE due_on < ? AND {is_counted}", (today.isoformat(), *values))}
    drafted = {report_id for (report_id,) in db.values(
        f"SELECT report_id FROM zs_reports WHERE due_on < ? AND {not_counted}", (today.isoformat(), *values))}
    schedule = Schedule(calendar, enrolments(db), now)
    periods = [str(o.period) for o in schedule.every]  # once, not once per unit
    rows = []
    for enrolment in schedule.units:
        run = schedule.run(enrolment)
        code = enrolment.code
        for index in range(run.start, run.start + schedule.fallen_due(enrolment)[0]):  # due before today
            obligation = schedule.every[index]
            report_id = report_key(code, obligation.kind, periods[index])
            if report_id not in counted:
                rows.append({"unit": code, "kind": obligation.kind, "period": periods[index],
                             "due_on": obligation.due_on, **status_of(obligation, None, now),
                             "report_id": report_id if report_id in drafted else None})
    return sorted(rows, key=lambda r: (r["due_on"], r["unit"], r["kind"]))
