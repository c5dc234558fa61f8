"""`zs project import`: a unit's list of new projects, registered all at once or not at all.

Its columns are LIST_COLUMNS (the template writes them; their order does not matter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.application import Ledger
from domain.imports import NewProject
from domain.values import Level, Sector
from projections.forms import cells
from projections.forms.definitions import Cell, Column
from projections.forms.rows import Layout, RowReader, import_rows


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
LAYOUT = Layout(LABELS, REQUIRED, {"计划总投资": "计划总投资（万元）"}, {"number": "项目编号"})


@dataclass
class ListOutcome:
    source: str
    registered: list[tuple[int, str, str]] = field(default_factory=list)  # (row, number, name)
    recorded: bool = False


def import_projects(ledger: Ledger, actor: str, unit: str, source: str, content: bytes,
                    dry_run: bool = False) -> ListOutcome:
    """The list's rows go to `Ledger.import_projects`, which registers them."""
    outcome = ListOutcome(source)

    def write(rows: list[NewProject], record: bool) -> None:
        ledger.import_projects(actor, unit, rows, record)
        outcome.registered = [(row.row, row.number, row.name) for row in rows if row.readable]
        outcome.recorded = record and bool(outcome.registered)

    import_rows(source, content, LAYOUT, _new_project, write, dry_run)
    return outcome


def _new_project(reader: RowReader) -> NewProject | None:
    number = reader.read("项目编号", cells.text) or ""
    values: dict[str, Any] = {
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
    if not number:
        return None
    return NewProject(reader.row, number, readable=not reader.any_failed(), **values)


def _sector(value: Any) -> Sector | None:
    return cells.choice(value, Sector, "sector")


def _level(value: Any) -> Level | None:
    return cells.choice(value, Level, "level", cells.LEVEL_WORDS)
