"""项目台账's forms: register a project; its page with its history, problems, services, plans and 督办,
and the forms to update it, advance its stage, note progress, plan, raise a problem, record a service,
and answer, close or reopen its problems.

Each form is shown only to those the domain allows (`may`, docs/domain.md rule 8) and carries the
version of the aggregate it was rendered from: a submission made after someone else changed it is
refused (此项目已被他人修改), recording nothing. Every write is the Ledger method the CLI calls."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import NotFound
from domain.permissions import Action
from domain.problem import Problem
from domain.project import Project
from domain.supervision import SupervisionStatus
from domain.values import (
    Level, Library, ProblemCategory, ProblemStatus, ProjectStatus, Sector, ServiceKind, Stage, shanghai_date,
)
from web.forms import Fields, Outcome, write
from web.office import blocking, may, office, page, render

KINDS = {"sector": Sector, "level": Level, "library": Library, "stage": Stage, "status": ProjectStatus,
         "category": ProblemCategory, "problem_status": ProblemStatus, "service": ServiceKind,
         "supervision_status": SupervisionStatus}
UPDATABLE = ("name", "investor", "responsible_person", "responsible_department", "liaison")


# -- registering a project ---------------------------------------------------------------------------

def _units_for(request: Request) -> list[dict[str, Any]]:
    """The enrolled units this person may register projects in (the domain's rule, asked per unit)."""
    person = request.state.person
    units = office(request).read().units()
    return [u for u in units if not u["withdrawn_on"] and may(person, Action.PROJECT_WORK, u["code"])]


async def _register_page(request: Request, outcome: Outcome | None = None) -> Response:
    units = await blocking(_units_for, request)
    if not units:
        return render(request, "error.html", {"title": "不能登记项目", "message": (
            "只有办公室或本单位的主要负责人、分管领导、联络员、工作人员可以登记项目。")}, status_code=403)
    outcome = outcome or Outcome()
    return render(request, "project_new.html", {
        "units": units, "kinds": KINDS, "form": getattr(request.state, "form", {}), "errors": outcome.errors,
        "refusal": outcome.refusal}, status_code=outcome.status)


@page
async def register_form(request: Request) -> Response:
    return await _register_page(request)


@page
async def register(request: Request) -> Response:
    f = Fields(request.state.form)
    number, unit, name = f.text("number", True), f.text("unit", True), f.text("name", True)
    sector, level = f.code("sector", Sector, True), f.code("level", Level, True)
    investor, investment = f.text("investor", True), f.wan("investment", True)
    person, department, liaison = f.text("responsible_person"), f.text("responsible_department"), f.text("liaison")
    outcome = await write(request, f, None, lambda ledger, actor: ledger.add_project(
        actor, number, unit, name, sector, level, investor, investment, person, department, liaison))
    if not outcome.done:
        return await _register_page(request, outcome)
    return RedirectResponse(f"/projects/{(number or '').strip()}", status_code=303)


# -- a project's page ---------------------------------------------------------------------------------

def _project_data(request: Request, number: str) -> dict[str, Any]:
    """The project as the views show it, and the versions of it and of its problems from the log (not
    loaded, only their last events read): the forms carry them to `Ledger.expecting`."""
    o = office(request)
    seen = o.ledger.version_of(Project, number)  # before the views: never newer than what the page shows
    views = o.read()
    row = views.project(number)
    problems = views.problems(project=row["number"])
    versions = {"project": seen, "problems": {p["id"]: o.ledger.version_of(Problem, p["id"]) for p in problems}}
    plans = sorted(((Stage(stage), by) for stage, by in views.plans(row["number"]).items()),
                   key=lambda item: item[0].rank)
    supervised = [s for s in views.supervisions(unit=row["unit"])
                  if s["subject"] == row["number"] or s["subject"].startswith(row["number"] + "/")]
    return {"project": row, "versions": versions, "plans": plans, "history": views.audit(project=row["number"]),
            "problems": problems, "services": views.services(project=row["number"]),
            "supervisions": supervised}


async def project_page(request: Request, number: str, outcome: Outcome | None = None) -> Response:
    try:
        data = await blocking(_project_data, request, number)
    except NotFound as error:
        return render(request, "error.html", {"title": "未找到", "message": str(error)}, status_code=404)
    person, unit = request.state.person, data["project"]["unit"]
    outcome = outcome or Outcome()
    return render(request, "project.html", data | {
        "may_work": may(person, Action.PROJECT_WORK, unit), "may_review": may(person, Action.OFFICE_REVIEW, unit),
        "may_supervise": may(person, Action.SUPERVISE, unit), "refusal": outcome.refusal, "errors": outcome.errors,
        "failed": getattr(request.state, "form", {}).get("form_name"), "form": getattr(request.state, "form", {}),
        "stages": list(Stage), "kinds": KINDS, "today": shanghai_date(office(request).now)},
        status_code=outcome.status)


@page
async def project(request: Request) -> Response:
    return await project_page(request, request.path_params["number"])


def _project_call(what: str, f: Fields, number: str) -> Any:
    """The Ledger call for one of the project's forms, its fields read (errors noted in `f`)."""
    if what == "note":
        text, on = f.prose("text", True), f.day("on")
        return lambda ledger, actor: ledger.note_progress(actor, number, text or "", on)
    if what == "advance":
        to, on, note = f.code("to", Stage, True), f.day("on"), f.prose("note")
        return lambda ledger, actor: ledger.advance_project(actor, number, to, on, note)
    if what == "update":
        changes: dict[str, Any] = {key: f.text(key) for key in UPDATABLE}
        changes["investment"], changes["level"] = f.wan("investment"), f.code("level", Level)
        return lambda ledger, actor: ledger.update_project(actor, number, **changes)
    if what == "plan":
        stage, by = f.code("stage", Stage, True), f.day("by", True)
        return lambda ledger, actor: ledger.plan_project(actor, number, stage, by)
    if what == "raise":
        title, category, due = f.text("title", True), f.code("category", ProblemCategory, True), f.day("due_on")
        return lambda ledger, actor: ledger.raise_problem(actor, number, title or "", category, due)
    if what == "service":
        kind, on, note, amount = (f.code("kind", ServiceKind, True), f.day("on", True), f.prose("note", True),
                                  f.wan("amount"))
        return lambda ledger, actor: ledger.add_service(actor, number, kind, on, note or "", amount)
    return None


@page
async def project_write(request: Request) -> Response:
    """One of the project's forms, against the project's version the page showed."""
    number, what = request.path_params["number"], request.path_params["what"]
    f = Fields(request.state.form)
    call = _project_call(what, f, number)
    if call is None:
        return render(request, "error.html", {"title": "未找到", "message": "没有这个操作。"}, status_code=404)
    version = f.version()
    outcome = await write(request, f, (Project, number, version, "project"), call)
    if not outcome.done:
        return await project_page(request, number, outcome)
    return RedirectResponse(f"/projects/{number}", status_code=303)


def _problem_call(what: str, f: Fields, problem_id: str) -> Any:
    if what == "answer":
        note = f.prose("note", True)
        return lambda ledger, actor: ledger.answer_problem(actor, problem_id, note or "")
    if what == "close":
        note = f.prose("note")
        return lambda ledger, actor: ledger.close_problem(actor, problem_id, note)
    if what == "reopen":
        reason = f.prose("reason", True)
        return lambda ledger, actor: ledger.reopen_problem(actor, problem_id, reason or "")
    return None


@page
async def problem_write(request: Request) -> Response:
    """答复 (the project's unit or the office), 销号 and 重新打开 (the office) of one problem, against the
    problem's version the page showed."""
    number, what = request.path_params["number"], request.path_params["what"]
    f = Fields(request.state.form)
    problem_id = f.text("problem_id", True) or ""
    call = _problem_call(what, f, problem_id)
    if call is None:
        return render(request, "error.html", {"title": "未找到", "message": "没有这个操作。"}, status_code=404)
    if problem_id and not problem_id.startswith(number + "/P"):
        f.errors["problem_id"] = f"{problem_id} is not a problem of project {number}"
    outcome = await write(request, f, (Problem, problem_id, f.version(), "problem"), call)
    if not outcome.done:
        return await project_page(request, number, outcome)
    return RedirectResponse(f"/projects/{number}", status_code=303)


routes = [
    Route("/new/project", register_form),
    Route("/new/project", register, methods=["POST"]),
    Route("/projects/{number}", project),
    Route("/projects/{number}/problem/{what}", problem_write, methods=["POST"]),
    Route("/projects/{number}/{what}", project_write, methods=["POST"]),
]
