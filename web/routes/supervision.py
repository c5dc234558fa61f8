"""督办 (docs/supervision.md, docs/domain.md rule 24): the list, the office's 开具 (open), the unit's 答复
(answer), the office's 办结 (close) and 重新打开 (reopen). Each form is shown to those the domain
allows; an answer, close or reopen carries the 督办's version the page showed, and a stale one is
refused (此督办已被他人修改), recording nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.permissions import Action
from domain.supervision import SubjectKind, Supervision, SupervisionStatus
from domain.values import shanghai_date
from web.forms import Fields, Outcome, write
from web.office import blocking, may, office, page, render

STEPS = ("answer", "close", "reopen")


def _filters(request: Request) -> dict[str, str | None]:
    query = request.query_params
    form = getattr(request.state, "form", {})
    subject = (query.get("subject") or form.get("subject") or "").strip() or None
    unit = (query.get("unit") or "").strip().upper() or None
    status = (query.get("status") or "").strip() or None
    if status not in (None, *(s.value for s in SupervisionStatus)):
        status = None
    return {"subject": subject, "unit": unit, "status": status}


def _read(request: Request, chosen: dict[str, str | None]) -> dict[str, Any]:
    """The 督办 chosen, and the versions their forms carry, read from the log after the views."""
    o = office(request)
    views = o.read()
    found = views.supervisions(unit=chosen["unit"], status=chosen["status"])
    shown = [r for r in found if not chosen["subject"] or r["subject"] == chosen["subject"]]
    versions = {r["id"]: o.ledger.version_of(Supervision, r["id"]) for r in shown}
    return {"rows": shown, "versions": versions, "units": views.units()}


async def supervision_page(request: Request, outcome: Outcome | None = None) -> Response:
    chosen = _filters(request)
    data = await blocking(_read, request, chosen)
    person = request.state.person
    outcome = outcome or Outcome()
    answerable = {r["id"] for r in data["rows"] if may(person, Action.ANSWER_SUPERVISION, r["unit"])}
    return render(request, "supervision.html", data | {
        "chosen": chosen, "may_supervise": may(person, Action.SUPERVISE), "answerable": answerable,
        "refusal": outcome.refusal, "errors": outcome.errors, "form": getattr(request.state, "form", {}),
        "failed": getattr(request.state, "form", {}).get("form_name"), "statuses": list(SupervisionStatus),
        "subject_kinds": SubjectKind, "status_kind": SupervisionStatus,
        "today": shanghai_date(office(request).now)}, status_code=outcome.status)


@page
async def supervision(request: Request) -> Response:
    return await supervision_page(request)


def _back(request: Request) -> RedirectResponse:
    subject = str(request.state.form.get("subject") or "").strip()
    return RedirectResponse("/supervision" + (f"?subject={quote(subject)}" if subject else ""), status_code=303)


@page
async def open_(request: Request) -> Response:
    """开具督办 (office): on a project number, a problem id or a report id."""
    f = Fields(request.state.form)
    subject, due, note = f.text("subject", True), f.day("due_on", True), f.prose("note", True)
    outcome = await write(request, f, None,
                          lambda ledger, actor: ledger.open_supervision(actor, subject or "", due, note or ""))
    if not outcome.done:
        return await supervision_page(request, outcome)
    return _back(request)


@page
async def step(request: Request) -> Response:
    what = request.path_params["what"]
    if what not in STEPS:
        return render(request, "error.html", {"title": "未找到", "message": "没有这个操作。"}, status_code=404)
    f = Fields(request.state.form)
    supervision_id = (f.text("supervision_id", True) or "").upper()
    version = f.version()
    if what == "answer":
        note = f.prose("note", True)
        call: Any = lambda ledger, actor: ledger.answer_supervision(actor, supervision_id, note or "")  # noqa: E731
    elif what == "close":
        note = f.prose("note")
        call = lambda ledger, actor: ledger.close_supervision(actor, supervision_id, note)  # noqa: E731
    else:
        reason = f.prose("reason", True)
        call = lambda ledger, actor: ledger.reopen_supervision(actor, supervision_id, reason or "")  # noqa: E731
    outcome = await write(request, f, (Supervision, supervision_id, version, "supervision"), call)
    if not outcome.done:
        return await supervision_page(request, outcome)
    return _back(request)


routes = [
    Route("/supervision", supervision),
    Route("/supervision/open", open_, methods=["POST"]),
    Route("/supervision/{what}", step, methods=["POST"]),
]
