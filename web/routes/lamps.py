"""三色预警: every lit lamp at the page's date (now, or as of a chosen day), worst first, with the rule
that lit it, since when, why and what turns it green (docs/domain.md rule 17), in pages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.lamps import COLOURS, LABELS, RULES
from projections.queries import Moment
from web.office import blocking, office, page, render
from web.paging import paginate
from web.routes.pages import _as_of

KINDS = {"project": "项目", "problem": "问题", "report": "报告", "supervision": "督办"}


@page
async def lamps(request: Request) -> Response:
    day, moment, error = _as_of(request)
    errors = {"as_of": error} if error else {}
    chosen: dict[str, Any] = {"as_of": day}
    for key, allowed in (("kind", tuple(KINDS)), ("colour", COLOURS)):
        text = request.query_params.get(key, "").strip()
        if text and text not in allowed:
            errors[key] = f"不认识的{key}：{text}"
        chosen[key] = text if text in allowed else None
    unit = request.query_params.get("unit", "").strip().upper() or None
    o = office(request)

    def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        views = o.read()
        units = views.units()
        if unit not in (None, *(u["code"] for u in units)):
            errors["unit"] = f"没有单位 {unit}"
            return [], units
        return views.lamps(Moment(moment), unit=unit, kind=chosen["kind"], colour=chosen["colour"]), units

    rows, units = await blocking(read)
    chosen["unit"] = unit
    tally = {c: sum(1 for r in rows if r["colour"] == c) for c in COLOURS}
    return render(request, "lamps.html", {
        "pager": paginate(request, rows), "units": units, "chosen": chosen, "errors": errors, "tally": tally,
        "kinds": KINDS, "colours": COLOURS, "labels": LABELS, "rules": RULES},
        status_code=422 if errors else 200)


routes = [Route("/lamps", lamps)]
