"""The office's workbook for a kind and period: what each unit sent, in one sheet (unit first, a 合计
row for money, and where each unit's rows came from), and a sheet of the units whose report is
missing, late or returned.

A unit's rows are what it sent for the obligation: the filled form attached to its counted report,
read back, where there is one; otherwise the state at the period's end as the ledger knew it when
the report was last sent. A unit with no counted report has no rows and no share of the totals.
`current` builds today's view of every unit instead, and the sheet's title says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from domain.application import Ledger
from domain.errors import RuleViolated
from domain.period import Period
from domain.report import Report, ReportStatus
from domain.values import SHANGHAI, Role
from projections.forms import cells
from projections.forms.definitions import SEQ, UNIT_COLUMN, Cell, Column, FormDefinition, form
from projections.forms.facts import PeriodFacts
from projections.forms.fill import fill
from projections.forms.reading import read_table
from projections.forms.sheet import Row, Sheet, period_label, totals_row
from projections.forms.xlsx import workbook_bytes
from projections.obligations import LATE, ON_TIME, OVERDUE, UPCOMING, obligation_rows

SOURCE_COLUMN = Column("数据来源")
STATUS_COLUMNS = (
    Column("单位代码"), Column("单位名称"), Column("报告编号"), Column("截止日期", Cell.DATE), Column("情况"),
    Column("报送时间"), Column("迟报/逾期天数", Cell.COUNT), Column("退回原因"), Column("联络员"),
    Column("联系电话"),
)
SITUATION = {OVERDUE: "逾期未报", LATE: "迟报", UPCOMING: "未报送（未到截止日期）"}
UNSENT = {ReportStatus.DRAFT: "（草稿未审定）", ReportStatus.APPROVED: "（已审定未报送）"}
READABLE = (".xlsx", ".csv")
ATTEMPTS = 5
PARSERS = {Cell.MONEY: cells.money, Cell.DATE: cells.day, Cell.TEXT: lambda v: cells.text(v) or None,
           Cell.COUNT: lambda v: int(cells.text(v)) if cells.text(v) else None}


@dataclass(frozen=True)
class Consolidation:
    summary: Sheet
    status: Sheet
    log_position: int  # the highest log position read: the workbook is what the log held up to it

    @property
    def sheets(self) -> tuple[Sheet, Sheet]:
        return self.summary, self.status


def consolidated_workbook(ledger: Ledger, kind: str, period: str, current: bool = False) -> bytes:
    return workbook_bytes(consolidate(ledger, kind, period, current).sheets)


def consolidated_sheets(ledger: Ledger, kind: str, period: str, current: bool = False) -> tuple[Sheet, Sheet]:
    return consolidate(ledger, kind, period, current).sheets


def consolidate(ledger: Ledger, kind: str, period: str, current: bool = False) -> Consolidation:
    """Read until the log stands still across one reading, so `log_position` names what was read."""
    for _ in range(ATTEMPTS):
        position = ledger.recorder.max_notification_id() or 0
        sheets = _sheets(ledger, kind, period, current, position)
        if (ledger.recorder.max_notification_id() or 0) == position:
            return Consolidation(*sheets, position)
    raise RuleViolated("the ledger kept changing while the forms were read; try again")


def _sheets(ledger: Ledger, kind: str, period: str, current: bool, position: int) -> tuple[Sheet, Sheet]:
    definition = form(kind)
    parsed = Period.parse(period, ledger.calendar().rule(definition.kind).cadence)
    facts = PeriodFacts.of(ledger, parsed)
    now = ledger.clock()
    obligations = [row for row in obligation_rows(ledger, now)
                   if row["kind"] == definition.kind and row["period"] == str(parsed)]
    rows: list[Row] = []
    units = 0
    if current:
        for unit in ledger.units():
            state = ledger.state_at(unit.id, facts.end)
            if state is None or (state.withdrawn_on is not None and state.withdrawn_on < facts.first_day):
                continue
            units += 1
            rows += [(unit.name, *row, "台账当前状态（非报送内容）")
                     for row in fill(ledger, unit.code, kind, str(parsed)).overview.rows]
    else:
        for row in sorted(obligations, key=lambda r: r["unit"]):
            if row["status"] in (ON_TIME, LATE) and row["report_id"]:
                units += 1
                found, source = _sent_rows(ledger, definition, ledger.report(row["report_id"]))
                rows += [(ledger.unit(row["unit"]).name, *values, source) for values in found]
    columns = (UNIT_COLUMN, *definition.overview_columns, SOURCE_COLUMN)
    if columns[1] == SEQ:
        rows = [(row[0], i, *row[2:]) for i, row in enumerate(rows, 1)]
    made = f"生成时间：{now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    counted = f"共 {units} 个单位" if current else f"共 {units} 个单位报送"
    basis = "按台账当前状态，不是各单位报送的内容" if current else "按各单位报送的内容"
    heading = tuple(h for h in (period_label(parsed), counted, basis, made, f"日志位置（log_position）：{position}") if h)
    money = ("单位：万元",) if definition.money else ()
    table = tuple(rows)
    title = f"{definition.title}（汇总·当前台账）" if current else f"{definition.title}（汇总）"
    summary = Sheet("汇总", definition.annex_label, title, heading + money, columns,
                    table, totals_row(columns, table) if table else None)
    status = Sheet("缺报迟报退回", None, f"{definition.title}报送情况（缺报、迟报、退回）",
                   (period_label(parsed), f"截至 {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                    f"日志位置（log_position）：{position}"),
                   STATUS_COLUMNS, tuple(_status_rows(ledger, obligations)))
    return summary, status


def _sent_rows(ledger: Ledger, definition: FormDefinition, report: Report) -> tuple[list[Row], str]:
    """The rows the unit sent, and where they came from: the attached form read back, or the ledger
    as it was known when the report was last sent."""
    sending = [e for e in ledger.history(report.id) if isinstance(e, Report.Sent)][-1]
    sent = f"{sending.effective_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 报送" + (  # a paper sending: its own day
        f"，{sending.timestamp.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 补录" if sending.backfilled else "")
    unreadable = []
    for attachment in report.attachments:
        if PurePath(attachment.name).suffix.lower() not in READABLE:
            continue
        _, content = ledger.attachment_bytes(report.report_id, attachment.name)
        try:
            return _read_back(definition, attachment.name, content), f"报送附件 {attachment.name}（{sent}）"
        except Exception:  # a sent file may be anything (a broken workbook too): it is then not the form
            unreadable.append(attachment.name)
    filled = fill(ledger, report.unit, definition.kind, report.period, known_at=sending.timestamp)
    note = f"；附件 {'、'.join(unreadable)} 不是可读的本表" if unreadable else ""
    return list(filled.overview.rows), f"台账（{sent}时所知）{note}"


def _read_back(definition: FormDefinition, name: str, content: bytes) -> list[Row]:
    """A filled form's overview read back into its columns' values (money as Decimal, dates as dates)."""
    columns = definition.overview_columns
    labels = [c.label for c in columns]
    table = read_table(name, content, labels, labels)
    return [tuple(PARSERS[c.cell](record.values.get(c.label)) for c in columns) for record in table.records]


def _status_rows(ledger: Ledger, obligations: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for row in obligations:
        report = ledger.report(row["report_id"]) if row["report_id"] else None
        returned = report is not None and report.status == ReportStatus.RETURNED
        if row["status"] not in SITUATION and not returned:
            continue
        situation = "已退回" if returned else SITUATION[row["status"]]
        if report is not None and not returned and report.status in UNSENT:
            situation += UNSENT[report.status]
        unit = ledger.unit(row["unit"])
        liaison = unit.officer(Role.LIAISON)
        phone = ledger.person(liaison).phone if liaison else None
        sent = _shown(row["sent_at"])
        rows.append((unit.code, unit.name, row["report_id"] or "", row["due_on"], situation, sent,
                     row["days_late"] if row["days_late"] is not None else row["days_overdue"],
                     report.return_reason if returned and report else None, liaison, phone))
    return rows


def _shown(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else None
