"""`zs summary`: the annual or quarterly summary, replayed from the log, as a Chinese table, JSON or Markdown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import emit_json, table
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
    ("reports_upcoming", "未到期"),
    ("lamps.red", "期末红灯（个）"), ("lamps.yellow", "期末黄灯（个）"), ("lamps.green", "期末绿灯（个）"),
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
@click.option("--log-position", "log_position", type=click.IntRange(0), metavar="N",
              help="Read the log only up to this position (a summary's log_position), to reproduce it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the ids counted in each figure).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a readable Chinese Markdown report.")
@pass_context
def summary(obj: Context, year: int | None, quarter: str | None, unit: str | None, known_at: datetime | None,
            log_position: int | None, as_json: bool, as_markdown: bool) -> None:
    """The summary of a year or a quarter, per unit and in total, replayed from the log.

    Facts count in the period of their business date (a stage's --on, a service's date, an
    evaluation's period) or, without one, their effective time (a project's registration, a
    problem's raising and closing), whenever recorded, if recorded by K. Reports are those due in
    the period and owed at T (the period's end, or K if earlier), with their status at T: a period
    still running is summarised up to T (截至), and what is not yet due is upcoming, never missing.
    A problem closed more than once counts once, if it is still closed at T. Every summary names
    its log position: --as-known-at K --log-position N reproduces it exactly.

    \b
    Example:
      zs summary --year 2021
      zs summary --year 2021 --markdown > 2021年度招商引资工作成效.md
      zs summary --quarter 2022-Q1 --unit HW --json
      zs summary --year 2021 --as-known-at 2022-02-01T09:30:00+08:00 --log-position 5120 --json
    """
    if as_json and as_markdown:
        raise click.UsageError("give at most one of --json and --markdown")
    period = _period(year, quarter)
    code = obj.ledger.unit(unit).code if unit else None
    result = summarize(obj.ledger, period, code, known_at, log_position)
    if as_json:
        emit_json(result)
    elif as_markdown:
        click.echo(markdown(result, period, code))
    else:
        click.echo(text_table(result, period, code))


def title(period: Period) -> str:
    return (f"{period.year}年度招商引资工作成效" if period.cadence is Cadence.ANNUAL
            else f"{period.year}年第{period.index}季度招商引资情况统计")


def _shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def scope(result: dict[str, Any]) -> str:
    """What the figures speak of: the whole period, or up to the moment taken (截至) while it runs."""
    span = f"统计期间：{result['from']} 至 {result['to']}"
    if result["complete"]:
        span += "（已结束）"
    elif result["as_of"].astimezone(SHANGHAI).date() < result["from"]:
        span += f"，期间尚未开始（截至 {_shanghai(result['as_of'])}，北京时间），各项均为零"
    else:
        span += f"，期间尚未结束，数字截至 {_shanghai(result['as_of'])}（北京时间），未到期的报告不计逾期"
    return (f"{span}；依据 {_shanghai(result['known_at'])}（北京时间）前记录的台账，日志位置 {result['log_position']}。")


def reproduce(result: dict[str, Any], period: Period, unit: str | None) -> str:
    option = f"--year {period.year}" if period.cadence is Cadence.ANNUAL else f"--quarter {result['period']}"
    option += f" --unit {unit}" if unit else ""
    known = result["known_at"].astimezone(SHANGHAI).isoformat()
    return f"zs summary {option} --as-known-at {known} --log-position {result['log_position']}"


def text_table(result: dict[str, Any], period: Period, unit: str | None = None) -> str:
    units = result["units"]
    columns = [("label", "指标"), *[(f"u{i}", u["unit"]) for i, u in enumerate(units)], ("total", "合计")]
    rows = [{"label": label, **{f"u{i}": _get(u, key) for i, u in enumerate(units)}, "total": _get(result["total"], key)}
            for key, label in ROWS]
    lines = [title(period), scope(result), "", table(rows, columns)]
    if units:
        lines += ["", "单位：" + "；".join(f"{u['unit']} {u['name']}" for u in units)]
    lines += ["", f"复现：{reproduce(result, period, unit)}；各项计入的编号见 --json 的 counted。"]
    return "\n".join(lines)


def markdown(result: dict[str, Any], period: Period, unit: str | None = None) -> str:
    units = result["units"]
    lines = [f"# {title(period)}", "", scope(result), ""]
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
    lines += ["", "## 迟报和逾期未报的报告", ""]
    behind = [(u, key, label) for u in units for key, label in (("reports_late", "迟报"), ("reports_missing", "逾期未报"))
              if u["counted"][key]]
    lines += [f"- {u['name']}{label}：{'、'.join(u['counted'][key])}" for u, key, label in behind] or ["无。"]
    lines += ["", f"复现本表：`{reproduce(result, period, unit)}`", ""]
    return "\n".join(lines)


def _get(row: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        row = row[part]
    return row
