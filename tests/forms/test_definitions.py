"""The four forms are data in one place, with the notice's titles, heading fields and issue 5's columns."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from projections.forms.definitions import FORMS, form


def labels(columns) -> list[str]:
    return [c.label for c in columns]


def test_the_four_forms_carry_the_notice_titles_annex_numbers_and_heading_fields():
    assert {(f.kind, f.annex, f.title, f.heading, f.money) for f in FORMS.values()} == {
        ("project_status", 1, "重点招商项目情况表", "项目编号", True),
        ("tracking_feedback", 2, "重点招商信息跟踪反馈单", "项目编号", False),
        ("service_list", 3, "重点招商项目服务清单", "单位名称", True),
        ("liaison_form", 4, "招商引资工作联络员名单", "填报单位（盖章）", False),
    }


def test_the_situation_form_has_issue_fives_fields_and_its_overview_starts_with_the_project_number():
    status = form("project_status")
    assert labels(status.fields) == ["项目名称", "投资方", "所属行业", "项目级别", "当前环节", "计划总投资（万元）",
                                     "本月进展情况", "存在问题", "责任部门", "责任人", "联络员", "填报日期"]
    assert labels(status.overview_columns) == ["项目编号", *labels(status.fields)]
    assert status.per_project


def test_the_tracking_form_overview_starts_with_the_number_and_name():
    tracking = form("tracking_feedback")
    assert labels(tracking.fields) == ["序号", "跟踪事项", "提出日期", "上报情况", "反馈情况", "办理状态", "销号日期"]
    assert labels(tracking.overview_columns)[:2] == ["项目编号", "项目名称"]


def test_the_service_list_and_the_liaison_roster_are_single_lists():
    assert labels(form("service_list").fields) == ["序号", "项目编号", "项目名称", "服务类型", "服务内容", "服务日期",
                                                   "涉及金额（万元）"]
    assert labels(form("liaison_form").fields) == ["主要负责人", "主管领导", "责任部门", "联络员", "职务", "联系电话"]
    assert not form("service_list").per_project and not form("liaison_form").per_project


def test_a_kind_without_a_form_is_refused_naming_the_forms():
    with pytest.raises(InvalidValue, match="project_status, tracking_feedback, service_list, liaison_form"):
        form("quarterly_report")
