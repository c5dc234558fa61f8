"""Labels both ways: every code option also takes its Chinese label as the tables print it, and the
human tables print Chinese labels for codes while --json keeps the codes."""

from __future__ import annotations

import json

from tests.cli.conftest import PROJECT

OFFICE, PRINCIPAL, LIAISON = "许办公", "赵处长", "孙联络"
AUGUST = "HW/project_status/2021-08"


def test_the_labels_the_tables_print_are_taken_as_input(commission_cli):
    zs = commission_cli
    zs("project", "add", "HW-2021-009", "--unit", "HW", "--name", "公厕改造", "--sector", "环卫作业", "--level", "市级重点",
       "--investor", "某公司", "--investment", "10", actor=LIAISON)
    zs("project", "advance", "HW-2021-009", "--to", "落地", "--on", "2021-09-09", actor=LIAISON)
    problem = zs("problem", "raise", "HW-2021-009", "--title", "用地指标", "--category", "用地",
                 actor=LIAISON).stdout
    zs("service", "add", "HW-2021-009", "--kind", "选址服务", "--on", "2021-09-09", "--note", "踏勘", actor=LIAISON)
    zs("person", "add", "吴科员", "--role", "工作人员", "--unit", "HW", actor="管理员")
    zs("unit", "add", "SZ", "--name", "市政处", "--kind", "机关处室", "--enrolled", "2021-09-10", actor="管理员")

    shown = json.loads(zs("project", "show", "HW-2021-009", "--json").stdout)
    assert (shown["sector"], shown["level"], shown["stage"]) == ("sanitation", "city", "landed")
    assert json.loads(zs("problem", "list", "--json").stdout)[0]["category"] == "land" and problem
    assert [p["role"] for p in json.loads(zs("person", "list", "--json").stdout) if p["name"] == "吴科员"] == ["staff"]
    assert json.loads(zs("unit", "show", "SZ", "--json").stdout)["kind"] == "department"
    assert json.loads(zs("board", "--stage", "落地", "--level", "市级重点", "--json").stdout)[0]["number"] == "HW-2021-009"


def test_a_report_kind_is_taken_by_its_title_and_a_status_by_its_label(commission_cli):
    zs = commission_cli
    report = zs("report", "draft", "--unit", "HW", "--kind", "重点招商项目情况表", "--period", "2021-08",
                actor=LIAISON).stdout.strip()

    assert report == AUGUST
    listed = json.loads(zs("report", "list", "--kind", "重点招商项目情况表", "--status", "草稿", "--json").stdout)
    assert [r["id"] for r in listed] == [AUGUST]


def test_a_label_that_is_no_choice_is_refused_naming_the_option_and_the_choices(commission_cli):
    result = commission_cli("project", "advance", PROJECT, "--to", "落 地", actor=LIAISON, expect=2)

    assert "'--to'" in result.stderr and "landed (落地)" in result.stderr


def test_tables_print_report_kinds_roles_and_frequencies_in_chinese_and_json_keeps_codes(commission_cli):
    zs = commission_cli
    zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-08", actor=LIAISON)

    obligations = zs("obligations", "--unit", "HW").stdout
    shown = zs("report", "show", AUGUST).stdout
    policy = zs("policy", "show").stdout
    unit = zs("unit", "show", "HW").stdout

    assert "重点招商项目情况表" in obligations and "project_status" not in obligations.replace(AUGUST, "")
    assert "重点招商项目情况表" in shown
    assert "每月" in policy and "monthly" not in policy
    assert "联络员" in unit and "liaison" not in unit
    assert json.loads(zs("obligations", "--unit", "HW", "--json").stdout)[0]["kind"] in (
        "liaison_form", "project_status", "tracking_feedback", "service_list")


def test_event_details_in_the_human_tables_name_codes_by_their_labels(commission_cli):
    zs = commission_cli
    zs("project", "advance", PROJECT, "--to", "negotiating", "--on", "2021-09-09", actor=LIAISON)
    zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-08", actor=LIAISON)

    history = zs("project", "history", PROJECT).stdout
    audit = zs("audit", "--report", AUGUST).stdout
    trail = json.loads(zs("audit", "--report", AUGUST, "--json").stdout)

    assert "stage=在谈" in history and "sector=环卫作业" in history and "level=市级重点" in history
    assert "kind=重点招商项目情况表" in audit
    assert trail[0]["details"]["kind"] == "project_status"
