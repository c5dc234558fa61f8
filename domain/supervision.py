"""A supervision notice (督办) and its closed loop: opened by the office on a project, a problem or a
report, answered by the subject's unit, then closed by the office, or reopened when the answer does
not do (docs/domain.md rule 24)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from domain.base import Aggregate, Stamp
from domain.errors import RuleViolated
from domain.person import check_reason
from domain.values import Labelled, shanghai_date


class SupervisionStatus(Labelled):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class SubjectKind(Labelled):
    PROJECT = "project", "项目"
    PROBLEM = "problem", "问题"
    REPORT = "report", "报告"


S = SupervisionStatus


class Supervision(Aggregate):
    KIND = "supervision"

    class Opened(Aggregate.Created):
        supervision_id: str
        subject_kind: SubjectKind
        subject: str
        unit: str
        due_on: date
        note: str

        def apply(self, supervision: Supervision) -> None:
            supervision.supervision_id = self.supervision_id
            supervision.subject_kind = self.subject_kind
            supervision.subject = self.subject
            supervision.unit = self.unit
            supervision.due_on = self.due_on
            supervision.note = self.note
            supervision.status = S.OPEN

    class Answered(Aggregate.Event):
        note: str

        def apply(self, supervision: Supervision) -> None:
            supervision.status = S.ANSWERED

    class Closed(Aggregate.Event):
        note: str | None

        def apply(self, supervision: Supervision) -> None:
            supervision.status = S.CLOSED

    class Reopened(Aggregate.Event):
        reason: str

        def apply(self, supervision: Supervision) -> None:
            supervision.status = S.OPEN

    @classmethod
    def open(cls, stamp: Stamp, supervision_id: str, subject_kind: SubjectKind, subject: str, unit: str,
             due_on: date, note: str) -> Supervision:
        if due_on < shanghai_date(stamp.effective_at):
            raise RuleViolated(f"the due date {due_on} is already past; a 督办 gives the unit time to act")
        if not note.strip():
            raise RuleViolated("a 督办 says what the unit must do (give --note)")
        return cls._start(supervision_id, cls.Opened, stamp, supervision_id=supervision_id,
                          subject_kind=subject_kind, subject=subject, unit=unit, due_on=due_on, note=note.strip())

    def answer(self, stamp: Stamp, note: str) -> None:
        self._check_status("answered", S.OPEN)
        if not note.strip():
            raise RuleViolated("an answer says what the unit did (give --note)")
        self._record(self.Answered, stamp, note=note.strip())

    def close(self, stamp: Stamp, note: str | None) -> None:
        self._check_status("closed", S.ANSWERED)
        self._record(self.Closed, stamp, note=(note or "").strip() or None)

    def reopen(self, stamp: Stamp, reason: str) -> None:
        self._check_status("reopened", S.ANSWERED, S.CLOSED)
        self._record(self.Reopened, stamp, reason=check_reason(reason))

    def is_past_due(self, moment: datetime) -> bool:
        """Still waiting for the unit (open) after its due day, Shanghai time."""
        return self.status is S.OPEN and shanghai_date(moment) > self.due_on

    def _check_status(self, verb: str, *allowed: S) -> None:
        if self.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise RuleViolated(f"督办 {self.supervision_id} is {self.status.value}; it can be {verb} only when {wanted}")


def subject_kind_of(subject: str) -> SubjectKind:
    """Which kind of thing an id names: a report id has two slashes (HW/project_status/2021-09), a
    problem id ends in /P and a number (HW-2021-001/P1), anything else is a project number."""
    if subject.count("/") == 2:
        return SubjectKind.REPORT
    head, sep, tail = subject.rpartition("/P")
    if sep and head and tail.isdigit():
        return SubjectKind.PROBLEM
    return SubjectKind.PROJECT


def next_supervision_id(year: int, existing: Iterable[str]) -> str:
    """督办 are numbered within the Shanghai year they are opened in: DB-2021-001, DB-2021-002, ..."""
    prefix = f"DB-{year}-"
    return f"{prefix}{sum(1 for i in existing if i.startswith(prefix)) + 1:03d}"
