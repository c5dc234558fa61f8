"""The board view: every project's current state and each version of it (a version per event that
changes the board's fields — a progress note does not); problems likewise (a project's open
problems are counted from them); and the services given to projects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from domain.ids import aggregate_id
from domain.values import Stage
from projections.db import Cursor
from projections.runner import LoggedEvent, View
from projections.tables import HistoryTable, StateTable, Tally

PROJECT_COLUMNS = (
    "id", "number", "name", "unit", "sector", "level", "library", "stage", "stage_on", "status", "investor",
    "investment_wan", "investment_cents", "responsible_person", "responsible_department", "liaison", "registered_at", "updated_at",
)
PROBLEM_COLUMNS = ("id", "problem_id", "project", "unit", "title", "category", "status", "raised_at", "due_on",
                   "closed_at", "escalated_to", "answer")
SERVICE_COLUMNS = ("id", "project", "unit", "kind", "on_date", "note", "amount_wan", "voided", "void_reason",
                   "recorded_at", "effective_at")

BOARD = StateTable("zs_board", PROJECT_COLUMNS + ("open_problems", "version"),
                   ints=("open_problems", "version", "investment_cents"),
                   indexes=[("unit",), ("number",)])
PROJECT_VERSIONS = HistoryTable("zs_project_versions", PROJECT_COLUMNS, ints=("investment_cents",),
                                indexes=[("number", "version")],
                                carried=("unit", "stage", "status", "library", "investment_cents"))
PROBLEMS = StateTable("zs_problems", PROBLEM_COLUMNS + ("version",), ints=("version",),
                      indexes=[("project",), ("unit",), ("problem_id",), ("status", "due_on")])
PROBLEM_VERSIONS = HistoryTable("zs_problem_versions", PROBLEM_COLUMNS, indexes=[("project",)],
                                carried=("id", "problem_id", "unit", "due_on", "status", "raised_at", "closed_at"))
# Per unit, a handful of buckets whatever the number of projects: what `zs progress` adds up.
PROJECT_COUNTS = Tally("zs_project_buckets", ("unit", "bucket"), ("n", "cents"))
LANDED_OR_BEYOND = frozenset(s.value for s in Stage if s.rank >= Stage.LANDED.rank)
PROBLEM_COUNTS = Tally("zs_problem_counts", ("unit", "status"), ("n",))
SERVICES = StateTable("zs_services", SERVICE_COLUMNS, ints=("voided",), indexes=[("project",), ("unit",)],
                      kept=False)  # written once each (a void aside): a rebuild need not hold them

PROJECT_KIND = "project"  # Project.KIND (domain/project.py), so that ids are found without the class
Handler = Callable[[dict[str, Any], LoggedEvent], None]


def _project_registered(p: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    p.update({k: s[k] for k in ("number", "name", "unit", "sector", "level", "investor", "responsible_person",
                                "responsible_department", "liaison")})
    p.update(investment_wan=s["investment"], investment_cents=_cents(s["investment"]), library="reserve", stage="lead", stage_on=None, status="active",
             registered_at=r.effective_at, open_problems=0)


def _project_updated(p: dict[str, Any], r: LoggedEvent) -> None:
    for field, value in r.state.items():
        if field == "investment" and value is not None:
            p.update(investment_wan=value, investment_cents=_cents(value))
        elif field in PROJECT_COLUMNS and value is not None:
            p[field] = value


def _cents(wan: str) -> int:
    """万元 as whole cents of a 万: exact, and summable in SQL."""
    return int(Decimal(wan) * 100)


def _stage(p: dict[str, Any], r: LoggedEvent) -> None:
    p.update(stage=r.state["stage"], stage_on=r.state["on"])


def _setter(**values: str) -> Handler:
    return lambda p, r: p.update(values)


PROJECT_HANDLERS: dict[str, Handler] = {
    "Registered": _project_registered, "Updated": _project_updated, "StageAdvanced": _stage,
    "StageCorrected": _stage, "Suspended": _setter(status="suspended"), "Resumed": _setter(status="active"),
    "Terminated": _setter(status="terminated"), "Promoted": _setter(library="key"),
    "Demoted": _setter(library="reserve"),
}


def _problem_raised(q: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    q.update(problem_id=s["problem_id"], project=s["project"], unit=s["unit"], title=s["title"],
             category=s["category"], status="open", raised_at=r.effective_at, due_on=s["due_on"], closed_at=None)


ROW_EVENTS = frozenset(PROJECT_HANDLERS) | {"ServiceRecorded", "ServiceVoided"}

PROBLEM_HANDLERS: dict[str, Handler] = {
    "Raised": _problem_raised,
    "Escalated": lambda q, r: q.update(status="escalated", escalated_to=r.state["to"]),
    "Answered": lambda q, r: q.update(status="answered", answer=r.state["note"]),
    "Closed": lambda q, r: q.update(status="closed", closed_at=r.effective_at),
    "Reopened": lambda q, r: q.update(status="open", closed_at=None),
}


class BoardView(View):
    name = "board"
    tables = ("zs_board", "zs_project_versions", "zs_problems", "zs_problem_versions", "zs_services",
              "zs_project_buckets", "zs_problem_counts")
    tables_sql = [s for t in (BOARD, PROJECT_VERSIONS, PROBLEMS, PROBLEM_VERSIONS, SERVICES, PROJECT_COUNTS,
                              PROBLEM_COUNTS) for s in t.tables_sql()]
    indexes_sql = [s for t in (BOARD, PROJECT_VERSIONS, PROBLEMS, PROBLEM_VERSIONS, SERVICES) for s in t.indexes_sql()]

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        """Only events that change a board row (or a problem, or a service) touch the tables: progress
        notes, evaluations and the like leave the board as it was, and make no version."""
        mine = [r for r in records if (r.kind == "Project" and r.event in ROW_EVENTS) or r.kind == "Problem"]
        if not mine:
            return
        PROJECT_COUNTS.reset()
        PROBLEM_COUNTS.reset()
        problems = PROBLEMS.load(cursor, [r.aggregate_id for r in mine if r.kind == "Problem"])
        project_ids = [r.aggregate_id for r in mine if r.kind == "Project"]
        project_ids += [project_key(q["project"]) for q in problems.values()]
        project_ids += [project_key(r.state["project"]) for r in mine if r.event == "Raised"]
        projects = BOARD.load(cursor, project_ids)
        project_versions, problem_versions, services = [], [], {}
        changed: dict[str, dict[str, Any]] = {}
        for r in mine:
            if r.kind == "Project":
                p = projects.get(r.aggregate_id) or projects.setdefault(r.aggregate_id, BOARD.blank(r.aggregate_id))
                if r.event in PROJECT_HANDLERS:
                    _count(p, -1)
                    PROJECT_HANDLERS[r.event](p, r)
                    _count(p, +1)
                    p.update(version=r.version, updated_at=r.recorded_at)
                    project_versions.append(PROJECT_VERSIONS.version(p, r))
                    changed[r.aggregate_id] = p
                else:
                    self._service_event(cursor, p, r, services)
            else:
                q = problems.get(r.aggregate_id) or problems.setdefault(r.aggregate_id, PROBLEMS.blank(r.aggregate_id))
                was_open = q["status"] not in (None, "closed")
                PROBLEM_COUNTS.add((q["unit"], q["status"]) if q["status"] else None, 1, sign=-1)
                PROBLEM_HANDLERS[r.event](q, r)
                PROBLEM_COUNTS.add((q["unit"], q["status"]), 1)
                q["version"] = r.version
                problem_versions.append(PROBLEM_VERSIONS.version(q, r))
                is_open = q["status"] != "closed"
                if was_open != is_open:
                    owner = projects[project_key(q["project"])]
                    owner["open_problems"] = int(owner.get("open_problems") or 0) + (1 if is_open else -1)
                    changed[owner["id"]] = owner
        BOARD.upsert(cursor, changed.values())
        PROBLEMS.upsert(cursor, problems.values())
        PROJECT_VERSIONS.insert(cursor, project_versions)
        PROBLEM_VERSIONS.insert(cursor, problem_versions)
        SERVICES.upsert(cursor, services.values())
        PROJECT_COUNTS.flush(cursor)
        PROBLEM_COUNTS.flush(cursor)

    @staticmethod
    def _service_event(cursor: Cursor, p: dict[str, Any], r: LoggedEvent, services: dict[str, dict[str, Any]]) -> None:
        s = r.state
        if r.event == "ServiceRecorded":
            services[s["service_id"]] = {
                "id": s["service_id"], "project": p["number"], "unit": p["unit"], "kind": s["kind"],
                "on_date": s["on"], "note": s["note"], "amount_wan": s["amount"], "voided": 0, "void_reason": None,
                "recorded_at": r.recorded_at, "effective_at": r.effective_at,
            }
        else:
            sid = s["service_id"]
            if sid not in services:
                services.update(SERVICES.load(cursor, [sid]))
            services[sid].update(voided=1, void_reason=s["reason"])


def buckets(stage: str, status: str, library: str) -> tuple[str, ...]:
    """The progress buckets a project counts in: its stage while live, else `terminated`; `key` for a
    live key project; `landed` (with its investment) for a live one at landed or beyond."""
    if status == "terminated":
        return ("terminated",)
    return (f"stage:{stage}",) + (("key",) if library == "key" else ()) + (
        ("landed",) if stage in LANDED_OR_BEYOND else ())


def _count(p: dict[str, Any], sign: int) -> None:
    if p["stage"]:
        for bucket in buckets(p["stage"], p["status"], p["library"]):
            PROJECT_COUNTS.add((p["unit"], bucket), 1, int(p["investment_cents"] or 0), sign=sign)


@lru_cache(maxsize=65536)
def project_key(number: str) -> str:
    """The view's key of a project (its aggregate id, as hex) from its number."""
    return aggregate_id(PROJECT_KIND, number).hex
