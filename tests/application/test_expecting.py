"""Optimistic concurrency over a page's life (`Ledger.expecting`): a command made against the version a
person saw is refused once someone else has changed the aggregate, and records nothing."""

from __future__ import annotations

import pytest

from domain.errors import Stale
from domain.problem import Problem
from domain.project import Project
from domain.values import ProblemCategory


def _events(ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_a_note_against_the_version_seen_is_recorded(commission):
    seen = commission.project("HW-2021-001").version
    with commission.expecting(Project, "HW-2021-001", seen):
        commission.note_progress("孙联络", "HW-2021-001", "完成选址踏勘")
    assert commission.project("HW-2021-001").version == seen + 1


def test_a_note_against_a_version_someone_else_moved_on_is_refused_and_records_nothing(commission):
    seen = commission.project("HW-2021-001").version
    commission.note_progress("赵处长", "HW-2021-001", "处长先记了一条")
    before = _events(commission)
    with pytest.raises(Stale, match=r"someone else changed HW-2021-001 .*version 1, it is now at version 2"):
        with commission.expecting(Project, "HW-2021-001", seen):
            commission.note_progress("孙联络", "HW-2021-001", "完成选址踏勘")
    assert _events(commission) == before


def test_raising_a_problem_checks_the_projects_version_and_answering_the_problems(commission):
    seen = commission.project("HW-2021-001").version
    problem_id = commission.raise_problem("孙联络", "HW-2021-001", "用地", ProblemCategory.LAND)
    with pytest.raises(Stale):
        with commission.expecting(Project, "HW-2021-001", seen):
            commission.raise_problem("孙联络", "HW-2021-001", "资金", ProblemCategory.FUNDING)
    problem_version = commission.problem(problem_id).version
    with commission.expecting(Problem, problem_id, problem_version):
        commission.answer_problem("孙联络", problem_id, "已协调")
    with pytest.raises(Stale):
        with commission.expecting(Problem, problem_id, problem_version):
            commission.close_problem("许办公", problem_id)


def test_outside_the_block_nothing_is_expected(commission):
    with commission.expecting(Project, "HW-2021-001", 99):
        pass
    commission.note_progress("孙联络", "HW-2021-001", "照常记录")
