"""The read API the CLI uses: every answer comes from the views, caught up first, now or as the
ledger stood at T (events effective by T) as known at K (events recorded by K)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.application import Ledger
from domain.errors import NotFound
from domain.values import Stage, end_of_day, shanghai_date
from projections.audit import trail
from projections.db import Db, from_ts, ts
from projections.obligations import LATE, ON_TIME, OVERDUE, UPCOMING, Enrolment, Sending, obligations_at
from projections.runner import Progress, Runner
from projections.views import all_views

PROJECT_KEYS = ("number", "name", "unit", "sector", "level", "library", "stage", "status", "investor",
                "investment_wan", "responsible_person", "responsible_department", "liaison", "open_problems",
                "updated_at")


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


class Views:
    def __init__(self, ledger: Ledger, progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.runner = Runner(ledger.recorder, all_views())
        self.db: Db = self.runner.db
        self.runner.catch_up(progress)

    # -- projects -----------------------------------------------------------------------------------

    def board(self, at: Moment = NOW, **filters: Any) -> list[dict[str, Any]]:
        where, params = _where(filters)
        if at.now:
            rows = self.db.fetchall(f"SELECT * FROM zs_board {where} ORDER BY number", params)
        else:
            rows = self.db.fetchall(
                "SELECT v.* FROM zs_project_versions v JOIN (SELECT id, MAX(version) AS version "
                "FROM zs_project_versions WHERE effective_at <= ? AND recorded_at <= ? GROUP BY id) m "
                f"ON v.id = m.id AND v.version = m.version {where} ORDER BY v.number",
                at.params() + params)
            open_counts = self._open_problems(at, filters.get("unit"))
            for row in rows:
                row["open_problems"] = open_counts.get(row["number"], 0)
        return [_project(row) for row in rows]

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
        return _project(row)

    def _open_problems(self, at: Moment, unit: str | None = None, project: str | None = None) -> dict[str, int]:
        extra, params = "", list(at.params())
        if project:
            extra, params = " AND project = ?", params + [project]
        elif unit:
            extra, params = " AND unit = ?", params + [unit]
        rows = self.db.fetchall(
            "SELECT v.project, COUNT(*) AS n FROM zs_problem_versions v JOIN (SELECT id, MAX(version) AS version "
            f"FROM zs_problem_versions WHERE effective_at <= ? AND recorded_at <= ?{extra} GROUP BY id) m "
            "ON v.id = m.id AND v.version = m.version WHERE v.status != 'closed' GROUP BY v.project", params)
        return {row["project"]: int(row["n"]) for row in rows}

    def problems_at(self, at: Moment = NOW, unit: str | None = None) -> list[dict[str, Any]]:
        extra, params = ("WHERE unit = ?", (unit,)) if unit else ("", ())
        if at.now:
            return self.db.fetchall(f"SELECT * FROM zs_problems {extra}", params)
        inner = " AND unit = ?" if unit else ""
        return self.db.fetchall(
            "SELECT v.* FROM zs_problem_versions v JOIN (SELECT id, MAX(version) AS version FROM zs_problem_versions "
            f"WHERE effective_at <= ? AND recorded_at <= ?{inner} GROUP BY id) m "
            "ON v.id = m.id AND v.version = m.version", at.params() + params)

    # -- reporting ----------------------------------------------------------------------------------

    def enrolments(self, at: Moment = NOW) -> list[Enrolment]:
        if at.now:
            rows = self.db.fetchall("SELECT code, enrolled_on, withdrawn_on FROM zs_units")
        else:
            rows = self.db.fetchall(
                "SELECT v.code, v.enrolled_on, v.withdrawn_on FROM zs_unit_versions v JOIN (SELECT id, MAX(version) "
                "AS version FROM zs_unit_versions WHERE effective_at <= ? AND recorded_at <= ? GROUP BY id) m "
                "ON v.id = m.id AND v.version = m.version", at.params())
        return [Enrolment(r["code"], date.fromisoformat(r["enrolled_on"]),
                          date.fromisoformat(r["withdrawn_on"]) if r["withdrawn_on"] else None) for r in rows]

    def sendings(self, at: Moment = NOW, unit: str | None = None) -> dict[str, Sending]:
        extra, params = (" AND unit = ?", (unit,)) if unit else ("", ())
        if at.now:
            rows = self.db.fetchall(f"SELECT report_id, status, last_sent_at FROM zs_reports WHERE 1 = 1{extra}",
                                    params)
        else:
            rows = self.db.fetchall(
                "SELECT v.report_id, v.status, v.last_sent_at FROM zs_report_versions v JOIN (SELECT id, "
                "MAX(version) AS version FROM zs_report_versions WHERE effective_at <= ? AND recorded_at <= ?"
                f"{extra} GROUP BY id) m ON v.id = m.id AND v.version = m.version", at.params() + params)
        return {r["report_id"]: Sending(r["status"] in ("sent", "accepted"), from_ts(r["last_sent_at"]))
                for r in rows}

    def obligations(self, moment: datetime, unit: str | None = None, known_at: datetime | None = None,
                    due_by: date | None = None) -> list[dict[str, Any]]:
        at = Moment(moment, known_at)
        calendar = self.ledger.calendar(moment, known_at)
        return obligations_at(calendar, self.enrolments(at), self.sendings(at, unit), moment, unit, due_by)


    # -- the closed loop per unit, and the audit trail -------------------------------------------------

    def progress(self, moment: datetime, unit: str | None = None, known_at: datetime | None = None,
                 ) -> list[dict[str, Any]]:
        """月有报告，季有统计，年有成效: per unit, projects by stage, problems, and reports, at a moment."""
        at = Moment(None if moment is None else moment, known_at)
        projects = self.board(at, unit=unit)
        problems = self.problems_at(at, unit)
        obligations = self.obligations(moment, unit, known_at)
        today = shanghai_date(moment)
        codes = sorted({e.code for e in self.enrolments(at)} if unit is None else {unit})
        return [_progress(code, [p for p in projects if p["unit"] == code], [q for q in problems if q["unit"] == code],
                          [o for o in obligations if o["unit"] == code], moment, today) for code in codes]

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


def _progress(code: str, projects: list[dict[str, Any]], problems: list[dict[str, Any]],
              obligations: list[dict[str, Any]], moment: datetime, today: date) -> dict[str, Any]:
    live = [p for p in projects if p["status"] != "terminated"]
    landed = [p for p in live if Stage(p["stage"]).rank >= Stage.LANDED.rank]
    unclosed = [q for q in problems if q["status"] != "closed"]
    statuses = [o["status"] for o in obligations]
    return {
        "unit": code,
        "projects_by_stage": {s.value: sum(1 for p in live if p["stage"] == s.value) for s in Stage},
        "terminated": len(projects) - len(live),
        "key_projects": sum(1 for p in live if p["library"] == "key"),
        "landed_or_beyond": len(landed),
        "landed_investment_wan": sum((p["investment_wan"] for p in landed), Decimal("0.00")),
        "problems_raised": len(problems),
        "problems_open": len(unclosed),
        "problems_answered": sum(1 for q in problems if q["status"] == "answered"),
        "problems_closed": len(problems) - len(unclosed),
        "problems_past_due": sum(1 for q in unclosed if q["due_on"] and date.fromisoformat(q["due_on"]) < today),
        "reports_owed": sum(1 for o in obligations if end_of_day(o["due_on"]) < moment),
        "reports_on_time": statuses.count(ON_TIME),
        "reports_late": statuses.count(LATE),
        "reports_overdue": statuses.count(OVERDUE),
        "reports_upcoming": statuses.count(UPCOMING),
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

