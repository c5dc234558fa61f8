"""逾期与提醒: the overdue reports (in pages), and what `zs remind` lists per unit — reports due soon or
overdue, drafts waiting for the principal's approval, approved reports not yet sent, 督办 near or past
due — with the office's button that mails them by the same path as `zs remind --send`
(projections/mailing.py: each item at most once a Shanghai day, each mailing recorded)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import DomainError
from domain.permissions import Action
from projections.mailing import Mailer, mail_reminders
from projections.queries import Moment
from projections.reminders import unit_reminders
from web.office import blocking, may, office, page, refusal_status, render
from web.paging import paginate

WITHIN = 5  # days ahead that count as near due, as `zs remind --within` defaults to
STATUS = {"sent": "已发送", "would_send": "将发送", "already_reminded": "今日已提醒", "no_email": "未登记邮箱，未发送",
          "failed": "发送失败"}


def _within(request: Request) -> int:
    text = request.query_params.get("within", "").strip()
    return min(int(text), 366) if text.isdigit() and len(text) < 4 else WITHIN


async def _page(request: Request, results: list[dict[str, Any]] | None = None, refusal: str | None = None,
                status_code: int = 200) -> Response:
    o = office(request)
    within = _within(request)

    def read() -> dict[str, Any]:
        views = o.read()
        calendar = views.calendar()
        units = {u["code"]: u for u in views.units()}
        return {"rows": views.overdue(), "units": units, "phones": {p["name"]: p["phone"] for p in views.people()},
                "reminders": unit_reminders(views, Moment(), within),
                "titles": {kind: calendar.rule(kind).title for kind in calendar.kinds()}}

    data = await blocking(read)
    return render(request, "overdue.html", data | {
        "pager": paginate(request, data["rows"]), "within": within, "results": results, "refusal": refusal,
        "status_labels": STATUS, "may_remind": may(request.state.person, Action.REMIND)}, status_code=status_code)


@page
async def overdue(request: Request) -> Response:
    return await _page(request)


@page
async def remind(request: Request) -> Response:
    """The office mails each person their reminders (never one item twice on one Shanghai day)."""
    o = office(request)
    ledger = o.ledger_for(request)
    actor = request.state.person.name
    dry_run = request.state.form.get("dry_run") == "yes"
    within = _within(request)

    def send() -> list[dict[str, Any]]:
        ledger.check_may_remind(actor)  # the office only, before anything else is asked
        mailer = None if dry_run else Mailer.from_env()
        views = o.read()
        return mail_reminders(ledger, views, unit_reminders(views, Moment(), within), mailer, actor)

    try:
        results = await blocking(send)
    except DomainError as error:  # not the office, or no mail server configured: nothing was sent
        return await _page(request, refusal=str(error), status_code=refusal_status(error))
    failed = sum(1 for r in results if r["status"] == "failed")
    refusal = (f"{failed} 封邮件未能发出，未作记录，可稍后重试。" if failed else None)
    return await _page(request, results=results, refusal=refusal, status_code=502 if failed else 200)


routes = [
    Route("/overdue", overdue),
    Route("/overdue/remind", remind, methods=["POST"]),
]
