"""`zs progress`: the closed loop per unit (月有报告，季有统计，年有成效) — projects by stage, problems and
reports — at T as known at K.

Two paths, one answer. `progress_at` counts the view rows as they stood at T (any moment) and the
obligations listed at T. `progress_now`, what `zs progress` runs without --as-of, reads the running
counts (`zs_project_buckets`, `zs_problem_counts`, `zs_report_counts`): a few rows per unit, however
long the log. tests/projections/test_agreement_property.py proves them equal on random ledgers."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.deadlines import LATE, ON_TIME, OVERDUE, UPCOMING
from domain.values import Stage, shanghai_date
from projections.db import Db
from projections.lamps import MAY_GLOW, PROBLEM
from projections.moment import NOW, Moment, rows_at
from projections.tables import FAR
from projections.obligations import (
    Enrolment, Schedule, counted_sql, enrolments, report_states, sendings, status_counts, tally_statuses,
)
from projections.views.board import buckets

if TYPE_CHECKING:
    from domain.timetable import Timetable


def progress_at(db: Db, calendar: Timetable, as_of: datetime, at: Moment, unit: str | None = None,
                reports: dict[str, tuple[str | None, str | None]] | None = None,
                problems: Problems | None = None,
                statuses: dict[str, Counter[str]] | None = None) -> list[dict[str, Any]]:
    """Per unit at T as known at K (`at`), from the view rows as they stood then (`reports`: the
    `report_states` at `at`, and `problems`, the `problems_at` it, when the caller has read them;
    `statuses`, the report counts, when `tally_reports` has counted them)."""
    today = shanghai_date(as_of)
    source, params = rows_at("board", at, unit, ("unit", "stage", "status", "library", "investment_cents"))
    projects = _bucketed(db.fetchall(
        f"SELECT unit, stage, status, library, COUNT(*) AS n, SUM(investment_cents) AS cents FROM {source} "
        "GROUP BY unit, stage, status, library", params))
    if problems is None:
        problems = problems_at(db, at, unit, today, FAR)
    overdue: Counter[str] = Counter()
    for row in problems.counts:
        overdue[row["unit"]] += row["past_due"]
    past_due = [{"unit": code, "n": n} for code, n in overdue.items()]
    units = enrolments(db, at)
    if reports is None:
        reports = report_states(db, at, unit)
    if statuses is None:
        statuses = tally_statuses(calendar, units, reports, as_of, unit)
    return _per_unit(units, unit, projects, problems.counts, past_due, statuses)


@dataclass(frozen=True)
class Problems:
    """The problems at a moment, read in one pass over their versions: per (unit, status) how many, and
    how many of them were past due (`counts`); and those whose lamp may show (`lit`, as tuples of
    projections.lamps.PROBLEM's columns: the open ones, and those closed since `glowing`)."""

    counts: list[dict[str, Any]]
    lit: list[tuple[Any, ...]]


def problems_at(db: Db, at: Moment, unit: str | None, today: date, glowing: str) -> Problems:
    """`Problems` at `at`, past due as of `today`. On PostgreSQL in one pass, each problem whose lamp
    may show a group of its own (its columns its facts), the others counted by (unit, status); SQLite
    groups by a key of that many values more slowly than it reads the versions twice, so it does."""
    source, params = rows_at("problems", at, unit, ("id", *PROBLEM))
    past_due = "SUM(CASE WHEN status <> 'closed' AND due_on < ? THEN 1 ELSE 0 END)"
    if not db.postgres:
        grouped = db.values(f"SELECT unit, status, COUNT(*), {past_due} FROM {source} GROUP BY unit, status",
                            (today.isoformat(),) + params)
        return Problems([{"unit": code, "status": status, "n": int(n), "past_due": int(late or 0)}
                         for code, status, n, late in grouped],
                        db.values(f"SELECT {', '.join(PROBLEM)} FROM {source} WHERE {MAY_GLOW}", params + (glowing,)))
    rows = db.values(
        f"SELECT unit, status, COUNT(*), {past_due}, CASE WHEN {MAY_GLOW} THEN id END AS lit, "
        f"MAX(problem_id), MAX(due_on), MAX(raised_at), MAX(closed_at) FROM {source} GROUP BY unit, status, lit",
        (today.isoformat(), glowing) + params)
    counts: dict[tuple[str, str], list[int]] = {}
    for code, status, n, late, *_ in rows:
        total = counts.setdefault((code, status), [0, 0])
        total[0] += int(n)
        total[1] += int(late or 0)
    return Problems([{"unit": code, "status": status, "n": n, "past_due": late}
                     for (code, status), (n, late) in counts.items()],
                    [(problem_id, code, due_on, status, raised_at, closed_at)
                     for code, status, _, _, lit, problem_id, due_on, raised_at, closed_at in rows if lit is not None])


def progress_now(db: Db, calendar: Timetable, now: datetime, unit: str | None = None) -> list[dict[str, Any]]:
    """Per unit now, from the running counts."""
    today = shanghai_date(now).isoformat()
    only, params = (" AND unit = ?", (unit,)) if unit else ("", ())
    projects = db.fetchall(f"SELECT * FROM zs_project_buckets WHERE n <> 0{only}", params)
    problems = db.fetchall(f"SELECT * FROM zs_problem_counts WHERE n <> 0{only}", params)
    past_due = db.fetchall(
        "SELECT unit, COUNT(*) AS n FROM zs_problems WHERE status IN ('open', 'escalated', 'answered') "
        f"AND due_on < ?{only} GROUP BY unit", (today,) + params)
    counted = {r["unit"]: r for r in db.fetchall(f"SELECT * FROM zs_report_counts WHERE 1 = 1{only}", params)}
    # Counted in Python, not grouped in SQL, so that each query walks its date index (few rows).
    is_counted, values = counted_sql()
    early = Counter(code for (code,) in db.values(  # plans sent before their year began: not owed yet
        f"SELECT unit FROM zs_reports WHERE period_start > ? AND {is_counted}{only}", (today, *values) + params))
    ahead = Counter(code for (code,) in db.values(  # sent, and their deadline still to come
        f"SELECT unit FROM zs_reports WHERE due_on >= ? AND {is_counted} "
        f"AND (period_start IS NULL OR period_start <= ?){only}", (today, *values, today) + params))
    units = enrolments(db)
    schedule = Schedule(calendar, [e for e in units if unit is None or e.code == unit], now)
    reports: dict[str, Counter[str]] = {}
    for enrolment in schedule.units:  # counted, not listed: a few sums per unit, whatever the span
        code = enrolment.code
        if enrolment.withdrawn_on is not None:  # its tallies may hold reports it no longer owes: list them
            reports[code] = status_counts(calendar, [enrolment],
                                          sendings(db, NOW, code, counted_only=True), now, code)[code]
            continue
        fallen_due, still_ahead = schedule.fallen_due(enrolment)
        on_time = int(counted.get(code, {}).get("on_time", 0)) - early.get(code, 0)
        late = int(counted.get(code, {}).get("late", 0))
        reports[code] = Counter({
            "fallen_due": fallen_due, ON_TIME: on_time, LATE: late,
            OVERDUE: fallen_due - (on_time + late - ahead.get(code, 0)),
            UPCOMING: still_ahead - ahead.get(code, 0)})
    return _per_unit(units, unit, projects, problems, past_due, reports)


def _by_unit(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["unit"]: int(row["n"]) for row in rows}


def _per_unit(units: list[Enrolment], unit: str | None, projects: list[dict[str, Any]],
              problems: list[dict[str, Any]], past_due: list[dict[str, Any]],
              reports: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    codes = sorted({e.code for e in units} if unit is None else {unit})
    overdue_problems = _by_unit(past_due)
    projects_of, problems_of = _grouped(projects), _grouped(problems)
    return [_row(code, projects_of.get(code, []), problems_of.get(code, []), overdue_problems.get(code, 0),
                 reports.get(code, Counter())) for code in codes]


def _bucketed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped by (unit, stage, status, library) turned into the board view's progress buckets."""
    totals: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        for name in buckets(row["stage"], row["status"], row["library"]):
            total = totals.setdefault((row["unit"], name), [0, 0])
            total[0] += int(row["n"])
            total[1] += int(row["cents"] or 0)
    return [{"unit": unit, "bucket": name, "n": n, "cents": cents} for (unit, name), (n, cents) in totals.items()]


def _grouped(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_unit[row["unit"]].append(row)
    return by_unit


def _row(code: str, projects: list[dict[str, Any]], problems: list[dict[str, Any]], past_due: int,
         reports: Counter[str]) -> dict[str, Any]:
    bucket = {p["bucket"]: p for p in projects}
    by_status = {q["status"]: int(q["n"]) for q in problems}
    raised = sum(by_status.values())

    def n(name: str) -> int:
        return int(bucket.get(name, {}).get("n", 0))

    return {
        "unit": code,
        "projects_by_stage": {s.value: n(f"stage:{s.value}") for s in Stage},
        "terminated": n("terminated"),
        "key_projects": n("key"),
        "landed_or_beyond": n("landed"),
        "landed_investment_wan": Decimal(int(bucket.get("landed", {}).get("cents") or 0)).scaleb(-2),
        "problems_raised": raised,
        "problems_open": raised - by_status.get("closed", 0),
        "problems_answered": by_status.get("answered", 0),
        "problems_closed": by_status.get("closed", 0),
        "problems_past_due": past_due,
        "reports_owed": reports["fallen_due"],
        "reports_on_time": reports[ON_TIME],
        "reports_late": reports[LATE],
        "reports_overdue": reports[OVERDUE],
        "reports_upcoming": reports[UPCOMING],
    }
