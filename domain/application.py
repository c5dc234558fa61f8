"""The Ledger application: one method per command; the only place that loads and saves."""

from __future__ import annotations

import getpass
import re
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper
from eventsourcing.utils import get_topic

from domain.base import Aggregate, Stamp
from domain.mapper import PydanticMapper, _NoTranscoder
from domain.errors import AlreadyExists, NotFound, NotPermitted, RuleViolated
from domain.permissions import Action, check
from domain.person import Person
from domain.problem import Problem
from domain.reminder import Reminder
from domain.reporting import Reporting
from domain.project import Project
from domain.store import store_env
from domain.supervision import SubjectKind, Supervision, next_supervision_id, subject_kind_of
from domain.unit import OFFICER_ROLES, Unit
from domain.values import (
    UTC, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind, shanghai_date,
)

A = TypeVar("A", bound=Aggregate)
Clock = Callable[[], datetime]
CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")


def real_clock() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class Machine:
    """The operating-system user and host that ran a command (rule 8: the claim is auditable)."""

    os_user: str
    host: str

    @classmethod
    def current(cls) -> Machine:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "unknown"
        return cls(os_user=user, host=socket.gethostname())


class Ledger(Reporting, Application[UUID]):
    """The commission's investment-promotion ledger (招商引资台账)."""

    name = "zhaoshang"

    def __init__(self, store: str = "sqlite://", clock: Clock = real_clock,
                 machine: Machine | None = None, env: dict[str, str] | None = None) -> None:
        self.clock = clock
        self.machine = machine or Machine.current()
        super().__init__(env={**store_env(store), **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=_NoTranscoder(), mapper_class=PydanticMapper)

    # -- the ledger and its people -------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.recorder.max_notification_id() in (None, 0)

    def init(self, admin: str) -> None:
        if not self.is_empty():
            raise AlreadyExists("this store already holds a ledger; its admin adds people with `zs person add`")
        name = _name(admin)
        stamp = self._stamp_for(name, Role.ADMIN)
        self._save(Person.register(stamp, name, Role.ADMIN, None, None, "管理员"))

    def add_unit(self, actor: str, code: str, name: str, kind: UnitKind, enrolled_on: date,
                 sectors: Sequence[Sector] = (), department: str | None = None) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        code = _code(code)
        self._refuse_existing(Unit, code, f"unit {code} is already enrolled")
        self._save(Unit.enrol(stamp, code, name, kind, tuple(sectors), department, enrolled_on))

    def update_unit(self, actor: str, code: str, name: str | None = None, department: str | None = None,
                    sectors: Sequence[Sector] = ()) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        unit = self.unit(code)
        unit.update(stamp, name, department, tuple(sectors) or None)
        self._save(unit)

    def withdraw_unit(self, actor: str, code: str, on: date, reason: str) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        unit = self.unit(code)
        unit.withdraw(stamp, on, reason)
        self._save(unit)

    def add_person(self, actor: str, name: str, role: Role, unit: str | None = None,
                   phone: str | None = None, title: str | None = None, email: str | None = None) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        name = _name(name)
        self._refuse_existing(Person, name, f"a person named {name} is already registered; names are unique")
        home = self._enrolled_unit(unit) if unit else None
        person = Person.register(stamp, name, role, home.code if home else None, phone, title, email)
        if home and role.is_unit_officer:
            home.appoint(stamp, role, name)
        self._save(person, *([home] if home else []))

    def update_person(self, actor: str, name: str, role: Role | None = None, unit: str | None = None,
                      phone: str | None = None, title: str | None = None, email: str | None = None) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        before = (person.role, person.unit)
        if unit is not None:
            unit = self._enrolled_unit(unit).code
        person.update(stamp, role=role, unit=unit, phone=phone, title=title, email=email)
        self._save(person, *self._move_posts(stamp, name, before, (person.role, person.unit)))

    def remove_person(self, actor: str, name: str, reason: str) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        if person.name == stamp.actor:
            raise RuleViolated("you cannot remove yourself; another admin must do it")
        person.remove(stamp, reason)
        self._save(person, *self._move_posts(stamp, name, (person.role, person.unit), (None, None)))

    def _move_posts(self, stamp: Stamp, name: str, before: tuple[Any, Any], after: tuple[Any, Any]) -> list[Unit]:
        if before == after:
            return []
        changed: dict[str, Unit] = {}
        role, code = before
        if code and role in OFFICER_ROLES:
            changed[code] = self.unit(code)
            changed[code].release(stamp, role, name)
        role, code = after
        if code and role in OFFICER_ROLES:
            unit = changed.get(code) or self.unit(code)
            unit.appoint(stamp, role, name)
            changed[code] = unit
        return list(changed.values())

    # -- projects --------------------------------------------------------------------------------

    def add_project(self, actor: str, number: str, unit: str, name: str, sector: Sector, level: Level,
                    investor: str, investment: Decimal, responsible_person: str | None = None,
                    responsible_department: str | None = None, liaison: str | None = None) -> None:
        home = self._enrolled_unit(unit)
        stamp = self._authorise(actor, Action.PROJECT_WORK, home.code)
        number = _number(number)
        self._refuse_existing(Project, number, f"project {number} is already registered; numbers are unique")
        self._save(Project.register(
            stamp, number, name=name, unit=home.code, sector=sector, level=level, investor=investor,
            investment=investment, responsible_person=responsible_person,
            responsible_department=responsible_department, liaison=liaison,
        ))

    def update_project(self, actor: str, number: str, **changes: Any) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "update", **changes)

    def advance_project(self, actor: str, number: str, to: Stage, on: date | None = None,
                        note: str | None = None) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "advance", to=to, on=on, note=note)

    def correct_stage(self, actor: str, number: str, stage: Stage, reason: str, on: date | None = None) -> None:
        self._change_project(actor, number, Action.OFFICE_REVIEW, "correct_stage", to=stage, on=on, reason=reason)

    def note_progress(self, actor: str, number: str, text: str, on: date | None = None) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "note", text=text, on=on)

    def plan_project(self, actor: str, number: str, stage: Stage, by: date) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "plan", stage=stage, by=by)

    def suspend_project(self, actor: str, number: str, reason: str) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "suspend", reason=reason)

    def resume_project(self, actor: str, number: str, reason: str) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "resume", reason=reason)

    def terminate_project(self, actor: str, number: str, reason: str) -> None:
        self._change_project(actor, number, Action.PROJECT_WORK, "terminate", reason=reason)

    def promote_project(self, actor: str, number: str, reason: str) -> None:
        self._change_project(actor, number, Action.OFFICE_REVIEW, "promote", reason=reason)

    def demote_project(self, actor: str, number: str, reason: str) -> None:
        self._change_project(actor, number, Action.OFFICE_REVIEW, "demote", reason=reason)

    def evaluate_project(self, actor: str, number: str, period: str, rating: Rating,
                         comment: str | None = None) -> None:
        self._change_project(actor, number, Action.OFFICE_REVIEW, "evaluate",
                             period=period, rating=rating, comment=comment)

    def _change_project(self, actor: str, number: str, action: Action, command: str, **kwargs: Any) -> Any:
        project = self.project(number)
        stamp = self._authorise(actor, action, project.unit)
        result = getattr(project, command)(stamp, **kwargs)
        self._save(project)
        return result

    # -- services and problems -----------------------------------------------------------------

    def add_service(self, actor: str, number: str, kind: ServiceKind, on: date, note: str,
                    amount: Decimal | None = None) -> str:
        return self._change_project(actor, number, Action.PROJECT_WORK, "record_service",
                                    kind=kind, on=on, note=note, amount=amount)

    def void_service(self, actor: str, service_id: str, reason: str) -> None:
        number, _, _ = service_id.rpartition("/S")
        if not number:
            raise NotFound(f"no service {service_id}; a service id looks like HW-2021-001/S3")
        self._change_project(actor, number, Action.PROJECT_WORK, "void_service",
                             service_id=service_id, reason=reason)

    def raise_problem(self, actor: str, number: str, title: str, category: ProblemCategory,
                      due_on: date | None = None) -> str:
        project = self.project(number)
        stamp = self._authorise(actor, Action.PROJECT_WORK, project.unit)
        if due_on is not None and due_on < shanghai_date(stamp.effective_at):
            raise RuleViolated(f"the due date {due_on} is already past")
        problem_id = project.register_problem(stamp, title)
        problem = Problem.raise_on(stamp, problem_id, project.number, project.unit, title, category, due_on)
        self._save(project, problem)
        return problem_id

    def escalate_problem(self, actor: str, problem_id: str, to: str, note: str | None = None) -> None:
        self._change_problem(actor, problem_id, Action.PROJECT_WORK, "escalate", to=to, note=note)

    def answer_problem(self, actor: str, problem_id: str, note: str) -> None:
        self._change_problem(actor, problem_id, Action.PROJECT_WORK, "answer", note=note)

    def close_problem(self, actor: str, problem_id: str, note: str | None = None) -> None:
        self._change_problem(actor, problem_id, Action.OFFICE_REVIEW, "close", note=note)

    def reopen_problem(self, actor: str, problem_id: str, reason: str) -> None:
        self._change_problem(actor, problem_id, Action.OFFICE_REVIEW, "reopen", reason=reason)

    def _change_problem(self, actor: str, problem_id: str, action: Action, command: str, **kwargs: Any) -> None:
        problem = self.problem(problem_id)
        stamp = self._authorise(actor, action, problem.unit)
        getattr(problem, command)(stamp, **kwargs)
        self._save(problem)

    # -- supervision notices (督办) -----------------------------------------------------------------

    def open_supervision(self, actor: str, subject: str, due_on: date, note: str) -> str:
        """Rule 24: the office presses a unit on one of its projects, problems or reports."""
        stamp = self._authorise(actor, Action.SUPERVISE)
        subject = subject.strip()
        kind = subject_kind_of(subject)
        unit = {SubjectKind.PROJECT: self.project, SubjectKind.PROBLEM: self.problem,
                SubjectKind.REPORT: self.report}[kind](subject).unit
        supervision_id = next_supervision_id(shanghai_date(stamp.effective_at).year,
                                             (s.supervision_id for s in self._all(Supervision, Supervision.Opened)))
        self._save(Supervision.open(stamp, supervision_id, kind, subject, unit, due_on, note))
        return supervision_id

    def answer_supervision(self, actor: str, supervision_id: str, note: str) -> None:
        supervision = self.supervision(supervision_id)
        supervision.answer(self._authorise(actor, Action.ANSWER_SUPERVISION, supervision.unit), note)
        self._save(supervision)

    def close_supervision(self, actor: str, supervision_id: str, note: str | None = None) -> None:
        supervision = self.supervision(supervision_id)
        supervision.close(self._authorise(actor, Action.SUPERVISE), note)
        self._save(supervision)

    def reopen_supervision(self, actor: str, supervision_id: str, reason: str) -> None:
        supervision = self.supervision(supervision_id)
        supervision.reopen(self._authorise(actor, Action.SUPERVISE), reason)
        self._save(supervision)

    # -- reminders by mail ------------------------------------------------------------------------

    def check_may_remind(self, actor: str) -> None:
        """Before any mail goes: only the office sends reminders."""
        self._authorise(actor, Action.REMIND)

    def reminded(self, person: str, day: date) -> tuple[str, ...]:
        """The items already mailed to a person on a Shanghai day."""
        try:
            reminder = self.repository.get(Reminder.id_for(Reminder.key(person, day)))
        except AggregateNotFoundError:
            return ()
        return tuple(reminder.items)

    def record_reminder(self, actor: str, person: str, unit: str | None, to: str, subject: str,
                        items: tuple[str, ...]) -> None:
        """A reminder was mailed (office): recorded once it went, so each item goes once a day."""
        stamp = self._authorise(actor, Action.REMIND)
        day = shanghai_date(stamp.effective_at)
        try:
            reminder = self.repository.get(Reminder.id_for(Reminder.key(person, day)))
        except AggregateNotFoundError:
            reminder = Reminder.start(stamp, person, unit, day)
        reminder.mailed(stamp, to, subject, items)
        self._save(reminder)

    def supervision(self, supervision_id: str) -> Supervision:
        return self._get(Supervision, supervision_id.strip().upper(),
                         f"no 督办 {supervision_id.strip()!r}; a 督办 id looks like DB-2021-001")

    # -- reading (the history issue moves lists onto views) --------------------------------------

    def unit(self, code: str) -> Unit:
        return self._get(Unit, code.strip().upper(), f"no unit {code.strip()!r} is enrolled")

    def person(self, name: str) -> Person:
        return self._get(Person, name.strip(), f"no person named {name.strip()!r} is registered")

    def project(self, number: str) -> Project:
        return self._get(Project, number.strip(), f"no project numbered {number.strip()!r}")

    def problem(self, problem_id: str) -> Problem:
        return self._get(Problem, problem_id.strip(), f"no problem {problem_id.strip()!r}")

    def units(self) -> list[Unit]:
        return sorted(self._all(Unit, Unit.Enrolled), key=lambda u: u.code)

    def people(self) -> list[Person]:
        return sorted(self._all(Person, Person.Registered), key=lambda p: p.name)

    def projects(self) -> list[Project]:
        return sorted(self._all(Project, Project.Registered), key=lambda p: p.number)

    def problems(self) -> list[Problem]:
        return list(self._all(Problem, Problem.Raised))

    def history(self, aggregate_id: UUID) -> list[Aggregate.Event]:
        return list(self.events.get(aggregate_id))

    def state_at(self, aggregate_id: UUID, as_of: datetime | None = None,
                 known_at: datetime | None = None) -> Any:
        """An aggregate as it stood: from its events effective by `as_of` and recorded by `known_at`
        (rule 7); None if it did not exist yet."""
        state = None
        for event in self.events.get(aggregate_id):
            if (as_of is None or event.effective_at <= as_of) and (known_at is None or event.timestamp <= known_at):
                state = event.mutate(state)
        return state

    def _all(self, cls: type[A], created: type) -> Iterator[A]:
        topic = get_topic(created)
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=1000, topics=[topic])
            for notification in batch:
                yield self.repository.get(notification.originator_id)
            if len(batch) < 1000:
                return
            start = batch[-1].id + 1

    def _get(self, cls: type[A], key: str, missing: str) -> A:
        try:
            aggregate = self.repository.get(cls.id_for(key))
        except AggregateNotFoundError:
            raise NotFound(missing) from None
        assert isinstance(aggregate, cls)
        return aggregate

    # -- plumbing ----------------------------------------------------------------------------------

    def _authorise(self, actor: str, action: Action, unit: str | None = None) -> Stamp:
        person = self.acting(actor)
        check(person.name, person.role, person.unit, action, unit)
        return self._stamp_for(person.name, person.role)

    def acting(self, actor: str | None) -> Person:
        if not actor or not actor.strip():
            raise NotPermitted("say who you are: give --as NAME (or set ZS_ACTOR)")
        try:
            person = self.person(actor)
        except NotFound:
            raise NotPermitted(f"{actor.strip()!r} is not a registered person; an admin adds people") from None
        if not person.active:
            raise NotPermitted(f"{person.name} was removed from the ledger and may no longer act")
        return person

    def _stamp_for(self, actor: str, role: Role) -> Stamp:
        now = self.clock()
        return Stamp(actor=actor, actor_role=role.value, os_user=self.machine.os_user,
                     host=self.machine.host, recorded_at=now, effective_at=now)

    def _save(self, *aggregates: Aggregate) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise RuleViolated(
                "someone else changed this at the same moment; nothing was recorded, look again and retry"
            ) from None

    def _refuse_existing(self, cls: type[Aggregate], key: str, message: str) -> None:
        try:
            self.repository.get(cls.id_for(key))
        except AggregateNotFoundError:
            return
        raise AlreadyExists(message)

    def _enrolled_unit(self, code: str) -> Unit:
        unit = self.unit(code)
        unit.check_enrolled()
        return unit


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RuleViolated("a person needs a name")
    return name


def _code(code: str) -> str:
    code = code.strip().upper()
    if not CODE.match(code):
        raise RuleViolated(f"unit code {code!r} must be 1-16 Latin letters or digits, starting with a letter")
    return code


def _number(number: str) -> str:
    number = number.strip()
    if not number or "/" in number or any(c.isspace() for c in number):
        raise RuleViolated(f"project number {number!r} must be non-empty, without spaces or '/'")
    return number
