"""What both importers share (`zs form import`, `zs project import`): read a file's rows, parse each
row's cells (a bad cell is named by its row and column), hand the parsed rows to one Ledger method,
and refuse with every bad row named — the cells' and the ledger's alike — so that nothing is recorded
unless every row is good, and then everything at once. The file is the adapter's; the rules are the
Ledger's (domain/imports.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.imports import RowError, RowsRejected
from projections.forms import cells
from projections.forms.reading import SheetRow, read_table
from projections.forms.refusal import BadRow, refuse

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class RowReader:
    """One record's cells, parsed; each cell that cannot be read is noted as a bad row."""

    record: SheetRow
    bad: list[BadRow]

    @property
    def row(self) -> int:
        return self.record.row

    def read(self, column: str, parse: Callable[[Any], T]) -> T | None:
        try:
            return parse(self.record.values.get(column))
        except cells.CellError as error:
            self.fail(column, str(error))
            return None

    def fail(self, column: str | None, reason: str, malformed: bool = True) -> None:
        self.bad.append(BadRow(self.record.row, column, reason, malformed))

    def failed(self, column: str) -> bool:
        return any(b.row == self.record.row and b.column == column for b in self.bad)

    def any_failed(self) -> bool:
        return any(b.row == self.record.row for b in self.bad)


@dataclass(frozen=True)
class Layout:
    """A file's columns: their labels, the required ones (the first finds the header row), other
    spellings of a label, and the column of each field the Ledger names in a refused row."""

    labels: Sequence[str]
    required: Sequence[str]
    aliases: Mapping[str, str]
    columns: Mapping[str, str]


def import_rows(source: str, content: bytes, layout: Layout, parse: Callable[[RowReader], R | None],
                write: Callable[[list[R], bool], T], dry_run: bool,
                explain: Callable[[RowError], str] = lambda e: "") -> tuple[int, T]:
    """(the number of rows read, what `write` answered). `write(rows, record)` is the Ledger's method:
    it records only when asked and no cell was bad, and refuses rows by raising RowsRejected."""
    table = read_table(source, content, layout.labels, layout.required, dict(layout.aliases))
    bad: list[BadRow] = []
    rows = [row for record in table.records if (row := parse(RowReader(record, bad))) is not None]
    try:
        answer = write(rows, not dry_run and not bad)
    except RowsRejected as rejected:
        bad += [BadRow(e.row, layout.columns.get(e.field) if e.field else None, f"{e.error}{explain(e)}",
                       e.malformed) for e in rejected.errors]
    if bad:
        refuse(source, bad)
    return len(table.records), answer
