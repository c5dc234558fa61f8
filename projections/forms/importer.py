"""Read back a unit's filled 情况表 (附件1): record the changes it states — a stage moved forward
(dated 填报日期), a new 计划总投资, a progress note — as events by the acting person.

All rows are checked first; nothing is recorded unless every row is valid, and then everything is
recorded at once. What the ledger already holds records nothing, so filling a period and importing
it back is silent: a stage or amount the ledger held on 填报日期 is no change, and a note already on
record (a line of the month's progress as the form shows it, with or without its date) is not repeated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from domain.application import Ledger
from domain.base import Stamp
from domain.errors import DomainError, InvalidValue, NotFound
from domain.permissions import Action
from domain.project import Project
from domain.values import Stage, end_of_day, shanghai_date
from projections.forms import cells
from projections.forms.definitions import (
    FILLED_ON,
    INVESTMENT,
    NUMBER,
    PROGRESS,
    PROJECT_STATUS,
    STAGE,
)
from projections.forms.facts import progress_entries, stage_on
from projections.forms.reading import SheetRow, read_table
from projections.forms.refusal import BadRow, refuse

REQUIRED = (NUMBER.label, STAGE.label, INVESTMENT.label, PROGRESS.label, FILLED_ON.label)
ALIASES = {"计划总投资": INVESTMENT.label}
SEPARATORS = " \n\r\t；;，,。"
T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    row: int
    number: str
    what: str


@dataclass
class ImportOutcome:
    source: str
    rows: int
    changes: list[Change] = field(default_factory=list)
    recorded: bool = False


def import_project_status(ledger: Ledger, actor: str, unit: str, source: str, content: bytes,
                          dry_run: bool = False) -> ImportOutcome:
    home = ledger.unit(unit)
    home.check_enrolled()
    stamp = ledger._authorise(actor, Action.PROJECT_WORK, home.code)
    labels = [c.label for c in PROJECT_STATUS.overview_columns]
    table = read_table(source, content, labels, REQUIRED, ALIASES)
    batch = _Batch(ledger, stamp, home.code, ImportOutcome(source, len(table.records)))
    for record in table.records:
        _Row(batch, record).plan()
    if batch.bad:
        refuse(source, batch.bad)
    if batch.outcome.changes and not dry_run:
        ledger._save(*batch.projects.values())  # one transaction: every row's events, or none
        batch.outcome.recorded = True
    return batch.outcome


@dataclass
class _Batch:
    ledger: Ledger
    stamp: Stamp
    unit: str
    outcome: ImportOutcome
    projects: dict[str, Project] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    bad: list[BadRow] = field(default_factory=list)


@dataclass
class _Row:
    batch: _Batch
    record: SheetRow

    def fail(self, column: str, reason: str, malformed: bool = True) -> None:
        self.batch.bad.append(BadRow(self.record.row, column, reason, malformed))

    def read(self, column: str, parse: Callable[[Any], T]) -> T | None:
        try:
            return parse(self.record.values.get(column))
        except cells.CellError as error:
            self.fail(column, str(error))
            return None

    def plan(self) -> None:
        project = self.project()
        on = self.read(FILLED_ON.label, cells.day)
        stage = self.read(STAGE.label, cells.stage)
        amount = self.read(INVESTMENT.label, cells.money)
        note = self.read(PROGRESS.label, cells.text) or ""
        if project is None or any(b.row == self.record.row for b in self.batch.bad):
            return
        day = on or shanghai_date(self.batch.stamp.effective_at)
        self.attempt(STAGE.label, lambda: self.stage(project, stage, day))
        self.attempt(INVESTMENT.label, lambda: self.investment(project, amount, day))
        self.attempt(PROGRESS.label, lambda: self.note(project, note, day))

    def project(self) -> Project | None:
        number = self.read(NUMBER.label, cells.text)
        if not number:
            self.fail(NUMBER.label, "empty; every row names its project")
            return None
        if number in self.batch.rows:
            self.fail(NUMBER.label, f"project {number} is also in row {self.batch.rows[number]}; one row per project")
            return None
        self.batch.rows[number] = self.record.row
        try:
            project = self.batch.ledger.project(number)
        except NotFound:
            hint = " (if it had leading zeros, Excel dropped them: format the column as text)"
            hint = hint if number.isdigit() else ""
            self.fail(NUMBER.label, f"no project numbered {number!r} in the ledger{hint}", malformed=False)
            return None
        if project.unit != self.batch.unit:
            self.fail(NUMBER.label, f"project {number} belongs to unit {project.unit}, not {self.batch.unit}",
                      malformed=False)
            return None
        self.batch.projects[number] = project
        return project

    def attempt(self, column: str, change: Callable[[], None]) -> None:
        try:
            change()
        except InvalidValue as error:
            self.fail(column, str(error))
        except DomainError as error:
            self.fail(column, str(error), malformed=False)

    def stage(self, project: Project, stage: Stage | None, day: date) -> None:
        if stage is None or stage == project.stage or stage == stage_on(self.batch.ledger, project, day):
            return
        if stage.rank < project.stage.rank:
            since = f" since {project.stage_on}" if project.stage_on else ""
            self.fail(STAGE.label, f"the ledger has project {project.number} at {project.stage.label}{since}; "
                      f"a stage moves forward only (the office corrects one with `zs project correct`)",
                      malformed=False)
            return
        before = project.stage
        project.advance(self.batch.stamp, stage, day, None)
        self.changed(project, f"当前环节 {before.label} → {stage.label}（{day}）")

    def investment(self, project: Project, amount: Decimal | None, day: date) -> None:
        if amount is None or amount == project.investment:
            return
        held = self.batch.ledger.state_at(project.id, end_of_day(day))
        if held is not None and amount == held.investment:
            return  # the form is older than the ledger's latest figure
        before = project.investment
        project.update(self.batch.stamp, investment=amount)
        self.changed(project, f"计划总投资 {before} → {amount} 万元")

    def note(self, project: Project, text: str, day: date) -> None:
        entries = progress_entries(self.batch.ledger.history(project.id), day.replace(day=1), day)
        shown = {f"{on} {t}" for on, t in entries} | {t for _, t in entries}
        lines = [line.strip() for line in text.strip().splitlines()]
        text = "\n".join(line for line in lines if line and line not in shown).strip(SEPARATORS)  # what the clerk added
        if not text or any(on == day and t == text for on, t in project.notes):
            return
        project.note(self.batch.stamp, text, day)
        self.changed(project, f"进展（{day}）：{text}")

    def changed(self, project: Project, what: str) -> None:
        self.batch.outcome.changes.append(Change(self.record.row, project.number, what))
