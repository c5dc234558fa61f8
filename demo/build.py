"""A realistic year of the commission's ledger, played through the Ledger along a simulated clock.

The commission adopts the ledger on 2022-01-04 (ADOPTED). What it did from 2021-08-31 until then was
kept on paper: the admin backfills the units and people as they stood when enrolled, and the office's
clerk enters the paper months — every step as it happened, in one transaction, through the same
`Ledger.backfilling` path as `zs backfill import` (docs/domain.md rule 11). From then on the steps are
live. So `--as-known-at 2022-01-03` shows an empty ledger while `--as-of 2021-12-31` shows the autumn."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from demo import data
from demo.reports import reporting_steps
from domain.application import Ledger, Machine
from domain.errors import AlreadyExists, NotFound
from domain.values import SHANGHAI, UTC, ProblemCategory, Rating, Role, ServiceKind, Stage

ENROLLED = date(2021, 8, 31)
ADOPTED = date(2022, 1, 4)  # the ledger's first day; everything before it is entered from paper
PAPER_REASON = "纸质台账补录（2021年9月至12月）"
SET_UP_REASON = "纸质台账补录：2021年8月31日成员单位和人员"
SHOWN_ON = date(2022, 8, 10)  # the one moment (its end, Shanghai time) every printed table speaks of


class SimulatedClock:
    """Office hours on each step's day, a few minutes apart, never going back."""

    def __init__(self, start: date = ENROLLED) -> None:
        self.now = datetime.combine(start, time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date) -> None:
        opening = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)
        self.now = max(opening, self.now + timedelta(minutes=7))


def build(store: str) -> Ledger:
    clock = SimulatedClock(ADOPTED)
    ledger = Ledger(store, clock=clock, machine=Machine(os_user="demo", host="demo"))
    if not ledger.is_empty():
        ledger.close()
        raise AlreadyExists("this store already holds a ledger; the demo writes only into an empty store")
    admin = next(p.name for p in data.OFFICE_PEOPLE if p.role == Role.ADMIN)
    clerk = next(p.name for p in data.OFFICE_PEOPLE if p.role == Role.OFFICE)
    ledger.init(admin)
    handles: dict[str, str] = {}
    services: dict[str, list[str]] = {}
    steps = sorted(data.timeline() + reporting_steps(ENROLLED, data.END), key=lambda s: s.on)
    paper = [s for s in steps if s.on < ADOPTED]
    with ledger.batch():  # the paper months: one transaction
        _set_up(ledger.backfilling(at=_opening(ENROLLED), because=SET_UP_REASON), admin)
        paper_clock = SimulatedClock()
        for step in paper:
            paper_clock.at(step.on)
            _play(ledger.backfilling(at=paper_clock(), by=step.actor, because=PAPER_REASON), clerk, step, handles,
                  services)
    ledger.set_demo_passwords(admin)  # `zs serve` over the demo: everyone logs in with zs-demo
    for step in steps[len(paper):]:
        clock.at(step.on)
        _play(ledger, step.actor, step, handles, services)
    return ledger


def _opening(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)


def _set_up(ledger: Ledger, admin: str) -> None:
    """The units and people as they stood when the units were enrolled (the admin backfills set-up)."""
    for person in data.OFFICE_PEOPLE:
        if person.role != Role.ADMIN:
            ledger.add_person(admin, person.name, person.role, person.unit_code, person.phone, person.title)
    for unit in data.UNITS:
        ledger.add_unit(admin, unit.code, unit.name, unit.kind, ENROLLED, list(unit.sectors), unit.department)
    for person in data.UNIT_PEOPLE:
        ledger.add_person(admin, person.name, person.role, person.unit_code, person.phone, person.title)


REASONED = {  # the project commands that take only a reason
    "promote": Ledger.promote_project, "demote": Ledger.demote_project, "suspend": Ledger.suspend_project,
    "resume": Ledger.resume_project, "terminate": Ledger.terminate_project,
}


def _play(ledger: Ledger, who: str, step: Any, handles: dict[str, str], services: dict[str, list[str]]) -> None:
    """One step, entered by `who` (its actor when live; the office's clerk when entered from paper)."""
    a = step.args
    action = step.action
    if action == "project_add":
        p = next(p for p in data.PROJECTS if p.number == a["number"])
        ledger.add_project(who, p.number, p.unit_code, p.name, p.sector, p.level, p.investor,
                           p.investment_wan, p.responsible_person, p.responsible_department, p.liaison)
    elif action == "advance":
        ledger.advance_project(who, a["number"], Stage(a["to"]), a["on"], a.get("note"))
    elif action == "note":
        ledger.note_progress(who, a["number"], a["text"], a["on"])
    elif action in REASONED:
        REASONED[action](ledger, who, a["number"], a["reason"])
    elif action == "evaluate":
        ledger.evaluate_project(who, a["number"], a["period"], Rating(a["rating"]), a.get("comment"))
    elif action == "update":
        ledger.update_project(who, a["number"], investment=a["investment"])
    elif action == "problem_raise":
        handles[a["key"]] = ledger.raise_problem(who, a["number"], a["title"], ProblemCategory(a["category"]),
                                                 a.get("due"))
    elif action == "problem_escalate":
        ledger.escalate_problem(who, handles[a["key"]], a["to"], a.get("note"))
    elif action == "problem_answer":
        ledger.answer_problem(who, handles[a["key"]], a["note"])
    elif action == "problem_close":
        ledger.close_problem(who, handles[a["key"]], a.get("note"))
    elif action == "problem_reopen":
        ledger.reopen_problem(who, handles[a["key"]], a["reason"])
    elif action == "service_add":
        sid = ledger.add_service(who, a["number"], ServiceKind(a["kind"]), a["on"], a["note"], a.get("amount"))
        services.setdefault(a["number"], []).append(sid)
    elif action == "report_draft":
        ledger.draft_report(who, a["unit"], a["kind"], a["period"], [_form_file(ledger, a)])
    elif action == "report_revise":
        report = ledger.report(a["id"])
        ledger.revise_report(who, a["id"], [_form_file(ledger, {"unit": report.unit, "kind": report.kind,
                                                                 "period": report.period}, revised=True)])
    elif action == "report_approve":
        ledger.approve_report(who, a["id"])
    elif action == "report_accept":
        ledger.accept_report(who, a["id"])
    elif action == "report_send":
        ledger.send_report(who, a["id"], sealed=True)
    elif action == "report_return":
        ledger.return_report(who, a["id"], a["reason"])
    elif action == "service_void":
        ledger.void_service(who, services[a["number"]][a["service_index"]], a["reason"])
    else:
        raise ValueError(f"the demo timeline has an unknown action {action!r}")


def _form_file(ledger: Ledger, a: dict[str, str], revised: bool = False) -> tuple[str, bytes]:
    """A stand-in for the filled form: the unit's projects as the ledger knows them now (CSV)."""
    unit = ledger.unit(a["unit"])
    title = ledger.calendar().rule(a["kind"]).title
    lines = ["项目编号,项目名称,当前环节,计划总投资（万元）"]
    for number in (p.number for p in data.PROJECTS if p.unit_code == unit.code):
        try:
            p = ledger.project(number)
        except NotFound:  # not registered yet at this point of the timeline
            continue
        lines.append(f"{p.number},{p.name},{p.stage.label},{p.investment}")
    suffix = "（修改稿）" if revised else ""
    name = f"{unit.name}{title}{a['period']}{suffix}.csv"
    return name, ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
