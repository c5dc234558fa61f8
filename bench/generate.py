"""A deterministic ledger at a chosen scale, generated through the application's aggregates and saved
in batches: units, people, projects over ten years with notes, stage moves, services, problems and
evaluations, and every unit's reports on the notice's calendar."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from domain.application import Ledger, Machine
from domain.base import Stamp
from domain.period import Period
from domain.person import Person
from domain.policy import Calendar, default_policy
from domain.problem import Problem
from domain.project import Project
from domain.report import Attachment, Report
from domain.unit import Unit
from domain.values import (
    SHANGHAI, UTC, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind,
)

START = date(2021, 9, 1)  # the day after the commission's units were enrolled
YEARS = 10
EVENTS_PER_PROJECT = 40  # what one project brings on average, its problems included
REPORT_EVENTS = 80_000  # fifty units' reports over ten years, whatever the number of projects


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def tick(self, day: date) -> datetime:
        opening = datetime.combine(day, time(9), tzinfo=SHANGHAI).astimezone(UTC)
        self.now = max(opening, self.now + timedelta(milliseconds=500))
        return self.now


class Generator:
    def __init__(self, ledger: Ledger, clock: Clock, projects: int, units: int = 50, seed: int = 116,
                 years: int = YEARS) -> None:
        self.ledger, self.clock, self.rng, self.years = ledger, clock, random.Random(seed), years
        self.project_count, self.unit_count = projects, units
        self.pending: dict[object, object] = {}
        self.saved_events = 0

    def stamp(self, day: date, actor: str, role: Role) -> Stamp:
        now = self.clock.tick(day)
        return Stamp(actor=actor, actor_role=role.value, os_user="bench", host="bench", recorded_at=now,
                     effective_at=now)

    def keep(self, *aggregates: object) -> None:
        for aggregate in aggregates:
            self.pending[aggregate.id] = aggregate  # type: ignore[attr-defined]
        if len(self.pending) >= 400:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            recordings = self.ledger.save(*self.pending.values())  # type: ignore[arg-type]
            self.saved_events += len(recordings)
            self.pending.clear()

    def run(self) -> int:
        self.set_up()
        projects: list[Project] = []
        problems: list[Problem] = []
        per_month = self.project_count / (12 * self.years)
        registered = 0.0
        for month in months(self.years):
            registered += per_month
            while len(projects) < int(registered):
                projects.append(self.register(month.first_day + timedelta(days=self.rng.randint(0, 27))))
            for project in projects:
                self.month_of_work(project, month, problems)
            for problem in problems:
                self.progress_problem(problem, month)
            problems = [p for p in problems if p.status != "closed"]
            self.reports(month)
        self.flush()
        return self.saved_events

    def set_up(self) -> None:
        day = START - timedelta(days=1)
        self.ledger.init("管理员")
        admin = self.stamp(day, "管理员", Role.ADMIN)
        self.keep(Person.register(admin, "许办公", Role.OFFICE, None, "022-28350000", "主任科员"))
        self.units: list[Unit] = []
        sectors = list(Sector)
        for i in range(self.unit_count):
            code = f"U{i:02d}"
            unit = Unit.enrol(admin, code, f"成员单位{i:02d}", UnitKind.AFFILIATE, (sectors[i % len(sectors)],),
                              "综合科", day)
            for role in (Role.PRINCIPAL, Role.LEADER, Role.LIAISON):
                name = f"{code}{role.label}"
                self.keep(Person.register(admin, name, role, code, f"1380000{i:04d}", role.label))
                unit.appoint(admin, role, name)
            self.units.append(unit)
            self.keep(unit)
        self.flush()

    def register(self, day: date) -> Project:
        unit = self.rng.choice(self.units)
        number = f"{unit.code}-{day.year}-{self.rng.randrange(10**6):06d}"
        while number in getattr(self, "_numbers", set()):
            number = f"{unit.code}-{day.year}-{self.rng.randrange(10**6):06d}"
        self.__dict__.setdefault("_numbers", set()).add(number)
        stamp = self.stamp(day, f"{unit.code}联络员", Role.LIAISON)
        project = Project.register(stamp, number, name=f"项目{number}", unit=unit.code, sector=unit.sectors[0],
                                   level=self.rng.choice(list(Level)), investor="某投资有限公司",
                                   investment=Decimal(self.rng.randrange(50000, 30000000)) / 100,
                                   responsible_person=f"{unit.code}主管领导", responsible_department="综合科",
                                   liaison=f"{unit.code}联络员")
        self.keep(project)
        return project

    def month_of_work(self, project: Project, month: Period, problems: list[Problem]) -> None:
        if project.status == "terminated":
            return
        rng, day = self.rng, month.first_day + timedelta(days=self.rng.randint(0, 27))
        liaison = (f"{project.unit}联络员", Role.LIAISON)
        if rng.random() < 0.5:
            project.note(self.stamp(day, *liaison), f"{month}进展：按计划推进", day)
        if project.library == "reserve" and rng.random() < 0.05:
            project.promote(self.stamp(day, "许办公", Role.OFFICE), "纳入重点库")
        if project.stage != Stage.OPERATING and rng.random() < 0.025:
            project.advance(self.stamp(day, *liaison), list(Stage)[project.stage.rank + 1], day, None)
        if project.library == "key" and rng.random() < 0.04:
            project.record_service(self.stamp(day, *liaison), rng.choice(list(ServiceKind)), day, "协调服务",
                                   Decimal(rng.randrange(0, 50000)) if rng.random() < 0.3 else None)
        if project.library == "key" and month.index % 3 == 0 and rng.random() < 0.1:
            project.evaluate(self.stamp(day, "许办公", Role.OFFICE), str(Period.parse(f"{month.year}-Q{month.index // 3}")),
                             rng.choice(list(Rating)), None)
        if rng.random() < 0.018:
            stamp = self.stamp(day, *liaison)
            pid = project.register_problem(stamp, "用地手续办理")
            problem = Problem.raise_on(stamp, pid, project.number, project.unit, "用地手续办理",
                                       rng.choice(list(ProblemCategory)), day + timedelta(days=60))
            problems.append(problem)
            self.keep(problem)
        if project.status == "active" and rng.random() < 0.0015:
            project.terminate(self.stamp(day, *liaison), "投资方退出")
        self.keep(project)

    def progress_problem(self, problem: Problem, month: Period) -> None:
        day = month.last_day
        roll = self.rng.random()
        if problem.status == "open" and roll < 0.5:
            problem.escalate(self.stamp(day, f"{problem.unit}联络员", Role.LIAISON), "市有关部门", None)
        elif problem.status in ("open", "escalated") and roll < 0.6:
            problem.answer(self.stamp(day, f"{problem.unit}联络员", Role.LIAISON), "已答复并反馈投资方")
        elif problem.status == "answered" and roll < 0.8:
            problem.close(self.stamp(day, "许办公", Role.OFFICE), None)
        else:
            return
        self.keep(problem)

    def reports(self, month: Period) -> None:
        calendar = Calendar([default_policy()])
        for obligation in calendar.obligations(month.first_day - timedelta(days=1), month.last_day):
            for unit in self.units:
                if self.rng.random() < 0.05:
                    continue  # missing
                due = obligation.due_on
                late = self.rng.random() < 0.1
                sent_day = due + timedelta(days=self.rng.randint(1, 5)) if late else due - timedelta(days=1)
                liaison = (f"{unit.code}联络员", Role.LIAISON)
                file = Attachment(name=f"{obligation.kind}.xlsx", sha256="0" * 64, size=0)
                report_id = Report.key_for(unit.code, obligation.kind, obligation.period)
                report = Report.draft(self.stamp(sent_day, *liaison), report_id,
                                      unit.code, obligation.kind, str(obligation.period), due, (file,), None)
                report.approve(self.stamp(sent_day, f"{unit.code}主要负责人", Role.PRINCIPAL))
                report.send(self.stamp(sent_day, *liaison), True)
                report.accept(self.stamp(sent_day + timedelta(days=2), "许办公", Role.OFFICE))
                self.keep(report)


def months(years: int = YEARS) -> Iterator[Period]:
    month = Period.month_of(START)
    for _ in range(12 * years):
        yield month
        month = month.next()


def generate(store: str, events: int, seed: int = 116, projects: int | None = None, years: int = YEARS,
             env: dict[str, str] | None = None) -> int:
    """A ledger of about `events` events over ten years; or, given `projects` and `years`, that many
    projects over that many years (the same ledger with a shorter history, whatever it comes to)."""
    clock = Clock(datetime.combine(START - timedelta(days=2), time(9), tzinfo=SHANGHAI).astimezone(UTC))
    ledger = Ledger(store, clock=clock, machine=Machine("bench", "bench"), env=env)
    try:
        count = projects or max(100, (events - REPORT_EVENTS) // EVENTS_PER_PROJECT)
        generator = Generator(ledger, clock, projects=count, seed=seed, years=years)
        generator.run()
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()
