"""Stories told through the Ledger, as people at the commission would use it, on SQLite and PostgreSQL.

The `commission` fixture: admin 管理员, office 许办公; unit HW with principal 赵处长, leader 钱副处,
liaison 孙联络 and staff 李科员; unit GY with liaison 周联络; project HW-2021-001 of HW in the reserve
library. The clock stands at 2021-09-01 10:00 Shanghai time until a test moves it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.application import Ledger, Machine
from domain.errors import AlreadyExists, InvalidValue, NotFound, NotPermitted, RuleViolated
from domain.person import Person
from domain.problem import Problem
from domain.project import Project
from domain.unit import Term, Unit
from domain.values import (
    UTC, Level, Library, ProblemCategory, ProblemStatus, ProjectStatus, Rating, Role, Sector, ServiceKind, Stage,
    UnitKind,
)
from tests.support import refused_unrecorded as refused

P = "HW-2021-001"
START = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)
TODAY = date(2021, 9, 1)

ADMIN_ONLY = "only an admin may set up units and people or load a policy"
PROJECT_WORK = r"only the office, or the project's own unit \(principal, leader, liaison, staff\), may do this"
OFFICE_ONLY = "only the office may promote or demote, evaluate, correct a stage, or close or reopen a problem"

HW_PEOPLE = ["赵处长", "钱副处", "孙联络", "李科员"]


def raised_problem(ledger: Ledger) -> str:
    return ledger.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND, date(2021, 9, 30))


def answered_problem(ledger: Ledger) -> str:
    problem_id = raised_problem(ledger)
    ledger.escalate_problem("孙联络", problem_id, "规划计划处")
    ledger.answer_problem("孙联络", problem_id, "已协调，反馈投资方")
    return problem_id


def add_gy_project(ledger: Ledger, actor: str = "周联络", number: str = "GY-2021-001") -> None:
    ledger.add_project(actor, number, "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION,
                       "某燃气公司", Decimal("800.00"))


# -- setting up the ledger ----------------------------------------------------------------------------


def test_a_new_ledger_starts_empty_and_init_registers_its_first_admin(ledger):
    assert ledger.is_empty()
    ledger.init(" 管理员 ")
    assert not ledger.is_empty()
    admin = ledger.person("管理员")
    assert (admin.role, admin.unit, admin.active) == (Role.ADMIN, None, True)


def test_init_is_refused_on_a_store_that_already_holds_a_ledger(commission):
    refused(commission, AlreadyExists, "this store already holds a ledger", lambda: commission.init("另一个管理员"))
    with pytest.raises(NotFound):
        commission.person("另一个管理员")


def test_the_commission_lists_its_units_people_and_projects(commission):
    assert [u.code for u in commission.units()] == ["GY", "HW"]
    assert {p.name for p in commission.people()} == {"管理员", "许办公", "赵处长", "钱副处", "孙联络", "李科员", "周联络"}
    assert [p.number for p in commission.projects()] == [P]
    assert commission.problems() == []


def test_a_unit_is_enrolled_with_its_officers_appointed_as_people_are_added(commission):
    hw = commission.unit("hw")
    assert (hw.code, hw.name, hw.kind, hw.sectors) == ("HW", "环境卫生管理处", UnitKind.DEPARTMENT, (Sector.SANITATION,))
    assert [hw.officer(r) for r in (Role.PRINCIPAL, Role.LEADER, Role.LIAISON)] == ["赵处长", "钱副处", "孙联络"]
    assert all(t.since == TODAY and t.until is None for t in hw.terms)
    assert "李科员" not in {t.person for t in hw.terms}


def test_a_duplicate_unit_code_is_refused_whatever_its_case(commission):
    for code in ("HW", " hw "):
        refused(commission, AlreadyExists, "unit HW is already enrolled",
                lambda: commission.add_unit("管理员", code, "重复", UnitKind.AFFILIATE, date(2021, 8, 31)))


def test_a_unit_code_must_be_short_latin_letters_or_digits(commission):
    for code in ["H W", "1HW", "", "H-W", "环卫", "ABCDEFGHIJKLMNOPQ"]:
        refused(commission, RuleViolated, "must be 1-16 Latin letters or digits, starting with a letter",
                lambda: commission.add_unit("管理员", code, "新单位", UnitKind.AFFILIATE, date(2021, 8, 31)))
    commission.add_unit("管理员", " sz_2 ", "市容景观管理处", UnitKind.DEPARTMENT, date(2021, 8, 31))
    assert commission.unit("SZ_2").code == "SZ_2"


def test_a_duplicate_person_name_is_refused(commission):
    refused(commission, AlreadyExists, "a person named 孙联络 is already registered; names are unique",
            lambda: commission.add_person("管理员", " 孙联络 ", Role.STAFF, "GY"))


def test_a_person_needs_a_name(commission):
    refused(commission, RuleViolated, "a person needs a name", lambda: commission.add_person("管理员", "  ", Role.OFFICE))


def test_a_person_cannot_join_an_unknown_unit(commission):
    refused(commission, NotFound, "no unit 'XX' is enrolled",
            lambda: commission.add_person("管理员", "吴某", Role.STAFF, "XX"))


def test_a_duplicate_project_number_is_refused(commission):
    refused(commission, AlreadyExists, f"project {P} is already registered; numbers are unique",
            lambda: commission.add_project("孙联络", f" {P} ", "HW", "另一个项目", Sector.WASTE, Level.UNIT,
                                           "某公司", Decimal("1")))


def test_a_project_number_must_be_non_empty_without_spaces_or_slashes(commission):
    for number in ["", "  ", "HW 2021", "HW/2021"]:
        refused(commission, RuleViolated, "must be non-empty, without spaces or '/'",
                lambda: commission.add_project("孙联络", number, "HW", "项目", Sector.WASTE, Level.UNIT, "某公司",
                                               Decimal("1")))
    refused(commission, InvalidValue, r"\(U\+0009\)",
            lambda: commission.add_project("孙联络", "HW\t1", "HW", "项目", Sector.WASTE, Level.UNIT, "某公司",
                                           Decimal("1")))


def test_a_project_cannot_be_registered_for_an_unknown_unit(commission):
    refused(commission, NotFound, "no unit 'XX' is enrolled",
            lambda: commission.add_project("许办公", "XX-1", "XX", "项目", Sector.WASTE, Level.UNIT, "某公司",
                                           Decimal("1")))


def test_an_admin_updates_a_units_name_department_and_sectors(commission):
    commission.update_unit("管理员", "GY", department="燃气处", sectors=[Sector.GAS_HEATING])
    gy = commission.unit("GY")
    assert (gy.name, gy.department, gy.sectors) == ("市公用事业管理局", "燃气处", (Sector.GAS_HEATING,))


# -- who may do what (rule 8) --------------------------------------------------------------------------


SET_UP = {
    "add_unit": lambda l, a: l.add_unit(a, "SZ", "市容景观管理处", UnitKind.DEPARTMENT, date(2021, 8, 31)),
    "update_unit": lambda l, a: l.update_unit(a, "HW", name="新名称"),
    "withdraw_unit": lambda l, a: l.withdraw_unit(a, "GY", date(2021, 12, 31), "机构改革"),
    "add_person": lambda l, a: l.add_person(a, "吴某", Role.STAFF, "HW"),
    "update_person": lambda l, a: l.update_person(a, "李科员", title="主任科员"),
    "remove_person": lambda l, a: l.remove_person(a, "李科员", "调离"),
}


@pytest.mark.parametrize("command", list(SET_UP))
def test_only_an_admin_sets_up_units_and_people(commission, command):
    for actor in ["许办公", *HW_PEOPLE, "周联络"]:
        error = refused(commission, NotPermitted, ADMIN_ONLY, lambda: SET_UP[command](commission, actor))
        assert str(error).startswith(f"{actor} (")


def test_a_refusal_names_the_actor_their_role_their_unit_and_who_may_act(commission):
    error = refused(commission, NotPermitted, None, lambda: commission.promote_project("孙联络", P, "重点"))
    assert str(error) == f"孙联络 (liaison of HW) may not do this: {OFFICE_ONLY}"
    error = refused(commission, NotPermitted, None, lambda: commission.add_person("许办公", "吴某", Role.OFFICE))
    assert str(error) == f"许办公 (office) may not do this: {ADMIN_ONLY}"


@pytest.mark.parametrize("command", list(SET_UP))
def test_the_admin_may_do_every_set_up_command(commission, command):
    before = commission.recorder.max_notification_id()
    SET_UP[command](commission, "管理员")
    assert commission.recorder.max_notification_id() > before


PROJECT_COMMANDS = {
    "add_project": lambda l, a: l.add_project(a, "HW-2021-009", "HW", "新项目", Sector.WASTE, Level.UNIT,
                                              "某公司", Decimal("1")),
    "update": lambda l, a: l.update_project(a, P, name="新名称"),
    "advance": lambda l, a: l.advance_project(a, P, Stage.NEGOTIATING),
    "note": lambda l, a: l.note_progress(a, P, "推进会"),
    "add_service": lambda l, a: l.add_service(a, P, ServiceKind.SITE, TODAY, "选址"),
    "raise_problem": lambda l, a: l.raise_problem(a, P, "用地", ProblemCategory.LAND),
    "suspend": lambda l, a: l.suspend_project(a, P, "资金周转"),
    "terminate": lambda l, a: l.terminate_project(a, P, "投资方撤回"),
}


@pytest.mark.parametrize("actor", ["许办公", *HW_PEOPLE])
def test_the_office_and_every_role_of_the_projects_own_unit_may_work_on_it(commission, actor):
    for command, act in PROJECT_COMMANDS.items():  # in this order each command is still allowed
        before = commission.recorder.max_notification_id()
        act(commission, actor)
        assert commission.recorder.max_notification_id() > before, f"{actor} could not {command}"


def test_another_units_liaison_cannot_touch_the_project(commission):
    for act in PROJECT_COMMANDS.values():
        error = refused(commission, NotPermitted, PROJECT_WORK, lambda: act(commission, "周联络"))
        assert str(error).startswith("周联络 (liaison of GY) may not do this")


def test_the_admin_does_no_project_work(commission):
    for act in PROJECT_COMMANDS.values():
        error = refused(commission, NotPermitted, PROJECT_WORK, lambda: act(commission, "管理员"))
        assert str(error).startswith("管理员 (admin) may not do this")


def test_the_office_registers_and_moves_projects_of_any_unit(commission):
    add_gy_project(commission, actor="许办公")
    commission.advance_project("许办公", "GY-2021-001", Stage.SIGNED)
    assert commission.project("GY-2021-001").stage == Stage.SIGNED


def test_a_unit_liaison_works_on_their_own_units_project_but_not_on_anothers(commission):
    add_gy_project(commission)
    commission.advance_project("周联络", "GY-2021-001", Stage.NEGOTIATING)
    refused(commission, NotPermitted, PROJECT_WORK,
            lambda: commission.advance_project("孙联络", "GY-2021-001", Stage.SIGNED))
    assert commission.project("GY-2021-001").stage == Stage.NEGOTIATING


def test_another_units_liaison_cannot_resume_void_escalate_or_answer(commission):
    commission.suspend_project("孙联络", P, "资金周转")
    service_id = commission.add_service("孙联络", P, ServiceKind.SITE, TODAY, "选址")
    problem_id = raised_problem(commission)
    for act in (lambda: commission.resume_project("周联络", P, "继续"),
                lambda: commission.void_service("周联络", service_id, "录错"),
                lambda: commission.escalate_problem("周联络", problem_id, "规划计划处"),
                lambda: commission.answer_problem("周联络", problem_id, "已答复")):
        refused(commission, NotPermitted, PROJECT_WORK, act)


OFFICE_COMMANDS = {
    "promote": lambda l, a, pid: l.promote_project(a, P, "列入重点"),
    "demote": lambda l, a, pid: l.demote_project(a, P, "动态调整"),
    "evaluate": lambda l, a, pid: l.evaluate_project(a, P, "2021-Q3", Rating.B),
    "correct_stage": lambda l, a, pid: l.correct_stage(a, P, Stage.LEAD, "误录"),
    "close_problem": lambda l, a, pid: l.close_problem(a, pid, "投资方确认"),
    "reopen_problem": lambda l, a, pid: l.reopen_problem(a, pid, "再次反映"),
}


def ready_for_office(ledger: Ledger, command: str) -> str:
    """The project and its problem in the state where `command` is allowed for the office."""
    problem_id = answered_problem(ledger)
    if command in ("demote", "evaluate"):
        ledger.promote_project("许办公", P, "列入重点")
    if command == "correct_stage":
        ledger.advance_project("孙联络", P, Stage.SIGNED)
    if command == "reopen_problem":
        ledger.close_problem("许办公", problem_id)
    return problem_id


@pytest.mark.parametrize("command", list(OFFICE_COMMANDS))
def test_only_the_office_promotes_evaluates_corrects_closes_and_reopens(commission, command):
    problem_id = ready_for_office(commission, command)
    for actor in [*HW_PEOPLE, "周联络", "管理员"]:
        refused(commission, NotPermitted, OFFICE_ONLY, lambda: OFFICE_COMMANDS[command](commission, actor, problem_id))


@pytest.mark.parametrize("command", list(OFFICE_COMMANDS))
def test_the_office_may_do_every_office_command(commission, command):
    problem_id = ready_for_office(commission, command)
    before = commission.recorder.max_notification_id()
    OFFICE_COMMANDS[command](commission, "许办公", problem_id)
    assert commission.recorder.max_notification_id() == before + 1


def test_an_unknown_actor_is_told_to_ask_an_admin(commission):
    refused(commission, NotPermitted, r"^'王五' is not a registered person; an admin adds people$",
            lambda: commission.advance_project(" 王五 ", P, Stage.SIGNED))
    for nobody in ("", "   "):
        refused(commission, NotPermitted, "say who you are: give --as NAME",
                lambda: commission.advance_project(nobody, P, Stage.SIGNED))


def test_an_actor_is_recognised_despite_surrounding_spaces(commission):
    commission.note_progress("  孙联络 ", P, "推进会")
    assert commission.history(commission.project(P).id)[-1].actor == "孙联络"


# -- people come and go ---------------------------------------------------------------------------------


def test_a_removed_person_can_no_longer_act(commission):
    commission.remove_person("管理员", "李科员", "调离")
    assert not commission.person("李科员").active
    refused(commission, NotPermitted, "李科员 was removed from the ledger and may no longer act",
            lambda: commission.note_progress("李科员", P, "推进会"))


def test_removing_an_officer_ends_their_term_and_leaves_the_post_empty(commission, clock):
    clock.advance(days=14)
    commission.remove_person("管理员", "孙联络", "调离")
    hw = commission.unit("HW")
    assert hw.officer(Role.LIAISON) is None
    assert Term(role=Role.LIAISON, person="孙联络", since=TODAY, until=date(2021, 9, 15)) in hw.terms


def test_a_removed_person_cannot_be_removed_or_updated_again(commission):
    commission.remove_person("管理员", "李科员", "调离")
    refused(commission, RuleViolated, "李科员 was removed from the ledger",
            lambda: commission.remove_person("管理员", "李科员", "再次"))
    refused(commission, RuleViolated, "李科员 was removed from the ledger",
            lambda: commission.update_person("管理员", "李科员", title="科长"))


def test_a_removal_needs_a_reason(commission):
    refused(commission, RuleViolated, "a reason is required", lambda: commission.remove_person("管理员", "李科员", " "))


def test_an_admin_cannot_remove_themself(commission):
    refused(commission, RuleViolated, "you cannot remove yourself; another admin must do it",
            lambda: commission.remove_person("管理员", "管理员", "退休"))


def test_an_admin_cannot_remove_themself_by_adding_a_space_to_their_name(commission):
    refused(commission, RuleViolated, "you cannot remove yourself",
            lambda: commission.remove_person(" 管理员", "管理员", "退休"))


def test_an_unknown_person_cannot_be_updated_or_removed(commission):
    refused(commission, NotFound, "no person named '王五' is registered",
            lambda: commission.update_person("管理员", "王五", title="科长"))
    refused(commission, NotFound, "no person named '王五' is registered",
            lambda: commission.remove_person("管理员", "王五", "调离"))


def test_moving_a_liaison_to_another_unit_ends_their_term_there_and_starts_one_here(commission, clock):
    clock.advance(days=30)
    commission.update_person("管理员", "孙联络", unit="gy")
    moved = commission.person("孙联络")
    assert (moved.role, moved.unit) == (Role.LIAISON, "GY")
    hw, gy = commission.unit("HW"), commission.unit("GY")
    assert hw.officer(Role.LIAISON) is None
    assert Term(role=Role.LIAISON, person="孙联络", since=TODAY, until=date(2021, 10, 1)) in hw.terms
    assert gy.officer(Role.LIAISON) == "孙联络"
    assert Term(role=Role.LIAISON, person="周联络", since=TODAY, until=date(2021, 10, 1)) in gy.terms
    assert Term(role=Role.LIAISON, person="孙联络", since=date(2021, 10, 1)) in gy.terms


def test_a_moved_liaison_works_for_their_new_unit_only(commission):
    commission.update_person("管理员", "孙联络", unit="GY")
    refused(commission, NotPermitted, PROJECT_WORK, lambda: commission.note_progress("孙联络", P, "推进会"))
    add_gy_project(commission, actor="孙联络")
    assert commission.project("GY-2021-001").unit == "GY"


def test_appointing_a_new_principal_ends_the_previous_ones_term(commission, clock):
    clock.advance(days=45)
    commission.add_person("管理员", "吴处长", Role.PRINCIPAL, "HW", title="处长")
    hw = commission.unit("HW")
    assert hw.officer(Role.PRINCIPAL) == "吴处长"
    principals = [t for t in hw.terms if t.role == Role.PRINCIPAL]
    assert principals == [
        Term(role=Role.PRINCIPAL, person="赵处长", since=TODAY, until=date(2021, 10, 16)),
        Term(role=Role.PRINCIPAL, person="吴处长", since=date(2021, 10, 16)),
    ]


def test_removing_a_former_officer_leaves_the_current_one_in_post(commission, clock):
    commission.update_person("管理员", "孙联络", unit="GY")
    clock.advance(days=7)
    commission.remove_person("管理员", "周联络", "退休")
    gy = commission.unit("GY")
    assert gy.officer(Role.LIAISON) == "孙联络"
    assert Term(role=Role.LIAISON, person="孙联络", since=TODAY) in gy.terms


def test_a_liaison_promoted_to_leader_replaces_the_leader_and_vacates_the_liaison_post(commission):
    commission.update_person("管理员", "孙联络", role=Role.LEADER)
    hw = commission.unit("HW")
    assert hw.officer(Role.LEADER) == "孙联络"
    assert hw.officer(Role.LIAISON) is None
    assert Term(role=Role.LEADER, person="钱副处", since=TODAY, until=TODAY) in hw.terms


def test_staff_joining_a_unit_holds_no_post(commission):
    commission.add_person("管理员", "吴科员", Role.STAFF, "GY")
    assert "吴科员" not in {t.person for t in commission.unit("GY").terms}


def test_changing_only_a_phone_number_touches_no_unit(commission):
    hw_version = commission.unit("HW").version
    commission.update_person("管理员", "孙联络", phone="13900000000")
    assert commission.person("孙联络").phone == "13900000000"
    assert commission.unit("HW").version == hw_version


def test_an_update_that_changes_nothing_records_nothing(commission):
    refused(commission, RuleViolated, "nothing to change for 孙联络",
            lambda: commission.update_person("管理员", "孙联络", role=Role.LIAISON, unit="HW"))


# -- withdrawn units ------------------------------------------------------------------------------------


def test_a_withdrawn_unit_takes_no_new_projects_or_people(commission):
    commission.withdraw_unit("管理员", "GY", date(2021, 12, 31), "机构改革")
    assert commission.unit("GY").withdrawn_on == date(2021, 12, 31)
    refused(commission, RuleViolated, "unit GY withdrew on 2021-12-31", lambda: add_gy_project(commission, "许办公"))
    refused(commission, RuleViolated, "unit GY withdrew on 2021-12-31",
            lambda: commission.add_person("管理员", "吴某", Role.STAFF, "GY"))
    refused(commission, RuleViolated, "unit GY withdrew on 2021-12-31",
            lambda: commission.update_person("管理员", "李科员", unit="GY"))


def test_a_unit_cannot_withdraw_before_it_enrolled(commission):
    refused(commission, RuleViolated, "enrolled on 2021-08-31; it cannot withdraw before that",
            lambda: commission.withdraw_unit("管理员", "GY", date(2021, 8, 1), "误录"))


# -- projects through their stages ---------------------------------------------------------------------


def test_a_stage_is_dated_today_in_shanghai_by_the_ledgers_clock(commission, clock):
    clock.advance(days=10, hours=15)  # 2021-09-12 01:00 in Shanghai, still the 11th in UTC
    commission.advance_project("孙联络", P, Stage.NEGOTIATING)
    project = commission.project(P)
    assert (project.stage, project.stage_on) == (Stage.NEGOTIATING, date(2021, 9, 12))


def test_a_stage_date_becomes_acceptable_once_the_clock_reaches_it(commission, clock):
    refused(commission, RuleViolated, "the date 2021-09-05 is in the future",
            lambda: commission.advance_project("孙联络", P, Stage.SIGNED, on=date(2021, 9, 5)))
    clock.advance(days=4)
    commission.advance_project("孙联络", P, Stage.SIGNED, on=date(2021, 9, 5))
    assert commission.project(P).stage_on == date(2021, 9, 5)


def test_a_stage_never_moves_back_but_the_office_can_correct_it(commission, clock):
    commission.advance_project("孙联络", P, Stage.SIGNED, on=date(2021, 8, 25), note="合同签订")
    clock.advance(days=2)
    refused(commission, RuleViolated, "a stage moves forward only",
            lambda: commission.advance_project("孙联络", P, Stage.NEGOTIATING))
    commission.correct_stage("许办公", P, Stage.NEGOTIATING, "误录签约", on=date(2021, 8, 20))
    project = commission.project(P)
    assert (project.stage, project.stage_on) == (Stage.NEGOTIATING, date(2021, 8, 20))
    kinds = [type(e) for e in commission.history(project.id)]
    assert kinds == [Project.Registered, Project.StageAdvanced, Project.StageCorrected]


def test_a_later_stage_cannot_predate_the_previous_one(commission, clock):
    clock.advance(days=20)
    commission.advance_project("孙联络", P, Stage.SIGNED, on=date(2021, 9, 15))
    refused(commission, RuleViolated, "2021-09-10 is before the previous stage's date 2021-09-15",
            lambda: commission.advance_project("孙联络", P, Stage.LANDED, on=date(2021, 9, 10)))


def test_a_suspended_project_is_resumed_before_it_moves_and_a_terminated_one_never_moves(commission):
    commission.suspend_project("孙联络", P, "投资方资金周转")
    refused(commission, RuleViolated, "suspended; resume it first",
            lambda: commission.advance_project("孙联络", P, Stage.SIGNED))
    commission.resume_project("钱副处", P, "资金到位")
    commission.advance_project("孙联络", P, Stage.SIGNED)
    commission.terminate_project("赵处长", P, "投资方撤回")
    assert commission.project(P).status == ProjectStatus.TERMINATED
    refused(commission, RuleViolated, "a terminated project is final",
            lambda: commission.advance_project("孙联络", P, Stage.LANDED))
    refused(commission, RuleViolated, "a terminated project is final",
            lambda: commission.promote_project("许办公", P, "重点"))


def test_an_update_changes_the_projects_facts(commission):
    commission.update_project("孙联络", P, investment=Decimal("12500.50"), level=Level.COMMISSION)
    project = commission.project(P)
    assert project.investment == Decimal("12500.50") and project.level == Level.COMMISSION
    assert commission.history(project.id)[-1].details() == {"investment": "12500.50", "level": "commission"}


def test_the_office_promotes_evaluates_and_demotes_a_key_project(commission):
    refused(commission, RuleViolated, "not a key project",
            lambda: commission.evaluate_project("许办公", P, "2021-Q3", Rating.A))
    commission.promote_project("许办公", P, "列入市级重点")
    assert commission.project(P).library == Library.KEY
    refused(commission, RuleViolated, "already in the key library",
            lambda: commission.promote_project("许办公", P, "再次"))
    commission.evaluate_project("许办公", P, "2021-Q3", Rating.A, "推进有力")
    commission.demote_project("许办公", P, "动态调整")
    project = commission.project(P)
    assert project.library == Library.RESERVE
    assert [(e.period, e.rating) for e in project.evaluations] == [("2021-Q3", Rating.A)]
    refused(commission, RuleViolated, "is not in the key library", lambda: commission.demote_project("许办公", P, "再次"))


def test_an_unknown_project_is_not_found(commission):
    refused(commission, NotFound, "no project numbered 'HW-2099-999'",
            lambda: commission.advance_project("孙联络", "HW-2099-999", Stage.SIGNED))


# -- services and problems ---------------------------------------------------------------------------------


def test_services_are_numbered_on_their_project_and_voided_with_a_reason(commission):
    first = commission.add_service("孙联络", P, ServiceKind.FINANCING, TODAY, "对接银行", Decimal("300.10"))
    second = commission.add_service("许办公", P, ServiceKind.POLICY, TODAY, "政策解读")
    assert (first, second) == (f"{P}/S1", f"{P}/S2")
    commission.void_service("钱副处", first, "重复录入")
    services = {s.id: s for s in commission.project(P).services}
    assert services[first].voided and services[first].void_reason == "重复录入"
    assert services[first].amount == Decimal("300.10")
    assert not services[second].voided
    refused(commission, RuleViolated, f"service {first} was already voided",
            lambda: commission.void_service("钱副处", first, "再次"))


def test_an_unknown_service_cannot_be_voided(commission):
    commission.add_service("孙联络", P, ServiceKind.SITE, TODAY, "选址")
    for service_id, says in [("S1", "a service id looks like HW-2021-001/S3"),
                             (f"{P}/S9", f"no service {P}/S9 on project {P}"),
                             ("HW-2099-999/S1", "no project numbered 'HW-2099-999'")]:
        refused(commission, NotFound, says, lambda: commission.void_service("孙联络", service_id, "录错"))


def test_a_service_dated_in_the_future_is_refused(commission):
    refused(commission, RuleViolated, "in the future",
            lambda: commission.add_service("孙联络", P, ServiceKind.SITE, date(2021, 9, 2), "选址"))


def test_problems_are_numbered_on_their_project(commission):
    first = raised_problem(commission)
    second = commission.raise_problem("李科员", P, "审批周期长", ProblemCategory.APPROVAL)
    assert (first, second) == (f"{P}/P1", f"{P}/P2")
    assert commission.project(P).problems == (first, second)
    problem = commission.problem(first)
    assert (problem.project, problem.unit, problem.title, problem.status) == (P, "HW", "用地指标不足", ProblemStatus.OPEN)
    assert {p.problem_id for p in commission.problems()} == {first, second}


def test_a_problem_due_in_the_past_is_refused_and_takes_no_number(commission):
    refused(commission, RuleViolated, "the due date 2021-08-31 is already past",
            lambda: commission.raise_problem("孙联络", P, "用地", ProblemCategory.LAND, date(2021, 8, 31)))
    assert raised_problem(commission) == f"{P}/P1"


def test_a_problem_without_a_title_records_nothing_on_the_project_either(commission):
    version = commission.project(P).version
    refused(commission, RuleViolated, "a problem needs a title",
            lambda: commission.raise_problem("孙联络", P, "  ", ProblemCategory.OTHER))
    assert commission.project(P).version == version


def test_a_problems_loop_is_closed_by_the_office_after_the_answer_and_can_be_reopened(commission, clock):
    problem_id = raised_problem(commission)
    refused(commission, RuleViolated, "it can be closed only when answered",
            lambda: commission.close_problem("许办公", problem_id))
    commission.escalate_problem("孙联络", problem_id, "规划计划处", "请协调")
    commission.answer_problem("许办公", problem_id, "已协调规划资源局")
    clock.advance(days=3)
    commission.close_problem("许办公", problem_id, "投资方确认")
    problem = commission.problem(problem_id)
    assert problem.status == ProblemStatus.CLOSED and problem.closed_at == START + timedelta(days=3)
    commission.reopen_problem("许办公", problem_id, "投资方再次反映")
    assert commission.problem(problem_id).status == ProblemStatus.OPEN
    kinds = [type(e) for e in commission.history(Problem.id_for(problem_id))]
    assert kinds == [Problem.Raised, Problem.Escalated, Problem.Answered, Problem.Closed, Problem.Reopened]


def test_a_problem_may_be_answered_without_escalation(commission):
    problem_id = raised_problem(commission)
    commission.answer_problem("孙联络", problem_id, "单位自行解决")
    assert commission.problem(problem_id).status == ProblemStatus.ANSWERED


def test_an_unknown_problem_is_not_found(commission):
    refused(commission, NotFound, f"no problem '{P}/P7'", lambda: commission.answer_problem("孙联络", f"{P}/P7", "答复"))


def test_a_problem_belongs_to_its_projects_unit_for_permissions(commission):
    problem_id = raised_problem(commission)
    commission.update_person("管理员", "周联络", unit="HW")
    commission.escalate_problem("周联络", problem_id, "规划计划处")
    assert commission.problem(problem_id).status == ProblemStatus.ESCALATED


# -- what every event says about itself (rules 7 and 8) ---------------------------------------------------


def test_every_event_names_its_actor_role_os_user_host_and_time(commission, clock):
    clock.advance(hours=5)
    commission.advance_project("钱副处", P, Stage.NEGOTIATING)
    event = commission.history(commission.project(P).id)[-1]
    assert (event.actor, event.actor_role, event.os_user, event.host) == ("钱副处", "leader", "tester", "test-host")
    assert event.recorded_at == event.timestamp == START + timedelta(hours=5)
    assert event.effective_at == event.recorded_at


def test_the_set_up_events_name_the_admin(commission):
    person_event = commission.history(Person.id_for("孙联络"))[0]
    unit_events = commission.history(Unit.id_for("HW"))
    assert (person_event.actor, person_event.actor_role) == ("管理员", "admin")
    assert {(e.actor, e.actor_role) for e in unit_events} == {("管理员", "admin")}
    assert [type(e) for e in unit_events] == [Unit.Enrolled] + [Unit.OfficerAppointed] * 3


def test_a_projects_history_lists_its_events_oldest_first(commission, clock):
    clock.advance(days=1)
    commission.advance_project("孙联络", P, Stage.NEGOTIATING)
    clock.advance(days=1)
    commission.promote_project("许办公", P, "列入重点")
    clock.advance(days=1)
    commission.note_progress("李科员", P, "推进会")
    history = commission.history(commission.project(P).id)
    assert [type(e) for e in history] == [
        Project.Registered, Project.StageAdvanced, Project.Promoted, Project.ProgressNoted]
    assert [e.originator_version for e in history] == [1, 2, 3, 4]
    assert [e.recorded_at for e in history] == [START + timedelta(days=d) for d in range(4)]
    assert [e.actor for e in history] == ["孙联络", "孙联络", "许办公", "李科员"]


def test_a_refused_command_leaves_the_projects_history_as_it_was(commission):
    project_id = commission.project(P).id
    before = commission.history(project_id)
    refused(commission, NotPermitted, OFFICE_ONLY, lambda: commission.promote_project("赵处长", P, "重点"))
    refused(commission, RuleViolated, "moves forward only", lambda: commission.advance_project("孙联络", P, Stage.LEAD))
    assert commission.history(project_id) == before


def test_a_change_racing_another_on_the_same_project_is_refused_and_records_nothing(commission, store, clock,
                                                                                      monkeypatch):
    rival = Ledger(store, clock=clock, machine=Machine(os_user="rival", host="other-host"))
    load = commission.project

    def load_then_lose_the_race(number: str) -> Project:
        project = load(number)
        rival.note_progress("许办公", P, "同时录入")
        return project

    try:
        monkeypatch.setattr(commission, "project", load_then_lose_the_race)
        before = commission.recorder.max_notification_id()
        with pytest.raises(RuleViolated, match="someone else changed this at the same moment; nothing was recorded"):
            commission.advance_project("孙联络", P, Stage.SIGNED)
        monkeypatch.undo()
        assert commission.recorder.max_notification_id() == before + 1  # the rival's note, nothing more
        project = commission.project(P)
        assert project.stage == Stage.LEAD
        assert [type(e) for e in commission.history(project.id)] == [Project.Registered, Project.ProgressNoted]
    finally:
        rival.close()


# -- the store remembers ------------------------------------------------------------------------------------


def test_reopening_the_store_shows_the_same_ledger(commission, store, clock):
    clock.advance(days=2)
    commission.advance_project("孙联络", P, Stage.SIGNED, note="合同签订")
    commission.promote_project("许办公", P, "列入重点")
    service_id = commission.add_service("孙联络", P, ServiceKind.FINANCING, TODAY, "对接银行", Decimal("300.10"))
    problem_id = answered_problem(commission)
    commission.update_person("管理员", "孙联络", unit="GY")
    last = commission.recorder.max_notification_id()

    reopened = Ledger(store, clock=clock, machine=Machine(os_user="someone-else", host="other-host"))
    try:
        assert reopened.recorder.max_notification_id() == last
        assert not reopened.is_empty()
        project = reopened.project(P)
        assert (project.stage, project.stage_on, project.library) == (Stage.SIGNED, date(2021, 9, 3), Library.KEY)
        assert project.service(service_id).amount == Decimal("300.10")
        assert reopened.problem(problem_id).status == ProblemStatus.ANSWERED
        assert reopened.unit("GY").officer(Role.LIAISON) == "孙联络"
        assert reopened.unit("HW").terms == commission.unit("HW").terms
        assert reopened.history(project.id) == commission.history(project.id)
        refused(reopened, AlreadyExists, "already holds a ledger", lambda: reopened.init("新管理员"))
        add_gy_project(reopened, actor="孙联络")
        assert reopened.history(Project.id_for("GY-2021-001"))[0].os_user == "someone-else"
    finally:
        reopened.close()
    assert commission.project("GY-2021-001").unit == "GY"
