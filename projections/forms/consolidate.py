"""The office's workbook for a kind and period: every unit's rows in one sheet (unit first, a 合计
row for money), and a sheet of the units whose report is missing, late or returned."""

from __future__ import annotations

from datetime import datetime

from domain.application import Ledger
from domain.period import Period
from domain.report import ReportStatus
from domain.values import SHANGHAI, Role
from projections.forms.definitions import SEQ, UNIT_COLUMN, Cell, Column, form
from projections.forms.facts import PeriodFacts
from projections.forms.fill import fill
from projections.forms.sheet import Row, Sheet, period_label, totals_row
from projections.forms.xlsx import workbook_bytes
from projections.obligations import LATE, OVERDUE, UPCOMING, obligation_rows

STATUS_COLUMNS = (
    Column("单位代码"), Column("单位名称"), Column("报告编号"), Column("截止日期", Cell.DATE), Column("情况"),
    Column("报送时间"), Column("迟报/逾期天数", Cell.COUNT), Column("退回原因"), Column("联络员"),
    Column("联系电话"),
)
SITUATION = {OVERDUE: "逾期未报", LATE: "迟报", UPCOMING: "未报送（未到截止日期）"}
UNSENT = {ReportStatus.DRAFT: "（草稿未审定）", ReportStatus.APPROVED: "（已审定未报送）"}


def consolidated_workbook(ledger: Ledger, kind: str, period: str) -> bytes:
    return workbook_bytes(consolidated_sheets(ledger, kind, period))


def consolidated_sheets(ledger: Ledger, kind: str, period: str) -> tuple[Sheet, Sheet]:
    definition = form(kind)
    parsed = Period.parse(period, ledger.calendar().rule(definition.kind).cadence)
    facts = PeriodFacts.of(ledger, parsed)
    rows: list[Row] = []
    units = 0
    for unit in ledger.units():
        state = ledger.state_at(unit.id, facts.end)
        if state is None or (state.withdrawn_on is not None and state.withdrawn_on < facts.first_day):
            continue
        units += 1
        rows += [(unit.name, *row) for row in fill(ledger, unit.code, kind, period).overview.rows]
    columns = (UNIT_COLUMN, *definition.overview_columns)
    if columns[1] == SEQ:
        rows = [(row[0], i, *row[2:]) for i, row in enumerate(rows, 1)]
    now = ledger.clock()
    made = f"生成时间：{now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    heading = tuple(h for h in (period_label(parsed), f"共 {units} 个单位", made) if h)
    money = ("单位：万元",) if definition.money else ()
    table = tuple(rows)
    summary = Sheet("汇总", definition.annex_label, f"{definition.title}（汇总）", heading + money, columns,
                    table, totals_row(columns, table) if table else None)
    title = f"{definition.title}报送情况（缺报、迟报、退回）"
    status = Sheet("缺报迟报退回", None, title, (period_label(parsed), f"截至 {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"),
                   STATUS_COLUMNS, tuple(_status_rows(ledger, definition.kind, str(parsed), now)))
    return summary, status


def _status_rows(ledger: Ledger, kind: str, period: str, now: datetime) -> list[Row]:
    rows = []
    for row in obligation_rows(ledger, now):
        if row["kind"] != kind or row["period"] != period:
            continue
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
        sent = row["sent_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if row["sent_at"] else None
        rows.append((unit.code, unit.name, row["report_id"] or "", row["due_on"], situation, sent,
                     row["days_late"] if row["days_late"] is not None else row["days_overdue"],
                     report.return_reason if returned and report else None, liaison, phone))
    return rows
