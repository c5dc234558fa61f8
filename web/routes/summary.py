"""年度/季度总结: the summary of a year or a quarter, per unit and in total, replayed from the log as
`zs summary` does — shown as a page (with its scope: the whole period, or 截至 T while it runs, and its
log position), and downloaded as Markdown or .xlsx. The download links carry the page's known-at
moment and log position, so the files hold exactly the figures on the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import DomainError, InvalidValue
from domain.period import Cadence, Period
from domain.values import SHANGHAI, parse_moment, shanghai_date
from projections.summary import summarize
from projections.summary_text import markdown, reproduce, scope, table_rows, title, xlsx
from web.office import blocking, office, page, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choice(request: Request) -> tuple[Period, dict[str, str]]:
    """The period asked for (this year unless asked), and errors by field."""
    year, quarter = (request.query_params.get(k, "").strip() for k in ("year", "quarter"))
    this_year = Period.parse(str(shanghai_date(office(request).now).year), Cadence.ANNUAL)
    if year and quarter:
        return this_year, {"year": "年度和季度只能选一个"}
    try:
        period = (Period.parse(quarter, Cadence.QUARTERLY) if quarter else
                  Period.parse(year, Cadence.ANNUAL) if year else this_year)
    except InvalidValue as error:
        return this_year, {"quarter" if quarter else "year": str(error)}
    if not 2000 <= period.year <= 2100:
        return this_year, {"quarter" if quarter else "year": f"{year or quarter} is outside 2000–2100"}
    return period, {}


def _reproduction(request: Request, errors: dict[str, str]) -> tuple[datetime | None, int | None]:
    known_text, position_text = (request.query_params.get(k, "").strip() for k in ("as_known_at", "log_position"))
    known = position = None
    if known_text:
        try:
            known = parse_moment(known_text)
        except ValueError as error:
            errors["as_known_at"] = str(error)
    if position_text:
        if position_text.isdigit() and len(position_text) < 13:
            position = int(position_text)
        else:
            errors["log_position"] = f"log position {position_text!r} is not a whole number"
    return known, position


@page
async def summary(request: Request) -> Response:
    period, errors = _choice(request)
    known, position = _reproduction(request, errors)
    unit = request.query_params.get("unit", "").strip().upper() or None
    wanted = request.query_params.get("format", "")
    o = office(request)

    def read() -> tuple[dict[str, Any] | None, list[dict[str, Any]], str | None]:
        queries = o.read()
        units = queries.units()
        if errors:
            return None, units, None
        try:
            code = queries.unit(unit)["code"] if unit else None
        except DomainError as error:
            errors["unit"] = str(error)
            return None, units, None
        return summarize(queries.ledger, period, code, known, position), units, code

    result, units, code = await blocking(read)
    if result is not None and wanted in ("md", "xlsx"):
        name = f"{title(period)}{'-' + code if code else ''}.{wanted}"
        disposition = f"attachment; filename*=UTF-8''{quote(name)}"
        if wanted == "md":
            return Response(markdown(result, period, code).encode("utf-8"), media_type="text/markdown; charset=utf-8",
                            headers={"content-disposition": disposition})
        return Response(await blocking(xlsx, result, period, code), media_type=XLSX,
                        headers={"content-disposition": disposition})
    context: dict[str, Any] = {"period": period, "errors": errors, "units": units, "unit": unit, "result": result,
                               "quarter": period.cadence is Cadence.QUARTERLY}
    if result is not None:
        fixed = [("quarter" if context["quarter"] else "year", str(period) if context["quarter"] else str(period.year)),
                 *([("unit", code)] if code else []),
                 ("as_known_at", result["known_at"].astimezone(SHANGHAI).isoformat()),
                 ("log_position", str(result["log_position"]))]
        context |= {"title": title(period), "scope": scope(result), "rows": table_rows(result),
                    "reproduce": reproduce(result, period, code),
                    "download": {f: f"/summary?{urlencode(fixed + [('format', f)])}" for f in ("md", "xlsx")}}
    return render(request, "summary.html", context, status_code=422 if errors else 200)


routes = [Route("/summary", summary)]
