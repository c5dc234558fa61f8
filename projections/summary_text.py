"""What a summary says in words: its title, its scope (the whole period, or 截至 T while it runs), the
command that reproduces it, its rows, and the same as Markdown or as an .xlsx sheet — for `zs summary`
and the web office's 年度/季度总结 alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.period import Cadence, Period
from domain.values import SHANGHAI, Stage
from projections.forms.definitions import Cell, Column
from projections.forms.sheet import Sheet
from projections.forms.xlsx import workbook_bytes

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


def markdown(result: dict[str, Any], period: Period, unit: str | None = None) -> str:
    units = result["units"]
    lines = [f"# {title(period)}", "", scope(result), ""]
    columns = [*units, result["total"]]
    lines.append("| 指标 | " + " | ".join([u["name"] for u in units] + ["合计"]) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(str(value_of(c, key)) for c in columns) + " |")
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


def value_of(row: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        row = row[part]
    return row


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: its label, each unit's value and the total."""
    return [{"key": key, "label": label, "units": [value_of(u, key) for u in result["units"]],
             "total": value_of(result["total"], key)} for key, label in ROWS]


def xlsx(result: dict[str, Any], period: Period, unit: str | None = None) -> bytes:
    """The summary as a one-sheet workbook: the figures by unit and in total, then how to reproduce it."""
    units = result["units"]
    columns = (Column("指标"), *[Column(u["name"], Cell.MONEY) for u in units], Column("合计", Cell.MONEY))
    rows = tuple((r["label"], *r["units"], r["total"]) for r in table_rows(result))
    heading = (scope(result), f"复现：{reproduce(result, period, unit)}")
    return workbook_bytes([Sheet(name=title(period)[:31], annex=None, title=title(period), heading=heading,
                                 columns=columns, rows=rows)])
