"""A bad row of the paper ledger: its sheet, its row as the spreadsheet shows it, the column and the
reason. One refusal lists them all, in sheet and row order; nothing is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from projections.forms.refusal import BadRow, RowsMalformed, RowsRefused
from projections.paper.layout import SHEETS

ORDER = {sheet.name: i for i, sheet in enumerate(SHEETS)}


@dataclass(frozen=True)
class BadCell(BadRow):
    sheet: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.sheet, f"row {self.row}" if self.row else "", self.column or "") if p)
        return f"{where}: {self.reason}"


def refuse(source: str, bad: Sequence[BadCell]) -> NoReturn:
    """Malformed values: exit 2 (RowsMalformed); well-formed rows the ledger refuses: exit 1."""
    ordered = sorted(bad, key=lambda b: (ORDER.get(b.sheet, -1), b.row or 0, b.column or ""))
    count = f"{len(ordered)} problem" + ("s" if len(ordered) != 1 else "")
    lines = [f"{source}: {count}; nothing was recorded"] + [f"  {b}" for b in ordered]
    error = RowsMalformed if any(b.malformed for b in ordered) else RowsRefused
    raise error("\n".join(lines), ordered)
