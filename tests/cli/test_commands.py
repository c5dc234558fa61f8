"""Every command of the CLI contract (issue 2, section 4): what it records, its table and its --json."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.cli.conftest import PROJECT

ADMIN, OFFICE, LIAISON, GY_LIAISON = "管理员", "许办公", "孙联络", "周联络"

PROJECT_KEYS = {
    "number", "name", "unit", "sector", "level", "library", "stage", "status", "investor", "investment_wan",
    "responsible_person", "responsible_department", "liaison", "open_problems", "updated_at", "lamp",
}
HISTORY_KEYS = {"recorded_at", "actor", "event", "details"}
UNIT_KEYS = {"code", "name", "kind", "sectors", "department", "enrolled_on", "withdrawn_on", "principal",
             "leader", "liaison"}
PROBLEM_KEYS = {"id", "project", "unit", "title", "category", "status", "raised_at", "due_on", "closed_at"}
PERSON_KEYS = {"name", "role", "unit", "phone", "title", "email", "active"}


def read(zs, *args: str) -> Any:
    return json.loads(zs(*args, "--json").stdout)


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), f"{text} is not UTC with its offset"
    return moment


def by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def raise_problem(zs, title: str = "项目用地规划调整", *extra: str) -> str:
    return zs("problem", "raise", PROJECT, "--title", title, "--category", "land", *extra,
              actor=LIAISON).stdout.strip()


# -- init --------------------------------------------------------------------------------------------


def test_init_creates_the_ledger_and_registers_its_first_admin(zs):
    result = zs("init", "--admin", "张管理")

    assert "张管理" in result.stdout
    assert read(zs, "person", "list") == [
        {"name": "张管理", "role": "admin", "unit": None, "phone": None, "title": "管理员", "email": None, "active": True}
    ]


def test_init_is_refused_when_the_store_already_holds_a_ledger(zs, event_count):
    zs("init", "--admin", "张管理")
    before = event_count()

    result = zs("init", "--admin", "李管理", expect=1)

    assert "already holds a ledger" in result.stderr
    assert event_count() == before
    assert [p["name"] for p in read(zs, "person", "list")] == ["张管理"]


# -- units -------------------------------------------------------------------------------------------


def test_unit_list_json_has_exactly_the_contract_keys_and_current_officers(commission_cli):
    units = read(commission_cli, "unit", "list")

    assert [u["code"] for u in units] == ["GY", "HW"]
    assert all(set(u) == UNIT_KEYS for u in units)
    assert by(units, "code")["HW"] == {
        "code": "HW", "name": "环境卫生管理处", "kind": "department", "sectors": ["sanitation"],
        "department": "环境卫生管理处综合科", "enrolled_on": "2021-08-31", "withdrawn_on": None,
        "principal": "赵处长", "leader": "钱副处", "liaison": "孙联络",
    }
    gy = by(units, "code")["GY"]
    assert gy["sectors"] == ["gas_heating", "road_bridge"]
    assert (gy["principal"], gy["leader"], gy["liaison"]) == (None, None, "周联络")


def test_unit_list_table_shows_chinese_labels(commission_cli):
    out = commission_cli("unit", "list").stdout

    for label in ("代码", "单位名称", "类别", "牵头行业", "责任部门", "纳入日期", "主要负责人", "主管领导", "联络员"):
        assert label in out
    assert "机关处室" in out and "环卫作业" in out and "燃气供热、路桥养护" in out
    assert "department" not in out and "sanitation" not in out


def test_unit_add_enrols_a_unit_with_its_kind_and_sectors(commission_cli):
    result = commission_cli("unit", "add", "yl", "--name", "园林绿化管理处", "--kind", "affiliate", "--enrolled",
                            "2021-09-01", "--sector", "landscaping", actor=ADMIN)

    assert "YL" in result.stdout
    yl = by(read(commission_cli, "unit", "list"), "code")["YL"]
    assert (yl["kind"], yl["sectors"], yl["enrolled_on"], yl["department"]) == (
        "affiliate", ["landscaping"], "2021-09-01", None)


def test_unit_update_changes_name_department_and_replaces_the_sectors(commission_cli):
    commission_cli("unit", "update", "GY", "--name", "市公用事业管理局（新）", "--department", "燃气处",
                   "--sector", "lighting", actor=ADMIN)

    gy = by(read(commission_cli, "unit", "list"), "code")["GY"]
    assert (gy["name"], gy["department"], gy["sectors"]) == ("市公用事业管理局（新）", "燃气处", ["lighting"])


def test_unit_withdraw_records_the_day_it_left(commission_cli):
    commission_cli("unit", "withdraw", "GY", "--on", "2021-09-09", "--reason", "机构改革撤并", actor=ADMIN)

    units = by(read(commission_cli, "unit", "list"), "code")
    assert units["GY"]["withdrawn_on"] == "2021-09-09"
    assert units["HW"]["withdrawn_on"] is None


def test_unit_show_gives_the_unit_and_its_officers_terms(commission_cli):
    shown = read(commission_cli, "unit", "show", "hw")

    assert UNIT_KEYS <= set(shown)
    assert shown["principal"] == "赵处长"
    assert {(t["role"], t["person"], t["since"], t["until"]) for t in shown["terms"]} == {
        ("principal", "赵处长", "2021-09-01", None), ("leader", "钱副处", "2021-09-01", None),
        ("liaison", "孙联络", "2021-09-01", None),
    }
    table = commission_cli("unit", "show", "HW").stdout
    assert "单位名称" in table and "环境卫生管理处" in table and "任职记录" in table and "主要负责人" in table


# -- people ------------------------------------------------------------------------------------------


def test_person_list_json_has_exactly_the_contract_keys(commission_cli):
    people = read(commission_cli, "person", "list")

    assert all(set(p) == PERSON_KEYS for p in people)
    assert set(by(people, "name")) == {ADMIN, OFFICE, "赵处长", "钱副处", LIAISON, GY_LIAISON}
    assert by(people, "name")[LIAISON] == {
        "name": LIAISON, "role": "liaison", "unit": "HW", "phone": "13800000103", "title": "科员", "email": None,
        "active": True,
    }
    assert by(people, "name")[OFFICE]["unit"] is None


def test_person_list_table_shows_chinese_labels_and_roles(commission_cli):
    out = commission_cli("person", "list").stdout

    for label in ("姓名", "角色", "单位", "联系电话", "职务", "在册"):
        assert label in out
    assert "联络员" in out and "领导小组办公室" in out and "是" in out


def test_person_add_registers_staff_in_a_unit(commission_cli):
    commission_cli("person", "add", "李科员", "--role", "staff", "--unit", "HW", "--title", "科员", actor=ADMIN)

    assert by(read(commission_cli, "person", "list"), "name")["李科员"] == {
        "name": "李科员", "role": "staff", "unit": "HW", "phone": None, "title": "科员", "email": None,
        "active": True,
    }


def test_adding_a_new_principal_ends_the_previous_principals_term(commission_cli):
    commission_cli("person", "add", "新处长", "--role", "principal", "--unit", "HW", actor=ADMIN)

    hw = read(commission_cli, "unit", "show", "HW")
    assert hw["principal"] == "新处长"
    terms = {(t["role"], t["person"]): t for t in hw["terms"]}
    assert terms[("principal", "赵处长")]["until"] == "2021-09-10"
    assert terms[("principal", "新处长")] == {"role": "principal", "person": "新处长", "since": "2021-09-10",
                                              "until": None}


def test_person_update_changes_phone_and_title(commission_cli):
    commission_cli("person", "update", LIAISON, "--phone", "13900000000", "--title", "主任科员", actor=ADMIN)

    person = by(read(commission_cli, "person", "list"), "name")[LIAISON]
    assert (person["phone"], person["title"], person["unit"]) == ("13900000000", "主任科员", "HW")


def test_moving_a_liaison_makes_them_the_new_units_liaison_and_ends_both_old_terms(commission_cli):
    commission_cli("person", "update", LIAISON, "--unit", "GY", actor=ADMIN)

    units = by(read(commission_cli, "unit", "list"), "code")
    assert units["GY"]["liaison"] == LIAISON
    assert units["HW"]["liaison"] is None
    gy_terms = {t["person"]: t["until"] for t in read(commission_cli, "unit", "show", "GY")["terms"]}
    assert gy_terms == {GY_LIAISON: "2021-09-10", LIAISON: None}


def test_person_remove_keeps_them_listed_inactive_and_frees_their_post(commission_cli):
    commission_cli("person", "remove", LIAISON, "--reason", "调离", actor=ADMIN)

    assert by(read(commission_cli, "person", "list"), "name")[LIAISON]["active"] is False
    assert by(read(commission_cli, "unit", "list"), "code")["HW"]["liaison"] is None
    assert "否" in commission_cli("person", "list").stdout


# -- projects ----------------------------------------------------------------------------------------


def test_project_show_json_has_exactly_the_contract_keys_and_types(commission_cli):
    shown = read(commission_cli, "project", "show", PROJECT)

    assert set(shown) == PROJECT_KEYS
    assert shown == {
        "number": PROJECT, "name": "环卫一体化PPP项目", "unit": "HW", "sector": "sanitation", "level": "city",
        "library": "reserve", "stage": "lead", "status": "active", "investor": "天津某环境服务有限公司",
        "investment_wan": "12000.00", "responsible_person": "钱副处",
        "responsible_department": "环境卫生管理处综合科", "liaison": LIAISON, "open_problems": 0,
        "updated_at": "2021-09-01T02:00:00+00:00", "lamp": None,  # a reserve project has no lamp
    }
    utc(shown["updated_at"])


def test_project_show_table_shows_chinese_labels_and_shanghai_time(commission_cli):
    out = commission_cli("project", "show", PROJECT).stdout

    for label in ("项目编号", "项目名称", "所属行业", "项目级别", "库别", "当前环节", "状态", "投资方",
                  "计划总投资（万元）", "责任人", "未销号问题", "更新时间"):
        assert label in out
    assert "环卫作业" in out and "市级重点" in out and "储备库" in out and "谋划储备" in out and "推进中" in out
    assert "2021-09-01 10:00" in out  # recorded at 02:00 UTC


@pytest.mark.freeze_time("2021-09-10 10:00:00+08:00")
def test_a_frozen_moment_is_utc_in_json_and_shanghai_time_in_tables(zs):
    zs("init", "--admin", ADMIN)
    zs("unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department", "--enrolled", "2021-08-31",
       actor=ADMIN)
    zs("person", "add", OFFICE, "--role", "office", actor=ADMIN)
    zs("project", "add", PROJECT, "--unit", "HW", "--name", "环卫一体化PPP项目", "--sector", "sanitation",
       "--level", "city", "--investor", "天津某环境服务有限公司", "--investment", "12000", actor=OFFICE)

    assert read(zs, "project", "show", PROJECT)["updated_at"] == "2021-09-10T02:00:00+00:00"
    assert read(zs, "project", "history", PROJECT)[0]["recorded_at"] == "2021-09-10T02:00:00+00:00"
    assert "2021-09-10 10:00" in zs("project", "show", PROJECT).stdout
    assert "2021-09-10 10:00" in zs("project", "history", PROJECT).stdout


def test_project_add_registers_a_reserve_project_at_the_lead_stage(commission_cli):
    result = commission_cli("project", "add", "GY-2021-001", "--unit", "gy", "--name", "供热管网改造",
                            "--sector", "gas_heating", "--level", "commission", "--investor", "某燃气公司",
                            "--investment", "3500.5", actor=GY_LIAISON)

    assert "GY-2021-001" in result.stdout
    shown = read(commission_cli, "project", "show", "GY-2021-001")
    assert (shown["unit"], shown["library"], shown["stage"], shown["status"]) == ("GY", "reserve", "lead", "active")
    assert shown["investment_wan"] == "3500.50"
    assert (shown["responsible_person"], shown["responsible_department"], shown["liaison"]) == (None, None, None)


def test_project_update_changes_fields_and_records_them_as_one_event(commission_cli):
    commission_cli("project", "update", PROJECT, "--investment", "13500.50", "--level", "commission",
                   "--name", "环卫一体化PPP项目（二期）", "--liaison", "王芳", actor=LIAISON)

    shown = read(commission_cli, "project", "show", PROJECT)
    assert (shown["investment_wan"], shown["level"], shown["name"], shown["liaison"]) == (
        "13500.50", "commission", "环卫一体化PPP项目（二期）", "王芳")
    assert shown["updated_at"] == "2021-09-10T02:00:00+00:00"
    last = read(commission_cli, "project", "history", PROJECT)[-1]
    assert last["actor"] == LIAISON
    assert last["details"]["investment"] == "13500.50"


def test_project_advance_moves_forward_with_its_business_date_and_note(commission_cli):
    result = commission_cli("project", "advance", PROJECT, "--to", "signed", "--on", "2021-09-05",
                            "--note", "签订投资协议", actor=LIAISON)

    assert "签约" in result.stdout
    assert read(commission_cli, "project", "show", PROJECT)["stage"] == "signed"
    last = read(commission_cli, "project", "history", PROJECT)[-1]
    assert last["details"]["stage"] == "signed"
    assert last["details"]["on"] == "2021-09-05"
    assert last["details"]["note"] == "签订投资协议"


def test_project_advance_without_a_date_takes_todays_date_in_shanghai(commission_cli, freezer):
    freezer.move_to("2021-09-10T17:30:00+00:00")  # 01:30 on 11 September in Shanghai

    commission_cli("project", "advance", PROJECT, "--to", "negotiating", actor=LIAISON)

    assert read(commission_cli, "project", "history", PROJECT)[-1]["details"]["on"] == "2021-09-11"


def test_project_correct_lets_the_office_move_a_stage_back(commission_cli):
    commission_cli("project", "advance", PROJECT, "--to", "signed", "--on", "2021-09-05", actor=LIAISON)

    commission_cli("project", "correct", PROJECT, "--stage", "negotiating", "--reason", "协议尚未签署",
                   actor=OFFICE)

    assert read(commission_cli, "project", "show", PROJECT)["stage"] == "negotiating"
    last = read(commission_cli, "project", "history", PROJECT)[-1]
    assert (last["actor"], last["details"]["reason"]) == (OFFICE, "协议尚未签署")


def test_project_note_records_a_dated_progress_note(commission_cli):
    result = commission_cli("project", "note", PROJECT, "--text", "完成可研报告编制", "--on", "2021-09-08",
                            actor=LIAISON)

    assert PROJECT in result.stdout
    last = read(commission_cli, "project", "history", PROJECT)[-1]
    assert (last["details"]["text"], last["details"]["on"]) == ("完成可研报告编制", "2021-09-08")


def test_project_suspend_and_resume_change_its_status(commission_cli):
    commission_cli("project", "suspend", PROJECT, "--reason", "投资方资金调整", actor=LIAISON)
    assert read(commission_cli, "project", "show", PROJECT)["status"] == "suspended"
    assert "暂停" in commission_cli("project", "show", PROJECT).stdout

    commission_cli("project", "resume", PROJECT, "--reason", "资金到位", actor=LIAISON)
    assert read(commission_cli, "project", "show", PROJECT)["status"] == "active"


def test_project_terminate_makes_it_terminated(commission_cli):
    commission_cli("project", "terminate", PROJECT, "--reason", "投资方退出", actor=LIAISON)

    assert read(commission_cli, "project", "show", PROJECT)["status"] == "terminated"
    assert "终止" in commission_cli("project", "show", PROJECT).stdout


def test_project_promote_and_demote_move_it_between_libraries(commission_cli):
    commission_cli("project", "promote", PROJECT, "--reason", "投资规模大", actor=OFFICE)
    assert read(commission_cli, "project", "show", PROJECT)["library"] == "key"
    assert "重点库" in commission_cli("project", "show", PROJECT).stdout

    commission_cli("project", "demote", PROJECT, "--reason", "推进缓慢", actor=OFFICE)
    assert read(commission_cli, "project", "show", PROJECT)["library"] == "reserve"


def test_project_evaluate_rates_a_key_project_for_a_period(commission_cli):
    commission_cli("project", "promote", PROJECT, "--reason", "投资规模大", actor=OFFICE)

    result = commission_cli("project", "evaluate", PROJECT, "--period", "2021-Q3", "--rating", "A",
                            "--comment", "推进有力", actor=OFFICE)

    assert "2021-Q3" in result.stdout
    last = read(commission_cli, "project", "history", PROJECT)[-1]
    assert last["actor"] == OFFICE
    assert (last["details"]["period"], last["details"]["rating"], last["details"]["comment"]) == (
        "2021-Q3", "A", "推进有力")


def _second_project(zs) -> None:
    zs("project", "add", "GY-2021-001", "--unit", "GY", "--name", "供热管网改造", "--sector", "gas_heating",
       "--level", "unit", "--investor", "某燃气公司", "--investment", "800", actor=GY_LIAISON)
    zs("project", "advance", "GY-2021-001", "--to", "signed", "--on", "2021-09-06", actor=GY_LIAISON)
    zs("project", "promote", "GY-2021-001", "--reason", "重点推进", actor=OFFICE)


def test_project_list_json_lists_projects_with_the_show_keys(commission_cli):
    _second_project(commission_cli)

    projects = read(commission_cli, "project", "list")

    assert [p["number"] for p in projects] == ["GY-2021-001", PROJECT]
    assert all(set(p) == PROJECT_KEYS for p in projects)


@pytest.mark.parametrize("option, value, expected", [
    ("--unit", "HW", [PROJECT]),
    ("--unit", "gy", ["GY-2021-001"]),
    ("--library", "key", ["GY-2021-001"]),
    ("--library", "reserve", [PROJECT]),
    ("--stage", "signed", ["GY-2021-001"]),
    ("--sector", "sanitation", [PROJECT]),
    ("--sector", "waste", []),
])
def test_project_list_filters(commission_cli, option, value, expected):
    _second_project(commission_cli)

    assert [p["number"] for p in read(commission_cli, "project", "list", option, value)] == expected


def test_project_list_table_shows_chinese_labels(commission_cli):
    _second_project(commission_cli)

    out = commission_cli("project", "list").stdout

    assert "项目编号" in out and "当前环节" in out and "库别" in out
    assert "重点库" in out and "签约" in out and "燃气供热" in out
    assert out.index("GY-2021-001") < out.index(PROJECT)


def test_project_history_json_lists_every_event_oldest_first(commission_cli, freezer):
    freezer.move_to("2021-09-10T02:00:00+00:00")
    commission_cli("project", "advance", PROJECT, "--to", "negotiating", "--on", "2021-09-09", actor=LIAISON)
    freezer.move_to("2021-09-10T03:00:00+00:00")
    commission_cli("project", "promote", PROJECT, "--reason", "投资规模大", actor=OFFICE)

    history = read(commission_cli, "project", "history", PROJECT)

    assert len(history) == 3
    assert all(HISTORY_KEYS <= set(item) for item in history)
    assert [item["actor"] for item in history] == [LIAISON, LIAISON, OFFICE]
    assert [item["recorded_at"] for item in history] == [
        "2021-09-01T02:00:00+00:00", "2021-09-10T02:00:00+00:00", "2021-09-10T03:00:00+00:00"]
    assert len({item["event"] for item in history}) == 3
    assert history[2]["details"]["reason"] == "投资规模大"


def test_project_history_table_shows_shanghai_time_and_chinese_labels(commission_cli):
    commission_cli("project", "note", PROJECT, "--text", "洽谈合作方式", actor=LIAISON)

    out = commission_cli("project", "history", PROJECT).stdout

    assert "记录时间" in out and "操作人" in out and "事件" in out and "内容" in out
    assert "2021-09-01 10:00" in out and "2021-09-10 10:00" in out
    assert "洽谈合作方式" in out


# -- problems ----------------------------------------------------------------------------------------


def test_problem_raise_prints_the_new_id_alone_on_stdout(commission_cli):
    first = commission_cli("problem", "raise", PROJECT, "--title", "项目用地规划调整", "--category", "land",
                           "--due", "2021-12-31", actor=LIAISON)
    second = commission_cli("problem", "raise", PROJECT, "--title", "环评审批", "--category", "approval",
                            actor=LIAISON)

    assert first.stdout == f"{PROJECT}/P1\n"
    assert second.stdout == f"{PROJECT}/P2\n"


def test_problem_list_json_has_exactly_the_contract_keys(commission_cli):
    problem_id = raise_problem(commission_cli, "项目用地规划调整", "--due", "2021-12-31")

    problems = read(commission_cli, "problem", "list")

    assert problems == [{
        "id": problem_id, "project": PROJECT, "unit": "HW", "title": "项目用地规划调整", "category": "land",
        "status": "open", "raised_at": "2021-09-10T02:00:00+00:00", "due_on": "2021-12-31", "closed_at": None,
    }]
    assert set(problems[0]) == PROBLEM_KEYS


def test_a_problem_goes_round_the_closed_loop_and_can_be_reopened(commission_cli, freezer):
    problem_id = raise_problem(commission_cli)

    def status() -> tuple[str, str | None]:
        found = read(commission_cli, "problem", "show", problem_id)
        return found["status"], found["closed_at"]

    commission_cli("problem", "escalate", problem_id, "--to", "市规划和自然资源局", "--note", "已函告",
                   actor=LIAISON)
    assert status() == ("escalated", None)
    commission_cli("problem", "answer", problem_id, "--note", "规划调整已批复，已反馈投资方", actor=LIAISON)
    assert status() == ("answered", None)
    freezer.move_to("2021-09-12T01:00:00+00:00")
    commission_cli("problem", "close", problem_id, "--note", "销号", actor=OFFICE)
    assert status() == ("closed", "2021-09-12T01:00:00+00:00")
    commission_cli("problem", "reopen", problem_id, "--reason", "投资方反映问题未解决", actor=OFFICE)
    assert status() == ("open", None)


def test_open_problems_counts_the_projects_problems_not_closed(commission_cli):
    closed = raise_problem(commission_cli, "用地")
    raise_problem(commission_cli, "资金")
    commission_cli("problem", "answer", closed, "--note", "已解决", actor=LIAISON)
    commission_cli("problem", "close", closed, actor=OFFICE)

    shown = read(commission_cli, "project", "show", PROJECT)

    assert shown["open_problems"] == 1
    assert isinstance(shown["open_problems"], int)


def test_problem_list_filters_by_unit_project_and_status_oldest_first(commission_cli, freezer):
    commission_cli("project", "add", "GY-2021-001", "--unit", "GY", "--name", "供热管网改造", "--sector",
                   "gas_heating", "--level", "unit", "--investor", "某燃气公司", "--investment", "800",
                   actor=GY_LIAISON)
    hw = raise_problem(commission_cli)
    freezer.move_to("2021-09-10T03:00:00+00:00")
    gy = commission_cli("problem", "raise", "GY-2021-001", "--title", "管线迁改", "--category", "approval",
                        actor=GY_LIAISON).stdout.strip()
    commission_cli("problem", "escalate", gy, "--to", "市住建委", actor=GY_LIAISON)

    def ids(*filters: str) -> list[str]:
        return [p["id"] for p in read(commission_cli, "problem", "list", *filters)]

    assert ids() == [hw, gy]
    assert ids("--unit", "gy") == [gy]
    assert ids("--project", PROJECT) == [hw]
    assert ids("--status", "escalated") == [gy]
    assert ids("--status", "closed") == []


def test_problem_list_table_shows_chinese_labels(commission_cli):
    raise_problem(commission_cli)

    out = commission_cli("problem", "list").stdout

    assert "跟踪事项" in out and "办理状态" in out and "限办日期" in out
    assert "待办" in out and "用地" in out and "2021-09-10 10:00" in out


def test_problem_show_gives_the_problem_and_its_history(commission_cli):
    problem_id = raise_problem(commission_cli)
    commission_cli("problem", "escalate", problem_id, "--to", "市规划和自然资源局", actor=LIAISON)

    shown = read(commission_cli, "problem", "show", problem_id)
    assert PROBLEM_KEYS <= set(shown)
    assert shown["status"] == "escalated"
    assert [item["actor"] for item in shown["history"]] == [LIAISON, LIAISON]

    out = commission_cli("problem", "show", problem_id).stdout
    assert "办理经过" in out and "已上报" in out and "市规划和自然资源局" in out


# -- services ----------------------------------------------------------------------------------------


def test_service_add_prints_the_new_id_alone_on_stdout(commission_cli):
    first = commission_cli("service", "add", PROJECT, "--kind", "approval", "--on", "2021-09-08", "--note",
                           "协调办理环评批复", actor=LIAISON)
    second = commission_cli("service", "add", PROJECT, "--kind", "financing", "--on", "2021-09-09", "--note",
                            "对接银行", "--amount", "500.25", actor=LIAISON)

    assert first.stdout == f"{PROJECT}/S1\n"
    assert second.stdout == f"{PROJECT}/S2\n"


def test_service_list_json_gives_each_service_with_its_amount_as_a_decimal_string(commission_cli):
    commission_cli("service", "add", PROJECT, "--kind", "financing", "--on", "2021-09-09", "--note", "对接银行",
                   "--amount", "500.2", actor=LIAISON)

    services = read(commission_cli, "service", "list")

    assert len(services) == 1
    assert services[0]["id"] == f"{PROJECT}/S1"
    assert services[0]["amount_wan"] == "500.20"
    assert (services[0]["kind"], services[0]["on"], services[0]["voided"]) == ("financing", "2021-09-09", False)


def test_service_void_keeps_the_service_listed_and_marked(commission_cli):
    service_id = commission_cli("service", "add", PROJECT, "--kind", "site", "--on", "2021-09-08", "--note",
                                "选址踏勘", actor=LIAISON).stdout.strip()

    commission_cli("service", "void", service_id, "--reason", "重复登记", actor=LIAISON)

    services = read(commission_cli, "service", "list")
    assert [(s["id"], s["voided"], s["void_reason"]) for s in services] == [(service_id, True, "重复登记")]
    out = commission_cli("service", "list").stdout
    assert "已作废" in out and "是" in out and "重复登记" in out


def test_service_list_filters_by_unit_project_and_month(commission_cli, freezer):
    freezer.move_to("2021-10-10T02:00:00+00:00")
    commission_cli("service", "add", PROJECT, "--kind", "approval", "--on", "2021-09-30", "--note", "九月",
                   actor=LIAISON)
    commission_cli("service", "add", PROJECT, "--kind", "policy", "--on", "2021-10-01", "--note", "十月",
                   actor=LIAISON)

    def notes(*filters: str) -> list[str]:
        return [s["note"] for s in read(commission_cli, "service", "list", *filters)]

    assert notes() == ["九月", "十月"]
    assert notes("--period", "2021-09") == ["九月"]
    assert notes("--period", "2021-10", "--unit", "HW") == ["十月"]
    assert notes("--unit", "GY") == []
    assert notes("--project", PROJECT) == ["九月", "十月"]


def test_service_list_table_shows_chinese_labels(commission_cli):
    commission_cli("service", "add", PROJECT, "--kind", "approval", "--on", "2021-09-08", "--note",
                   "协调办理环评批复", "--amount", "12", actor=LIAISON)

    out = commission_cli("service", "list").stdout

    assert "服务类型" in out and "服务日期" in out and "服务内容" in out and "涉及金额（万元）" in out
    assert "审批协调" in out and "12.00" in out


def test_empty_lists_say_there_is_nothing_in_tables_and_are_empty_json(commission_cli):
    assert read(commission_cli, "problem", "list") == []
    assert read(commission_cli, "service", "list") == []
    assert commission_cli("problem", "list").stdout.strip() == "（无记录）"
