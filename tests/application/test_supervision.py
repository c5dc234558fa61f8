"""督办 through the Ledger, on SQLite and PostgreSQL: the office presses a unit, the unit answers, the
office closes or reopens; the read side lists them by unit and status and marks what is past due."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import NotFound, NotPermitted, RuleViolated
from domain.values import ProblemCategory
from projections.queries import Queries

OFFICE, LIAISON, PRINCIPAL, GY_LIAISON, STAFF = "许办公", "孙联络", "赵处长", "周联络", "李科员"


def test_a_supervision_on_a_project_goes_round_its_loop(commission, clock):
    supervision_id = commission.open_supervision(OFFICE, "HW-2021-001", date(2021, 9, 10), "请说明项目推进计划")
    assert supervision_id == "DB-2021-001"
    commission.answer_supervision(LIAISON, supervision_id, "已报送推进计划")
    commission.close_supervision(OFFICE, supervision_id)
    rows = Queries(commission).supervisions()
    assert [(r["id"], r["subject_kind"], r["unit"], r["status"], r["answered_by"], r["closed_by"]) for r in rows] == [
        ("DB-2021-001", "project", "HW", "closed", LIAISON, OFFICE)]


def test_supervisions_of_problems_and_reports_name_the_subjects_unit(commission, clock):
    problem = commission.raise_problem(LIAISON, "HW-2021-001", "用地指标不足", ProblemCategory.LAND)
    clock.set(clock.now.replace(month=10, day=6))
    report = commission.draft_report(LIAISON, "HW", "project_status", "2021-09")
    first = commission.open_supervision(OFFICE, problem, date(2021, 10, 20), "请加快协调")
    second = commission.open_supervision(OFFICE, report, date(2021, 10, 8), "请尽快审定报送")
    rows = {r["id"]: r for r in Queries(commission).supervisions(unit="HW")}
    assert (rows[first]["subject_kind"], rows[first]["subject"]) == ("problem", problem)
    assert (rows[second]["subject_kind"], rows[second]["subject"]) == ("report", report)
    assert second == "DB-2021-002"


def test_only_the_office_opens_closes_and_reopens(commission):
    for actor in (LIAISON, PRINCIPAL, "管理员"):
        with pytest.raises(NotPermitted, match="only the office"):
            commission.open_supervision(actor, "HW-2021-001", date(2021, 9, 30), "x")
    supervision_id = commission.open_supervision(OFFICE, "HW-2021-001", date(2021, 9, 30), "请说明")
    commission.answer_supervision(PRINCIPAL, supervision_id, "已说明")
    with pytest.raises(NotPermitted, match="only the office"):
        commission.close_supervision(LIAISON, supervision_id)
    with pytest.raises(NotPermitted, match="only the office"):
        commission.reopen_supervision(LIAISON, supervision_id, "不满意")


def test_only_the_subjects_own_unit_answers(commission):
    supervision_id = commission.open_supervision(OFFICE, "HW-2021-001", date(2021, 9, 30), "请说明")
    with pytest.raises(NotPermitted, match="principal, leader or liaison"):
        commission.answer_supervision(GY_LIAISON, supervision_id, "代为答复")
    with pytest.raises(NotPermitted, match="principal, leader or liaison"):
        commission.answer_supervision(STAFF, supervision_id, "已说明")
    with pytest.raises(NotPermitted):
        commission.answer_supervision(OFFICE, supervision_id, "已说明")


def test_a_refused_step_records_nothing(commission):
    before = commission.recorder.max_notification_id()
    with pytest.raises(NotFound, match="no project"):
        commission.open_supervision(OFFICE, "HW-2099-404", date(2021, 9, 30), "请说明")
    with pytest.raises(RuleViolated, match="already past"):
        commission.open_supervision(OFFICE, "HW-2021-001", date(2021, 8, 31), "请说明")
    with pytest.raises(NotFound, match="DB-2021-001"):
        commission.answer_supervision(LIAISON, "DB-2021-009", "x")
    assert commission.recorder.max_notification_id() == before


def test_past_due_marks_an_unanswered_supervision_after_its_due_day(commission, clock):
    supervision_id = commission.open_supervision(OFFICE, "HW-2021-001", date(2021, 9, 2), "请说明")
    assert Queries(commission).supervisions()[0]["past_due"] is False
    clock.set(clock.now.replace(day=2, hour=15, minute=59))  # 23:59 in Shanghai on the due day
    assert Queries(commission).supervisions()[0]["past_due"] is False
    clock.set(clock.now.replace(hour=16, minute=0))  # 00:00 the day after, Shanghai
    assert Queries(commission).supervisions(status="open")[0]["past_due"] is True
    commission.answer_supervision(LIAISON, supervision_id, "已说明")
    assert Queries(commission).supervisions()[0]["past_due"] is False
