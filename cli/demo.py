"""`zs demo`: build the demo ledger (the `demo` package) and print its tables for one stated moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import labelled, table
from cli.projects import PROJECT_CODES
from demo import SHOWN_ON, build
from domain.values import SHANGHAI, Stage, end_of_day
from projections.queries import Moment, Queries


BOARD_COLUMNS = [
    ("number", "项目编号"), ("name", "项目名称"), ("unit", "单位"), ("library", "库别"), ("stage", "当前环节"),
    ("status", "状态"), ("investment_wan", "计划总投资（万元）"), ("open_problems", "未销号问题"),
]


COUNT_COLUMNS = [("unit", "代码"), ("name", "单位名称"), ("key_projects", "重点项目")]
COUNT_COLUMNS += [(s.value, s.label) for s in Stage] + [
    ("terminated", "终止"), ("problems_open", "未销号问题"), ("reports_on_time", "按时报送"), ("reports_late", "迟报"),
    ("reports_overdue", "逾期未报")]
OVERDUE_COLUMNS = [("unit", "单位"), ("kind", "报告类别"), ("period", "期间"), ("due_on", "截止日期"),
                   ("days_overdue", "逾期天数"), ("report_id", "报告编号")]


def unit_counts(queries: Queries, moment: datetime) -> list[dict[str, Any]]:
    """The closed loop per unit at the moment, flattened for one table."""
    names = {u["code"]: u["name"] for u in queries.units()}
    return [row | row["projects_by_stage"] | {"name": names[row["unit"]]} for row in queries.progress(moment)]


def tables(queries: Queries, moment: datetime) -> str:
    """The board, the per-unit counts and the overdue list, all as the ledger stood at one moment, each
    labelled with it, so that the three never disagree."""
    stamp = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    overdue = queries.overdue(moment)
    return "\n".join([
        f"以下各表均为台账截至 {stamp}（北京时间）的情况 (every table below: as of {stamp} Shanghai time)", "",
        f"重点招商项目看板，截至 {stamp} (project board)",
        table(labelled(queries.board(Moment(moment)), PROJECT_CODES), BOARD_COLUMNS), "",
        f"各单位闭环情况，截至 {stamp} (per-unit counts)", table(unit_counts(queries, moment), COUNT_COLUMNS), "",
        f"逾期未报，截至 {stamp} (overdue): {len(overdue)}", table(overdue, OVERDUE_COLUMNS),
    ])


@click.command()
@click.option("--store", "demo_store", metavar="URL",
              help="Where to build the demo ledger (default: the global --store); it must be empty.")
@pass_context
def demo(obj: Context, demo_store: str | None) -> None:
    """Build a realistic year of the commission's ledger and print the board, the per-unit counts and
    the overdue reports, all as of one stated moment (the end of 2022-08-10, Shanghai time).

    Seeded and deterministic; refuses a store that already holds a ledger.

    \b
    Example:
      zs demo --store sqlite:///demo.db
    """
    ledger = build(demo_store or obj.store)
    try:
        click.echo(tables(Queries(ledger), end_of_day(SHOWN_ON)))
    finally:
        ledger.close()
