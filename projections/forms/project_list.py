"""`zs project import`: a unit's list of new projects, registered all at once or not at all.

Its columns are LIST_COLUMNS (the template writes them; their order does not matter)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.application import Ledger
from domain.errors import DomainError, InvalidValue
from domain.permissions import Action
from domain.project import Project
from domain.values import Level, Sector
from projections.forms import cells
from projections.forms.definitions import Cell, Column
from projections.forms.reading import SheetRow, read_table
from projections.forms.refusal import BadRow, refuse

T = TypeVar("T")


@dataclass(frozen=True)
class ListColumn:
    column: Column
    required: bool
    help: str


LIST_COLUMNS = (
    ListColumn(Column("项目编号"), True, "unique, no spaces or '/', kept as text (leading zeros stay): HW-2021-001"),
    ListColumn(Column("项目名称"), True, "the project's name"),
    ListColumn(Column("所属行业"), True, "one of: " + "、".join(s.label for s in Sector)),
    ListColumn(Column("项目级别"), True, "one of: " + "、".join(lv.label for lv in Level)),
    ListColumn(Column("投资方"), True, "the investor"),
    ListColumn(Column("计划总投资（万元）", Cell.MONEY), True, "万元, at most two decimals: 12000.50"),
    ListColumn(Column("责任人"), False, "the responsible person"),
    ListColumn(Column("责任部门"), False, "the responsible department"),
    ListColumn(Column("联络员"), False, "the project's liaison"),
)
LABELS = tuple(c.column.label for c in LIST_COLUMNS)
REQUIRED = tuple(c.column.label for c in LIST_COLUMNS if c.required)


@dataclass
class ListOutcome:
    source: str
    registered: list[tuple[int, str, str]] = field(default_factory=list)  # (row, number, name)
    recorded: bool = False


def import_projects(ledger: Ledger, actor: str, unit: str, source: str, content: bytes,
                    dry_run: bool = False) -> ListOutcome:
    home = ledger.unit(unit)
    home.check_enrolled()
    stamp = ledger._authorise(actor, Action.PROJECT_WORK, home.code)
    table = read_table(source, content, LABELS, REQUIRED, {"计划总投资": "计划总投资（万元）"})
    outcome = ListOutcome(source)
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    projects = []
    for record in table.records:
        reader = _Reader(record, bad)
        number = reader.read("项目编号", cells.text) or ""
        values = {
            "name": reader.read("项目名称", cells.text), "sector": reader.read("所属行业", _sector),
            "level": reader.read("项目级别", _level), "investor": reader.read("投资方", cells.text),
            "investment": reader.read("计划总投资（万元）", cells.money),
            "responsible_person": reader.read("责任人", cells.text) or None,
            "responsible_department": reader.read("责任部门", cells.text) or None,
            "liaison": reader.read("联络员", cells.text) or None,
        }
        for label, key in (("项目编号", number), ("项目名称", values["name"]), ("所属行业", values["sector"]),
                           ("项目级别", values["level"]), ("投资方", values["investor"]),
                           ("计划总投资（万元）", values["investment"])):
            if not key and not reader.failed(label):
                reader.fail(label, "required; leave no cell of this column blank")
        if number and (not number.strip() or "/" in number or any(ch.isspace() for ch in number)):
            reader.fail("项目编号", f"{number!r}: a project number has no spaces or '/'")
        elif number in seen:
            reader.fail("项目编号", f"{number} is also in row {seen[number]}; numbers are unique")
        elif number:
            seen[number] = record.row
            if _registered(ledger, number):
                reader.fail("项目编号", f"project {number} is already registered", malformed=False)
        if reader.any_failed():
            continue
        try:
            projects.append(Project.register(stamp, number, unit=home.code, **values))
            outcome.registered.append((record.row, number, str(values["name"])))
        except InvalidValue as error:
            reader.fail("", str(error))
        except DomainError as error:
            reader.fail("", str(error), malformed=False)
    if bad:
        refuse(source, bad)
    if projects and not dry_run:
        ledger._save(*projects)  # one transaction: the whole list, or nothing
        outcome.recorded = True
    return outcome


@dataclass
class _Reader:
    record: SheetRow
    bad: list[BadRow]

    def read(self, column: str, parse: Callable[[Any], T]) -> T | None:
        try:
            return parse(self.record.values.get(column))
        except cells.CellError as error:
            self.fail(column, str(error))
            return None

    def fail(self, column: str, reason: str, malformed: bool = True) -> None:
        self.bad.append(BadRow(self.record.row, column or None, reason, malformed))

    def failed(self, column: str) -> bool:
        return any(b.row == self.record.row and b.column == column for b in self.bad)

    def any_failed(self) -> bool:
        return any(b.row == self.record.row for b in self.bad)


def _sector(value: Any) -> Sector | None:
    return cells.choice(value, Sector, "sector")


def _level(value: Any) -> Level | None:
    return cells.choice(value, Level, "level", cells.LEVEL_WORDS)


def _registered(ledger: Ledger, number: str) -> bool:
    try:
        ledger.project(number)
    except DomainError:
        return False
    return True
