"""Read the first sheet of a clerk's file into rows by column: an .xlsx workbook, or CSV in UTF-8
(with or without BOM), GB18030/GBK (what Chinese Excel and WPS save) or UTF-16 (Excel's 'Unicode
text'). The header row is found by its key column, below any heading lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from domain.errors import InvalidValue, RuleViolated
from projections.forms.cells import normal, text
from projections.forms.refusal import BadRow, refuse
from projections.forms.safety import Formula, unguard_csv

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et and other Office 97-2003 files
ZIP_SIGNATURE = b"PK\x03\x04"
HEADER_SEARCH = 20
BLANK_ROWS_AT_END = 1000
TOTAL = "合计"
SAVE_AS_XLSX = ("open it in Excel or WPS, choose 文件 → 另存为 and the type “Excel 工作簿 (*.xlsx)”, "
                "then import the .xlsx")


class UnreadableFile(RuleViolated):
    """The file is no spreadsheet, or a corrupt one: a file error (exit 1), naming the file."""


@dataclass(frozen=True)
class SheetRow:
    row: int  # as the spreadsheet shows it
    values: dict[str, Any]  # by the column's label


@dataclass(frozen=True)
class Table:
    source: str
    header_row: int
    columns: tuple[str, ...]
    records: tuple[SheetRow, ...]


def read_table(source: str, content: bytes, labels: Sequence[str], required: Sequence[str],
               aliases: dict[str, str] | None = None) -> Table:
    """The rows under the header row (the first that names `required[0]`), blank and 合计 rows skipped."""
    rows = list(_rows(source, content))
    known = {normal(label): label for label in labels} | {normal(k): v for k, v in (aliases or {}).items()}
    header_at = next((i for i, row in enumerate(rows[:HEADER_SEARCH], 1)
                      if normal(required[0]) in {normal(_label(v)) for v in row}), None)
    if header_at is None:
        first = next((" | ".join(_label(v) for v in row if _label(v)) for row in rows
                      if any(_label(v) for v in row)), "")
        raise InvalidValue(f"{source}: no header row naming {required[0]} in its first {HEADER_SEARCH} rows "
                           f"(its first row reads: {first or 'nothing'}); the columns are: {'、'.join(labels)}")
    positions: dict[int, str] = {}
    bad = []
    for col, value in enumerate(rows[header_at - 1], 1):
        header = _label(value)
        label = known.get(normal(header)) if header else None
        if header and label is None:
            bad.append(BadRow(header_at, header, f"unknown column; the columns are: {'、'.join(labels)}"))
        elif label in positions.values():
            bad.append(BadRow(header_at, header, "this column appears twice"))
        elif label:
            positions[col - 1] = label
    bad += [BadRow(header_at, label, "missing column") for label in required if label not in positions.values()]
    if bad:
        refuse(source, bad)
    records = tuple(SheetRow(number, {label: row[i] if i < len(row) else None for i, label in positions.items()})
                    for number, row in enumerate(rows[header_at:], header_at + 1) if _is_data(row))
    if not records:
        raise InvalidValue(f"{source}: no rows under the header row (row {header_at}); nothing to import")
    return Table(source, header_at, tuple(positions.values()), records)


def _is_data(row: Sequence[Any]) -> bool:
    filled = [_label(v) for v in row if _label(v)]
    return bool(filled) and normal(filled[0]) != TOTAL


def _rows(source: str, content: bytes) -> Iterable[Sequence[Any]]:
    suffix = PurePath(source).suffix.lower()
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InvalidValue(f"{source} is empty: a header row and at least one row are needed")
    if content.startswith(OLE_SIGNATURE) or suffix in (".xls", ".et"):
        raise UnreadableFile(f"{source} is an old-style Excel 97-2003 (.xls) file, which is not read; {SAVE_AS_XLSX}")
    if content.startswith(ZIP_SIGNATURE):
        return _xlsx_rows(source, content)
    return _csv_rows(source, _decode(source, content))


def _xlsx_rows(source: str, content: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook  # only when a workbook is read

    def unreadable(error: Exception) -> UnreadableFile:
        return UnreadableFile(f"{source} is not a readable Excel workbook (.xlsx) ({type(error).__name__}); "
                              f"save it from Excel or WPS as .xlsx or as CSV")

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # a zip that is no workbook (.docx, .ods) fails in many ways
        raise unreadable(error) from None
    rows: list[tuple[Any, ...]] = []
    blank = 0
    try:
        for row in book.worksheets[0].iter_rows(min_row=1):
            values = tuple(_value(cell) for cell in row)
            blank = 0 if any(v is not None for v in values) else blank + 1
            if blank > BLANK_ROWS_AT_END:  # formatted but empty rows, down to row 1048576
                break
            rows.append(values)
    except Exception as error:  # a sheet's XML that does not parse, a missing part
        raise unreadable(error) from None
    finally:
        book.close()
    return rows


def _value(cell: Any) -> Any:
    """A cell's value; a formula is kept as a Formula, which the readers refuse naming its cell."""
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(cell.value), cell.coordinate)
    return cell.value


def _decode(source: str, content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        decoded = content.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            decoded = ""
    if not decoded or any(ord(ch) < 32 and ch not in "\t\r\n" for ch in decoded[:65536]):
        raise UnreadableFile(f"{source} is not a spreadsheet: import an .xlsx workbook or a CSV file "
                           f"(in Excel or WPS: 文件 → 另存为 → .xlsx or CSV)")
    return decoded


def _csv_rows(source: str, decoded: str) -> list[list[str]]:
    first_line = decoded.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(decoded.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(f"{source} cannot be read as CSV: {error}") from None
    return [[_csv_value(value, i, j) for j, value in enumerate(row)] for i, row in enumerate(rows, 1)]


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _label(value: Any) -> str:
    """A cell as a header or a row's first text; a formula counts as its text here."""
    return text(str(value)) if isinstance(value, Formula) else text(value)


def _csv_value(value: str, row: int, col: int) -> str:
    """A CSV cell: our own guard (a leading apostrophe) taken off; a formula kept as a Formula."""
    if value.startswith("="):
        return Formula(value, f"{_letters(col + 1)}{row}")
    return unguard_csv(value)
