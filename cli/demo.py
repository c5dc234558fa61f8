"""`zs demo`: a realistic year of the commission's ledger, driven along a simulated clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import click

from cli import demo_data as data
from cli.demo_reports import reporting_steps
from cli.context import Context, pass_context
from cli.output import labelled, table
from cli.projects import PROJECT_CODES
from domain.application import Ledger, Machine
from domain.errors import AlreadyExists, NotFound
from domain.values import (
    SHANGHAI, UTC, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind, end_of_day,
)
from projections.queries import Moment, Queries

ENROLLED = date(2021, 8, 31)
SHOWN_ON = date(2022, 8, 10)  # the one moment (its end, Shanghai time) every printed table speaks of


class SimulatedClock:
    """Office hours on each step's day, a few minutes apart, never going back."""

    def __init__(self) -> None:
        self.now = datetime.combine(ENROLLED, time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: date) -> None:
        opening = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI).astimezone(UTC)
        self.now = max(opening, self.now + timedelta(minutes=7))


def build(store: str) -> Ledger:
    clock = SimulatedClock()
    ledger = Ledger(store, clock=clock, machine=Machine(os_user="demo", host="demo"))
    if not ledger.is_empty():
        ledger.close()
        raise AlreadyExists("this store already holds a ledger; the demo writes only into an empty store")
    _set_up(ledger)
    handles: dict[str, str] = {}
    services: dict[str, list[str]] = {}
    steps = sorted(data.timeline() + reporting_steps(ENROLLED, data.END), key=lambda s: s.on)
    for step in steps:
        clock.at(step.on)
        _play(ledger, step, handles, services)
    return ledger


def _set_up(ledger: Ledger) -> None:
    admin = next(p for p in data.OFFICE_PEOPLE if p.role == "admin")
    ledger.init(admin.name)
    for person in data.OFFICE_PEOPLE:
        if person.role != "admin":
            ledger.add_person(admin.name, person.name, Role(person.role), person.unit_code, person.phone,
                              person.title)
    for unit in data.UNITS:
        ledger.add_unit(admin.name, unit.code, unit.name, UnitKind(unit.kind), ENROLLED,
                        [Sector(s) for s in unit.sectors], unit.department)
    for person in data.UNIT_PEOPLE:
        ledger.add_person(admin.name, person.name, Role(person.role), person.unit_code, person.phone, person.title)
    ledger.set_demo_passwords(admin.name)  # `zs serve` over the demo: everyone logs in with zs-demo


REASONED = {  # the project commands that take only a reason
    "promote": Ledger.promote_project, "demote": Ledger.demote_project, "suspend": Ledger.suspend_project,
    "resume": Ledger.resume_project, "terminate": Ledger.terminate_project,
}


def _play(ledger: Ledger, step: Any, handles: dict[str, str], services: dict[str, list[str]]) -> None:
    a, who = step.args, step.actor
    action = step.action
    if action == "project_add":
        p = next(p for p in data.PROJECTS if p.number == a["number"])
        ledger.add_project(who, p.number, p.unit_code, p.name, Sector(p.sector), Level(p.level), p.investor,
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


BOARD_COLUMNS = [
    ("number", "项目编号"), ("name", "项目名称"), ("unit", "单位"), ("library", "库别"), ("stage", "当前环节"),
    ("status", "状态"), ("investment_wan", "计划总投资（万元）"), ("open_problems", "未销号问题"),
]


COUNT_COLUMNS = [("unit", "代码"), ("name", "单位名称"), ("key_projects", "重点项目")]
COUNT_COLUMNS += [(s.value, s.label) for s in Stage] + [
    ("terminated", "终止"), ("problems_open", "未销号问题"), ("reports_on_time", "按时报送"), ("reports_late", "迟报"),
    ("reports_overdue", "逾期未报")]
OVERDUE_COLUMNS = [("unit", "单位"), ("kind", "报告类别"), ("period", "期间"), ("due_on", "截止日期"),
                   ("days_overdue", "逾期天数"), ("report_id", "报告编号")]


def unit_counts(queries: Queries, moment: datetime) -> list[dict[str, Any]]:
    """The closed loop per unit at the moment, flattened for one table."""
    names = {u["code"]: u["name"] for u in queries.units()}
    return [row | row["projects_by_stage"] | {"name": names[row["unit"]]} for row in queries.progress(moment)]


def tables(queries: Queries, moment: datetime) -> str:
    """The board, the per-unit counts and the overdue list, all as the ledger stood at one moment, each
    labelled with it, so that the three never disagree."""
    stamp = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    overdue = queries.overdue(moment)
    return "\n".join([
        f"以下各表均为台账截至 {stamp}（北京时间）的情况 (every table below: as of {stamp} Shanghai time)", "",
        f"重点招商项目看板，截至 {stamp} (project board)",
        table(labelled(queries.board(Moment(moment)), PROJECT_CODES), BOARD_COLUMNS), "",
        f"各单位闭环情况，截至 {stamp} (per-unit counts)", table(unit_counts(queries, moment), COUNT_COLUMNS), "",
        f"逾期未报，截至 {stamp} (overdue): {len(overdue)}", table(overdue, OVERDUE_COLUMNS),
    ])


@click.command()
@click.option("--store", "demo_store", metavar="URL",
              help="Where to build the demo ledger (default: the global --store); it must be empty.")
@pass_context
def demo(obj: Context, demo_store: str | None) -> None:
    """Build a realistic year of the commission's ledger and print the board, the per-unit counts and
    the overdue reports, all as of one stated moment (the end of 2022-08-10, Shanghai time).

    Seeded and deterministic; refuses a store that already holds a ledger.

    \b
    Example:
      zs demo --store sqlite:///demo.db
    """
    ledger = build(demo_store or obj.store)
    try:
        click.echo(tables(Queries(ledger), end_of_day(SHOWN_ON)))
    finally:
        ledger.close()
