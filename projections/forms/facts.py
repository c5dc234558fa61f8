"""The ledger as a form sees one period (docs/domain.md rule 7): the state at the period's end, and the
facts whose business dates lie in it, from everything the ledger knows when it fills — or, with
`known_at`, from what it knew at that moment (a unit's sending, for the office's consolidation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.application import Ledger
from domain.errors import RuleViolated
from domain.period import Cadence, Period
from domain.problem import Problem
from domain.project import Project, Service, progress_lines
from domain.project import stage_on as stage_at
from domain.values import (
    Library,
    ProblemStatus,
    ProjectStatus,
    Stage,
    end_of_day,
    shanghai_date,
    start_of_day,
)

@dataclass(frozen=True)
class PeriodFacts:
    ledger: Ledger
    period: Period
    today: date
    known_at: datetime | None = None  # None: everything recorded so far

    @classmethod
    def of(cls, ledger: Ledger, period: Period, known_at: datetime | None = None) -> PeriodFacts:
        today = shanghai_date(known_at or ledger.clock())
        if period.cadence is not Cadence.ONCE and period.first_day > today:
            raise RuleViolated(f"the period {period} has not begun (today is {today} in Shanghai)")
        return cls(ledger, period, today, known_at)

    def known(self, aggregate: Any) -> Any:
        """The aggregate as the ledger knew it (itself when nothing is left out); None if unknown then."""
        return aggregate if self.known_at is None else self.ledger.state_at(aggregate.id, None, self.known_at)

    def history(self, aggregate_id: Any) -> list[Any]:
        """The aggregate's events recorded by `known_at`."""
        return [e for e in self.ledger.history(aggregate_id) if self.known_at is None or e.timestamp <= self.known_at]

    @property
    def first_day(self) -> date:
        return self.today if self.period.cadence is Cadence.ONCE else self.period.first_day

    @property
    def last_day(self) -> date:
        return self.today if self.period.cadence is Cadence.ONCE else self.period.last_day

    @property
    def end(self) -> datetime:
        """The end of the period's last Shanghai day: `as_of` for the state at the period's end."""
        return end_of_day(self.last_day)

    @property
    def filled_on(self) -> date:
        """填报日期: today, or the period's last day when the period is over."""
        return min(self.today, self.last_day)

    def key_projects(self, unit: str) -> list[tuple[Project, Project]]:
        """(as known, at the period's end) of the unit's projects in the key library at the period's
        end, leaving out those terminated before the period began."""
        found = []
        for project in self.ledger.projects():
            if project.unit != unit:
                continue
            at_end = self.ledger.state_at(project.id, self.end, self.known_at)
            if at_end is None or at_end.library != Library.KEY:
                continue
            before = self.ledger.state_at(project.id, start_of_day(self.first_day), self.known_at)
            if before is not None and before.status == ProjectStatus.TERMINATED:
                continue
            found.append((self.known(project), at_end))
        return found

    def stage_label(self, project: Project, at_end: Project) -> str:
        stage = stage_on(self.ledger, project, self.last_day, self.known_at)
        if at_end.status != ProjectStatus.ACTIVE:
            return f"{stage.label}（{at_end.status.label}）"
        return stage.label

    def progress(self, project: Project) -> str:
        return progress_text(self.history(project.id), self.first_day, self.last_day)

    def problems(self, at_end: Project) -> list[tuple[Problem, list[Any]]]:
        """The project's problems open during the period or closed in it, with their events by its end."""
        found = []
        for problem_id in at_end.problems:
            current = self.ledger.problem(problem_id)
            state = self.ledger.state_at(current.id, self.end, self.known_at)
            if state is None:
                continue
            if state.status == ProblemStatus.CLOSED and shanghai_date(state.closed_at) < self.first_day:
                continue
            events = [e for e in self.history(current.id) if e.effective_at <= self.end]
            found.append((state, events))
        return found

    def services(self, project: Project) -> list[Service]:
        return [s for s in project.services if not s.voided and self.first_day <= s.on <= self.last_day]


def stage_on(ledger: Ledger, project: Project, day: date, known_at: datetime | None = None) -> Stage:
    """The stage a project stood at on a day (domain.project.stage_on), from what the ledger knows by `known_at`."""
    return stage_at(ledger.history(project.id), day, known_at)


def progress_text(events: list[Any], first: date, last: date) -> str:
    """本月进展情况: one line per entry, each with its date (`2021-09-15 进入在谈：首轮商务洽谈`)."""
    return "\n".join(progress_lines(events, first, last))


def open_problem_titles(ledger: Ledger, at_end: Project, end: datetime, known_at: datetime | None = None) -> str:
    """存在问题: the titles of the problems not closed at the period's end."""
    titles = []
    for problem_id in at_end.problems:
        state = ledger.state_at(ledger.problem(problem_id).id, end, known_at)
        if state is not None and state.status != ProblemStatus.CLOSED:
            titles.append(state.title)
    return "\n".join(titles)
