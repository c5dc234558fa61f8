"""驾驶舱 (the dashboard) and 项目台账 (the board); a project's page and its forms are in projects.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import InvalidValue
from domain.values import Level, Library, ProjectStatus, Sector, Stage, end_of_day, parse_date, shanghai_date
from projections.queries import Moment
from domain.lamps import LABELS as LAMP_LABELS
from web.office import blocking, office, page, render
from web.paging import offset, window

FILTERS = {"sector": Sector, "level": Level, "library": Library, "stage": Stage, "status": ProjectStatus}


def _as_of(request: Request) -> tuple[date | None, datetime | None, str | None]:
    """The page's as-of date (a Shanghai day: the moment is its end) and an error for a bad one."""
    text = request.query_params.get("as_of", "").strip()
    if not text:
        return None, None, None
    try:
        day = parse_date(text, "as-of date")
    except InvalidValue as error:
        return None, None, str(error)
    if not 1990 <= day.year <= 2099:
        return None, None, f"as-of date {text!r} is outside 1990–2099"
    return day, end_of_day(day), None


def _bar(title: str, categories: list[str], series: list[tuple[str, list[Any]]], stack: bool = False,
         colors: list[str] | None = None) -> dict[str, Any]:
    """An ECharts option: plain JSON, so the page carries it in a data attribute (no inline script)."""
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0} if len(series) > 1 else {"show": False},
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value"},
        "series": [{"name": name, "type": "bar", "data": data, **({"stack": "total"} if stack else {})}
                   for name, data in series],
        **({"color": colors} if colors else {}),
    }


def _pie(title: str, items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "top": 24,
                    "data": [{"name": name, "value": value} for name, value in items]}],
    }


def dashboard_charts(totals: dict[str, Any], progress: list[dict[str, Any]],
                     unit_names: dict[str, str]) -> list[dict[str, Any]]:
    by_stage, by_sector = totals["by_stage"], totals["by_sector"]
    stages = [s for s in Stage]
    units = [unit_names.get(r["unit"], r["unit"]) for r in progress]
    return [
        _bar("项目数量（按环节）", [s.label for s in stages], [("项目", [by_stage.get(s.value, (0, 0))[0] for s in stages])]),
        _pie("项目数量（按领域）", [(Sector(code).label, n) for code, n in sorted(by_sector.items())]),
        _bar("计划总投资（万元，按环节）", [s.label for s in stages],
             [("计划总投资", [float(by_stage.get(s.value, (0, 0))[1]) for s in stages])]),
        _bar("各单位报送情况", units, [("按时", [r["reports_on_time"] for r in progress]),
                                       ("迟报", [r["reports_late"] for r in progress]),
                                       ("逾期未报", [r["reports_overdue"] for r in progress])], stack=True,
             colors=["#2e7d32", "#f9a825", "#c62828"]),
        _bar("各单位闭环进展", units, [("落地及以后项目", [r["landed_or_beyond"] for r in progress]),
                                       ("未销号问题", [r["problems_open"] for r in progress]),
                                       ("已销号问题", [r["problems_closed"] for r in progress])]),
        lamps_chart(progress, units),
    ]


def lamps_chart(progress: list[dict[str, Any]], units: list[str]) -> dict[str, Any]:
    """三色预警: each unit's red, yellow and green lamps at the dashboard's moment (docs/domain.md rule 17)."""
    lamps = [r.get("lamps") or {} for r in progress]
    return _bar("各单位三色预警", units, [(LAMP_LABELS[c], [n.get(c, 0) for n in lamps]) for c in ("red", "yellow", "green")],
                stack=True, colors=["#c62828", "#f9a825", "#2e7d32"])


@page
async def home(request: Request) -> Response:
    return RedirectResponse("/dashboard", status_code=303)


@page
async def dashboard(request: Request) -> Response:
    day, moment, error = _as_of(request)
    o = office(request)

    def read() -> dict[str, Any]:
        queries = o.read()
        return o.remembered(("dashboard", day), lambda: {
            "board": queries.board_totals(Moment(moment)), "progress": queries.progress(moment),
            "names": {u["code"]: u["name"] for u in queries.units()}})

    data = await blocking(read)
    charts = dashboard_charts(data["board"], data["progress"], data["names"])
    totals = {"projects": data["board"]["projects"], "investment": data["board"]["investment_wan"],
              "overdue": sum(r["reports_overdue"] for r in data["progress"]),
              "problems_open": sum(r["problems_open"] for r in data["progress"])}
    today = shanghai_date(o.now)
    return render(request, "dashboard.html", {
        "charts": charts, "totals": totals, "as_of": day, "as_of_error": error, "today": today,
        "progress": data["progress"], "names": data["names"]}, status_code=422 if error else 200)


@page
async def board(request: Request) -> Response:
    day, moment, error = _as_of(request)
    filters: dict[str, Any] = {}
    errors = {"as_of": error} if error else {}
    for key, kind in FILTERS.items():
        text = request.query_params.get(key, "").strip()
        if text:
            try:
                filters[key] = kind(text).value
            except ValueError:
                errors[key] = f"不认识的{key}：{text}"
    unit = request.query_params.get("unit", "").strip().upper() or None
    o = office(request)

    number, size, skip = offset(request)

    def read() -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
        queries = o.read()
        total, rows = queries.board_page(Moment(moment), skip, size, unit=unit, **filters)
        return total, rows, queries.units()

    total, rows, units = await blocking(read)
    pager = window(request, total, rows, number, size)
    return render(request, "board.html", {
        "rows": rows, "pager": pager, "units": units, "lamp_labels": LAMP_LABELS, "chosen": {**filters, "unit": unit, "as_of": day}, "errors": errors,
        "choices": {key: list(kind) for key, kind in FILTERS.items()}, "kinds": FILTERS},
        status_code=422 if errors else 200)


routes = [
    Route("/", home),
    Route("/dashboard", dashboard),
    Route("/board", board),
]
