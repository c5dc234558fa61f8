"""Bad rows of an imported file: each with its row number as the spreadsheet shows it, the column
and the reason; one refusal lists them all, and nothing is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from domain.errors import InvalidValue, RuleViolated


@dataclass(frozen=True)
class BadRow:
    row: int | None
    column: str | None
    reason: str
    malformed: bool = True  # False: well-formed, but a rule of the ledger refuses it

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"row {self.row}" if self.row else "", self.column or "") if part)
        return f"{where}: {self.reason}" if where else self.reason


class RowsMalformed(InvalidValue):
    """Some rows hold values that cannot be read (exit 2)."""

    def __init__(self, message: str, bad: Sequence[BadRow]) -> None:
        super().__init__(message)
        self.bad = tuple(bad)


class RowsRefused(RuleViolated):
    """Every value reads, but the ledger's rules refuse some rows (exit 1)."""

    def __init__(self, message: str, bad: Sequence[BadRow]) -> None:
        super().__init__(message)
        self.bad = tuple(bad)


def refuse(source: str, bad: Sequence[BadRow]) -> NoReturn:
    ordered = sorted(bad, key=lambda b: (b.row or 0, b.column or ""))
    count = f"{len(ordered)} problem" + ("s" if len(ordered) != 1 else "")
    lines = [f"{source}: {count}; nothing was recorded"] + [f"  {b}" for b in ordered]
    error = RowsMalformed if any(b.malformed for b in ordered) else RowsRefused
    raise error("\n".join(lines), ordered)
