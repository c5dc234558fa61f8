"""The office's workbook: what each unit sent, in one sheet with a 合计 row and where each unit's
rows came from, and the units whose report for the period is missing, late or returned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.values import Stage
from projections.forms.consolidate import consolidate, consolidated_workbook
from projections.forms.fill import fill
from projections.forms.xlsx import HEADER_ROW, workbook_bytes
from tests.forms.conftest import GY_LIAISON, LIAISON, OFFICE, shanghai, workbook
from tests.forms.test_import import edited

PRINCIPAL, GY_PRINCIPAL = "赵处长", "吴局长"


def send(ledger, kind: str, unit: str = "HW", files=(), period: str = "2021-09") -> str:
    liaison, principal = (LIAISON, PRINCIPAL) if unit == "HW" else (GY_LIAISON, GY_PRINCIPAL)
    report = ledger.draft_report(liaison, unit, kind, period, files)
    ledger.approve_report(principal, report)
    ledger.send_report(liaison, report, sealed=True)
    return report


@pytest.fixture
def gy_principal(september):
    from domain.values import Role

    september.add_person("管理员", GY_PRINCIPAL, Role.PRINCIPAL, "GY")
    return september


def table(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW)]


def by_column(rows: list[list[object]]) -> list[dict[str, object]]:
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_every_units_rows_come_unit_first_with_a_totals_row(gy_principal):
    send(gy_principal, "project_status", "GY")
    send(gy_principal, "project_status")

    book = workbook(consolidated_workbook(gy_principal, "project_status", "2021-09"))

    ws = book["汇总"]
    assert ws["A1"].value == "附件1" and ws["A2"].value == "重点招商项目情况表（汇总）"
    assert "报告期：2021年9月" in ws["A3"].value and "共 2 个单位报送" in ws["A3"].value
    rows = table(ws)
    assert rows[0][:3] == ["填报单位", "项目编号", "项目名称"] and rows[0][-1] == "数据来源"
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("市公用事业管理局", "GY-2021-001"), ("环境卫生管理处", "HW-2021-001"), ("环境卫生管理处", "HW-2021-002"),
        ("合计", None)]
    money = rows[0].index("计划总投资（万元）")
    assert Decimal(str(rows[-1][money])) == Decimal("101500.50")
    assert ws.cell(HEADER_ROW + 4, money + 1).number_format == "0.00"


def test_a_unit_that_never_sent_has_no_rows_and_no_share_of_the_totals_and_is_listed_as_missing(september, clock):
    send(september, "project_status")
    clock.set(shanghai(date(2021, 10, 6)))

    made = consolidate(september, "project_status", "2021-09")

    assert {row[0] for row in made.summary.rows} == {"环境卫生管理处"}
    money = [c.label for c in made.summary.columns].index("计划总投资（万元）")
    assert made.summary.totals[money] == Decimal("15500.50")  # HW's two key projects, not GY's 86000
    assert [(row[0], row[4]) for row in made.status.rows] == [("GY", "逾期未报")]


def test_a_stage_changed_after_the_units_sending_does_not_show_in_its_sent_month(september, clock):
    clock.set(shanghai(date(2021, 10, 4)))
    send(september, "project_status")
    clock.set(shanghai(date(2021, 10, 6)))
    september.advance_project(LIAISON, "HW-2021-002", Stage.SIGNED, date(2021, 9, 29), "补录：九月底签约")

    sent = by_column(table(workbook(consolidated_workbook(september, "project_status", "2021-09"))["汇总"]))
    today = by_column(table(workbook(consolidated_workbook(september, "project_status", "2021-09", True))["汇总"]))

    assert (sent[1]["项目编号"], sent[1]["当前环节"]) == ("HW-2021-002", "谋划储备")
    assert "补录" not in (sent[1]["本月进展情况"] or "")
    assert sent[1]["数据来源"] == "台账（2021-10-04 10:00 报送时所知）"
    assert (today[2]["项目编号"], today[2]["当前环节"]) == ("HW-2021-002", "签约")
    assert "2021-09-29 进入签约：补录：九月底签约" in today[2]["本月进展情况"]
    assert today[2]["数据来源"] == "台账当前状态（非报送内容）"


def test_the_filled_form_attached_to_the_sent_report_is_read_back_as_sent(september, clock):
    clock.set(shanghai(date(2021, 10, 4)))
    filled = fill(september, "HW", "project_status", "2021-09")
    content = edited(workbook_bytes(filled.sheets), {5: {"计划总投资（万元）": 12345.67, "本月进展情况": "报送时的进展"}})
    send(september, "project_status", files=[("情况表-9月.xlsx", content), ("盖章页.pdf", b"%PDF")])
    clock.set(shanghai(date(2021, 10, 6)))
    september.update_project(LIAISON, "HW-2021-001", investment=Decimal("1"))

    rows = by_column(table(workbook(consolidated_workbook(september, "project_status", "2021-09"))["汇总"]))

    assert (rows[0]["项目编号"], rows[0]["计划总投资（万元）"], rows[0]["本月进展情况"]) == (
        "HW-2021-001", 12345.67, "报送时的进展")
    assert rows[0]["数据来源"] == "报送附件 情况表-9月.xlsx（2021-10-04 10:00 报送）"
    assert rows[0]["填报日期"] is not None


def test_an_attachment_that_is_not_the_form_falls_back_to_the_ledger_and_says_so(september, clock):
    clock.set(shanghai(date(2021, 10, 4)))
    send(september, "service_list", files=[("说明.csv", "甲,乙\r\n1,2\r\n".encode())])

    rows = consolidate(september, "service_list", "2021-09").summary.rows

    assert [r[2] for r in rows] == ["HW-2021-001", "HW-2021-002"]
    assert rows[0][-1] == "台账（2021-10-04 10:00 报送时所知）；附件 说明.csv 不是可读的本表"


@pytest.mark.parametrize("name, content", [
    ("坏.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4), ("空.csv", b""), ("乱码.csv", bytes(range(256))),
    ("别的表.xlsx", None),
])
def test_a_sent_file_that_cannot_be_read_as_the_form_falls_back_to_the_ledger(september, clock, name, content):
    if content is None:
        content = workbook_bytes(fill(september, "HW", "service_list", "2021-09").sheets)  # not 附件1
    clock.set(shanghai(date(2021, 10, 4)))
    send(september, "project_status", files=[(name, content)])

    rows = consolidate(september, "project_status", "2021-09").summary.rows

    assert [r[1] for r in rows] == ["HW-2021-001", "HW-2021-002"]
    assert rows[0][-1] == f"台账（2021-10-04 10:00 报送时所知）；附件 {name} 不是可读的本表"


def test_current_builds_todays_view_of_every_unit_and_says_so_in_the_title(september):
    book = workbook(consolidated_workbook(september, "project_status", "2021-09", current=True))

    assert book["汇总"]["A2"].value == "重点招商项目情况表（汇总·当前台账）"
    assert "不是各单位报送的内容" in book["汇总"]["A3"].value
    assert {r[0] for r in table(book["汇总"])[1:-1]} == {"市公用事业管理局", "环境卫生管理处"}


def test_both_sheets_state_the_log_position_they_were_computed_from(september):
    made = consolidate(september, "project_status", "2021-09")

    position = september.recorder.max_notification_id()
    assert made.log_position == position
    assert f"日志位置（log_position）：{position}" in made.summary.heading
    assert f"日志位置（log_position）：{position}" in made.status.heading


def test_the_service_lists_are_numbered_across_units_and_totalled(gy_principal):
    send(gy_principal, "service_list", "GY")
    send(gy_principal, "service_list")

    rows = table(workbook(consolidated_workbook(gy_principal, "service_list", "2021-09"))["汇总"])

    assert [r[:3] for r in rows[1:-1]] == [
        ["市公用事业管理局", 1, "GY-2021-001"], ["环境卫生管理处", 2, "HW-2021-001"],
        ["环境卫生管理处", 3, "HW-2021-002"]]
    assert rows[-1][0] == "合计" and rows[-1][-2] == 1005.5


def test_a_form_without_money_has_no_totals_row(gy_principal):
    send(gy_principal, "liaison_form", "GY", period="once")
    send(gy_principal, "liaison_form", period="once")

    rows = table(workbook(consolidated_workbook(gy_principal, "liaison_form", "once"))["汇总"])

    assert rows[0] == ["填报单位", "主要负责人", "主管领导", "责任部门", "联络员", "职务", "联系电话", "数据来源"]
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


def test_a_write_while_the_forms_are_read_makes_them_read_again_so_the_log_position_holds(september, monkeypatch):
    import projections.forms.consolidate as module

    read = module._sheets
    calls = []

    def meanwhile(*args):
        sheets = read(*args)
        if not calls:  # someone records a note while the first reading is under way
            september.note_progress(LIAISON, "HW-2021-001", "同时写入的进展", date(2021, 9, 29))
        calls.append(args[-1])
        return sheets

    monkeypatch.setattr(module, "_sheets", meanwhile)
    made = consolidate(september, "project_status", "2021-09", current=True)

    assert len(calls) == 2 and made.log_position == calls[-1] == september.recorder.max_notification_id()
    assert any("同时写入的进展" in (row[8] or "") for row in made.summary.rows)
