"""What a filled form is before it becomes a file: sheets of heading lines, columns and rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.period import Cadence, Period
from projections.forms.definitions import Cell, Column, FormDefinition

TOTAL = "合计"
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `附件N`, the title, the heading line's items, then a table.

    `record` lays one project out as field/value lines (the per-project 情况表); `totals` is the
    合计 row of the money columns, kept apart from the rows so a CSV holds the data alone."""

    name: str
    annex: str | None
    title: str
    heading: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    totals: Row | None = None
    record: bool = False


@dataclass(frozen=True)
class FilledForm:
    definition: FormDefinition
    unit: str
    unit_name: str
    period: Period
    sheets: tuple[Sheet, ...]

    @property
    def overview(self) -> Sheet:
        return self.sheets[0]

    @property
    def file_stem(self) -> str:
        """e.g. 环境卫生管理处重点招商项目情况表2021-09 — the name a file of it is given."""
        suffix = "" if self.period.cadence is Cadence.ONCE else str(self.period)
        return f"{self.unit_name}{self.definition.title}{suffix}"


def period_label(period: Period) -> str:
    if period.cadence is Cadence.MONTHLY:
        return f"报告期：{period.year}年{period.index}月"
    if period.cadence is Cadence.QUARTERLY:
        return f"报告期：{period.year}年第{period.index}季度"
    if period.cadence is Cadence.ANNUAL:
        return f"报告期：{period.year}年度"
    return ""


def heading_items(definition: FormDefinition, first: str, period: Period, *more: str) -> tuple[str, ...]:
    """The notice's heading line: its field (项目编号：… / 单位名称：… / 填报单位（盖章）：…), the
    period, and 单位：万元 where money appears."""
    items = [first, *more, period_label(period)]
    if definition.money:
        items.append("单位：万元")
    return tuple(item for item in items if item)


def totals_row(columns: tuple[Column, ...], rows: tuple[Row, ...], label_at: int = 0) -> Row | None:
    """合计 under the label column and the sum of each money column; None where no money appears."""
    money = [i for i, c in enumerate(columns) if c.cell is Cell.MONEY]
    if not money:
        return None
    total: list[Any] = [None] * len(columns)
    total[label_at] = TOTAL
    for i in money:
        total[i] = sum((r[i] for r in rows if isinstance(r[i], Decimal)), Decimal("0.00"))
    return tuple(total)


def shown(value: Any) -> str:
    """A value as the spreadsheet shows it (for widths)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
