"""A problem on a project, and its closed loop: raised → escalated → answered → closed."""

from __future__ import annotations

from datetime import date, datetime

from domain.base import Aggregate, Stamp
from domain.errors import RuleViolated
from domain.person import check_reason
from domain.values import ProblemCategory, ProblemStatus as S, shanghai_date


class Problem(Aggregate):
    KIND = "problem"

    class Raised(Aggregate.Created):
        problem_id: str
        project: str
        unit: str
        title: str
        category: ProblemCategory
        due_on: date | None

        def apply(self, problem: Problem) -> None:
            problem.problem_id = self.problem_id
            problem.project = self.project
            problem.unit = self.unit
            problem.title = self.title
            problem.category = self.category
            problem.due_on = self.due_on
            problem.status = S.OPEN
            problem.raised_at = self.effective_at
            problem.closed_at = None

    class Escalated(Aggregate.Event):
        to: str
        note: str | None

        def apply(self, problem: Problem) -> None:
            problem.status = S.ESCALATED

    class Answered(Aggregate.Event):
        note: str

        def apply(self, problem: Problem) -> None:
            problem.status = S.ANSWERED

    class Closed(Aggregate.Event):
        note: str | None

        def apply(self, problem: Problem) -> None:
            problem.status = S.CLOSED
            problem.closed_at = self.effective_at

    class Reopened(Aggregate.Event):
        reason: str

        def apply(self, problem: Problem) -> None:
            problem.status = S.OPEN
            problem.closed_at = None

    @classmethod
    def raise_on(cls, stamp: Stamp, problem_id: str, project: str, unit: str, title: str,
                 category: ProblemCategory, due_on: date | None) -> Problem:
        if not title.strip():
            raise RuleViolated("a problem needs a title (give --title)")
        if due_on is not None and due_on < shanghai_date(stamp.effective_at):
            raise RuleViolated(f"the due date {due_on} is already past")
        return cls._start(problem_id, cls.Raised, stamp, problem_id=problem_id, project=project, unit=unit,
                          title=title.strip(), category=category, due_on=due_on)

    def escalate(self, stamp: Stamp, to: str, note: str | None) -> None:
        self._check_status("escalated", S.OPEN, S.ESCALATED)
        if not to.strip():
            raise RuleViolated("say to whom the problem goes (give --to)")
        self._record(self.Escalated, stamp, to=to.strip(), note=note or None)

    def answer(self, stamp: Stamp, note: str) -> None:
        self._check_status("answered", S.OPEN, S.ESCALATED)
        if not note.strip():
            raise RuleViolated("an answer needs a note of what was fed back to the investor (give --note)")
        self._record(self.Answered, stamp, note=note.strip())

    def close(self, stamp: Stamp, note: str | None) -> None:
        self._check_status("closed", S.ANSWERED)
        self._record(self.Closed, stamp, note=note or None)

    def reopen(self, stamp: Stamp, reason: str) -> None:
        self._check_status("reopened", S.CLOSED)
        self._record(self.Reopened, stamp, reason=check_reason(reason))

    def is_past_due(self, moment: datetime) -> bool:
        return self.status != S.CLOSED and self.due_on is not None and shanghai_date(moment) > self.due_on

    def _check_status(self, verb: str, *allowed: S) -> None:
        if self.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise RuleViolated(
                f"problem {self.problem_id} is {self.status.value}; it can be {verb} only when {wanted}"
            )
