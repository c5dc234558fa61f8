"""The read API the CLI uses: every answer comes from the views, caught up first, now or as the
ledger stood at T (events effective by T) as known at K (events recorded by K)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.errors import NotFound
from domain.values import shanghai_date
from projections import obligations as obligation_rows
from projections.audit import trail
from projections.db import Db, from_ts
from projections.lamps import ReportLamps, glowing_since, lamp_counts_at, lamps_at, project_colour, project_colours
from projections.moment import NOW, Moment, rows_at
from projections.obligations import Enrolment, Sending, tally_reports
from projections.overdue import overdue_at, overdue_now
from projections.progress import problems_at, progress_at, progress_now
from projections.rebuild import replay_changed
from projections.runner import Progress, Runner
from projections.supervision import supervision_rows
from projections.views import all_views

if TYPE_CHECKING:
    from domain.timetable import Timetable
    from domain.application import Ledger
    from projections.readstore import ReadStore

__all__ = ["NOW", "Moment", "Queries"]
PROJECT_KEYS = ("number", "name", "unit", "sector", "level", "library", "stage", "status", "investor",
                "investment_wan", "responsible_person", "responsible_department", "liaison", "open_problems",
                "updated_at", "lamp")


class Queries:
    """The read API the CLI and the web call: one method per question, each answered by its own module
    (obligations, overdue, progress, lamps, audit, ...) from the views, caught up first."""

    def __init__(self, ledger: Ledger | ReadStore, progress: Progress | None = None) -> None:
        self.ledger = ledger  # the Ledger, or a ReadStore when a read needs no write model
        self.clock = ledger.clock
        self.runner = Runner(ledger.recorder, all_views(), getattr(ledger, "store_url", None))
        self.db: Db = self.runner.db
        self._calendar: tuple[int, Timetable] | None = None
        replay_changed(self.runner, progress)  # views an upgrade changed: replayed as a rebuild, not in place
        self.runner.catch_up(progress)
        self.db.map_reads()

    def calendar(self, as_of: datetime | None = None, known_at: datetime | None = None) -> Timetable:
        """The calendar in force at T as known at K (the notice's default and every policy loaded).
        The one in force now is kept for the log's head at the views' last catch-up: a policy loaded
        since is seen at the next catch-up, as the views see it (a web worker's every read catches up)."""
        if as_of is not None or known_at is not None:
            return self.ledger.calendar(as_of, known_at)
        seen = self.runner.seen
        if seen is None:
            return self.ledger.calendar()
        if self._calendar is None or self._calendar[0] != seen:
            self._calendar = (seen, self.ledger.calendar())
        return self._calendar[1]

    # -- projects -----------------------------------------------------------------------------------

    def board(self, at: Moment = NOW, **filters: Any) -> list[dict[str, Any]]:
        unit = filters.pop("unit", None)
        source, params = rows_at("board", at, unit)
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
        source, params = rows_at("board", at, unit)
        where, more = _where(filters)
        total = int(self.db.fetchone(f"SELECT COUNT(*) AS n FROM {source} {where}", params + more)["n"])
        page = (max(limit, 0), max(offset, 0))
        if at.now:  # the page's numbers from the index alone, then only their rows: no sort of every row
            rows = self.db.fetchall(f"SELECT * FROM {source} WHERE number IN (SELECT number FROM {source} {where} "
                                    "ORDER BY number LIMIT ? OFFSET ?) ORDER BY number", params + params + more + page)
        else:
            rows = self.db.fetchall(f"SELECT * FROM {source} {where} ORDER BY number LIMIT ? OFFSET ?",
                                    params + more + page)
        numbers = [row["number"] for row in rows]
        if not at.now and numbers:
            problems, more_params = rows_at("problems", at, unit)
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
        source, params = rows_at("board", at)
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

    def plans(self, number: str) -> dict[str, date]:
        """A project's planned dates by stage (`zs project plan`), as the lamps view keeps them."""
        row = self.db.fetchone("SELECT plans FROM zs_lamp_projects WHERE number = ?", (number.strip(),))
        plans = json.loads(row["plans"]) if row is not None and row["plans"] else {}
        return {stage: date.fromisoformat(by) for stage, by in plans.items()}

    def _open_problems(self, at: Moment, unit: str | None = None, project: str | None = None) -> dict[str, int]:
        if project:
            rows = self.db.fetchall(
                "SELECT status FROM zs_problem_versions v WHERE project = ? AND effective_at <= ? AND recorded_at <= ? "
                "AND version = (SELECT MAX(version) FROM zs_problem_versions w WHERE w.id = v.id "
                "AND effective_at <= ? AND recorded_at <= ?)", (project,) + at.params() + at.params())
            return {project: sum(1 for r in rows if r["status"] != "closed")}
        source, params = rows_at("problems", at, unit)
        rows = self.db.fetchall(f"SELECT project, COUNT(*) AS n FROM {source} WHERE status <> 'closed' GROUP BY project",
                                params)
        return {row["project"]: int(row["n"]) for row in rows}

    # -- reporting: each question in its own module ----------------------------------------------------

    def enrolments(self, at: Moment = NOW) -> list[Enrolment]:
        return obligation_rows.enrolments(self.db, at)

    def sendings(self, at: Moment = NOW, unit: str | None = None, counted_only: bool = False) -> dict[str, Sending]:
        return obligation_rows.sendings(self.db, at, unit, counted_only)

    def obligations(self, moment: datetime | None = None, unit: str | None = None,
                    known_at: datetime | None = None, due_by: date | None = None,
                    due_in: tuple[date, date] | None = None) -> list[dict[str, Any]]:
        """Obligations and their statuses at T (default: now, from the current tables); with `due_in`
        (first, last day), only those falling due in those days."""
        return obligation_rows.obligations(self.db, self.calendar(moment, known_at), moment or self.clock(),
                                           Moment(moment, known_at), unit, due_by, due_in)

    def overdue(self, moment: datetime | None = None, known_at: datetime | None = None) -> list[dict[str, Any]]:
        """The overdue obligations at T, oldest first (projections/overdue.py): now, by the fast path."""
        if moment is None and known_at is None:
            return overdue_now(self.db, self.calendar(), self.clock())
        return overdue_at(self.db, self.calendar(moment, known_at), moment or self.clock(), Moment(moment, known_at))

    def progress(self, moment: datetime | None = None, unit: str | None = None,
                 known_at: datetime | None = None) -> list[dict[str, Any]]:
        """月有报告，季有统计，年有成效 (projections/progress.py): per unit, projects by stage, problems and
        reports at T (default now, by the running counts), and how many lamps of each colour are lit
        (`lamps: {red, yellow, green}`)."""
        at = Moment(moment, known_at)
        reports, problems, reported = None, None, None
        if at.now:
            rows = progress_now(self.db, self.calendar(), self.clock(), unit)
        else:  # the reports and problems as they stood, read once for their counts and their lamps
            when, calendar = moment or self.clock(), self.calendar(moment, known_at)
            rules = calendar.lamps_on(shanghai_date(when))
            reports = obligation_rows.report_states(self.db, at, unit)
            problems = problems_at(self.db, at, unit, shanghai_date(when), glowing_since(rules, when))
            # the report counts and the report lamps in one walk over the obligations
            statuses, reported = tally_reports(calendar, self.enrolments(at), reports, when, unit,
                                               ReportLamps(calendar, rules, when))
            rows = progress_at(self.db, calendar, when, at, unit, reports, problems, statuses)
        counts = lamp_counts_at(self, at, unit, reports, problems and problems.lit, reported)
        for row in rows:
            row["lamps"] = counts.get(row["unit"], {"red": 0, "yellow": 0, "green": 0})
        return rows

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

    def unit(self, code: str) -> dict[str, Any]:
        """One enrolled unit, by its code as typed (any case)."""
        found = [u for u in self.units() if u["code"] == code.strip().upper()]
        if not found:
            raise NotFound(f"no unit {code.strip()!r} is enrolled")
        return found[0]

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
        today = shanghai_date(self.clock())
        return supervision_rows(self.db, today, unit=unit, status=status, supervision_id=supervision_id)

    def lamps(self, at: Moment = NOW, unit: str | None = None, kind: str | None = None,
              colour: str | None = None) -> list[dict[str, Any]]:
        """The lamps at T as known at K (docs/domain.md rule 17), worst first; see projections/lamps.py."""
        return lamps_at(self, at, unit, kind, colour)

    def reports(self, ids: Collection[str] | None = None, **filters: Any) -> list[dict[str, Any]]:
        """The reports matching `filters` (column = value), only those `ids` names if given."""
        if ids is not None and not ids:
            return []
        where, params = _where(filters)
        if ids is not None:
            where = f"{where} {'AND' if where else 'WHERE'} report_id IN ({', '.join('?' for _ in ids)})"
            params += tuple(ids)
        rows = self.db.fetchall(f"SELECT * FROM zs_reports {where} ORDER BY report_id", params)
        return [{
            "id": r["report_id"], "unit": r["unit"], "kind": r["kind"], "period": r["period"], "status": r["status"],
            "version": int(r["revision"]), "drafted_by": r["drafted_by"], "approved_by": r["approved_by"],
            "approved_at": from_ts(r["approved_at"]), "sent_by": r["sent_by"], "sent_at": from_ts(r["sent_at"]),
            "sealed": bool(r["sealed"]), "reviewed_by": r["reviewed_by"], "reviewed_at": from_ts(r["reviewed_at"]),
            "return_reason": r["return_reason"], "attachments": json.loads(r["attachments"]),
        } for r in rows]


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

