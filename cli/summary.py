"""`zs summary`: the annual or quarterly summary, replayed from the log, as JSON or Chinese Markdown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import emit_json
from cli.params import AS_KNOWN_AT
from domain.errors import InvalidValue
from domain.period import Cadence, Period
from domain.values import SHANGHAI, Stage
from projections.summary import summarize

ROWS = [
    ("projects_added", "新增项目（个）"), ("projects_promoted", "纳入重点库（个）"), ("projects_terminated", "终止（个）"),
    *[(f"stages_reached.{s.value}", f"进入{s.label}环节（个）") for s in Stage if s is not Stage.LEAD],
    ("signed_investment_wan", "签约项目计划总投资（万元）"), ("landed_investment_wan", "落地项目计划总投资（万元）"),
    ("problems_raised", "新提出问题（个）"), ("problems_closed", "销号问题（个）"), ("services", "服务（次）"),
    ("services_amount_wan", "服务涉及金额（万元）"), ("reports_owed", "应报报告（份）"), ("reports_on_time", "按时报送"),
    ("reports_late", "迟报"), ("reports_missing", "逾期未报"),
]


def _period(year: int | None, quarter: str | None) -> Period:
    if (year is None) == (quarter is None):
        raise click.UsageError("give exactly one of --year Y or --quarter YYYY-Qn")
    try:
        return Period.parse(str(year), Cadence.ANNUAL) if year is not None else Period.parse(quarter or "",
                                                                                            Cadence.QUARTERLY)
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--year' / '--quarter'") from None


@click.command()
@click.option("--year", type=click.IntRange(2000, 2100), help="A year, e.g. 2021 (年有成效).")
@click.option("--quarter", help="A quarter, e.g. 2021-Q3 (季有统计).")
@click.option("--unit", help="Only this unit.")
@AS_KNOWN_AT
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a readable Chinese Markdown report.")
@pass_context
def summary(obj: Context, year: int | None, quarter: str | None, unit: str | None, known_at: datetime | None,
            as_json: bool, as_markdown: bool) -> None:
    """The summary of a year or a quarter, per unit and in total, replayed from the log.

    Facts count in the period of their business date (a stage's --on, a service's date) or, without
    one, their effective time; reports are those due in the period, with their status at its end.

    \b
    Example:
      zs summary --year 2021 --markdown > 2021年度招商引资工作成效.md
      zs summary --quarter 2022-Q1 --unit HW --json
    """
    period = _period(year, quarter)
    code = obj.ledger.unit(unit).code if unit else None
    result = summarize(obj.ledger, period, code, known_at)
    if as_json or not as_markdown:
        emit_json(result)
    else:
        click.echo(markdown(result, period))


def markdown(result: dict[str, Any], period: Period) -> str:
    title = (f"{period.year}年度招商引资工作成效" if period.cadence is Cadence.ANNUAL
             else f"{period.year}年第{period.index}季度招商引资情况统计")
    known = result["known_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    units = result["units"]
    lines = [f"# {title}", "", f"统计期间：{result['from']} 至 {result['to']}；数据截至 {known}（北京时间）。", ""]
    columns = [*units, result["total"]]
    lines.append("| 指标 | " + " | ".join([u["name"] for u in units] + ["合计"]) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(str(_get(c, key)) for c in columns) + " |")
    evaluations = result["total"]["evaluations"]
    lines += ["", "## 重点项目定期评价", ""]
    if evaluations:
        lines += ["| 项目编号 | 评价期间 | 等级 | 评语 |", "|---|---|---|---|"]
        lines += [f"| {e['project']} | {e['period']} | {e['rating']} | {e['comment'] or ''} |" for e in evaluations]
    else:
        lines.append("本期无评价。")
    return "\n".join(lines) + "\n"


def _get(row: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        row = row[part]
    return row
