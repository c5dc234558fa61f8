"""Ledger text never becomes a spreadsheet formula (docs/domain.md rule 16; OWASP "CSV injection"):
.xlsx text cells are written as text, CSV text cells that a spreadsheet would read as a formula
get a leading apostrophe, and importers take that guard off again and refuse real formulas."""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard_csv(value: Any) -> Any:
    """A text cell that starts like a formula, prefixed with an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return GUARD + value
    return value


def unguard_csv(text: str) -> str:
    """What `guard_csv` wrote, read back as the text it was."""
    if text.startswith(GUARD) and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def as_text_cell(cell: Any) -> Any:
    """An openpyxl cell whose string value is stored as text, even when it starts with '='."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


class Formula(str):
    """A formula found in an imported workbook: refused with its cell named, never evaluated."""

    coordinate: str

    def __new__(cls, text: str, coordinate: str) -> Formula:
        formula = super().__new__(cls, text)
        formula.coordinate = coordinate
        return formula
