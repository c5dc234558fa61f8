"""Who owes what at a moment T, and its status (DOMAIN.md rule 5), from what the ledger held at T."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.application import Ledger
from domain.policy import Obligation
from domain.report import Report
from domain.reporting import owed, report_key
from domain.values import end_of_day, shanghai_date

UPCOMING, ON_TIME, LATE, OVERDUE = "upcoming", "on_time", "late", "overdue"
LABELS = {UPCOMING: "未到期", ON_TIME: "按时", LATE: "迟报", OVERDUE: "逾期未报"}
HORIZON = timedelta(days=400)  # far enough ahead to see every obligation already open at T


def status_of(obligation: Obligation, report: Report | None, as_of: datetime) -> dict[str, Any]:
    """Rule 5: a report counts at T when it is sent or accepted; lateness is its latest sending's."""
    deadline = end_of_day(obligation.due_on)
    counted = report is not None and report.counted
    sent_at = report.sendings[-1] if counted and report is not None else None
    if sent_at is not None:
        late = sent_at > deadline
        status = LATE if late else ON_TIME
        days_late = (shanghai_date(sent_at) - obligation.due_on).days if late else None
        days_overdue = None
    elif as_of > deadline:
        status, days_late = OVERDUE, None
        days_overdue = (shanghai_date(as_of) - obligation.due_on).days
    else:
        status, days_late, days_overdue = UPCOMING, None, None
    return {"status": status, "sent_at": sent_at, "days_late": days_late, "days_overdue": days_overdue}


def obligation_rows(ledger: Ledger, as_of: datetime, unit: str | None = None) -> list[dict[str, Any]]:
    """Every obligation open at T (its period over, or a plan's year begun), ordered by due_on, unit, kind."""
    today = shanghai_date(as_of)
    calendar = ledger.calendar(as_of=as_of)
    reports = {r.report_id: r for r in (ledger.state_at(r.id, as_of) for r in ledger.reports()) if r is not None}
    rows = []
    for current in ledger.units():
        if unit is not None and current.code != unit:
            continue
        state = ledger.state_at(current.id, as_of)
        if state is None:
            continue
        for obligation in owed(calendar, state.enrolled_on, state.withdrawn_on, today + HORIZON):
            if obligation.opens_on > today:
                continue
            report_id = report_key(state.code, obligation.kind, obligation.period)
            report = reports.get(report_id)
            rows.append({
                "unit": state.code, "kind": obligation.kind, "period": str(obligation.period),
                "due_on": obligation.due_on, **status_of(obligation, report, as_of),
                "report_id": report_id if report is not None else None,
            })
    return sorted(rows, key=lambda r: (r["due_on"], r["unit"], r["kind"]))
