"""审计: the audit trail searched by person, unit, project, report, event and recorded time, shown
as a table or downloaded as CSV (UTF-8 with BOM, the keys of `zs audit --json`)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.values import parse_moment
from web.office import blocking, jsonable, office, page, render
from web.paging import paginate

FIELDS = ("actor", "unit", "project", "report", "action")


@page
async def audit(request: Request) -> Response:
    query = {key: request.query_params.get(key, "").strip() or None for key in FIELDS + ("since", "until")}
    errors: dict[str, str] = {}
    moments: dict[str, Any] = {}
    for key in ("since", "until"):
        try:
            moments[key] = parse_moment(query[key], start=key == "since") if query[key] else None
        except ValueError as error:  # InvalidValue, or a day that does not exist (2021-02-30)
            errors[key] = str(error)
    if errors:
        return render(request, "audit.html", {"query": query, "errors": errors, "rows": [], "total": 0,
                                              "pager": None}, status_code=422)
    o = office(request)
    filters = {key: query[key] for key in FIELDS} | moments
    if filters["unit"]:
        filters["unit"] = filters["unit"].upper()
    rows = await blocking(lambda: o.read().audit(**filters))
    if request.query_params.get("format") == "csv":
        return Response(_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": "attachment; filename=audit.csv"})
    pager = paginate(request, rows[::-1])  # newest first
    return render(request, "audit.html", {"query": query, "errors": {}, "rows": pager.rows, "pager": pager,
                                          "total": len(rows)})


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if rows:
        keys = list(rows[0])
        writer.writerow(keys)
        for row in rows:
            values = jsonable(row)
            writer.writerow([_safe(json.dumps(values[k], ensure_ascii=False) if isinstance(values[k], (dict, list))
                                   else values[k]) for k in keys])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula starts with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


routes = [Route("/audit", audit)]
