"""No lock-out and no ghost units (issue 9, item 5), told through the Ledger on SQLite and PostgreSQL.

The `commission` fixture: admin 管理员, office 许办公; unit HW with principal 赵处长, leader 钱副处,
liaison 孙联络 and staff 李科员; unit GY with liaison 周联络; project HW-2021-001 of HW."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotPermitted, RuleViolated
from domain.values import ProblemCategory, Rating, Role, ServiceKind, Stage
from tests.application.test_reporting import approved, draft
from tests.application.test_stories import P, refused

LAST_ADMIN = "管理员 is the last active admin; appoint another admin first"
WITHDRAWN = "unit HW withdrew on 2021-09-05, so its people no longer record anything for it"


def test_the_only_admin_cannot_demote_themself(commission):
    refused(commission, RuleViolated, LAST_ADMIN,
            lambda: commission.update_person("管理员", "管理员", role=Role.STAFF, unit="HW"))
    refused(commission, RuleViolated, LAST_ADMIN,
            lambda: commission.update_person("管理员", "管理员", role=Role.OFFICE))
    assert commission.person("管理员").role is Role.ADMIN


def test_an_admin_may_step_down_once_another_admin_is_active(commission):
    commission.add_person("管理员", "第二管理", Role.ADMIN)
    commission.update_person("管理员", "管理员", role=Role.OFFICE)
    assert commission.person("管理员").role is Role.OFFICE
    refused(commission, RuleViolated, "第二管理 is the last active admin",
            lambda: commission.update_person("第二管理", "第二管理", role=Role.OFFICE))


def test_a_removed_admin_does_not_count_as_the_admin_that_remains(commission):
    commission.add_person("管理员", "第二管理", Role.ADMIN)
    commission.add_person("管理员", "第三管理", Role.ADMIN)
    commission.remove_person("管理员", "第三管理", "调离")
    commission.update_person("第二管理", "管理员", role=Role.OFFICE)
    refused(commission, RuleViolated, "第二管理 is the last active admin",
            lambda: commission.update_person("第二管理", "第二管理", role=Role.OFFICE))
    refused(commission, RuleViolated, "yourself", lambda: commission.remove_person("第二管理", "第二管理", "退休"))


def test_an_admin_keeping_the_admin_role_may_change_their_phone(commission):
    commission.update_person("管理员", "管理员", role=Role.ADMIN, phone="022-1234")
    assert commission.person("管理员").phone == "022-1234"


@pytest.fixture
def withdrawn(commission, clock):
    """HW withdraws on 2021-09-05 (recorded on 2021-09-01); a problem was raised before."""
    problem_id = commission.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND, date(2021, 9, 30))
    commission.withdraw_unit("管理员", "HW", date(2021, 9, 5), "机构改革")
    return problem_id


WRITES = {
    "note": lambda l, a, q: l.note_progress(a, P, "继续洽谈"),
    "advance": lambda l, a, q: l.advance_project(a, P, Stage.NEGOTIATING),
    "raise": lambda l, a, q: l.raise_problem(a, P, "资金不足", ProblemCategory.FUNDING),
    "escalate": lambda l, a, q: l.escalate_problem(a, q, "规划计划处"),
    "answer": lambda l, a, q: l.answer_problem(a, q, "已答复"),
    "service": lambda l, a, q: l.add_service(a, P, ServiceKind.POLICY, date(2021, 9, 4), "上门服务"),
    "suspend": lambda l, a, q: l.suspend_project(a, P, "暂停"),
    "update": lambda l, a, q: l.update_project(a, P, investor="新投资方"),
}


@pytest.mark.parametrize("command", sorted(WRITES))
def test_a_withdrawn_units_people_write_until_its_withdrawal_date_and_not_after(commission, clock, withdrawn,
                                                                               command):
    clock.set(clock.now.replace(day=5))  # the withdrawal date itself: still theirs
    WRITES[command](commission, "孙联络", withdrawn)
    clock.set(clock.now.replace(day=6))
    refused(commission, NotPermitted, WITHDRAWN, lambda: WRITES[command](commission, "李科员", withdrawn))


def test_a_withdrawn_unit_cannot_report_after_its_withdrawal_date(commission, clock, withdrawn):
    clock.set(clock.now.replace(day=6))
    refused(commission, NotPermitted, WITHDRAWN, lambda: draft(commission))


def test_a_report_approved_before_the_withdrawal_cannot_be_sent_after_it(commission, clock, withdrawn):
    report_id = approved(commission)
    clock.set(clock.now.replace(day=6))
    refused(commission, NotPermitted, WITHDRAWN, lambda: commission.send_report("孙联络", report_id, sealed=True))


def test_the_office_still_corrects_closes_and_reviews_after_the_withdrawal(commission, clock, withdrawn):
    commission.escalate_problem("孙联络", withdrawn, "规划计划处")
    commission.answer_problem("孙联络", withdrawn, "已协调")
    clock.set(clock.now.replace(day=20))
    commission.correct_stage("许办公", P, Stage.NEGOTIATING, "按纸质台账更正")
    commission.close_problem("许办公", withdrawn, "单位已撤出")
    commission.promote_project("许办公", P, "列为重点项目")
    commission.evaluate_project("许办公", P, "2021-08", Rating.B)
    commission.note_progress("许办公", P, "单位撤出，项目移交")
    assert commission.project(P).stage is Stage.NEGOTIATING


def test_reading_a_withdrawn_units_records_is_unaffected(commission, clock, withdrawn):
    clock.set(clock.now.replace(day=20))
    assert commission.acting("孙联络").name == "孙联络"  # a typed --as still opens the ledger for reads
    assert commission.project(P).unit == "HW"
    assert commission.unit("HW").withdrawn_on == date(2021, 9, 5)


def test_other_units_are_not_affected_by_hws_withdrawal(commission, clock, withdrawn):
    clock.set(clock.now.replace(day=20))
    from tests.application.test_stories import add_gy_project

    add_gy_project(commission)
    commission.note_progress("周联络", "GY-2021-001", "推进中")
