"""Read back a unit's filled 情况表 (附件1): record the changes it states — a stage moved forward
(dated 填报日期), a new 计划总投资, a progress note — as events by the acting person.

All rows are checked first; nothing is recorded unless every row is valid, and then everything is
recorded at once. What the ledger already holds records nothing, so filling a period and importing
it back is silent: a stage or amount the ledger held on 填报日期 is no change, and a note already on
record (a line of the month's progress as the form shows it, with or without its date) is not repeated."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.application import Ledger
from domain.errors import NotFound
from domain.imports import Change as Made, RowError, StatusRow
from projections.forms import cells
from projections.forms.definitions import (
    FILLED_ON,
    INVESTMENT,
    NUMBER,
    PROGRESS,
    PROJECT_STATUS,
    STAGE,
)
from projections.forms.rows import Layout, RowReader, import_rows

LAYOUT = Layout(
    labels=tuple(c.label for c in PROJECT_STATUS.overview_columns),
    required=(NUMBER.label, STAGE.label, INVESTMENT.label, PROGRESS.label, FILLED_ON.label),
    aliases={"计划总投资": INVESTMENT.label},
    columns={"number": NUMBER.label, "stage": STAGE.label, "investment": INVESTMENT.label, "note": PROGRESS.label},
)


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
    """The rows of a filled 情况表 go to `Ledger.import_project_status`, which makes the changes."""
    recorded = False

    def write(rows: list[StatusRow], record: bool) -> list[Made]:
        nonlocal recorded
        made = ledger.import_project_status(actor, unit, rows, record)
        recorded = record and bool(made)
        return made

    count, made = import_rows(source, content, LAYOUT, _status_row, write, dry_run, _leading_zeros)
    return ImportOutcome(source, count, [Change(c.row, c.number, _describe(c)) for c in made], recorded)


def _status_row(reader: RowReader) -> StatusRow | None:
    number = reader.read(NUMBER.label, cells.text)
    if not number:
        if not reader.failed(NUMBER.label):
            reader.fail(NUMBER.label, "empty; every row names its project")
        return None
    on = reader.read(FILLED_ON.label, cells.day)
    stage = reader.read(STAGE.label, cells.stage)
    amount = reader.read(INVESTMENT.label, cells.money)
    note = reader.read(PROGRESS.label, cells.text) or ""
    return StatusRow(reader.row, number, on, stage, amount, note, readable=not reader.any_failed())


def _leading_zeros(error: RowError) -> str:
    number = str(error.error).partition("'")[2].rpartition("'")[0]
    if error.field == "number" and isinstance(error.error, NotFound) and number.isdigit():
        return " (if it had leading zeros, Excel dropped them: format the column as text)"
    return ""


def _describe(change: Made) -> str:
    if change.what == "stage":
        return f"当前环节 {change.before.label} → {change.after.label}（{change.on}）"
    if change.what == "investment":
        return f"计划总投资 {change.before} → {change.after} 万元"
    return f"进展（{change.on}）：{change.after}"
