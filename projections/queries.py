"""The read API the CLI uses: every answer comes from the views, caught up first, now or as the
ledger stood at T (events effective by T) as known at K (events recorded by K)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.application import Ledger
from domain.errors import NotFound
from domain.values import Stage, shanghai_date
from projections.audit import trail
from projections.board import buckets
from projections.db import Db, from_ts, ts
from projections.obligations import (
    LATE, ON_TIME, OVERDUE, UPCOMING, Enrolment, Schedule, Sending, counted_sql, obligations_at, status_counts,
    status_of,
)
from projections.lamps import lamp_counts_at, lamps_at, project_colour, project_colours
from projections.runner import Progress, Runner
from projections.supervision_view import supervision_rows
from projections.views import all_views

PROJECT_KEYS = ("number", "name", "unit", "sector", "level", "library", "stage", "status", "investor",
                "investment_wan", "responsible_person", "responsible_department", "liaison", "open_problems",
                "updated_at", "lamp")


@dataclass(frozen=True)
class Moment:
    """When to answer: `as_of` (effective by) and `known_at` (recorded by); both None means now."""

    as_of: datetime | None = None
    known_at: datetime | None = None

    @property
    def now(self) -> bool:
        return self.as_of is None and self.known_at is None

    def params(self) -> tuple[str, str]:
        far = "9999-12-31T00:00:00.000000+00:00"
        return (ts(self.as_of) if self.as_of else far, ts(self.known_at) if self.known_at else far)


NOW = Moment()
SOURCES = {  # a view's current table and its history table
    "board": ("zs_board", "zs_project_versions"),
    "problems": ("zs_problems", "zs_problem_versions"),
    "units": ("zs_units", "zs_unit_versions"),
    "reports": ("zs_reports", "zs_report_versions"),
    "supervisions": ("zs_supervisions", "zs_supervision_versions"),
    "lamps": ("zs_lamp_projects", "zs_lamp_project_versions"),
}


class Views:
    def __init__(self, ledger: Ledger, progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.runner = Runner(ledger.recorder, all_views())
        self.db: Db = self.runner.db
        self.runner.catch_up(progress)

    def rows_at(self, table: str, at: Moment, unit: str | None = None) -> tuple[str, tuple[Any, ...]]:
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

    # -- projects -----------------------------------------------------------------------------------

    def board(self, at: Moment = NOW, **filters: Any) -> list[dict[str, Any]]:
        unit = filters.pop("unit", None)
        source, params = self.rows_at("board", at, unit)
        where, more = _where(filters)
        rows = self.db.fetchall(f"SELECT * FROM {source} {where} ORDER BY number", params + more)
        if not at.now:
            open_counts = self._open_problems(at, unit)
            for row in rows:
                row["open_problems"] = open_counts.get(row["number"], 0)
        lit = self._project_lamps(at, unit)
        return [_project(row | {"lamp": lit.get(row["number"])}) for row in rows]

    def board_page(self, at: Moment = NOW, offset: int = 0, limit: int = 50,
                   **filters: Any) -> tuple[int, list[dict[str, Any]]]:
        """(how many projects match, the rows from `offset`, at most `limit`): the rows of `board` for one
        page of it, each page's lamps and open problems looked up for its own projects only."""
        unit = filters.pop("unit", None)
        source, params = self.rows_at("board", at, unit)
        where, more = _where(filters)
        total = int(self.db.fetchone(f"SELECT COUNT(*) AS n FROM {source} {where}", params + more)["n"])
        rows = self.db.fetchall(f"SELECT * FROM {source} {where} ORDER BY number LIMIT ? OFFSET ?",
                                params + more + (max(limit, 0), max(offset, 0)))
        numbers = [row["number"] for row in rows]
        if not at.now and numbers:
            problems, more_params = self.rows_at("problems", at, unit)
            marks = ", ".join("?" for _ in numbers)
            open_counts = {r["project"]: int(r["n"]) for r in self.db.fetchall(
                f"SELECT project, COUNT(*) AS n FROM {problems} WHERE status <> 'closed' AND project IN ({marks}) "
                "GROUP BY project", more_params + tuple(numbers))}
            for row in rows:
                row["open_problems"] = open_counts.get(row["number"], 0)
        lit = project_colours(self, at, numbers)
        return total, [_project(row | {"lamp": lit.get(row["number"])}) for row in rows]

    def board_totals(self, at: Moment = NOW) -> dict[str, Any]:
        """What the dashboard charts of the board, counted in SQL: projects and planned investment
        (万元) in all, by stage, and projects by sector — the sums of `board(at)`'s rows."""
        source, params = self.rows_at("board", at)
        by_stage = {r["stage"]: (int(r["n"]), Decimal(int(r["cents"] or 0)) / 100) for r in self.db.fetchall(
            f"SELECT stage, COUNT(*) AS n, SUM(investment_cents) AS cents FROM {source} GROUP BY stage", params)}
        by_sector = {r["sector"]: int(r["n"]) for r in self.db.fetchall(
            f"SELECT sector, COUNT(*) AS n FROM {source} GROUP BY sector", params)}
        return {"projects": sum(n for n, _ in by_stage.values()),
                "investment_wan": sum((wan for _, wan in by_stage.values()), Decimal(0)),
                "by_stage": by_stage, "by_sector": by_sector}

    def _project_lamps(self, at: Moment, unit: str | None = None) -> dict[str, str]:
        """Each lit project's lamp colour at the moment (docs/domain.md rule 17)."""
        return {r["subject"]: r["colour"] for r in lamps_at(self, at, unit, "project")}

    def project(self, number: str, at: Moment = NOW) -> dict[str, Any]:
        number = number.strip()
        if at.now:
            row = self.db.fetchone("SELECT * FROM zs_board WHERE number = ?", (number,))
        else:
            row = self.db.fetchone(
                "SELECT * FROM zs_project_versions WHERE number = ? AND effective_at <= ? AND recorded_at <= ? "
                "ORDER BY version DESC LIMIT 1", (number,) + at.params())
            if row is not None:
                row["open_problems"] = self._open_problems(at, project=number).get(number, 0)
        if row is None:
            exists = self.db.fetchone("SELECT 1 AS found FROM zs_board WHERE number = ?", (number,))
            raise NotFound(f"project {number} was not yet registered at that moment" if exists
                           else f"no project numbered {number!r}")
        return _project(row | {"lamp": project_colour(self, at, number)})

    def _open_problems(self, at: Moment, unit: str | None = None, project: str | None = None) -> dict[str, int]:
        if project:
            rows = self.db.fetchall(
                "SELECT status FROM zs_problem_versions v WHERE project = ? AND effective_at <= ? AND recorded_at <= ? "
                "AND version = (SELECT MAX(version) FROM zs_problem_versions w WHERE w.id = v.id "
                "AND effective_at <= ? AND recorded_at <= ?)", (project,) + at.params() + at.params())
            return {project: sum(1 for r in rows if r["status"] != "closed")}
        source, params = self.rows_at("problems", at, unit)
        rows = self.db.fetchall(f"SELECT project, COUNT(*) AS n FROM {source} WHERE status <> 'closed' GROUP BY project",
                                params)
        return {row["project"]: int(row["n"]) for row in rows}

    # -- reporting ----------------------------------------------------------------------------------

    def enrolments(self, at: Moment = NOW) -> list[Enrolment]:
        source, params = self.rows_at("units", at)
        rows = self.db.fetchall(f"SELECT code, enrolled_on, withdrawn_on FROM {source}", params)
        return [Enrolment(r["code"], date.fromisoformat(r["enrolled_on"]),
                          date.fromisoformat(r["withdrawn_on"]) if r["withdrawn_on"] else None) for r in rows]

    def sendings(self, at: Moment = NOW, unit: str | None = None, counted_only: bool = False) -> dict[str, Sending]:
        source, params = self.rows_at("reports", at, unit)
        counted, values = counted_sql()
        where, params = (f" WHERE {counted}", params + values) if counted_only else ("", params)
        rows = self.db.fetchall(f"SELECT report_id, status, last_sent_at FROM {source}{where}", params)
        return {r["report_id"]: Sending.of(r["status"], from_ts(r["last_sent_at"])) for r in rows}

    def obligations(self, moment: datetime | None = None, unit: str | None = None,
                    known_at: datetime | None = None, due_by: date | None = None) -> list[dict[str, Any]]:
        """Obligations and their statuses at T (default: now, from the current tables)."""
        at, when = Moment(moment, known_at), moment or self.ledger.clock()
        calendar = self.ledger.calendar(moment, known_at)
        return obligations_at(calendar, self.enrolments(at), self.sendings(at, unit), when, unit, due_by)

    # -- the closed loop per unit, and the audit trail -------------------------------------------------

    def overdue(self, moment: datetime | None = None, known_at: datetime | None = None) -> list[dict[str, Any]]:
        """The overdue obligations at T, oldest first. Now, only the counted reports' ids are read."""
        if moment is not None or known_at is not None:
            return [r for r in self.obligations(moment, known_at=known_at) if r["status"] == OVERDUE]
        now = self.ledger.clock()
        today = shanghai_date(now)
        (is_counted, values), (not_counted, _) = counted_sql(), counted_sql(negate=True)
        counted = {report_id for (report_id,) in self.db.values(
            f"SELECT report_id FROM zs_reports WHERE due_on < ? AND {is_counted}", (today.isoformat(), *values))}
        drafted = {report_id for (report_id,) in self.db.values(
            f"SELECT report_id FROM zs_reports WHERE due_on < ? AND {not_counted}", (today.isoformat(), *values))}
        schedule = Schedule(self.ledger.calendar(), self.enrolments(), now)
        suffixes = [f"/{o.kind}/{o.period}" for o in schedule.every]
        rows = []
        for enrolment in schedule.units:
            run = schedule.run(enrolment)
            code = enrolment.code
            for index in range(run.start, run.start + schedule.fallen_due(enrolment)[0]):  # due before today
                report_id = code + suffixes[index]
                if report_id not in counted:
                    obligation = schedule.every[index]
                    rows.append({"unit": code, "kind": obligation.kind, "period": str(obligation.period),
                                 "due_on": obligation.due_on, **status_of(obligation, None, now),
                                 "report_id": report_id if report_id in drafted else None})
        return sorted(rows, key=lambda r: (r["due_on"], r["unit"], r["kind"]))

    # -- the closed loop per unit, and the audit trail -------------------------------------------------

    def progress(self, moment: datetime | None = None, unit: str | None = None,
                 known_at: datetime | None = None) -> list[dict[str, Any]]:
        """月有报告，季有统计，年有成效: per unit, projects by stage, problems and reports at T (default now),
        and how many lamps of each colour are lit (`lamps: {red, yellow, green}`)."""
        rows = self._progress(moment, unit, known_at)
        counts = lamp_counts_at(self, Moment(moment, known_at), unit)
        for row in rows:
            row["lamps"] = counts.get(row["unit"], {"red": 0, "yellow": 0, "green": 0})
        return rows

    def _progress(self, moment: datetime | None = None, unit: str | None = None,
                  known_at: datetime | None = None) -> list[dict[str, Any]]:
        if moment is None and known_at is None:
            return self._progress_now(unit)
        at, when = Moment(moment, known_at), moment or self.ledger.clock()
        today = shanghai_date(when)
        source, params = self.rows_at("board", at, unit)
        projects = _bucketed(self.db.fetchall(
            f"SELECT unit, stage, status, library, COUNT(*) AS n, SUM(investment_cents) AS cents FROM {source} "
            "GROUP BY unit, stage, status, library", params))
        source, params = self.rows_at("problems", at, unit)
        problems = self.db.fetchall(f"SELECT unit, status, COUNT(*) AS n FROM {source} GROUP BY unit, status", params)
        past_due = self.db.fetchall(
            f"SELECT unit, COUNT(*) AS n FROM {source} WHERE status <> 'closed' AND due_on < ? GROUP BY unit",
            params + (today.isoformat(),))
        enrolments = self.enrolments(at)
        reports = status_counts(self.ledger.calendar(moment, known_at), enrolments,
                                self.sendings(at, unit, counted_only=True), when, unit)
        return _per_unit(enrolments, unit, projects, problems, past_due, reports)

    def _progress_now(self, unit: str | None) -> list[dict[str, Any]]:
        """Now, from the running counts: a few rows per unit, however long the log."""
        now = self.ledger.clock()
        today = shanghai_date(now).isoformat()
        only, params = (" AND unit = ?", (unit,)) if unit else ("", ())
        projects = self.db.fetchall(f"SELECT * FROM zs_project_buckets WHERE n <> 0{only}", params)
        problems = self.db.fetchall(f"SELECT * FROM zs_problem_counts WHERE n <> 0{only}", params)
        past_due = self.db.fetchall(
            "SELECT unit, COUNT(*) AS n FROM zs_problems WHERE status IN ('open', 'escalated', 'answered') "
            f"AND due_on < ?{only} GROUP BY unit", (today,) + params)
        counted = {r["unit"]: r for r in self.db.fetchall(f"SELECT * FROM zs_report_counts WHERE 1 = 1{only}", params)}
        # Counted in Python, not grouped in SQL, so that each query walks its date index (few rows).
        is_counted, values = counted_sql()
        early = Counter(unit for (unit,) in self.db.values(  # plans sent before their year began: not owed yet
            f"SELECT unit FROM zs_reports WHERE period_start > ? AND {is_counted}{only}", (today, *values) + params))
        ahead = Counter(unit for (unit,) in self.db.values(  # sent, and their deadline still to come
            f"SELECT unit FROM zs_reports WHERE due_on >= ? AND {is_counted} "
            f"AND (period_start IS NULL OR period_start <= ?){only}", (today, *values, today) + params))
        enrolments = self.enrolments()
        calendar = self.ledger.calendar()
        schedule = Schedule(calendar, [e for e in enrolments if unit is None or e.code == unit], now)
        reports: dict[str, Counter[str]] = {}
        for enrolment in schedule.units:  # counted, not listed: a few sums per unit, whatever the span
            code = enrolment.code
            if enrolment.withdrawn_on is not None:  # its tallies may hold reports it no longer owes: list them
                reports[code] = status_counts(calendar, [enrolment],
                                              self.sendings(NOW, code, counted_only=True), now, code)[code]
                continue
            owed, still_ahead = schedule.fallen_due(enrolment)
            on_time = int(counted.get(code, {}).get("on_time", 0)) - early.get(code, 0)
            late = int(counted.get(code, {}).get("late", 0))
            reports[code] = Counter({
                "owed": owed, ON_TIME: on_time, LATE: late,
                OVERDUE: owed - (on_time + late - ahead.get(code, 0)),
                UPCOMING: still_ahead - ahead.get(code, 0)})
        return _per_unit(enrolments, unit, projects, problems, past_due, reports)

    def audit(self, **filters: Any) -> list[dict[str, Any]]:
        """The audit trail, oldest first (see projections.audit.trail for the filters)."""
        return trail(self.db, **filters)

    # -- lists --------------------------------------------------------------------------------------------

    def units(self) -> list[dict[str, Any]]:
        rows = self.db.fetchall("SELECT * FROM zs_units ORDER BY code")
        return [{
            "code": r["code"], "name": r["name"], "kind": r["kind"], "sectors": json.loads(r["sectors"]),
            "department": r["department"], "enrolled_on": _date(r["enrolled_on"]),
            "withdrawn_on": _date(r["withdrawn_on"]), "principal": r["principal"], "leader": r["leader"],
            "liaison": r["liaison"],
        } for r in rows]

    def people(self) -> list[dict[str, Any]]:
        rows = self.db.fetchall("SELECT * FROM zs_people ORDER BY name")
        return [{"name": r["name"], "role": r["role"], "unit": r["unit"], "phone": r["phone"], "title": r["title"],
                 "email": r["email"],
                 "active": bool(r["active"])} for r in rows]

    def problems(self, **filters: Any) -> list[dict[str, Any]]:
        where, params = _where(filters)
        rows = self.db.fetchall(f"SELECT * FROM zs_problems {where} ORDER BY raised_at, problem_id", params)
        return [{
            "id": r["problem_id"], "project": r["project"], "unit": r["unit"], "title": r["title"],
            "category": r["category"], "status": r["status"], "raised_at": from_ts(r["raised_at"]),
            "due_on": _date(r["due_on"]), "closed_at": from_ts(r["closed_at"]),
        } for r in rows]

    def services(self, project: str | None = None, unit: str | None = None, month: Any = None,
                 ) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value in (("project", project), ("unit", unit)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if month is not None:
            clauses.append("on_date >= ? AND on_date <= ?")
            params += [month.first_day.isoformat(), month.last_day.isoformat()]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.db.fetchall(f"SELECT * FROM zs_services {where} ORDER BY on_date, id", params)
        return [{
            "id": r["id"], "project": r["project"], "unit": r["unit"], "kind": r["kind"], "on": _date(r["on_date"]),
            "note": r["note"], "amount_wan": None if r["amount_wan"] is None else Decimal(r["amount_wan"]),
            "voided": bool(r["voided"]), "void_reason": r["void_reason"],
        } for r in rows]

    def supervisions(self, unit: str | None = None, status: str | None = None,
                     supervision_id: str | None = None) -> list[dict[str, Any]]:
        today = shanghai_date(self.ledger.clock())
        return supervision_rows(self.db, today, unit=unit, status=status, supervision_id=supervision_id)

    def lamps(self, at: Moment = NOW, unit: str | None = None, kind: str | None = None,
              colour: str | None = None) -> list[dict[str, Any]]:
        """The lamps at T as known at K (docs/domain.md rule 17), worst first; see projections/lamps.py."""
        return lamps_at(self, at, unit, kind, colour)

    def reports(self, **filters: Any) -> list[dict[str, Any]]:
        where, params = _where(filters)
        rows = self.db.fetchall(f"SELECT * FROM zs_reports {where} ORDER BY report_id", params)
        return [{
            "id": r["report_id"], "unit": r["unit"], "kind": r["kind"], "period": r["period"], "status": r["status"],
            "version": int(r["revision"]), "drafted_by": r["drafted_by"], "approved_by": r["approved_by"],
            "approved_at": from_ts(r["approved_at"]), "sent_by": r["sent_by"], "sent_at": from_ts(r["sent_at"]),
            "sealed": bool(r["sealed"]), "reviewed_by": r["reviewed_by"], "reviewed_at": from_ts(r["reviewed_at"]),
            "return_reason": r["return_reason"], "attachments": json.loads(r["attachments"]),
        } for r in rows]


def _by_unit(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["unit"]: int(row["n"]) for row in rows}


def _per_unit(enrolments: list[Enrolment], unit: str | None, projects: list[dict[str, Any]],
              problems: list[dict[str, Any]], past_due: list[dict[str, Any]],
              reports: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    codes = sorted({e.code for e in enrolments} if unit is None else {unit})
    overdue_problems = _by_unit(past_due)
    projects_of, problems_of = _grouped(projects), _grouped(problems)
    return [_progress(code, projects_of.get(code, []), problems_of.get(code, []), overdue_problems.get(code, 0),
                      reports.get(code, Counter())) for code in codes]


def _bucketed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped by (unit, stage, status, library) turned into the progress buckets of board.py."""
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


def _progress(code: str, projects: list[dict[str, Any]], problems: list[dict[str, Any]], past_due: int,
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
        "reports_owed": reports["owed"],
        "reports_on_time": reports[ON_TIME],
        "reports_late": reports[LATE],
        "reports_overdue": reports[OVERDUE],
        "reports_upcoming": reports[UPCOMING],
    }


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _where(filters: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    chosen = {k: v for k, v in filters.items() if v is not None}
    if not chosen:
        return "", ()
    return "WHERE " + " AND ".join(f"{k} = ?" for k in chosen), tuple(str(v) for v in chosen.values())


def _project(row: dict[str, Any]) -> dict[str, Any]:
    record = {key: row.get(key) for key in PROJECT_KEYS}
    record["investment_wan"] = Decimal(row["investment_wan"])
    record["open_problems"] = int(row.get("open_problems") or 0)
    record["updated_at"] = from_ts(row["updated_at"])
    return record

