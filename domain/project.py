"""A project: graded, classed and staged (分级分类分环节); its notes, services and evaluations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.base import Aggregate, Immutable, Stamp
from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.period import Cadence, Period
from domain.person import check_reason
from domain.text import NAME_LIMIT, clean_line
from domain.values import (
    Level, Library, ProjectStatus, Rating, Sector, ServiceKind, Stage, parse_wan, shanghai_date,
)

EDITABLE = ("name", "investor", "investment", "level", "responsible_person", "responsible_department", "liaison")


class Service(Immutable):
    id: str
    kind: ServiceKind
    on: date
    note: str
    amount: Decimal | None
    voided: bool = False
    void_reason: str | None = None


class Evaluation(Immutable):
    period: str
    rating: Rating
    comment: str | None


class Project(Aggregate):
    KIND = "project"

    class Registered(Aggregate.Created):
        number: str
        name: str
        unit: str
        sector: Sector
        level: Level
        investor: str
        investment: Decimal
        responsible_person: str | None
        responsible_department: str | None
        liaison: str | None

        def apply(self, project: Project) -> None:
            for field in ("number", "name", "unit", "sector", "level", "investor", "investment",
                          "responsible_person", "responsible_department", "liaison"):
                setattr(project, field, getattr(self, field))
            project.library = Library.RESERVE
            project.stage = Stage.LEAD
            project.stage_on = None
            project.status = ProjectStatus.ACTIVE
            project.notes = ()
            project.services = ()
            project.problems = ()
            project.evaluations = ()
            project.plans = {}

    class Updated(Aggregate.Event):
        name: str | None = None
        investor: str | None = None
        investment: Decimal | None = None
        level: Level | None = None
        responsible_person: str | None = None
        responsible_department: str | None = None
        liaison: str | None = None

        def apply(self, project: Project) -> None:
            for field, value in self.model_dump(include=set(EDITABLE), exclude_none=True).items():
                setattr(project, field, getattr(self, field))

        def details(self) -> dict[str, Any]:
            return self.model_dump(mode="json", include=set(EDITABLE), exclude_none=True)

    class StageAdvanced(Aggregate.Event):
        stage: Stage
        on: date
        note: str | None

        def apply(self, project: Project) -> None:
            project.stage = self.stage
            project.stage_on = self.on

    class StageCorrected(Aggregate.Event):
        stage: Stage
        on: date
        reason: str

        def apply(self, project: Project) -> None:
            project.stage = self.stage
            project.stage_on = self.on

    class ProgressNoted(Aggregate.Event):
        on: date
        text: str

        def apply(self, project: Project) -> None:
            project.notes = project.notes + ((self.on, self.text),)

    class Suspended(Aggregate.Event):
        reason: str

        def apply(self, project: Project) -> None:
            project.status = ProjectStatus.SUSPENDED

    class Resumed(Aggregate.Event):
        reason: str

        def apply(self, project: Project) -> None:
            project.status = ProjectStatus.ACTIVE

    class Terminated(Aggregate.Event):
        reason: str

        def apply(self, project: Project) -> None:
            project.status = ProjectStatus.TERMINATED

    class Promoted(Aggregate.Event):
        reason: str

        def apply(self, project: Project) -> None:
            project.library = Library.KEY

    class Demoted(Aggregate.Event):
        reason: str

        def apply(self, project: Project) -> None:
            project.library = Library.RESERVE

    class Evaluated(Aggregate.Event):
        period: str
        rating: Rating
        comment: str | None

        def apply(self, project: Project) -> None:
            project.evaluations = project.evaluations + (
                Evaluation(period=self.period, rating=self.rating, comment=self.comment),
            )

    class ServiceRecorded(Aggregate.Event):
        service_id: str
        kind: ServiceKind
        on: date
        note: str
        amount: Decimal | None

        def apply(self, project: Project) -> None:
            project.services = project.services + (
                Service(id=self.service_id, kind=self.kind, on=self.on, note=self.note, amount=self.amount),
            )

    class ServiceVoided(Aggregate.Event):
        service_id: str
        reason: str

        def apply(self, project: Project) -> None:
            project.services = tuple(
                s.model_copy(update={"voided": True, "void_reason": self.reason}) if s.id == self.service_id else s
                for s in project.services
            )

    class Planned(Aggregate.Event):
        """The date by which the project should reach a later stage; a red lamp once it is past."""

        stage: Stage
        by: date

        def apply(self, project: Project) -> None:
            project.plans = {**project.plans, self.stage: self.by}

    class ProblemRegistered(Aggregate.Event):
        problem_id: str
        title: str

        def apply(self, project: Project) -> None:
            project.problems = project.problems + (self.problem_id,)

    @staticmethod
    def check_number(number: str) -> str:
        """docs/domain.md rule 22: a project number (项目编号, the project's key) is non-empty, without
        spaces or '/' (a problem's and a service's ids append `/P1`, `/S1` to it)."""
        number = clean_line(number, "project number", NAME_LIMIT, field="number")
        if not number or "/" in number or any(c.isspace() for c in number):
            raise RuleViolated(f"project number {number!r} must be non-empty, without spaces or '/'")
        return number

    @classmethod
    def register(cls, stamp: Stamp, number: str, **fields: Any) -> Project:
        number = cls.check_number(number)
        if not fields["name"].strip():
            raise RuleViolated("a project needs a name (give --name)")
        if not fields["investor"].strip():
            raise RuleViolated("a project needs an investor (give --investor)")
        fields["investment"] = parse_wan(fields["investment"])
        return cls._start(number, cls.Registered, stamp, number=number, **fields)

    def update(self, stamp: Stamp, **changes: Any) -> None:
        self.check_open()
        for field in ("name", "investor"):
            if changes.get(field) is not None and not changes[field].strip():
                raise RuleViolated(f"a project's {field} cannot be blank")
        if changes.get("investment") is not None:
            changes["investment"] = parse_wan(changes["investment"])
        changed = {k: v for k, v in changes.items() if v is not None and getattr(self, k) != v}
        if not changed:
            raise RuleViolated(f"nothing to change for project {self.number}: give at least one new value")
        self._record(self.Updated, stamp, **changed)

    def advance(self, stamp: Stamp, to: Stage, on: date | None, note: str | None) -> None:
        self.check_active()
        if to.rank <= self.stage.rank:
            raise RuleViolated(
                f"project {self.number} is at {self.stage.value}; a stage moves forward only "
                f"(to go back, the office corrects it with `zs project correct`)"
            )
        on = self._check_business_date(stamp, on)
        # The first move may predate registration: units enter projects already under way.
        if self.stage_on is not None and on < self.stage_on:
            raise RuleViolated(f"{on} is before the previous stage's date {self.stage_on} ({self.stage.value})")
        self._record(self.StageAdvanced, stamp, stage=to, on=on, note=note or None)

    def correct_stage(self, stamp: Stamp, to: Stage, on: date | None, reason: str) -> None:
        self.check_open()
        on = self._check_business_date(stamp, on)
        if to == self.stage and on == self.stage_on:
            raise RuleViolated(f"project {self.number} is already at {to.value} since {on}")
        self._record(self.StageCorrected, stamp, stage=to, on=on, reason=check_reason(reason))

    def note(self, stamp: Stamp, text: str, on: date | None) -> None:
        self.check_open()
        if not text.strip():
            raise RuleViolated("a progress note needs text (give --text)")
        self._record(self.ProgressNoted, stamp, on=self._check_business_date(stamp, on), text=text.strip())

    def plan(self, stamp: Stamp, stage: Stage, by: date) -> None:
        """Plan when the project reaches a later stage (docs/domain.md rule 17: past it, the lamp is red)."""
        self.check_active()
        if stage.rank <= self.stage.rank:
            raise RuleViolated(f"project {self.number} is already at {self.stage.value}; "
                               f"plan a later stage than that")
        today = shanghai_date(stamp.effective_at)
        if by < today:
            raise RuleViolated(f"the planned date {by} is already past (today is {today} in Shanghai); "
                               "a plan looks ahead")
        if self.plans.get(stage) == by:
            raise RuleViolated(f"project {self.number} is already planned to reach {stage.value} by {by}")
        self._record(self.Planned, stamp, stage=stage, by=by)

    def suspend(self, stamp: Stamp, reason: str) -> None:
        self.check_active()
        self._record(self.Suspended, stamp, reason=check_reason(reason))

    def resume(self, stamp: Stamp, reason: str) -> None:
        if self.status != ProjectStatus.SUSPENDED:
            raise RuleViolated(f"project {self.number} is {self.status.value}, not suspended")
        self._record(self.Resumed, stamp, reason=check_reason(reason))

    def terminate(self, stamp: Stamp, reason: str) -> None:
        self.check_open()
        self._record(self.Terminated, stamp, reason=check_reason(reason))

    def promote(self, stamp: Stamp, reason: str) -> None:
        self.check_open()
        if self.library == Library.KEY:
            raise RuleViolated(f"project {self.number} is already in the key library")
        self._record(self.Promoted, stamp, reason=check_reason(reason))

    def demote(self, stamp: Stamp, reason: str) -> None:
        if self.library != Library.KEY:
            raise RuleViolated(f"project {self.number} is not in the key library")
        self._record(self.Demoted, stamp, reason=check_reason(reason))

    def evaluate(self, stamp: Stamp, period: str, rating: Rating, comment: str | None) -> None:
        parsed = Period.parse(period)
        if parsed.cadence is Cadence.ONCE:
            raise InvalidValue("an evaluation is for a month, a quarter or a year (e.g. 2021-Q4)", "period")
        if parsed.first_day > shanghai_date(stamp.effective_at):
            raise InvalidValue(f"period {parsed} has not begun; a project is evaluated for a period that has",
                               "period")
        period = str(parsed)
        if self.library != Library.KEY:
            raise RuleViolated(f"project {self.number} is not a key project; only key projects are evaluated")
        self._record(self.Evaluated, stamp, period=period, rating=rating, comment=comment or None)

    def record_service(self, stamp: Stamp, kind: ServiceKind, on: date, note: str,
                       amount: Decimal | None) -> str:
        self.check_open()
        if not note.strip():
            raise RuleViolated("a service needs a note saying what was done (give --note)")
        service_id = f"{self.number}/S{len(self.services) + 1}"
        self._record(self.ServiceRecorded, stamp, service_id=service_id, kind=kind,
                     on=self._check_business_date(stamp, on), note=note.strip(),
                     amount=None if amount is None else parse_wan(amount))
        return service_id

    def void_service(self, stamp: Stamp, service_id: str, reason: str) -> None:
        service = self.service(service_id)
        if service.voided:
            raise RuleViolated(f"service {service_id} was already voided")
        self._record(self.ServiceVoided, stamp, service_id=service_id, reason=check_reason(reason))

    def register_problem(self, stamp: Stamp, title: str) -> str:
        self.check_open()
        problem_id = f"{self.number}/P{len(self.problems) + 1}"
        self._record(self.ProblemRegistered, stamp, problem_id=problem_id, title=title)
        return problem_id

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise NotFound(f"no service {service_id} on project {self.number}")

    def check_open(self) -> None:
        if self.status == ProjectStatus.TERMINATED:
            raise RuleViolated(f"project {self.number} was terminated; a terminated project is final")

    def check_active(self) -> None:
        self.check_open()
        if self.status == ProjectStatus.SUSPENDED:
            raise RuleViolated(f"project {self.number} is suspended; resume it first")

    @staticmethod
    def _check_business_date(stamp: Stamp, on: date | None) -> date:
        today = shanghai_date(stamp.effective_at)
        if on is None:
            return today
        if on > today:
            raise RuleViolated(f"the date {on} is in the future (today is {today} in Shanghai)")
        return on


STAGE_EVENTS = (Project.StageAdvanced, Project.StageCorrected)


def stage_on(events: Iterable[Any], day: date, known_at: datetime | None = None) -> Stage:
    """The stage a project stood at on a day, from its events: the last stage event recorded (by
    `known_at`) whose business date is not after the day."""
    stage = Stage.LEAD
    for event in events:
        if isinstance(event, STAGE_EVENTS) and event.on <= day and (known_at is None or event.timestamp <= known_at):
            stage = event.stage
    return stage


def progress_entries(events: Iterable[Any], first: date, last: date) -> list[tuple[date, str]]:
    """A project's progress in [first, last]: its progress notes and stage moves (with their notes), by
    their business dates, oldest first (a day's entries in the order they were recorded)."""
    entries = []
    for event in events:
        if isinstance(event, Project.ProgressNoted) and first <= event.on <= last:
            entries.append((event.on, event.text))
        elif isinstance(event, Project.StageAdvanced) and first <= event.on <= last:
            entries.append((event.on, f"进入{event.stage.label}" + (f"：{event.note}" if event.note else "")))
    return sorted(entries, key=lambda entry: entry[0])


def progress_lines(events: Iterable[Any], first: date, last: date) -> list[str]:
    """The progress entries as 本月进展情况 shows them, each with its date: `2021-09-15 进入在谈：首轮商务洽谈`."""
    return [f"{on} {text}" for on, text in progress_entries(events, first, last)]
