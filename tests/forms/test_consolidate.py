"""The office's workbook: every unit's rows in one sheet with a 合计 row, and the units whose report
for the period is missing, late or returned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from projections.forms.consolidate import consolidated_workbook
from projections.forms.xlsx import HEADER_ROW
from tests.forms.conftest import GY_LIAISON, LIAISON, OFFICE, shanghai, workbook

PRINCIPAL = "赵处长"


def send(ledger, kind: str) -> str:
    report = ledger.draft_report(LIAISON, "HW", kind, "2021-09")
    ledger.approve_report(PRINCIPAL, report)
    ledger.send_report(LIAISON, report, sealed=True)
    return report


def table(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW)]


def test_every_units_rows_come_unit_first_with_a_totals_row(september):
    book = workbook(consolidated_workbook(september, "project_status", "2021-09"))

    ws = book["汇总"]
    assert ws["A1"].value == "附件1" and ws["A2"].value == "重点招商项目情况表（汇总）"
    assert "报告期：2021年9月" in ws["A3"].value and "共 2 个单位" in ws["A3"].value
    rows = table(ws)
    assert rows[0][:3] == ["填报单位", "项目编号", "项目名称"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("市公用事业管理局", "GY-2021-001"), ("环境卫生管理处", "HW-2021-001"), ("环境卫生管理处", "HW-2021-002"),
        ("合计", None)]
    money = rows[0].index("计划总投资（万元）")
    assert Decimal(str(rows[-1][money])) == Decimal("101500.50")
    assert ws.cell(HEADER_ROW + 4, money + 1).number_format == "0.00"


def test_the_service_lists_are_numbered_across_units_and_totalled(september):
    rows = table(workbook(consolidated_workbook(september, "service_list", "2021-09"))["汇总"])

    assert [r[:3] for r in rows[1:-1]] == [
        ["市公用事业管理局", 1, "GY-2021-001"], ["环境卫生管理处", 2, "HW-2021-001"],
        ["环境卫生管理处", 3, "HW-2021-002"]]
    assert rows[-1][0] == "合计" and rows[-1][-1] == 1005.5


def test_a_form_without_money_has_no_totals_row(september):
    rows = table(workbook(consolidated_workbook(september, "liaison_form", "once"))["汇总"])

    assert rows[0] == ["填报单位", "主要负责人", "主管领导", "责任部门", "联络员", "职务", "联系电话"]
    assert [r[0] for r in rows[1:]] == ["市公用事业管理局", "环境卫生管理处"]


def test_the_second_sheet_lists_units_whose_report_is_missing_late_or_returned(september, clock):
    returned = send(september, "project_status")
    clock.set(shanghai(date(2021, 10, 4)))
    september.return_report(OFFICE, returned, "进展填写过简")
    clock.set(shanghai(date(2021, 10, 7)))
    send(september, "tracking_feedback")
    september.draft_report(GY_LIAISON, "GY", "tracking_feedback", "2021-09")

    status = table(workbook(consolidated_workbook(september, "project_status", "2021-09"))["缺报迟报退回"])
    tracking = table(workbook(consolidated_workbook(september, "tracking_feedback", "2021-09"))["缺报迟报退回"])

    assert status[0] == ["单位代码", "单位名称", "报告编号", "截止日期", "情况", "报送时间", "迟报/逾期天数", "退回原因",
                         "联络员", "联系电话"]
    assert [(r[0], r[4], r[6], r[7]) for r in status[1:]] == [
        ("GY", "逾期未报", 2, None), ("HW", "已退回", 2, "进展填写过简")]
    assert [(r[0], r[4], r[5], r[6]) for r in tracking[1:]] == [
        ("GY", "逾期未报（草稿未审定）", None, 2), ("HW", "迟报", "2021-10-07 10:00", 2)]
    assert tracking[1][8:] == [GY_LIAISON, "13800000201"]


def test_a_unit_that_sent_on_time_is_not_listed(september):
    send(september, "service_list")

    rows = table(workbook(consolidated_workbook(september, "service_list", "2021-09"))["缺报迟报退回"])

    assert [r[0] for r in rows[1:]] == ["GY"]
    assert rows[1][4] == "未报送（未到截止日期）"


def test_a_kind_without_a_form_is_refused(september):
    with pytest.raises(InvalidValue):
        consolidated_workbook(september, "annual_summary", "2021")
