"""`zs board` and `zs progress`: the projects and the closed loop per unit, now or at any moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import emit_json, json_option, labelled, render
from cli.params import AS_KNOWN_AT, AS_OF, CodeType
from cli.labels import LIST_COLUMNS, PROJECT_CODES
from domain.values import Level, Library, ProjectStatus, Sector, Stage
from projections.queries import Moment

PROGRESS_COLUMNS = [
    ("unit", "单位"), ("key_projects", "重点项目"), ("landed_or_beyond", "落地及以后"),
    ("landed_investment_wan", "落地投资（万元）"), ("terminated", "终止"), ("problems_open", "未销号问题"),
    ("problems_answered", "待销号"), ("problems_past_due", "超期问题"), ("reports_owed", "应报"),
    ("reports_on_time", "按时"), ("reports_late", "迟报"), ("reports_overdue", "逾期未报"), ("reports_upcoming", "未到期"),
    ("lamps_red", "红灯"), ("lamps_yellow", "黄灯"), ("lamps_green", "绿灯"),
]


@click.command()
@click.option("--unit")
@click.option("--sector", type=CodeType(Sector, "sector"))
@click.option("--level", type=CodeType(Level, "level"))
@click.option("--library", type=CodeType(Library, "library"))
@click.option("--stage", type=CodeType(Stage, "stage"))
@click.option("--status", type=CodeType(ProjectStatus, "status"))
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def board(obj: Context, unit: str | None, as_of: datetime | None, known_at: datetime | None, as_json: bool,
          **filters: Any) -> None:
    """The project board: every project's state (the keys of `project show --json`), filtered.

    \b
    Example:
      zs board --unit HW --library key
      zs board --as-of 2021-12-31 --json
    """
    rows = obj.queries.board(Moment(as_of, known_at), unit=unit.strip().upper() if unit else None, **filters)
    render(rows if as_json else labelled(rows, PROJECT_CODES), LIST_COLUMNS, as_json)


@click.command()
@click.option("--unit")
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def progress(obj: Context, unit: str | None, as_of: datetime | None, known_at: datetime | None,
             as_json: bool) -> None:
    """The closed loop per unit (月有报告，季有统计，年有成效): projects, problems, reports, at a moment.

    \b
    Example:
      zs progress --unit HW --json
      zs progress --as-of 2022-03-31
    """
    code = obj.queries.unit(unit)["code"] if unit else None
    rows = obj.queries.progress(as_of, code, known_at)
    if as_json:
        emit_json(rows)
        return
    stages = [(s.value, s.label) for s in Stage]
    flat = [r | r["projects_by_stage"] | {f"lamps_{c}": n for c, n in r["lamps"].items()} for r in rows]
    render(flat, PROGRESS_COLUMNS[:1] + stages + PROGRESS_COLUMNS[1:], False)
