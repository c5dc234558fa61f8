"""A problem's closed loop: raised → escalated → answered (fed back) → closed, and reopened."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.base import Stamp
from domain.errors import RuleViolated
from domain.problem import Problem
from domain.values import UTC, ProblemCategory, ProblemStatus
from tests.support import only_event, refused_unchanged as refused

NOW = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)
PID = "HW-2021-001/P1"


def stamp(at: datetime = NOW, effective: datetime | None = None) -> Stamp:
    return Stamp(actor="许办公", actor_role="office", os_user="tester", host="test-host",
                 recorded_at=at, effective_at=effective or at)


def raised(due_on: date | None = date(2021, 9, 30)) -> Problem:
    problem = Problem.raise_on(stamp(), PID, "HW-2021-001", "HW", "  用地指标不足 ", ProblemCategory.LAND, due_on)
    problem.collect_events()
    return problem


def escalated() -> Problem:
    problem = raised()
    problem.escalate(stamp(), "规划计划处", None)
    problem.collect_events()
    return problem


def answered() -> Problem:
    problem = escalated()
    problem.answer(stamp(), "已协调规划资源局，反馈投资方")
    problem.collect_events()
    return problem


def closed() -> Problem:
    problem = answered()
    problem.close(stamp(), None)
    problem.collect_events()
    return problem


STATES = {"open": raised, "escalated": escalated, "answered": answered, "closed": closed}


# -- raising ---------------------------------------------------------------------------------------


def test_a_raised_problem_is_open_with_its_project_unit_and_due_date():
    problem = raised()
    assert (problem.problem_id, problem.project, problem.unit) == (PID, "HW-2021-001", "HW")
    assert problem.title == "用地指标不足"
    assert problem.category == ProblemCategory.LAND
    assert problem.due_on == date(2021, 9, 30)
    assert problem.status == ProblemStatus.OPEN
    assert problem.raised_at == NOW and problem.closed_at is None
    assert problem.id == Problem.id_for(PID)


def test_a_problem_raised_in_a_backfill_dates_from_its_effective_time():
    earlier = datetime(2021, 7, 1, 2, 0, tzinfo=UTC)
    problem = Problem.raise_on(stamp(NOW, effective=earlier), PID, "HW-2021-001", "HW", "用地", ProblemCategory.LAND,
                               None)
    assert problem.raised_at == earlier


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_problem_without_a_title_is_refused(blank):
    with pytest.raises(RuleViolated, match=r"a problem needs a title \(give --title\)"):
        Problem.raise_on(stamp(), PID, "HW-2021-001", "HW", blank, ProblemCategory.OTHER, None)


# -- escalation -------------------------------------------------------------------------------------


def test_an_open_problem_is_escalated_to_someone():
    problem = raised()
    problem.escalate(stamp(), "  规划计划处 ", "请协调用地")
    event = only_event(problem)
    assert isinstance(event, Problem.Escalated)
    assert (event.to, event.note) == ("规划计划处", "请协调用地")
    assert problem.status == ProblemStatus.ESCALATED


def test_an_escalated_problem_may_be_escalated_further():
    problem = escalated()
    problem.escalate(stamp(), "市规划资源局", "")
    assert only_event(problem).note is None
    assert problem.status == ProblemStatus.ESCALATED


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_escalation_must_say_to_whom(blank):
    problem = raised()
    refused(problem, RuleViolated, r"say to whom the problem goes \(give --to\)",
            lambda: problem.escalate(stamp(), blank, None))


@pytest.mark.parametrize("state", ["answered", "closed"])
def test_an_answered_or_closed_problem_is_not_escalated(state):
    problem = STATES[state]()
    refused(problem, RuleViolated, f"problem {PID} is {state}; it can be escalated only when open or escalated",
            lambda: problem.escalate(stamp(), "规划计划处", None))


# -- answering ---------------------------------------------------------------------------------------


def test_an_escalated_problem_is_answered_with_what_was_fed_back():
    problem = escalated()
    problem.answer(stamp(), "  已协调，反馈投资方 ")
    event = only_event(problem)
    assert isinstance(event, Problem.Answered) and event.note == "已协调，反馈投资方"
    assert problem.status == ProblemStatus.ANSWERED


def test_a_problem_may_be_answered_before_it_is_escalated():
    problem = raised()
    problem.answer(stamp(), "单位自行解决")
    assert problem.status == ProblemStatus.ANSWERED


@pytest.mark.parametrize("blank", ["", " \t "])
def test_an_answer_needs_a_note(blank):
    problem = escalated()
    refused(problem, RuleViolated, "an answer needs a note of what was fed back to the investor",
            lambda: problem.answer(stamp(), blank))


@pytest.mark.parametrize("state", ["answered", "closed"])
def test_an_answered_or_closed_problem_is_not_answered_again(state):
    problem = STATES[state]()
    refused(problem, RuleViolated, f"problem {PID} is {state}; it can be answered only when open or escalated",
            lambda: problem.answer(stamp(), "再答复"))


# -- closing (office) ----------------------------------------------------------------------------------


def test_an_answered_problem_is_closed_and_the_loop_is_done():
    problem = answered()
    later = NOW + timedelta(days=5)
    problem.close(stamp(later), "投资方确认")
    event = only_event(problem)
    assert isinstance(event, Problem.Closed) and event.note == "投资方确认"
    assert problem.status == ProblemStatus.CLOSED
    assert problem.closed_at == later


def test_a_closing_without_a_note_keeps_none():
    problem = answered()
    problem.close(stamp(), "")
    assert only_event(problem).note is None


@pytest.mark.parametrize("state", ["open", "escalated", "closed"])
def test_a_problem_is_closed_only_when_answered(state):
    problem = STATES[state]()
    refused(problem, RuleViolated, f"problem {PID} is {state}; it can be closed only when answered$",
            lambda: problem.close(stamp(), None))


# -- reopening (office) -------------------------------------------------------------------------------


def test_a_closed_problem_is_reopened_with_a_reason_and_goes_round_the_loop_again():
    problem = closed()
    problem.reopen(stamp(), "投资方再次反映")
    event = only_event(problem)
    assert isinstance(event, Problem.Reopened) and event.reason == "投资方再次反映"
    assert problem.status == ProblemStatus.OPEN and problem.closed_at is None
    problem.escalate(stamp(), "规划计划处", None)
    problem.answer(stamp(), "再次协调")
    problem.close(stamp(), None)
    assert problem.status == ProblemStatus.CLOSED


@pytest.mark.parametrize("state", ["open", "escalated", "answered"])
def test_a_problem_is_reopened_only_when_closed(state):
    problem = STATES[state]()
    refused(problem, RuleViolated, f"problem {PID} is {state}; it can be reopened only when closed",
            lambda: problem.reopen(stamp(), "重新打开"))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reopening_needs_a_reason(reason):
    problem = closed()
    refused(problem, RuleViolated, r"a reason is required \(give --reason\)", lambda: problem.reopen(stamp(), reason))


# -- due dates ------------------------------------------------------------------------------------------


def test_a_problem_is_past_due_only_after_its_due_day_ends_in_shanghai():
    problem = raised(due_on=date(2021, 9, 30))
    assert not problem.is_past_due(datetime(2021, 9, 30, 15, 59, tzinfo=UTC))  # 23:59 on the 30th in Shanghai
    assert problem.is_past_due(datetime(2021, 9, 30, 16, 1, tzinfo=UTC))  # 00:01 on 1 October in Shanghai


@pytest.mark.parametrize("state", ["open", "escalated", "answered"])
def test_an_unclosed_problem_past_its_due_day_is_past_due(state):
    assert STATES[state]().is_past_due(datetime(2021, 10, 8, tzinfo=UTC))


def test_a_closed_problem_is_never_past_due():
    assert not closed().is_past_due(datetime(2022, 1, 1, tzinfo=UTC))


def test_a_problem_without_a_due_date_is_never_past_due():
    assert not raised(due_on=None).is_past_due(datetime(2030, 1, 1, tzinfo=UTC))


def test_a_problem_due_before_today_in_shanghai_is_refused_and_today_is_allowed():
    with pytest.raises(RuleViolated, match="the due date 2021-08-31 is already past"):
        Problem.raise_on(stamp(), PID, "HW-2021-001", "HW", "用地", ProblemCategory.LAND, date(2021, 8, 31))
    assert Problem.raise_on(stamp(), PID, "HW-2021-001", "HW", "用地", ProblemCategory.LAND,
                            date(2021, 9, 1)).due_on == date(2021, 9, 1)
