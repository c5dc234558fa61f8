"""Filling a form: the state at the period's end and the facts dated in it, from what the ledger knows
when it fills (docs/domain.md rule 7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.values import Level, Sector, Stage
from projections.forms.fill import fill
from tests.forms.conftest import LIAISON, OFFICE, shanghai


def overview(ledger, kind: str, period: str = "2021-09", unit: str = "HW") -> list[dict]:
    sheet = fill(ledger, unit, kind, period).overview
    return [dict(zip([c.label for c in sheet.columns], row)) for row in sheet.rows]


def test_the_situation_form_lists_the_key_projects_at_the_months_end_with_their_facts(september):
    rows = overview(september, "project_status")

    assert [r["项目编号"] for r in rows] == ["HW-2021-001", "HW-2021-002"]  # HW-2021-003 is in reserve
    first = rows[0]
    assert first == {
        "项目编号": "HW-2021-001", "项目名称": "环卫一体化PPP项目", "投资方": "天津某环境服务有限公司",
        "所属行业": "环卫作业", "项目级别": "市级重点", "当前环节": "在谈", "计划总投资（万元）": Decimal("12000.00"),
        "本月进展情况": "2021-09-08 完成可研报告编制\n2021-09-15 进入在谈：首轮商务洽谈\n2021-09-15 与投资方开展首轮商务洽谈",
        "存在问题": "项目用地规划调整",
        "责任部门": "环境卫生管理处综合科", "责任人": "钱副处", "联络员": "孙联络", "填报日期": date(2021, 9, 30),
    }
    assert rows[1]["存在问题"] == "设备进口审批周期长"


def test_the_months_progress_lists_the_notes_of_its_stage_moves_in_date_order_each_with_its_date(september, clock):
    clock.set(shanghai(date(2021, 10, 5)))
    september.note_progress(LIAISON, "HW-2021-002", "完成设备选型", date(2021, 9, 27))
    september.advance_project(LIAISON, "HW-2021-002", Stage.NEGOTIATING, date(2021, 9, 10), "补录：与厂商初步接洽")
    september.advance_project(LIAISON, "HW-2021-002", Stage.SIGNED, date(2021, 10, 1), "十月签约")

    progress = overview(september, "project_status")[1]["本月进展情况"]

    assert progress.splitlines() == ["2021-09-10 进入在谈：补录：与厂商初步接洽", "2021-09-27 完成设备选型"]


def test_the_responsible_department_falls_back_to_the_units_when_the_project_names_none(september, clock):
    clock.set(shanghai(date(2021, 9, 5)))
    september.add_project(LIAISON, "HW-2021-004", "HW", "公厕智慧化项目", Sector.SANITATION, Level.UNIT, "某科技公司",
                          Decimal("300"))
    september.promote_project(OFFICE, "HW-2021-004", "试点")
    clock.set(shanghai(date(2021, 10, 3)))

    rows = {r["项目编号"]: r for r in overview(september, "project_status")}

    assert rows["HW-2021-004"]["责任部门"] == "环境卫生管理处综合科"  # the unit's
    assert rows["HW-2021-002"]["责任部门"] == "环境卫生管理处设施科"  # the project's own


def test_each_key_project_has_its_own_sheet_headed_by_its_number(september):
    filled = fill(september, "HW", "project_status", "2021-09")

    assert [s.name for s in filled.sheets] == ["汇总", "HW-2021-001", "HW-2021-002"]
    page = filled.sheets[1]
    assert page.heading[0] == "项目编号：HW-2021-001" and "单位：万元" in page.heading
    assert ("计划总投资（万元）", Decimal("12000.00")) in page.rows


def test_a_stage_reached_in_the_month_but_recorded_later_shows_by_its_business_date(september, clock):
    clock.set(shanghai(date(2021, 10, 4)))
    september.advance_project(LIAISON, "HW-2021-002", Stage.SIGNED, date(2021, 9, 29), "补录：九月底签约")

    assert overview(september, "project_status")[1]["当前环节"] == "签约"
    assert overview(september, "project_status", "2021-08") == []


def test_a_project_promoted_after_the_month_is_not_in_its_form_and_one_demoted_after_it_still_is(september, clock):
    clock.set(shanghai(date(2021, 10, 5)))
    september.promote_project(OFFICE, "HW-2021-003", "十月纳入")
    september.demote_project(OFFICE, "HW-2021-002", "十月调出")

    assert [r["项目编号"] for r in overview(september, "project_status")] == ["HW-2021-001", "HW-2021-002"]
    assert [r["项目编号"] for r in overview(september, "project_status", "2021-10")] == ["HW-2021-001", "HW-2021-003"]


def test_a_suspended_project_shows_its_status_beside_its_stage(september, clock):
    september.suspend_project(LIAISON, "HW-2021-002", "投资方资金调整")

    assert overview(september, "project_status", "2021-10")[1]["当前环节"] == "谋划储备（暂停）"


def test_the_current_month_is_filled_as_of_today(september):
    rows = overview(september, "project_status", "2021-10")

    assert rows[0]["填报日期"] == date(2021, 10, 3)
    assert rows[0]["本月进展情况"] == ""


def test_the_tracking_form_lists_problems_open_in_the_month_with_their_way_up_and_back(september):
    rows = overview(september, "tracking_feedback")

    assert [(r["项目编号"], r["序号"], r["跟踪事项"]) for r in rows] == [
        ("HW-2021-001", 1, "项目用地规划调整"), ("HW-2021-002", 1, "设备进口审批周期长")]
    assert rows[0] == {
        "项目编号": "HW-2021-001", "项目名称": "环卫一体化PPP项目", "序号": 1, "跟踪事项": "项目用地规划调整",
        "提出日期": date(2021, 9, 16), "上报情况": "2021-09-18 上报市规划和自然资源局：请求调整用地性质",
        "反馈情况": "2021-09-25 已同意调整，投资方已知悉", "办理状态": "已答复", "销号日期": None,
    }


def test_a_problem_closed_in_a_month_is_in_that_months_form_and_not_the_next(september, clock):
    problem = september.project("HW-2021-001").problems[0]
    september.close_problem(OFFICE, problem, "已反馈")
    clock.set(shanghai(date(2021, 11, 2)))

    october = overview(september, "tracking_feedback", "2021-10")
    assert [(r["跟踪事项"], r["办理状态"], r["销号日期"]) for r in october if r["项目编号"] == "HW-2021-001"] == [
        ("项目用地规划调整", "已销号", date(2021, 10, 3))]
    assert [r["项目编号"] for r in overview(september, "tracking_feedback", "2021-11")] == ["HW-2021-002"]


def test_the_service_list_holds_the_months_services_to_key_projects_without_voided_ones(september):
    filled = fill(september, "HW", "service_list", "2021-09")
    sheet = filled.overview

    assert sheet.rows == (
        (1, "HW-2021-001", "环卫一体化PPP项目", "政策解读", "解读环卫市场化政策", date(2021, 9, 14), Decimal("5.50")),
        (2, "HW-2021-002", "垃圾转运站智能化改造项目", "选址服务", "协助踏勘转运站选址", date(2021, 9, 20), None),
    )
    assert sheet.totals == ("合计", None, None, None, None, None, Decimal("5.50"))
    assert sheet.heading == ("单位名称：环境卫生管理处", "报告期：2021年9月", "单位：万元")


def test_the_liaison_roster_holds_the_units_current_people(september):
    sheet = fill(september, "HW", "liaison_form", "once").overview

    assert sheet.rows == (("赵处长", "钱副处", "环境卫生管理处综合科", "孙联络", "科员", "13800000103"),)
    assert sheet.heading == ("填报单位（盖章）：环境卫生管理处", "填报日期：2021-10-03")


@pytest.mark.parametrize("kind, period, error", [
    ("project_status", "2021-9", InvalidValue), ("project_status", "2021-Q3", InvalidValue),
    ("quarterly_report", "2021-Q3", InvalidValue), ("liaison_form", "2021-09", InvalidValue),
    ("project_status", "2021-11", RuleViolated),
])
def test_a_malformed_period_a_kind_without_a_form_and_a_month_not_begun_are_refused(september, kind, period, error):
    with pytest.raises(error):
        fill(september, "HW", kind, period)


def test_a_form_filled_as_known_at_a_moment_leaves_out_what_was_recorded_after_it(september, clock):
    sent_at = shanghai(date(2021, 10, 4))
    clock.set(shanghai(date(2021, 10, 6)))
    september.advance_project(LIAISON, "HW-2021-002", Stage.SIGNED, date(2021, 9, 29), "补录：九月底签约")
    september.note_progress(LIAISON, "HW-2021-001", "补记：完成尽职调查", date(2021, 9, 20))

    then = fill(september, "HW", "project_status", "2021-09", known_at=sent_at).overview.rows
    now = fill(september, "HW", "project_status", "2021-09").overview.rows

    assert [r[5] for r in then] == ["在谈", "谋划储备"] and [r[5] for r in now] == ["在谈", "签约"]
    assert "补记" not in then[0][7] and "2021-09-20 补记：完成尽职调查" in now[0][7]
    assert then[0][12] == date(2021, 9, 30)


def test_a_form_as_known_before_the_unit_was_entered_is_refused(september):
    with pytest.raises(NotFound, match="was not yet in the ledger at 2021-08-30 10:00"):
        fill(september, "HW", "liaison_form", "once", known_at=shanghai(date(2021, 8, 30)))
