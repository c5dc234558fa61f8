"""报送: a unit's month — the obligations falling due in it with their statuses, and each report's
next step (起草 from the ledger, the principal's 审定, 报送 with the seal confirmed, the office's
接收 or 退回). Every step is a Ledger method; the domain decides who may take it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import DomainError, InvalidValue
from domain.period import Cadence, Period
from domain.permissions import Action
from domain.report import ReportStatus
from domain.values import report_key, shanghai_date
from projections.forms.definitions import FORMS
from projections.forms.fill import fill
from projections.forms.xlsx import workbook_bytes
from projections.obligations import LABELS
from web.office import blocking, may, office, page, refusal_status, render


def _month(request: Request) -> tuple[Period, str | None]:
    today = shanghai_date(office(request).now)
    text = (request.query_params.get("month") or getattr(request.state, "form", {}).get("month") or "").strip()
    if not text:
        return Period.parse(f"{today.year}-{today.month:02d}", Cadence.MONTHLY), None
    try:
        month = Period.parse(str(text), Cadence.MONTHLY)
    except InvalidValue as error:
        return Period.parse(f"{today.year}-{today.month:02d}", Cadence.MONTHLY), str(error)
    if not 1990 <= month.year <= 2099:
        return Period.parse(f"{today.year}-{today.month:02d}", Cadence.MONTHLY), f"month {text!r} is outside 1990–2099"
    return month, None


async def _month_page(request: Request, code: str, refusal: str | None = None, status_code: int = 200,
                      errors: dict[str, str] | None = None) -> Response:
    month, error = _month(request)
    o = office(request)

    def read() -> dict[str, Any]:
        queries = o.read()
        unit = queries.unit(code)
        rows = queries.obligations(unit=unit["code"], due_in=(month.first_day, month.last_day))
        ids = {report_key(unit["code"], r["kind"], r["period"]) for r in rows}
        reports = {r["id"]: r for r in queries.reports(ids, unit=unit["code"])}
        return {"unit": unit["code"], "unit_name": unit["name"], "rows": rows, "reports": reports,
                "titles": _titles(queries, {r["kind"] for r in rows})}

    try:
        data = await blocking(read)
    except DomainError as error:
        return render(request, "error.html", {"title": "未找到", "message": str(error)}, status_code=404)
    person = request.state.person
    return render(request, "month.html", data | {
        "month": month,
        "month_error": error, "refusal": refusal, "labels": LABELS, "report_labels": ReportStatus.LABELS,
        "errors": errors or {}, "failed": getattr(request.state, "form", {}).get("form_name"),
        "forms": FORMS,
        "may_report": may(person, Action.REPORT, data["unit"]),
        "may_approve": may(person, Action.APPROVE, data["unit"]),
        "may_review": may(person, Action.REVIEW, data["unit"])},
        status_code=status_code if not error else 422)


def _titles(queries: Any, kinds: set[str]) -> dict[str, str]:
    """Each kind's title in the reporting calendar (重点招商项目情况表, 季度招商引资情况报告, ...)."""
    calendar = queries.calendar()
    titles = {}
    for kind in kinds:
        try:
            titles[kind] = calendar.rule(kind).title
        except InvalidValue:
            titles[kind] = kind
    return titles


@page
async def inbox(request: Request) -> Response:
    """The office's inbox: every report sent and not yet accepted or returned, oldest first."""
    o = office(request)

    def read() -> dict[str, Any]:
        queries = o.read()
        rows = sorted(queries.reports(status=ReportStatus.SENT), key=lambda r: (r["sent_at"], r["id"]))
        return {"rows": rows, "titles": _titles(queries, {r["kind"] for r in rows}),
                "names": {u["code"]: u["name"] for u in queries.units()}}

    data = await blocking(read)
    return render(request, "inbox.html", data | {"may_review": may(request.state.person, Action.REVIEW)})


@page
async def month_page(request: Request) -> Response:
    return await _month_page(request, request.path_params["code"])


@page
async def step(request: Request) -> Response:
    """One step of one report; a refusal re-shows the month with the domain's words."""
    code = request.path_params["code"]
    form = request.state.form
    o = office(request)
    ledger = o.ledger_for(request)
    actor = request.state.person.name
    what = str(form.get("step") or "")
    report_id = str(form.get("report_id") or "")
    kind, period = str(form.get("kind") or ""), str(form.get("period") or "")

    def draft() -> None:
        files: list[tuple[str, bytes]] = []
        if kind in FORMS:  # as `zs report draft --from-ledger`: the unit's form filled from the ledger
            filled = fill(ledger, code, kind, period)
            files = [(f"{filled.file_stem}.xlsx", workbook_bytes(filled.sheets))]
        ledger.draft_report(actor, code, kind, period, files)

    steps = {
        "draft": draft,
        "approve": lambda: ledger.approve_report(actor, report_id),
        "send": lambda: ledger.send_report(actor, report_id, sealed=form.get("sealed") == "yes"),
        "accept": lambda: ledger.accept_report(actor, report_id),
        "return": lambda: ledger.return_report(actor, report_id, str(form.get("reason") or "")),
    }
    if what not in steps:
        return await _month_page(request, code, refusal=f"没有这个操作：{what!r}", status_code=400)
    try:
        await blocking(steps[what])
    except DomainError as error:
        return await _month_page(request, code, refusal=str(error), status_code=refusal_status(error))
    if form.get("back") == "inbox":
        return RedirectResponse("/inbox", status_code=303)
    month = str(form.get("month") or "")
    return RedirectResponse(f"/units/{code}/reports" + (f"?month={month}" if month else ""), status_code=303)


routes = [
    Route("/inbox", inbox),
    Route("/units/{code}/reports", month_page),
    Route("/units/{code}/reports/step", step, methods=["POST"]),
]
