"""A 督办's closed loop on its own: opened → answered → closed, reopened when the answer does not do."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.base import Stamp
from domain.errors import RuleViolated
from domain.supervision import (
    SubjectKind, Supervision, SupervisionStatus as S, next_supervision_id, subject_kind_of,
)
from domain.values import UTC

NOW = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def stamp(at: datetime = NOW) -> Stamp:
    return Stamp(actor="许办公", actor_role="office", os_user="tester", host="test-host", recorded_at=at,
                 effective_at=at)


def opened(due_on: date = date(2021, 10, 31)) -> Supervision:
    supervision = Supervision.open(stamp(), "DB-2021-001", SubjectKind.PROJECT, "HW-2021-001", "HW", due_on,
                                   " 请说明签约后推进缓慢的原因 ")
    supervision.collect_events()
    return supervision


def test_an_opened_supervision_waits_for_its_unit():
    supervision = opened()
    assert (supervision.status, supervision.unit, supervision.note) == (S.OPEN, "HW", "请说明签约后推进缓慢的原因")


def test_the_loop_closes_only_after_an_answer():
    supervision = opened()
    with pytest.raises(RuleViolated, match="closed only when answered"):
        supervision.close(stamp(), None)
    supervision.answer(stamp(), "已协调用地，11月底开工")
    supervision.close(stamp(), "答复属实")
    assert supervision.status is S.CLOSED


def test_an_answer_that_does_not_do_is_reopened_with_a_reason_and_answered_again():
    supervision = opened()
    supervision.answer(stamp(), "正在推进")
    with pytest.raises(RuleViolated, match="reason"):
        supervision.reopen(stamp(), "  ")
    supervision.reopen(stamp(), "答复未说明开工时间")
    assert supervision.status is S.OPEN
    supervision.answer(stamp(), "定于11月28日开工")
    assert supervision.status is S.ANSWERED


@pytest.mark.parametrize("due_on, message", [(date(2021, 10, 19), "already past")])
def test_a_due_date_in_the_past_or_an_empty_note_is_refused(due_on, message):
    with pytest.raises(RuleViolated, match=message):
        opened(due_on)
    with pytest.raises(RuleViolated, match="--note"):
        Supervision.open(stamp(), "DB-2021-001", SubjectKind.PROJECT, "X", "HW", date(2021, 10, 31), " ")


def test_an_empty_answer_and_a_second_answer_are_refused():
    supervision = opened()
    with pytest.raises(RuleViolated, match="--note"):
        supervision.answer(stamp(), "")
    supervision.answer(stamp(), "已办")
    with pytest.raises(RuleViolated, match="answered only when open"):
        supervision.answer(stamp(), "再次答复")


def test_past_due_counts_shanghai_days_and_only_while_unanswered():
    supervision = opened(date(2021, 10, 31))
    assert not supervision.is_past_due(datetime(2021, 10, 31, 15, 59, 59, tzinfo=UTC))  # 23:59:59 Shanghai
    assert supervision.is_past_due(datetime(2021, 10, 31, 16, 0, 0, tzinfo=UTC))  # 11-01 00:00 Shanghai
    supervision.answer(stamp(), "已办")
    assert not supervision.is_past_due(datetime(2021, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize("subject, kind", [
    ("HW-2021-001", SubjectKind.PROJECT), ("HW-2021-001/P3", SubjectKind.PROBLEM),
    ("HW/project_status/2021-09", SubjectKind.REPORT), ("HW-2021-001/Px", SubjectKind.PROJECT),
])
def test_the_subject_kind_follows_the_shape_of_its_id(subject, kind):
    assert subject_kind_of(subject) is kind


def test_ids_are_numbered_within_the_year():
    assert next_supervision_id(2021, []) == "DB-2021-001"
    assert next_supervision_id(2022, ["DB-2021-001", "DB-2021-002", "DB-2022-001"]) == "DB-2022-002"
