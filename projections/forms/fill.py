"""Fill a unit's form for a period from the ledger (docs/domain.md rule 7): what the ledger knows now, or
what it knew at a moment (`known_at`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.application import Ledger
from domain.errors import NotFound
from domain.period import Period
from domain.problem import Problem
from domain.unit import Unit
from domain.values import SHANGHAI, Role, shanghai_date
from projections.forms.definitions import Column, FormDefinition, form
from projections.forms.facts import PeriodFacts, open_problem_titles
from projections.forms.sheet import FilledForm, Row, Sheet, heading_items, totals_row

OVERVIEW = "汇总"
RECORD_COLUMNS = (Column("填报项目"), Column("填报内容"))


def fill(ledger: Ledger, unit: str, kind: str, period: str, known_at: datetime | None = None) -> FilledForm:
    """The unit's form of this kind for the period (a malformed or wrongly shaped period is refused),
    from everything recorded by `known_at` (default: now)."""
    definition = form(kind)
    current = ledger.unit(unit)
    parsed = Period.parse(period, ledger.calendar().rule(definition.kind).cadence)
    facts = PeriodFacts.of(ledger, parsed, known_at)
    home = facts.known(current)
    if home is None:
        moment = (known_at or ledger.clock()).astimezone(SHANGHAI)
        raise NotFound(f"unit {current.code} was not yet in the ledger at {moment:%Y-%m-%d %H:%M} (Shanghai time); "
                       f"nothing was known of it then")
    sheets = BUILDERS[definition.kind](facts, definition, home)
    return FilledForm(definition, home.code, home.name, parsed, tuple(sheets))


def _sheet(d: FormDefinition, name: str, heading: tuple[str, ...], columns: tuple[Column, ...],
           rows: list[Row], totals_at: int | None = None, record: bool = False) -> Sheet:
    table = tuple(rows)
    totals = totals_row(columns, table, totals_at) if totals_at is not None and table else None
    return Sheet(name, d.annex_label, d.title, heading, columns, table, totals, record)


def _project_status(facts: PeriodFacts, d: FormDefinition, unit: Unit) -> list[Sheet]:
    overview: list[Row] = []
    pages = []
    unit_at_end = facts.ledger.state_at(unit.id, facts.end, facts.known_at) or unit
    for project, at_end in facts.key_projects(unit.code):
        values = (
            at_end.name, at_end.investor, at_end.sector.label, at_end.level.label,
            facts.stage_label(project, at_end), at_end.investment, facts.progress(project),
            open_problem_titles(facts.ledger, at_end, facts.end, facts.known_at),
            at_end.responsible_department or unit_at_end.department,
            at_end.responsible_person, at_end.liaison, facts.filled_on,
        )
        overview.append((project.number, *values))
        heading = heading_items(d, f"项目编号：{project.number}", facts.period, f"填报单位：{unit.name}")
        pages.append(_sheet(d, project.number, heading, RECORD_COLUMNS,
                            [(c.label, v) for c, v in zip(d.fields, values)], record=True))
    heading = heading_items(d, f"单位名称：{unit.name}", facts.period)
    return [_sheet(d, OVERVIEW, heading, d.overview_columns, overview, totals_at=0), *pages]


def _tracking_feedback(facts: PeriodFacts, d: FormDefinition, unit: Unit) -> list[Sheet]:
    overview: list[Row] = []
    pages = []
    for project, at_end in facts.key_projects(unit.code):
        rows = [_problem_row(i, state, events) for i, (state, events) in enumerate(facts.problems(at_end), 1)]
        if not rows:
            continue
        overview += [(project.number, at_end.name, *row) for row in rows]
        heading = heading_items(d, f"项目编号：{project.number}", facts.period, f"项目名称：{at_end.name}")
        pages.append(_sheet(d, project.number, heading, d.fields, rows))
    heading = heading_items(d, f"单位名称：{unit.name}", facts.period)
    return [_sheet(d, OVERVIEW, heading, d.overview_columns, overview), *pages]


def _problem_row(seq: int, state: Problem, events: list[Any]) -> Row:
    escalations = [f"{shanghai_date(e.effective_at)} 上报{e.to}" + (f"：{e.note}" if e.note else "")
                   for e in events if isinstance(e, Problem.Escalated)]
    answers = [f"{shanghai_date(e.effective_at)} {e.note}" for e in events if isinstance(e, Problem.Answered)]
    closed_on = shanghai_date(state.closed_at) if state.closed_at else None
    return (seq, state.title, shanghai_date(state.raised_at), "\n".join(escalations), "\n".join(answers),
            state.status.label, closed_on)


def _service_list(facts: PeriodFacts, d: FormDefinition, unit: Unit) -> list[Sheet]:
    found = [(service, project, at_end) for project, at_end in facts.key_projects(unit.code)
             for service in facts.services(project)]
    found.sort(key=lambda f: (f[0].on, f[1].number, f[0].id))
    rows: list[Row] = [(i, p.number, at_end.name, s.kind.label, s.note, s.on, s.amount)
                       for i, (s, p, at_end) in enumerate(found, 1)]
    heading = heading_items(d, f"单位名称：{unit.name}", facts.period)
    return [_sheet(d, d.title, heading, d.fields, rows, totals_at=0)]


def _liaison_form(facts: PeriodFacts, d: FormDefinition, unit: Unit) -> list[Sheet]:
    liaison = unit.officer(Role.LIAISON)
    person = facts.known(facts.ledger.person(liaison)) if liaison else None
    row = (unit.officer(Role.PRINCIPAL), unit.officer(Role.LEADER), unit.department, liaison,
           person.title if person else None, person.phone if person else None)
    heading = heading_items(d, f"填报单位（盖章）：{unit.name}", facts.period, f"填报日期：{facts.today}")
    return [_sheet(d, d.title, heading, d.fields, [row])]


BUILDERS: dict[str, Callable[[PeriodFacts, FormDefinition, Unit], list[Sheet]]] = {
    "project_status": _project_status, "tracking_feedback": _tracking_feedback,
    "service_list": _service_list, "liaison_form": _liaison_form,
}
