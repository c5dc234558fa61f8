"""Many rows at once (`zs project import`, `zs form import`): the rows as the forms' adapters parse them
(projections/forms), each checked by the same aggregate methods and rules as the single commands; a
refused row is named by its row and field, and then nothing at all is recorded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import Stamp
from domain.errors import DomainError, InvalidValue, RuleViolated
from domain.project import Project, progress_entries, progress_lines, stage_on
from domain.values import Level, Sector, Stage

SEPARATORS = " \n\r\t；;，,。"


@dataclass(frozen=True)
class NewProject:
    """One row of a unit's list of new projects: what `add_project` takes."""

    row: int
    number: str
    name: str
    sector: Sector
    level: Level
    investor: str
    investment: Decimal
    responsible_person: str | None = None
    responsible_department: str | None = None
    liaison: str | None = None
    readable: bool = True  # False: a cell could not be read; the number is checked, nothing registered

    def fields(self) -> dict[str, Any]:
        return {"name": self.name, "sector": self.sector, "level": self.level, "investor": self.investor,
                "investment": self.investment, "responsible_person": self.responsible_person,
                "responsible_department": self.responsible_department, "liaison": self.liaison}


@dataclass(frozen=True)
class StatusRow:
    """One row of a filled 情况表: the project, its stage and 计划总投资 on 填报日期, the month's progress."""

    row: int
    number: str
    on: date | None
    stage: Stage | None
    investment: Decimal | None
    note: str
    readable: bool = True  # False: a cell could not be read; the project is checked, nothing changed


@dataclass(frozen=True)
class Change:
    """One change a row makes: `what` is stage, investment or note."""

    row: int
    number: str
    what: str
    before: Any
    after: Any
    on: date


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None  # number, stage, investment, note; None: the row as a whole
    error: DomainError

    @property
    def malformed(self) -> bool:
        return isinstance(self.error, InvalidValue)


class RowsRejected(RuleViolated):
    """Some rows are refused; `errors` names each by row and field. Nothing was recorded."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"row {e.row}: {e.error}" for e in self.errors))


@dataclass
class RowChecks:
    """Each row's refusals, collected: a rule broken on one row is named, and the next row is checked."""

    errors: list[RowError] = field(default_factory=list)

    @contextmanager
    def row(self, row: int, field: str | None) -> Iterator[None]:
        try:
            yield
        except DomainError as error:
            self.errors.append(RowError(row, field, error))

    def failed(self, row: int) -> bool:
        return any(e.row == row for e in self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise RowsRejected(self.errors)


def stage_change(stamp: Stamp, project: Project, events: list[Any], row: StatusRow, day: date) -> Change | None:
    """A stage the form states: no change if the project stands there now or stood there on the day;
    else moved forward (`Project.advance`), never back."""
    if row.stage is None or row.stage == project.stage or row.stage == stage_on(events, day):
        return None
    if row.stage.rank < project.stage.rank:
        since = f" since {project.stage_on}" if project.stage_on else ""
        raise RuleViolated(f"the ledger has project {project.number} at {project.stage.label}{since}; "
                           f"a stage moves forward only (the office corrects one with `zs project correct`)")
    before = project.stage
    project.advance(stamp, row.stage, day, None)
    return Change(row.row, project.number, "stage", before, row.stage, day)


def investment_change(stamp: Stamp, project: Project, held: Project | None, row: StatusRow,
                      day: date) -> Change | None:
    """A new 计划总投资: no change if it is the ledger's now, or was on the day (`held`: the project then)."""
    if row.investment is None or row.investment == project.investment:
        return None
    if held is not None and row.investment == held.investment:
        return None  # the form is older than the ledger's latest figure
    before = project.investment
    project.update(stamp, investment=row.investment)
    return Change(row.row, project.number, "investment", before, row.investment, day)


def note_change(stamp: Stamp, project: Project, events: list[Any], row: StatusRow, day: date) -> Change | None:
    """What the clerk added under the month's progress (lines the form showed, with or without their
    dates, are not repeated), noted on the day unless noted that day already."""
    entries = progress_entries(events, day.replace(day=1), day)
    shown = set(progress_lines(events, day.replace(day=1), day)) | {text for _, text in entries}
    lines = [line.strip() for line in row.note.strip().splitlines()]
    text = "\n".join(line for line in lines if line and line not in shown).strip(SEPARATORS)
    if not text or any(on == day and noted == text for on, noted in project.notes):
        return None
    project.note(stamp, text, day)
    return Change(row.row, project.number, "note", None, text, day)
