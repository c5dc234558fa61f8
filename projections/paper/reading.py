"""Read the paper ledger's workbook: each known sheet's rows by column label, formulas kept as
`Formula` (refused by the cell readers, naming the cell), blank rows skipped."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue
from projections.forms.cells import normal, text
from projections.forms.reading import SAVE_AS_XLSX, ZIP_SIGNATURE, UnreadableFile
from projections.forms.safety import Formula
from projections.paper.layout import BY_NAME, GUIDE
from projections.paper.refusal import BadCell

IGNORED = {GUIDE, "选项"}
BLANK_ROWS_AT_END = 1000


@dataclass(frozen=True)
class Row:
    sheet: str
    row: int  # as the spreadsheet shows it
    values: dict[str, Any]  # by the column's label


def read_rows(source: str, content: bytes, bad: list[BadCell]) -> list[Row]:
    """Every data row of every known sheet, in sheet order; what is wrong with the layout goes to `bad`."""
    if not content.startswith(ZIP_SIGNATURE):
        raise UnreadableFile(f"{source} is not an Excel workbook (.xlsx); the paper ledger is imported from the "
                             f"template's .xlsx (`zs backfill template`); {SAVE_AS_XLSX}")
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # a zip that is no workbook fails in many ways
        raise UnreadableFile(f"{source} is not a readable Excel workbook (.xlsx) ({type(error).__name__})") from None
    rows: list[Row] = []
    try:
        for ws in book.worksheets:
            if ws.title in IGNORED:
                continue
            if ws.title not in BY_NAME:
                bad.append(BadCell(None, None, f"unknown sheet; the sheets are: {'、'.join(BY_NAME)}", sheet=ws.title))
                continue
            rows += _sheet_rows(ws, bad)
    except UnreadableFile:
        raise
    except Exception as error:  # a sheet's XML that does not parse, a missing part
        raise UnreadableFile(f"{source} is not a readable Excel workbook (.xlsx) ({type(error).__name__})") from None
    finally:
        book.close()
    if not rows and not bad:
        raise InvalidValue(f"{source}: no rows in any sheet; nothing to import")
    return rows


def _sheet_rows(ws: Any, bad: list[BadCell]) -> Iterator[Row]:
    sheet = BY_NAME[ws.title]
    known = {normal(c.label): c.label for c in sheet.columns}
    lines = ws.iter_rows()
    header = next(lines, None)
    positions: dict[int, str] = {}
    for i, cell in enumerate(header or ()):
        label = text(str(cell.value)) if cell.value is not None else ""
        if not label:
            continue
        found = known.get(normal(label))
        if found is None:
            bad.append(BadCell(1, label, f"unknown column; the columns are: {'、'.join(known.values())}", sheet=ws.title))
        elif found in positions.values():
            bad.append(BadCell(1, label, "this column appears twice", sheet=ws.title))
        else:
            positions[i] = found
    missing = [c.label for c in sheet.columns if c.required and c.label not in positions.values()]
    bad += [BadCell(1, label, "missing column", sheet=ws.title) for label in missing]
    if missing:
        return
    blank = 0
    for number, cells in enumerate(lines, 2):
        values = {label: _value(cells[i]) for i, label in positions.items() if i < len(cells)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            blank += 1
            if blank > BLANK_ROWS_AT_END:  # formatted but empty rows, down to row 1048576
                return
            continue
        blank = 0
        yield Row(ws.title, number, values)


def _value(cell: Any) -> Any:
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(cell.value), cell.coordinate)
    return cell.value
