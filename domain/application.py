"""The Ledger application: one method per command; the only place that loads and saves."""

from __future__ import annotations

import copy
import os
import socket
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Recording, Repository
from eventsourcing.persistence import IntegrityError, Mapper, OperationalError
from eventsourcing.utils import get_topic

from domain import schema
from domain.attachments import AttachmentStore
from domain.backfill import Backfill
from domain.batch import Batch, UnitOfWork, collector_paused
from domain.credentials import CredentialStore, check_password_rule, hash_password, new_token, token_digest
from domain.logins import LoginDay
from domain.base import Aggregate, Stamp
from domain.imports import (
    Change, NewProject, RowChecks, StatusRow, investment_change, note_change, stage_change,
)
from domain.errors import AlreadyExists, InvalidValue, NotFound, NotPermitted, RuleViolated, Stale
from domain.mapper import Mapped, PydanticMapper, _NoTranscoder
from domain.period import Period
from domain.permissions import REPORTING_ROLES, UNIT_ROLES, Action, check
from domain.person import Person, check_an_admin_remains, check_name
from domain.policies import LoadedPolicies
from domain.policy import Calendar, default_policy, parse_policy
from domain.problem import Problem
from domain.reminder import Reminder
from domain.project import Project
from domain.report import Attachment, Report, check_attachment_names
from domain.signing import LogKey
from domain.store import describe_store, ledger_settings
from domain.supervision import SubjectKind, Supervision, next_supervision_id, subject_kind_of
from domain.text import name_key
from domain.unit import OFFICER_ROLES, Unit
from domain.values import (
    SHANGHAI, UTC, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind, end_of_day, shanghai_date,
)

A = TypeVar("A", bound=Aggregate)
Clock = Callable[[], datetime]
SYSTEM_ACTOR = "系统"  # the actor of login attempts: nobody is logged in yet
DEMO_PASSWORD = "zs-demo"  # `zs demo` only: known to everyone, so the store is marked and the web warns
# What happens now only, never on paper: signing the log, mailing reminders (rule 11).
LIVE_ONLY = frozenset({Action.KEEP_LOG, Action.REMIND})
# The versions a person saw of the aggregates a command will load (`Ledger.expecting`).
_EXPECTED: ContextVar[dict[UUID, tuple[str, int]]] = ContextVar("zs_expected_versions", default={})


def real_clock() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class Machine:
    """The operating-system user and host that ran a command (rule 8: the claim is auditable)."""

    os_user: str
    host: str

    @classmethod
    def current(cls) -> Machine:
        """The user the operating system runs this process as (its real uid), never LOGNAME or USER,
        which anyone can set: `LOGNAME=root zs ...` still records the caller's own account."""
        return cls(os_user=os_user_of(os.getuid()), host=socket.gethostname())


def os_user_of(uid: int) -> str:
    """The account name of a uid, or the uid itself when the system has no name for it."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):  # no passwd entry (some containers)
        return str(uid)


class Ledger(Application[UUID]):
    """The commission's investment-promotion ledger (招商引资台账)."""

    name = "zhaoshang"
    _backfill: Backfill | None = None  # set only on the copy `backfilling` returns
    _borrowed = False  # a copy on the same store: closing or collecting it leaves the store open

    def __init__(self, store: str = "sqlite://", clock: Clock = real_clock,
                 machine: Machine | None = None, env: dict[str, str] | None = None, create: bool = True) -> None:
        """Opens the ledger in `store`; with `create=False` (every command but `init` and `demo`) a
        store that holds no ledger is refused (`NoLedger`) and left as it was."""
        self.clock = clock
        self.store_url = store
        self.machine = machine or Machine.current()
        self.work = UnitOfWork()  # shared by shallow copies of this Ledger, so they join its batch
        self._blobs: AttachmentStore | None = None
        self._credentials: CredentialStore | None = None
        settings = ledger_settings(store, env)
        where = describe_store(store)
        path = settings.get("SQLITE_DBNAME")
        part = schema.part_for(settings["APPLICATION_RECORDER_TOPIC"])
        current = not create and path not in (None, ":memory:") and schema.check_sqlite_file(path, where, part)
        try:
            super().__init__(env={**settings, "CREATE_TABLE": "no"})  # DDL runs once, in schema.ensure
        except OperationalError as error:  # PostgreSQL: no such database or role, a refused connection
            raise schema.StoreUnavailable(schema.unreachable(self.factory.datastore, error)) from None
        if not current:
            schema.ensure(self.recorder, create, where, part)

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=_NoTranscoder(), mapper_class=PydanticMapper)

    def backfilling(self, at: datetime, by: str | None = None, because: str = "") -> Ledger:
        """Rule 11: this ledger on the same store, stamping every command it runs as paper history that
        took effect at `at`, done on paper by `by` (default: the person entering it), for `because`.
        A shallow copy: the shared ledger is never flagged, so concurrent requests stay live."""
        backfill = Backfill.of(at, by, because, self.clock())
        other = copy.copy(self)
        other._backfill = backfill
        other._borrowed = True
        return other

    def close(self) -> None:
        """Closes the store, unless this is a copy sharing it (`backfilling`): the original closes it."""
        if not self._borrowed:
            super().close()

    @property
    def backfill(self) -> Backfill | None:
        return self._backfill

    def construct_repository(self) -> Repository[UUID]:
        return _BatchRepository(self.work, event_store=self.events, snapshot_store=self.snapshots)

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """A unit of work: every command inside sees the changes of the commands before it, and all
        their events are saved at the end in one transaction, or none of them if anything raises.
        A batch opened inside another joins it."""
        if self.work.batch is not None:
            yield self.work.batch
            return
        with ExitStack() as held:  # the transaction `Batch.flush` opens, if it does: committed last
            batch = self.work.batch = Batch(partial(self._flush, held))
            try:
                yield batch
            finally:
                self.work.batch = None
            if batch.events:
                self._write(batch.events)

    def _flush(self, held: ExitStack, events: list[Aggregate.Event]) -> bool:
        hold = getattr(self.recorder, "hold", None)
        if hold is None:
            return False
        if self.work.batch is not None and not self.work.batch.flushed:  # the first flush opens it
            held.enter_context(hold())
        self._write(events)
        return True

    # -- the ledger and its people -------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.recorder.max_notification_id() in (None, 0) and not (self.work.batch and self.work.batch.events)

    def init(self, admin: str) -> None:
        if not self.is_empty():
            raise AlreadyExists("this store already holds a ledger; its admin adds people with `zs person add`")
        name = check_name(admin)
        stamp = self._stamp_for(name, Role.ADMIN)
        self._save(Person.register(stamp, name, Role.ADMIN, None, None, "管理员"))

    def add_unit(self, actor: str, code: str, name: str, kind: UnitKind, enrolled_on: date,
                 sectors: Sequence[Sector] = (), department: str | None = None) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        code = Unit.check_code(code)
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
        name = check_name(name)
        self._refuse_existing(Person, name, f"a person named {name} is already registered; names are unique")
        self._refuse_look_alike(name)
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
        if role is not None and role is not Role.ADMIN:
            check_an_admin_remains(person, self._active_admins())
        if unit is not None:
            unit = self._enrolled_unit(unit).code
        person.update(stamp, role=role, unit=unit, phone=phone, title=title, email=email)
        self._save(person, *self._move_posts(stamp, name, before, (person.role, person.unit)))

    def remove_person(self, actor: str, name: str, reason: str) -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        if person.name == stamp.actor:
            raise RuleViolated("you cannot remove yourself; another admin must do it")
        check_an_admin_remains(person, self._active_admins())
        person.remove(stamp, reason)
        self._save(person, *self._move_posts(stamp, name, (person.role, person.unit), (None, None)))

    def _active_admins(self) -> list[Person]:
        return [p for p in self._all(Person, Person.Registered) if p.active and p.role is Role.ADMIN]

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
        number = self._free_number(number)
        self._save(Project.register(
            stamp, number, name=name, unit=home.code, sector=sector, level=level, investor=investor,
            investment=investment, responsible_person=responsible_person,
            responsible_department=responsible_department, liaison=liaison,
        ))

    def import_projects(self, actor: str, unit: str, rows: Sequence[NewProject], record: bool = True) -> None:
        """A unit's list of new projects (`zs project import`): each row registered by `add_project`, all
        in one batch or none; `RowsRejected` names every refused row. A row the adapter could not read in
        full has its number checked only; `record=False` checks every row and records nothing."""
        self._authorise(actor, Action.PROJECT_WORK, self._enrolled_unit(unit).code)
        seen: dict[str, int] = {}
        with self._rows_batch(record) as checks:
            for row in rows:
                with checks.row(row.row, "number"):
                    number = Project.check_number(row.number)
                    if number in seen:
                        raise InvalidValue(f"{number} is also in row {seen[number]}; numbers are unique")
                    seen[number] = row.row
                    self._free_number(number)
                if row.readable and not checks.failed(row.row):
                    with checks.row(row.row, None):
                        self.add_project(actor, number, unit, **row.fields())

    def import_project_status(self, actor: str, unit: str, rows: Sequence[StatusRow],
                              record: bool = True) -> list[Change]:
        """The changes a unit's filled 情况表 states (`zs form import`), each made by its single command
        (advance_project, update_project, note_progress) on 填报日期, all in one batch or none; what the
        ledger holds, or held that day, changes nothing. `RowsRejected` names every refused row. A row the
        adapter could not read in full has its project checked only; `record=False` records nothing."""
        home = self._enrolled_unit(unit)
        today = shanghai_date(self._authorise(actor, Action.PROJECT_WORK, home.code).effective_at)
        seen: dict[str, int] = {}
        changes: list[Change] = []
        with self._rows_batch(record) as checks:
            for row in rows:
                with checks.row(row.row, "number"):
                    if row.number in seen:
                        raise InvalidValue(f"project {row.number} is also in row {seen[row.number]}; "
                                           "one row per project")
                    seen[row.number] = row.row
                    project = self._status_project(row.number, home.code)
                if not row.readable or checks.failed(row.row):
                    continue
                day = row.on or today
                events, held = self.history(project.id), self.state_at(project.id, end_of_day(day))
                with checks.row(row.row, "stage"):
                    if change := stage_change(project, events, row, day):
                        self.advance_project(actor, project.number, change.after, day)
                        changes.append(change)
                with checks.row(row.row, "investment"):
                    if change := investment_change(project, held, row, day):
                        self.update_project(actor, project.number, investment=change.after)
                        changes.append(change)
                with checks.row(row.row, "note"):
                    if change := note_change(project, events, row, day):
                        self.note_progress(actor, project.number, change.after, day)
                        changes.append(change)
        return changes

    @contextmanager
    def _rows_batch(self, record: bool) -> Iterator[RowChecks]:
        """Many rows' commands in one batch: saved together once every row passed, or none of them when
        a row was refused (`RowsRejected`) or when only checking (`record=False`)."""
        if not record and self.work.batch is not None:
            raise RuleViolated("an import that only checks cannot join an open batch")
        checks = RowChecks()
        try:
            with self.batch():
                yield checks
                checks.raise_any()
                if not record:
                    raise _CheckedOnly
        except _CheckedOnly:
            pass

    def _status_project(self, number: str, unit: str) -> Project:
        try:
            project = self.project(number)
        except NotFound:
            raise NotFound(f"no project numbered {number.strip()!r} in the ledger") from None
        if project.unit != unit:
            raise RuleViolated(f"project {number} belongs to unit {project.unit}, not {unit}")
        return project

    def _free_number(self, number: str) -> str:
        """A project number that may be registered (docs/domain.md rule 22): well-formed, not yet taken."""
        number = Project.check_number(number)
        self._refuse_existing(Project, number, f"project {number} is already registered; numbers are unique")
        return number

    def update_project(self, actor: str, number: str, **changes: Any) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.update(stamp, **changes)
        self._save(project)

    def advance_project(self, actor: str, number: str, to: Stage, on: date | None = None,
                        note: str | None = None) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.advance(stamp, to=to, on=on, note=note)
        self._save(project)

    def correct_stage(self, actor: str, number: str, stage: Stage, reason: str, on: date | None = None) -> None:
        project, stamp = self._project_for(actor, number, Action.OFFICE_REVIEW)
        project.correct_stage(stamp, to=stage, on=on, reason=reason)
        self._save(project)

    def note_progress(self, actor: str, number: str, text: str, on: date | None = None) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.note(stamp, text=text, on=on)
        self._save(project)

    def plan_project(self, actor: str, number: str, stage: Stage, by: date) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.plan(stamp, stage=stage, by=by)
        self._save(project)

    def suspend_project(self, actor: str, number: str, reason: str) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.suspend(stamp, reason=reason)
        self._save(project)

    def resume_project(self, actor: str, number: str, reason: str) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.resume(stamp, reason=reason)
        self._save(project)

    def terminate_project(self, actor: str, number: str, reason: str) -> None:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        project.terminate(stamp, reason=reason)
        self._save(project)

    def promote_project(self, actor: str, number: str, reason: str) -> None:
        project, stamp = self._project_for(actor, number, Action.OFFICE_REVIEW)
        project.promote(stamp, reason=reason)
        self._save(project)

    def demote_project(self, actor: str, number: str, reason: str) -> None:
        project, stamp = self._project_for(actor, number, Action.OFFICE_REVIEW)
        project.demote(stamp, reason=reason)
        self._save(project)

    def evaluate_project(self, actor: str, number: str, period: str, rating: Rating,
                         comment: str | None = None) -> None:
        project, stamp = self._project_for(actor, number, Action.OFFICE_REVIEW)
        project.evaluate(stamp, period=period, rating=rating, comment=comment)
        self._save(project)

    def _project_for(self, actor: str, number: str, action: Action) -> tuple[Project, Stamp]:
        """A project and the stamp of an actor allowed to act on it."""
        project = self.project(number)
        return project, self._authorise(actor, action, project.unit)

    # -- services and problems -----------------------------------------------------------------

    def add_service(self, actor: str, number: str, kind: ServiceKind, on: date, note: str,
                    amount: Decimal | None = None) -> str:
        project, stamp = self._project_for(actor, number, Action.PROJECT_WORK)
        result = project.record_service(stamp, kind=kind, on=on, note=note, amount=amount)
        self._save(project)
        return result

    def void_service(self, actor: str, service_id: str, reason: str) -> None:
        project, stamp = self._project_for(actor, Project.number_of_service(service_id), Action.PROJECT_WORK)
        project.void_service(stamp, service_id=service_id, reason=reason)
        self._save(project)

    def raise_problem(self, actor: str, number: str, title: str, category: ProblemCategory,
                      due_on: date | None = None) -> str:
        project = self.project(number)
        stamp = self._authorise(actor, Action.PROJECT_WORK, project.unit)
        problem_id = project.register_problem(stamp, title)
        problem = Problem.raise_on(stamp, problem_id, project.number, project.unit, title, category, due_on)
        self._save(project, problem)
        return problem_id

    def escalate_problem(self, actor: str, problem_id: str, to: str, note: str | None = None) -> None:
        problem, stamp = self._problem_for(actor, problem_id, Action.PROJECT_WORK)
        problem.escalate(stamp, to=to, note=note)
        self._save(problem)

    def answer_problem(self, actor: str, problem_id: str, note: str) -> None:
        problem, stamp = self._problem_for(actor, problem_id, Action.PROJECT_WORK)
        problem.answer(stamp, note=note)
        self._save(problem)

    def close_problem(self, actor: str, problem_id: str, note: str | None = None) -> None:
        problem, stamp = self._problem_for(actor, problem_id, Action.OFFICE_REVIEW)
        problem.close(stamp, note=note)
        self._save(problem)

    def reopen_problem(self, actor: str, problem_id: str, reason: str) -> None:
        problem, stamp = self._problem_for(actor, problem_id, Action.OFFICE_REVIEW)
        problem.reopen(stamp, reason=reason)
        self._save(problem)

    def _problem_for(self, actor: str, problem_id: str, action: Action) -> tuple[Problem, Stamp]:
        """A problem and the stamp of an actor allowed to act on it."""
        problem = self.problem(problem_id)
        return problem, self._authorise(actor, action, problem.unit)

    # -- the reporting policy and reports ---------------------------------------------------------

    @property
    def attachments(self) -> AttachmentStore:
        if self._blobs is None:
            self._blobs = AttachmentStore(self.recorder)
        return self._blobs

    # -- the policy ---------------------------------------------------------------------------------

    def calendar(self, as_of: datetime | None = None, known_at: datetime | None = None) -> Calendar:
        """The default policy plus every policy loaded (effective by `as_of`, recorded by `known_at`)."""
        loaded = self._loaded_policies(as_of, known_at)
        return Calendar((default_policy(), *(loaded.policies if loaded else ())))

    def load_policy(self, actor: str, text: str, effective_from: date, source: str = "policy") -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        policy = parse_policy(text, source).model_copy(update={"effective_from": effective_from})
        loaded = self._loaded_policies() or LoadedPolicies.start(stamp)
        loaded.load(stamp, policy, source, shanghai_date(stamp.effective_at))
        self._save(loaded)

    def _loaded_policies(self, as_of: datetime | None = None,
                         known_at: datetime | None = None) -> LoadedPolicies | None:
        try:
            loaded = self.repository.get(LoadedPolicies.id_for(LoadedPolicies.KEY))
        except AggregateNotFoundError:
            return None
        return self.state_at(loaded.id, as_of, known_at) if as_of or known_at else loaded

    # -- reports ------------------------------------------------------------------------------------

    def draft_report(self, actor: str, unit: str, kind: str, period: str,
                     files: Sequence[tuple[str, bytes]] = (), note: str | None = None) -> str:
        home = self.unit(unit)
        stamp = self._authorise_reporter(actor, home)
        calendar = self.calendar()
        rule = calendar.rule(kind)
        parsed = Period.parse(period, rule.cadence)
        rule.check_draftable(parsed, shanghai_date(stamp.effective_at))
        obligation = calendar.obligation(kind, parsed)
        if obligation is None or not home.owes_on(obligation.due_on):
            raise RuleViolated(f"unit {home.code} does not owe a {kind} for {parsed}"
                               + (f" (due {obligation.due_on}, outside its enrolment)" if obligation else ""))
        report_id = Report.key_for(home.code, kind, parsed)
        self._refuse_existing(Report, report_id, f"report {report_id} already exists; "
                              f"one report per obligation — revise it after a return instead")
        report = Report.draft(stamp, report_id, home.code, kind, str(parsed), obligation.due_on,
                              self._store_files(files), note)
        self._save(report)
        return report_id

    def approve_report(self, actor: str, report_id: str) -> None:
        report = self.report(report_id)
        if self._backfill is not None:  # the principal at T, checked with the stamp
            report.approve(self._authorise(actor, Action.APPROVE, report.unit))
            self._save(report)
            return
        principal = self.unit(report.unit).officer(Role.PRINCIPAL)
        if principal is None:
            self.acting(actor)
            raise NotPermitted(f"{report.unit} has no principal appointed, so its reports cannot be approved; "
                               f"an admin appoints one with `zs person add NAME --role principal --unit {report.unit}`")
        stamp = self._authorise(actor, Action.APPROVE, report.unit)
        if principal != stamp.actor:
            raise NotPermitted(f"only {report.unit}'s current principal ({principal or 'none appointed'}) "
                               f"may approve its reports, acting as themself")
        report.approve(stamp)
        self._save(report)

    def send_report(self, actor: str, report_id: str, sealed: bool) -> None:
        report = self.report(report_id)
        stamp = self._authorise_reporter(actor, self.unit(report.unit))
        report.send(stamp, sealed)
        self._save(report)

    def accept_report(self, actor: str, report_id: str) -> None:
        report = self.report(report_id)
        report.accept(self._authorise(actor, Action.REVIEW, report.unit))
        self._save(report)

    def return_report(self, actor: str, report_id: str, reason: str) -> None:
        report = self.report(report_id)
        report.return_(self._authorise(actor, Action.REVIEW, report.unit), reason)
        self._save(report)

    def revise_report(self, actor: str, report_id: str, files: Sequence[tuple[str, bytes]] = (),
                      note: str | None = None) -> None:
        report = self.report(report_id)
        stamp = self._authorise_reporter(actor, self.unit(report.unit))
        report.check_revisable()
        report.revise(stamp, self._store_files(files) if files else None, note)
        self._save(report)

    def _authorise_reporter(self, actor: str, unit: Unit) -> Stamp:
        """Rule 8: the unit's principal, leader or liaison — the current holder of that post, so
        one whose term has ended no longer reports for the unit."""
        stamp = self._authorise(actor, Action.REPORT, unit.code)
        role = Role(stamp.actor_role)
        if not stamp.backfilled and unit.officer(role) != stamp.actor:  # a backfill: the post at T
            current = unit.officer(role) or "nobody"
            raise NotPermitted(f"{stamp.actor} is no longer {unit.code}'s {role.value} (the post is held by "
                               f"{current}); only the current principal, leader or liaison drafts and sends its reports")
        return stamp

    def report(self, report_id: str) -> Report:
        return self._get(Report, report_id.strip(), f"no report {report_id.strip()!r}; "
                         f"a report id looks like HW/project_status/2021-08")

    def reports(self) -> list[Report]:
        return sorted(self._all(Report, Report.Drafted), key=lambda r: r.report_id)

    def attachment_bytes(self, report_id: str, name: str,
                         version: int | None = None) -> tuple[Attachment, bytes]:
        """A file as it was attached to the report's current version, or to an earlier one."""
        report = self.report(report_id)
        if version is None or version == report.revision:
            attachment = report.attachment(name)
        else:
            versions = [e.attachments for e in self.history(report.id) if isinstance(e, (Report.Drafted, Report.Revised))]
            if not 1 <= version <= len(versions):
                raise NotFound(f"report {report.report_id} has versions 1 to {len(versions)}, not {version}")
            matching = [a for a in versions[version - 1] if a.name == name]
            if not matching:
                raise NotFound(f"version {version} of report {report.report_id} has no attachment {name!r}")
            attachment = matching[0]
        return attachment, self.attachments.get(attachment.sha256)

    def _store_files(self, files: Sequence[tuple[str, bytes]]) -> tuple[Attachment, ...]:
        """Check every name first, then store the bytes: a refused draft leaves nothing behind."""
        names = check_attachment_names([name for name, _ in files])
        stored = []
        for name, (_, content) in zip(names, files):
            stored.append(Attachment(name=name, sha256=self.attachments.put(content), size=len(content)))
        return tuple(stored)

    # -- the log's signing keys and checkpoints ---------------------------------------------------

    def check_keeps_log(self, actor: str | None) -> None:
        self._authorise(actor or "", Action.KEEP_LOG)

    def register_key(self, actor: str, name: str, verifier: str) -> None:
        stamp = self._authorise(actor, Action.KEEP_LOG)
        self._refuse_existing(LogKey, verifier, f"the key {name} is already recorded")
        self._save(LogKey.register(stamp, name, verifier))

    def log_key(self, verifier: str) -> LogKey:
        try:
            key = self.repository.get(LogKey.id_for(verifier))
        except AggregateNotFoundError:
            raise NotFound("this key is not recorded in the ledger; create one with `zs key create --out FILE`") from None
        assert isinstance(key, LogKey)
        return key

    def record_checkpoint(self, actor: str, verifier: str, size: int, root: str, note: str,
                          about: str | None = None, office: bool = True) -> None:
        """`office=False` when the checkpoint acknowledges the actor's own sending (a receipt)."""
        if office:
            stamp = self._authorise(actor, Action.KEEP_LOG)
        else:
            person = self.acting(actor)
            stamp = self._stamp_for(person.name, person.role)
        for attempt in range(3):
            key = self.log_key(verifier)
            key.sign(stamp, size, root, note, about)
            try:
                self._save(key)
                return
            except RuleViolated:
                if attempt == 2:
                    raise

    def log_keys(self) -> list[LogKey]:
        return list(self._all(LogKey, LogKey.Registered))

    # -- who may log in: passwords, API tokens and login attempts --------------------------------
    # The secrets live in domain/credentials.py's tables; the log records only that they were set.

    @property
    def credentials(self) -> CredentialStore:
        if self._credentials is None:
            self._credentials = CredentialStore(self.recorder)
        return self._credentials

    def password_settable(self, actor: str, name: str) -> tuple[Stamp, Person]:
        """Whether `actor` may set `name`'s password (checked before anyone is asked to type one)."""
        self._live_only("setting a password")
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        person.check_active()
        return stamp, person

    def set_password(self, actor: str, name: str, password: str) -> None:
        """An admin sets a person's initial password; they must change it at their first login."""
        stamp, person = self.password_settable(actor, name)
        check_password_rule(password)
        digest = hash_password(password)
        person.password_set(stamp, must_change=True)
        self._save(person)
        self.credentials.put(person.name, digest, must_change=True, at=stamp.recorded_at)

    def change_password(self, name: str, old: str, new: str) -> None:
        """A person changes their own password, giving the current one."""
        person = self.acting(name)
        if self.credentials.verify(person.name, old) is not True:
            raise NotPermitted("the current password is wrong; nothing was changed")
        check_password_rule(new)
        if new == old:
            raise RuleViolated("the new password must differ from the current one")
        digest = hash_password(new)
        person.password_changed(self._stamp_for(person.name, person.role))
        self._save(person)
        self.credentials.put(person.name, digest, must_change=False, at=self.clock())

    def authenticate(self, name: str, password: str) -> tuple[str, Person | None, bool]:
        """(outcome, person, must_change): outcome is one of domain.logins.OUTCOMES; the person only
        when the outcome is `ok`. Always costs one hash verify, whoever the name is."""
        name = name.strip()
        try:
            person: Person | None = self.person(name) if name else None
        except NotFound:
            person = None
        result = self.credentials.verify(person.name if person else "", password)
        if person is None:
            return "unknown_account", None, False
        if not person.active:
            return "removed", None, False
        if result is None:
            return "no_password", None, False
        if not result:
            return "wrong_password", None, False
        stored = self.credentials.get(person.name)
        return "ok", person, bool(stored and stored[1])

    def record_login(self, account: str, address: str, outcome: str) -> None:
        """One event per attempt, under the system actor, in the day's aggregate of the account."""
        now = self.clock()
        account = "".join(c for c in account.strip() if c.isprintable())[:200]  # typed by anyone
        try:
            known = bool(account) and self.person(account) is not None
        except NotFound:
            known = False
        stamp = Stamp(actor=SYSTEM_ACTOR, actor_role="system", os_user=self.machine.os_user, host=address[:100],
                      recorded_at=now, effective_at=now)
        day = shanghai_date(now)
        key = LoginDay.key_for(account, known, address, day)
        for _ in range(3):  # two logins of one account at one moment: append again on a fresh copy
            try:
                logins: Any = self.repository.get(LoginDay.id_for(key))
            except AggregateNotFoundError:
                logins = LoginDay.start(stamp, key, day)
            logins.attempt(stamp, account, address, outcome)
            try:
                self.save(logins)
                return
            except IntegrityError:
                continue

    def set_demo_passwords(self, actor: str) -> None:
        """For `zs demo` only: every active person gets the password `zs-demo` (shorter than the rule
        allows, and known to all) with no change required, and the store is marked as a demo, so
        that `zs serve` warns on every page."""
        self._live_only("setting passwords")
        stamp = self._authorise(actor, Action.SET_UP)
        digest = hash_password(DEMO_PASSWORD)
        for person in self.people():
            if person.active:
                person.password_set(stamp, must_change=False)
                self._save(person)
                self.credentials.put(person.name, digest, must_change=False, at=stamp.recorded_at)
        self.credentials.mark_demo()

    def create_token(self, actor: str, name: str) -> str:
        """An admin issues an API token for a person: returned once, kept only as its SHA-256."""
        self._live_only("issuing a token")
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        token = new_token()
        digest = token_digest(token)
        person.token_issued(stamp, digest[:8])
        self._save(person)
        self.credentials.add_token(digest, person.name, stamp.recorded_at)
        return token

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
        batch = self.work.batch
        if batch is None:
            return list(self.events.get(aggregate_id))
        stored = batch.stored.get(aggregate_id)  # read once per batch: a paper import asks per row
        if stored is None:
            stored = batch.stored[aggregate_id] = tuple(self.events.get(aggregate_id))
        return [*stored, *self.work.pending(aggregate_id)]

    def state_at(self, aggregate_id: UUID, as_of: datetime | None = None,
                 known_at: datetime | None = None) -> Any:
        """An aggregate as it stood: from its events effective by `as_of` and recorded by `known_at`
        (rule 7); None if it did not exist yet."""
        batch = self.work.batch
        if batch is not None and as_of is not None and known_at is None:
            return self._state_in_batch(batch, aggregate_id, as_of)
        state = None
        for event in self.history(aggregate_id):
            if (as_of is None or event.effective_at <= as_of) and (known_at is None or event.timestamp <= known_at):
                state = event.mutate(state)
        return state

    def _state_in_batch(self, batch: Batch, aggregate_id: UUID, as_of: datetime) -> Any:
        """`state_at` inside a batch, asked again and again for later moments (a paper import checks each
        row's doer as of its time): an aggregate's effective times only grow along it (rule 11), so the
        state as of T is the fold of a prefix of its history, continued from the last one asked for."""
        events = self.history(aggregate_id)
        end = bisect_right(events, as_of, key=lambda e: e.effective_at)
        folded, state = batch.states.get(aggregate_id, (0, None))
        if end < folded:  # an earlier moment than last asked: fold afresh, and keep the later prefix
            state = None
            for event in events[:end]:
                state = event.mutate(state)
            return state
        for event in events[folded:end]:
            state = event.mutate(state)
        batch.states[aggregate_id] = (end, state)
        return state

    def _all(self, cls: type[A], created: type) -> Iterator[A]:
        topic = get_topic(created)
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=1000, topics=[topic])
            for notification in batch:
                yield self.repository.get(notification.originator_id)
            if len(batch) < 1000:
                break
            start = batch[-1].id + 1
        for aggregate_id in self.work.created(created):  # made earlier in this batch, not stored yet
            yield self.repository.get(aggregate_id)

    def _get(self, cls: type[A], key: str, missing: str) -> A:
        try:
            aggregate = self.repository.get(cls.id_for(key))
        except AggregateNotFoundError:
            raise NotFound(missing) from None
        assert isinstance(aggregate, cls)
        seen = _EXPECTED.get().get(aggregate.id)
        if seen is not None and seen[1] != aggregate.version:
            raise Stale(f"someone else changed {seen[0]} after you opened it (you saw version {seen[1]}, "
                        f"it is now at version {aggregate.version}); nothing was recorded, look again and retry")
        return aggregate

    def version_of(self, cls: type[Aggregate], key: str) -> int:
        """The version a form carries for `Ledger.expecting`: the aggregate's last stored event's, read
        from the log without replaying it (0 when there is none)."""
        last = self.recorder.select_events(cls.id_for(key.strip()), desc=True, limit=1)
        return last[0].originator_version if last else 0

    @contextmanager
    def expecting(self, cls: type[Aggregate], key: str, version: int) -> Iterator[None]:
        """Commands in this block refuse (`Stale`, recording nothing) when the aggregate `cls` `key`
        is no longer at `version`, the one a person saw (a web form carries it): optimistic
        concurrency over the life of a page; the save itself refuses a change made meanwhile."""
        token = _EXPECTED.set({**_EXPECTED.get(), cls.id_for(key.strip()): (key.strip(), version)})
        try:
            yield
        finally:
            _EXPECTED.reset(token)

    # -- plumbing ----------------------------------------------------------------------------------

    def _authorise(self, actor: str, action: Action, unit: str | None = None) -> Stamp:
        person = self.acting(actor)
        if self._backfill is not None:
            return self._backfill_stamp(person, action, unit, self._backfill)
        check(person.name, person.role, person.unit, action, unit)
        stamp = self._stamp_for(person.name, person.role)
        if person.role in UNIT_ROLES and person.unit:
            self.unit(person.unit).check_open_to_its_people(shanghai_date(stamp.effective_at))
        return stamp

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

    def _backfill_stamp(self, person: Person, action: Action, unit: str | None, backfill: Backfill) -> Stamp:
        """Rule 11: the office backfills (the admin, set-up); the doer on paper is checked as of T."""
        if action in LIVE_ONLY:
            self._live_only("signing the log or mailing reminders")
        if action is Action.SET_UP:
            if person.role is not Role.ADMIN:
                raise NotPermitted(f"{person.name} ({person.role.value}) may not backfill set-up: only an admin "
                                   f"backfills units enrolled and people appointed in the past")
            if backfill.by is not None:
                raise InvalidValue("a set-up backfill needs no --by: the admin enters enrolments and appointments "
                                   "as they stood", field="backfill_by")
            doer = person.name
        else:
            if person.role is not Role.OFFICE:
                raise NotPermitted(f"{person.name} ({person.role.value}) may not backfill: only the office enters "
                                   f"paper history")
            doer = backfill.by or person.name
            self._check_doer_then(doer, action, unit, backfill.at)
        return Stamp(actor=person.name, actor_role=person.role.value, os_user=self.machine.os_user,
                     host=self.machine.host, recorded_at=self.clock(), effective_at=backfill.at,
                     done_by=doer, backfill_reason=backfill.because)

    def _check_doer_then(self, name: str, action: Action, unit: str | None, at: datetime) -> None:
        """The person who did it on paper, with the permissions and posts they held at `at`."""
        when = f"{at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} (Shanghai)"
        then: Person | None = self.state_at(Person.id_for(name), as_of=at)
        if then is None:
            if self.state_at(Person.id_for(name)) is None:
                raise NotPermitted(f"no person named {name} is in the ledger; name the person who did it then "
                                   f"(the admin registers them first if they are missing)")
            raise NotPermitted(f"{name} was not registered at {when}; the admin backfills their registration "
                               f"first, or name the person who did it then")
        if not then.active:
            raise NotPermitted(f"{name} had been removed from the ledger by {when}")
        try:
            check(then.name, then.role, then.unit, action, unit)
        except NotPermitted as refused:
            raise NotPermitted(f"as of {when}: {refused}") from None
        if unit is None:
            return
        unit_then: Unit | None = self.state_at(Unit.id_for(unit), as_of=at)
        if unit_then is None:
            raise RuleViolated(f"unit {unit} was not enrolled at {when}; the admin backfills its enrolment first")
        if then.role in UNIT_ROLES:
            unit_then.check_open_to_its_people(shanghai_date(at))
        if action in (Action.APPROVE, Action.REPORT) and then.role in REPORTING_ROLES:
            holder = unit_then.officer(then.role)
            if holder != then.name:
                raise NotPermitted(f"at {when} {unit}'s {then.role.value} was {holder or 'nobody'}, not {then.name}; "
                                   f"the holder of the post at that time did this on paper")

    def _live_only(self, what: str) -> None:
        if self._backfill is not None:
            raise NotPermitted(f"{what} happens now, never on paper: it cannot be backfilled (leave out --backfill)")

    def _stamp_for(self, actor: str, role: Role) -> Stamp:
        if self._backfill is not None:
            self._live_only("this command")
        now = self.clock()
        return Stamp(actor=actor, actor_role=role.value, os_user=self.machine.os_user,
                     host=self.machine.host, recorded_at=now, effective_at=now)

    def _save(self, *aggregates: Aggregate) -> None:
        if self.work.batch is not None:
            self.work.batch.collect(aggregates)  # type: ignore[arg-type]
            return
        self._write([event for aggregate in aggregates for event in aggregate.collect_events()])

    def _write(self, events: Sequence[Aggregate.Event]) -> None:
        """Stores events in one transaction: mapped, then inserted in bulk, each with its leaf."""
        try:
            with collector_paused():
                self.recorder.insert_events(Mapped(events, self.mapper))
        except IntegrityError:
            raise Stale(
                "someone else changed this at the same moment; nothing was recorded, look again and retry"
            ) from None

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, without its per-object protocol checks (slow in bulk)."""
        if kwargs or self.snapshots:
            return super().save(*objs, **kwargs)
        return self.events.put([e for o in objs if o is not None
                                for e in (o.collect_events() if isinstance(o, Aggregate) else (o,))])

    def _refuse_existing(self, cls: type[Aggregate], key: str, message: str) -> None:
        try:
            self.repository.get(cls.id_for(key))
        except AggregateNotFoundError:
            return
        raise AlreadyExists(message)

    def _refuse_look_alike(self, name: str) -> None:
        """Rule 16: two people whose names look the same would be one name in every table."""
        key = name_key(name)
        for other in self.people():
            if name_key(other.name) == key:
                raise AlreadyExists(f"{name!r} looks the same as the registered person {other.name!r}; "
                                    f"names are unique, so tell them apart visibly (e.g. 王芳（环卫）)")

    def _enrolled_unit(self, code: str) -> Unit:
        unit = self.unit(code)
        unit.check_enrolled()
        return unit


class _CheckedOnly(Exception):
    """Ends a batch that only checked its rows: nothing of it is saved."""


class _BatchRepository(Repository[UUID]):
    """Inside a batch, an aggregate is loaded once and then handed out as the batch's commands left it."""

    def __init__(self, work: UnitOfWork, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work = work

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        batch = self.work.batch
        if batch is None or kwargs:
            return super().get(aggregate_id, **{"projector_func": _project, **kwargs})
        found = batch.aggregate(aggregate_id, self._stored)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def _stored(self, aggregate_id: UUID) -> Any:
        try:
            return super().get(aggregate_id, projector_func=_project)
        except AggregateNotFoundError:
            return None


def _project(aggregate: Any, events: Any) -> Any:
    """The library's projector without its assertion, an isinstance of a Protocol per event (most of
    the time of loading an aggregate)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate

