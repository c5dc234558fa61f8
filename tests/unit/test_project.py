"""A project's life on its own: graded, classed, staged; suspended, terminated; promoted, evaluated;
its notes, services and problem ids. Every refusal records nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from domain.base import Stamp
from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.project import Evaluation, Project
from domain.values import UTC, Level, Library, ProjectStatus, Rating, Sector, ServiceKind, Stage
from tests.support import only_event, refused_unchanged as refused

NOW = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)  # 10:00 on 2021-09-01 in Shanghai
TODAY = date(2021, 9, 1)
TOMORROW = date(2021, 9, 2)


def stamp(at: datetime = NOW, effective: datetime | None = None, actor: str = "许办公") -> Stamp:
    return Stamp(actor=actor, actor_role="office", os_user="tester", host="test-host",
                 recorded_at=at, effective_at=effective or at)


def new_project(**overrides: Any) -> Project:
    fields = dict(name="环卫一体化PPP项目", unit="HW", sector=Sector.SANITATION, level=Level.CITY,
                  investor="天津某环境服务有限公司", investment=Decimal("12000.00"), responsible_person="钱副处",
                  responsible_department="综合科", liaison="孙联络")
    fields.update(overrides)
    project = Project.register(stamp(actor="孙联络"), "HW-2021-001", **fields)
    project.collect_events()
    return project


def at_stage(stage: Stage, on: date = date(2021, 8, 20)) -> Project:
    project = new_project()
    project.advance(stamp(), stage, on, None)
    project.collect_events()
    return project


def suspended() -> Project:
    project = new_project()
    project.suspend(stamp(), "投资方资金周转")
    project.collect_events()
    return project


def terminated() -> Project:
    project = new_project()
    project.terminate(stamp(), "投资方撤回")
    project.collect_events()
    return project


def key_project() -> Project:
    project = new_project()
    project.promote(stamp(), "市级重点")
    project.collect_events()
    return project


# -- registration -----------------------------------------------------------------------------


def test_a_new_project_is_an_active_lead_in_its_units_reserve_library():
    project = new_project()
    assert (project.number, project.unit, project.sector, project.level) == (
        "HW-2021-001", "HW", Sector.SANITATION, Level.CITY)
    assert project.library == Library.RESERVE
    assert project.stage == Stage.LEAD and project.stage_on is None
    assert project.status == ProjectStatus.ACTIVE
    assert project.notes == project.services == project.problems == project.evaluations == ()
    assert project.investment == Decimal("12000.00")
    assert project.version == 1


def test_a_projects_identity_follows_from_its_number():
    assert new_project().id == Project.id_for("HW-2021-001")
    assert Project.id_for("HW-2021-001") != Project.id_for("HW-2021-002")


def test_the_registration_names_who_when_and_from_which_machine():
    project = Project.register(stamp(actor="孙联络"), "HW-2021-001", name="n", unit="HW", sector=Sector.WASTE,
                               level=Level.UNIT, investor="i", investment=Decimal("1"), responsible_person=None,
                               responsible_department=None, liaison=None)
    event = only_event(project)
    assert isinstance(event, Project.Registered)
    assert (event.actor, event.actor_role, event.os_user, event.host) == ("孙联络", "office", "tester", "test-host")
    assert event.recorded_at == event.effective_at == NOW


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_project_without_a_name_is_refused(blank):
    with pytest.raises(RuleViolated, match=r"a project needs a name \(give --name\)"):
        new_project(name=blank)


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_project_without_an_investor_is_refused(blank):
    with pytest.raises(RuleViolated, match=r"a project needs an investor \(give --investor\)"):
        new_project(investor=blank)


@pytest.mark.parametrize("amount, says", [(Decimal("1.005"), "more than two decimals"), (Decimal("-1.00"), "negative")])
def test_an_investment_that_is_not_whole_cents_of_wan_is_refused(amount, says):
    with pytest.raises(InvalidValue, match=says):
        new_project(investment=amount)


def test_an_investment_is_kept_to_the_cent():
    assert str(new_project(investment=Decimal("12000.5")).investment) == "12000.50"


@pytest.mark.parametrize("amount, says", [(Decimal("1.005"), "more than two decimals"), (Decimal("-1"), "negative")])
def test_an_updated_investment_that_is_not_whole_cents_of_wan_is_refused(amount, says):
    project = new_project()
    refused(project, InvalidValue, says, lambda: project.update(stamp(), investment=amount))


# -- updating -----------------------------------------------------------------------------------


def test_an_update_records_only_the_values_that_change():
    project = new_project()
    project.update(stamp(), name="环卫一体化PPP项目", investment=Decimal("12500.55"), level=Level.COMMISSION,
                   investor=None)
    event = only_event(project)
    assert isinstance(event, Project.Updated)
    assert event.details() == {"investment": "12500.55", "level": "commission"}
    assert project.investment == Decimal("12500.55") and project.level == Level.COMMISSION
    assert project.name == "环卫一体化PPP项目" and project.investor == "天津某环境服务有限公司"


@pytest.mark.parametrize("changes", [{}, {"name": None}, {"name": "环卫一体化PPP项目"},
                                     {"investment": Decimal("12000")}, {"level": Level.CITY, "liaison": "孙联络"}])
def test_an_update_that_changes_nothing_is_refused(changes):
    project = new_project()
    refused(project, RuleViolated, "nothing to change for project HW-2021-001", lambda: project.update(stamp(), **changes))


def test_a_suspended_project_can_still_be_updated():
    project = suspended()
    project.update(stamp(), liaison="李科员")
    assert project.liaison == "李科员"


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize("field", ["name", "investor"])
def test_a_project_cannot_be_given_a_blank_name_or_investor(field, blank):
    project = new_project()
    refused(project, RuleViolated, f"a project's {field} cannot be blank",
            lambda: project.update(stamp(), **{field: blank}))


# -- stages ------------------------------------------------------------------------------------


def test_a_stage_moves_forward_on_its_business_date():
    project = new_project()
    project.advance(stamp(), Stage.NEGOTIATING, date(2021, 8, 20), "初步接洽")
    event = only_event(project)
    assert isinstance(event, Project.StageAdvanced)
    assert (event.stage, event.on, event.note) == (Stage.NEGOTIATING, date(2021, 8, 20), "初步接洽")
    assert (project.stage, project.stage_on) == (Stage.NEGOTIATING, date(2021, 8, 20))


def test_a_stage_may_skip_stages():
    project = new_project()
    project.advance(stamp(), Stage.LANDED, date(2021, 8, 20), None)
    assert project.stage == Stage.LANDED


def test_a_stage_moves_through_every_stage_in_order():
    project = new_project()
    for day, stage in enumerate(list(Stage)[1:], start=1):
        project.advance(stamp(), stage, date(2021, 8, day), None)
    assert project.stage == Stage.OPERATING
    assert project.version == 1 + 5


@pytest.mark.parametrize("back_to", [Stage.LEAD, Stage.NEGOTIATING])
def test_a_stage_never_moves_back(back_to):
    project = at_stage(Stage.SIGNED)
    refused(project, RuleViolated, "is at signed; a stage moves forward only .*zs project correct",
            lambda: project.advance(stamp(), back_to, None, None))


def test_a_stage_cannot_advance_to_where_it_already_is():
    project = at_stage(Stage.SIGNED)
    refused(project, RuleViolated, "moves forward only", lambda: project.advance(stamp(), Stage.SIGNED, None, None))


def test_a_project_at_lead_cannot_advance_to_lead():
    project = new_project()
    refused(project, RuleViolated, "is at lead", lambda: project.advance(stamp(), Stage.LEAD, None, None))


def test_a_stage_without_a_date_is_dated_today_in_shanghai():
    late_evening_utc = datetime(2021, 9, 1, 17, 0, tzinfo=UTC)  # already 2021-09-02 in Shanghai
    project = new_project()
    project.advance(stamp(late_evening_utc), Stage.SIGNED, None, None)
    assert project.stage_on == date(2021, 9, 2)


def test_a_stage_date_in_the_future_is_refused():
    project = new_project()
    refused(project, RuleViolated, r"the date 2021-09-02 is in the future \(today is 2021-09-01 in Shanghai\)",
            lambda: project.advance(stamp(), Stage.SIGNED, TOMORROW, None))


def test_tomorrows_utc_date_is_accepted_when_it_is_already_today_in_shanghai():
    project = new_project()
    project.advance(stamp(datetime(2021, 9, 1, 16, 0, tzinfo=UTC)), Stage.SIGNED, TOMORROW, None)
    assert project.stage_on == TOMORROW


def test_a_backfilled_stage_date_is_judged_against_its_effective_time():
    project = new_project()
    backfill = stamp(NOW, effective=datetime(2021, 6, 1, 2, 0, tzinfo=UTC))
    refused(project, RuleViolated, "2021-07-01 is in the future .*today is 2021-06-01",
            lambda: project.advance(backfill, Stage.SIGNED, date(2021, 7, 1), None))
    project.advance(backfill, Stage.SIGNED, date(2021, 5, 20), None)
    assert project.stage_on == date(2021, 5, 20)


def test_a_stage_date_before_the_previous_stages_date_is_refused():
    project = at_stage(Stage.NEGOTIATING, date(2021, 8, 20))
    refused(project, RuleViolated, r"2021-08-19 is before the previous stage's date 2021-08-20 \(negotiating\)",
            lambda: project.advance(stamp(), Stage.SIGNED, date(2021, 8, 19), None))


def test_a_stage_may_share_the_previous_stages_date():
    project = at_stage(Stage.NEGOTIATING, date(2021, 8, 20))
    project.advance(stamp(), Stage.SIGNED, date(2021, 8, 20), None)
    assert (project.stage, project.stage_on) == (Stage.SIGNED, date(2021, 8, 20))


def test_an_empty_stage_note_is_kept_as_none():
    project = new_project()
    project.advance(stamp(), Stage.SIGNED, None, "")
    assert only_event(project).note is None


def test_a_suspended_project_does_not_advance():
    project = suspended()
    refused(project, RuleViolated, "HW-2021-001 is suspended; resume it first",
            lambda: project.advance(stamp(), Stage.SIGNED, None, None))


def test_a_terminated_project_does_not_advance():
    project = terminated()
    refused(project, RuleViolated, "HW-2021-001 was terminated; a terminated project is final",
            lambda: project.advance(stamp(), Stage.SIGNED, None, None))


# -- corrections of a stage (office) ---------------------------------------------------------------


def test_a_correction_moves_a_stage_back_and_keeps_the_original_advance():
    project = new_project()
    project.advance(stamp(), Stage.SIGNED, date(2021, 8, 20), None)
    project.correct_stage(stamp(), Stage.NEGOTIATING, date(2021, 8, 10), "误录签约，实为在谈")
    advanced, corrected = project.collect_events()
    assert isinstance(advanced, Project.StageAdvanced) and advanced.stage == Stage.SIGNED
    assert isinstance(corrected, Project.StageCorrected)
    assert (corrected.stage, corrected.on, corrected.reason) == (Stage.NEGOTIATING, date(2021, 8, 10), "误录签约，实为在谈")
    assert (project.stage, project.stage_on) == (Stage.NEGOTIATING, date(2021, 8, 10))


def test_a_correction_may_also_move_a_stage_forward():
    project = new_project()
    project.correct_stage(stamp(), Stage.STARTED, None, "纸质台账补录")
    assert (project.stage, project.stage_on) == (Stage.STARTED, TODAY)


def test_after_a_correction_the_next_advance_is_measured_from_the_corrected_date():
    project = at_stage(Stage.SIGNED, date(2021, 8, 20))
    project.correct_stage(stamp(), Stage.NEGOTIATING, date(2021, 8, 1), "日期录错")
    project.advance(stamp(), Stage.SIGNED, date(2021, 8, 5), None)
    assert project.stage_on == date(2021, 8, 5)


def test_a_correction_to_the_current_stage_and_date_is_refused():
    project = at_stage(Stage.SIGNED)
    refused(project, RuleViolated, "HW-2021-001 is already at signed since 2021-08-20",
            lambda: project.correct_stage(stamp(), Stage.SIGNED, date(2021, 8, 20), "核对"))


def test_the_office_may_correct_only_the_date_of_the_current_stage():
    project = at_stage(Stage.SIGNED)
    project.correct_stage(stamp(), Stage.SIGNED, date(2021, 8, 1), "签约日期录错")
    assert (project.stage, project.stage_on) == (Stage.SIGNED, date(2021, 8, 1))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(reason):
    project = at_stage(Stage.SIGNED)
    refused(project, RuleViolated, r"a reason is required \(give --reason\)",
            lambda: project.correct_stage(stamp(), Stage.LEAD, None, reason))


def test_a_correction_dated_in_the_future_is_refused():
    project = at_stage(Stage.SIGNED)
    refused(project, RuleViolated, "in the future",
            lambda: project.correct_stage(stamp(), Stage.LEAD, TOMORROW, "误录"))


def test_a_suspended_projects_stage_can_be_corrected():
    project = suspended()
    project.correct_stage(stamp(), Stage.NEGOTIATING, None, "补录")
    assert project.stage == Stage.NEGOTIATING and project.status == ProjectStatus.SUSPENDED


def test_a_terminated_projects_stage_cannot_be_corrected():
    project = terminated()
    refused(project, RuleViolated, "terminated project is final",
            lambda: project.correct_stage(stamp(), Stage.SIGNED, None, "补录"))


# -- progress notes -----------------------------------------------------------------------------


def test_a_progress_note_is_kept_with_its_date_and_trimmed_text():
    project = new_project()
    project.note(stamp(), "  完成选址踏勘 ", date(2021, 8, 30))
    project.note(stamp(), "召开推进会", None)
    assert project.notes == ((date(2021, 8, 30), "完成选址踏勘"), (TODAY, "召开推进会"))


@pytest.mark.parametrize("blank", ["", "  \n"])
def test_a_progress_note_without_text_is_refused(blank):
    project = new_project()
    refused(project, RuleViolated, r"a progress note needs text \(give --text\)",
            lambda: project.note(stamp(), blank, None))


def test_a_progress_note_dated_in_the_future_is_refused():
    project = new_project()
    refused(project, RuleViolated, "in the future", lambda: project.note(stamp(), "推进会", TOMORROW))


def test_a_suspended_project_still_takes_notes_but_a_terminated_one_does_not():
    paused = suspended()
    paused.note(stamp(), "等待资金", None)
    assert len(paused.notes) == 1
    ended = terminated()
    refused(ended, RuleViolated, "terminated", lambda: ended.note(stamp(), "补记", None))


# -- suspension, resumption, termination ---------------------------------------------------------


def test_a_suspended_project_keeps_its_stage_and_resumes_where_it_was():
    project = at_stage(Stage.SIGNED)
    project.suspend(stamp(), "投资方资金周转")
    assert project.status == ProjectStatus.SUSPENDED and project.stage == Stage.SIGNED
    project.resume(stamp(), "资金到位")
    assert project.status == ProjectStatus.ACTIVE and project.stage == Stage.SIGNED
    suspension, resumption = project.collect_events()
    assert (suspension.reason, resumption.reason) == ("投资方资金周转", "资金到位")


def test_a_suspended_project_cannot_be_suspended_again():
    project = suspended()
    refused(project, RuleViolated, "is suspended; resume it first", lambda: project.suspend(stamp(), "再次暂停"))


@pytest.mark.parametrize("reason", ["", " ", None])
def test_a_suspension_needs_a_reason(reason):
    project = new_project()
    refused(project, RuleViolated, "a reason is required", lambda: project.suspend(stamp(), reason))


def test_an_active_project_cannot_be_resumed():
    project = new_project()
    refused(project, RuleViolated, "HW-2021-001 is active, not suspended", lambda: project.resume(stamp(), "继续"))


def test_a_terminated_project_cannot_be_resumed():
    project = terminated()
    refused(project, RuleViolated, "HW-2021-001 is terminated, not suspended", lambda: project.resume(stamp(), "继续"))


@pytest.mark.parametrize("reason", ["", None])
def test_a_resumption_needs_a_reason(reason):
    project = suspended()
    refused(project, RuleViolated, "a reason is required", lambda: project.resume(stamp(), reason))


def test_a_termination_is_recorded_with_its_reason_and_keeps_the_stage():
    project = at_stage(Stage.NEGOTIATING)
    project.terminate(stamp(), "投资方撤回")
    event = only_event(project)
    assert isinstance(event, Project.Terminated) and event.reason == "投资方撤回"
    assert project.status == ProjectStatus.TERMINATED and project.stage == Stage.NEGOTIATING


def test_a_suspended_project_can_be_terminated():
    project = suspended()
    project.terminate(stamp(), "确认终止")
    assert project.status == ProjectStatus.TERMINATED


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_termination_needs_a_reason(reason):
    project = new_project()
    refused(project, RuleViolated, "a reason is required", lambda: project.terminate(stamp(), reason))


TERMINATED_REFUSES = {
    "update": lambda p: p.update(stamp(), name="新名称"),
    "advance": lambda p: p.advance(stamp(), Stage.SIGNED, None, None),
    "correct_stage": lambda p: p.correct_stage(stamp(), Stage.SIGNED, None, "补录"),
    "note": lambda p: p.note(stamp(), "补记", None),
    "suspend": lambda p: p.suspend(stamp(), "暂停"),
    "terminate": lambda p: p.terminate(stamp(), "再次终止"),
    "promote": lambda p: p.promote(stamp(), "重点"),
    "record_service": lambda p: p.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None),
    "register_problem": lambda p: p.register_problem(stamp(), "用地"),
}


@pytest.mark.parametrize("command", list(TERMINATED_REFUSES))
def test_a_terminated_project_is_final(command):
    project = terminated()
    refused(project, RuleViolated, "HW-2021-001 was terminated; a terminated project is final",
            lambda: TERMINATED_REFUSES[command](project))


# -- the key library -----------------------------------------------------------------------------


def test_the_office_promotes_a_reserve_project_into_the_key_library_with_a_reason():
    project = new_project()
    project.promote(stamp(), "列入市级重点")
    event = only_event(project)
    assert isinstance(event, Project.Promoted) and event.reason == "列入市级重点"
    assert project.library == Library.KEY


def test_a_key_project_cannot_be_promoted_twice():
    project = key_project()
    refused(project, RuleViolated, "HW-2021-001 is already in the key library", lambda: project.promote(stamp(), "再次"))


@pytest.mark.parametrize("reason", ["", None])
def test_a_promotion_needs_a_reason(reason):
    project = new_project()
    refused(project, RuleViolated, "a reason is required", lambda: project.promote(stamp(), reason))


def test_a_key_project_is_demoted_back_to_the_reserve_library_and_may_return():
    project = key_project()
    project.demote(stamp(), "动态调整")
    assert project.library == Library.RESERVE
    project.promote(stamp(), "重新列入")
    assert project.library == Library.KEY
    assert [type(e) for e in project.collect_events()] == [Project.Demoted, Project.Promoted]


def test_a_reserve_project_cannot_be_demoted():
    project = new_project()
    refused(project, RuleViolated, "HW-2021-001 is not in the key library", lambda: project.demote(stamp(), "调出"))


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_demotion_needs_a_reason(reason):
    project = key_project()
    refused(project, RuleViolated, "a reason is required", lambda: project.demote(stamp(), reason))


def test_a_suspended_project_can_be_promoted():
    project = suspended()
    project.promote(stamp(), "重点")
    assert project.library == Library.KEY


# -- evaluations ---------------------------------------------------------------------------------


def test_a_key_project_collects_its_evaluations_in_order():
    project = key_project()
    later = datetime(2022, 1, 10, 2, tzinfo=timezone.utc)
    project.evaluate(stamp(later), "2021-Q3", Rating.A, "推进有力")
    project.evaluate(stamp(later), "2021-Q4", Rating.C, "")
    assert project.evaluations == (
        Evaluation(period="2021-Q3", rating=Rating.A, comment="推进有力"),
        Evaluation(period="2021-Q4", rating=Rating.C, comment=None),
    )


def test_a_reserve_project_is_not_evaluated():
    project = new_project()
    refused(project, RuleViolated, "HW-2021-001 is not a key project; only key projects are evaluated",
            lambda: project.evaluate(stamp(), "2021-Q3", Rating.B, None))


@pytest.mark.parametrize("period", ["", "soon", "2021-13", "0000-01", "2021-Q4", "٢٠٢١-09", "2021-W01"])
def test_an_evaluation_for_a_malformed_missing_or_future_period_is_refused(period):
    project = key_project()
    refused(project, InvalidValue, "period", lambda: project.evaluate(stamp(), period, Rating.B, None))


def test_a_demoted_project_is_no_longer_evaluated():
    project = key_project()
    project.demote(stamp(), "调出")
    project.collect_events()
    refused(project, RuleViolated, "not a key project", lambda: project.evaluate(stamp(), "2021-Q3", Rating.B, None))


# -- services -------------------------------------------------------------------------------------


def test_a_service_is_numbered_on_its_project_and_kept_with_its_facts():
    project = new_project()
    first = project.record_service(stamp(), ServiceKind.FINANCING, date(2021, 8, 31), " 对接银行 ", Decimal("300.10"))
    second = project.record_service(stamp(), ServiceKind.POLICY, TODAY, "政策解读", None)
    assert (first, second) == ("HW-2021-001/S1", "HW-2021-001/S2")
    service = project.service(first)
    assert (service.kind, service.on, service.note, service.amount) == (
        ServiceKind.FINANCING, date(2021, 8, 31), "对接银行", Decimal("300.10"))
    assert not service.voided and service.void_reason is None
    assert project.service(second).amount is None


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_service_without_a_note_is_refused(blank):
    project = new_project()
    refused(project, RuleViolated, r"a service needs a note saying what was done \(give --note\)",
            lambda: project.record_service(stamp(), ServiceKind.SITE, TODAY, blank, None))


def test_a_service_dated_in_the_future_is_refused():
    project = new_project()
    refused(project, RuleViolated, "in the future",
            lambda: project.record_service(stamp(), ServiceKind.SITE, TOMORROW, "选址", None))


def test_a_suspended_project_can_still_be_served():
    project = suspended()
    assert project.record_service(stamp(), ServiceKind.COORDINATION, TODAY, "协调", None) == "HW-2021-001/S1"


@pytest.mark.parametrize("amount, says", [(Decimal("-5"), "negative"), (Decimal("0.001"), "more than two decimals")])
def test_a_service_amount_that_is_not_whole_cents_of_wan_is_refused(amount, says):
    project = new_project()
    refused(project, InvalidValue, says,
            lambda: project.record_service(stamp(), ServiceKind.FINANCING, TODAY, "融资", amount))


def test_a_voided_service_stays_on_the_list_marked_with_its_reason():
    project = new_project()
    first = project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None)
    second = project.record_service(stamp(), ServiceKind.POLICY, TODAY, "解读", None)
    project.void_service(stamp(), first, "重复录入")
    assert project.service(first).voided and project.service(first).void_reason == "重复录入"
    assert not project.service(second).voided
    assert [s.id for s in project.services] == [first, second]


def test_a_voided_services_number_is_never_reused():
    project = new_project()
    first = project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None)
    project.void_service(stamp(), first, "录错")
    assert project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None) == "HW-2021-001/S2"


def test_a_service_cannot_be_voided_twice():
    project = new_project()
    service_id = project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None)
    project.void_service(stamp(), service_id, "录错")
    project.collect_events()
    refused(project, RuleViolated, "service HW-2021-001/S1 was already voided",
            lambda: project.void_service(stamp(), service_id, "再次"))


def test_an_unknown_service_cannot_be_voided():
    project = new_project()
    project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None)
    project.collect_events()
    refused(project, NotFound, "no service HW-2021-001/S9 on project HW-2021-001",
            lambda: project.void_service(stamp(), "HW-2021-001/S9", "录错"))


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_voiding_a_service_needs_a_reason(reason):
    project = new_project()
    service_id = project.record_service(stamp(), ServiceKind.SITE, TODAY, "选址", None)
    project.collect_events()
    refused(project, RuleViolated, "a reason is required", lambda: project.void_service(stamp(), service_id, reason))


# -- problem ids ----------------------------------------------------------------------------------


def test_problems_are_numbered_on_their_project():
    project = new_project()
    assert project.register_problem(stamp(), "用地指标不足") == "HW-2021-001/P1"
    assert project.register_problem(stamp(), "审批周期长") == "HW-2021-001/P2"
    assert project.problems == ("HW-2021-001/P1", "HW-2021-001/P2")
    assert [e.title for e in project.collect_events()] == ["用地指标不足", "审批周期长"]


def test_a_later_command_carries_its_own_stamp():
    project = new_project()
    later = NOW + timedelta(days=3)
    project.note(Stamp(actor="孙联络", actor_role="liaison", os_user="sun", host="hw-pc",
                       recorded_at=later, effective_at=later), "推进会", None)
    event = only_event(project)
    assert (event.actor, event.actor_role, event.os_user, event.host) == ("孙联络", "liaison", "sun", "hw-pc")
    assert event.recorded_at == event.effective_at == later
    assert project.notes == ((date(2021, 9, 4), "推进会"),)


@pytest.mark.parametrize("number", ["", "  ", "HW 2021", "HW/2021"])
def test_a_project_number_is_non_empty_without_spaces_or_slashes_even_when_registered_directly(number):
    with pytest.raises(RuleViolated, match="must be non-empty, without spaces or '/'"):
        Project.register(stamp(), number, name="n", unit="HW", sector=Sector.WASTE, level=Level.UNIT, investor="i",
                         investment=Decimal("1"), responsible_person=None, responsible_department=None, liaison=None)
    assert Project.check_number(" 0012 ") == "0012"
