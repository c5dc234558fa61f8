"""Read the paper ledger's workbook: each known sheet's rows by column label, formulas kept as
`Formula` (refused by the cell readers, naming the cell), blank rows skipped.

The .xlsx is read as what it is, a zip of XML parts, streamed with the standard library: openpyxl's
read-only mode builds a cell object per cell and takes several times as long on 100,000 rows."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue
from projections.forms.cells import normal, text
from projections.forms.reading import SAVE_AS_XLSX, ZIP_SIGNATURE, UnreadableFile
from projections.forms.safety import Formula
from projections.paper.layout import BY_NAME, GUIDE
from projections.paper.refusal import BadCell

IGNORED = {GUIDE, "选项"}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROW, CELL, VALUE, FORMULA = f"{MAIN}row", f"{MAIN}c", f"{MAIN}v", f"{MAIN}f"


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
    rows: list[Row] = []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            shared = _shared_strings(book)
            for title, path in _sheets(book):
                if title in IGNORED:
                    continue
                if title not in BY_NAME:
                    bad.append(BadCell(None, None, f"unknown sheet; the sheets are: {'、'.join(BY_NAME)}", sheet=title))
                    continue
                with book.open(path) as xml:
                    rows += _sheet_rows(title, _cells(xml, shared), bad)
    except UnreadableFile:
        raise
    except Exception as error:  # not a zip, a missing part, XML that does not parse
        raise UnreadableFile(f"{source} is not a readable Excel workbook (.xlsx) ({type(error).__name__}); "
                             f"save it from Excel or WPS as .xlsx") from None
    if not rows and not bad:
        raise InvalidValue(f"{source}: no rows in any sheet; nothing to import")
    return rows


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(title, part) of each worksheet, in the workbook's order."""
    targets = {rel.get("Id"): rel.get("Target", "") for rel in ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
    found = []
    for sheet in ET.fromstring(book.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(f"{{{RELS}}}id"), "")
        found.append((sheet.get("name", ""), target.lstrip("/") if target.startswith("/") else f"xl/{target}"))
    return found


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ET.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]


def _cells(xml: Any, shared: list[str]) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column index: value}) for each row of a worksheet's XML, read as a stream."""
    for _, element in ET.iterparse(xml):
        if element.tag != ROW:
            continue
        values: dict[int, Any] = {}
        for cell in element.iter(CELL):
            ref = cell.get("r", "")
            values[_column(ref)] = _cell_value(cell, ref, shared)
        yield int(element.get("r", "0")), values
        element.clear()


def _cell_value(cell: Any, ref: str, shared: list[str]) -> Any:
    formula = cell.find(FORMULA)
    if formula is not None:
        return Formula(f"={formula.text or ''}", ref)
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    value = cell.findtext(VALUE)
    if value is None:
        return None
    if kind == "s":
        return shared[int(value)]
    if kind == "b":
        return value == "1"
    if kind in ("str", "e", "d"):
        return value
    number = float(value)
    return int(number) if number.is_integer() and "." not in value and "E" not in value.upper() else number


def _column(ref: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    index = 0
    for ch in ref:
        if not ch.isalpha():
            break
        index = index * 26 + ord(ch.upper()) - 64
    return index - 1


def _sheet_rows(title: str, lines: Iterator[tuple[int, dict[int, Any]]], bad: list[BadCell]) -> Iterator[Row]:
    sheet = BY_NAME[title]
    known = {normal(c.label): c.label for c in sheet.columns}
    first = next(lines, None)
    header = first[1] if first and first[0] == 1 else {}
    positions: dict[int, str] = {}
    for i, value in sorted(header.items()):
        label = text(str(value)) if value is not None else ""
        if not label:
            continue
        found = known.get(normal(label))
        if found is None:
            bad.append(BadCell(1, label, f"unknown column; the columns are: {'、'.join(known.values())}", sheet=title))
        elif found in positions.values():
            bad.append(BadCell(1, label, "this column appears twice", sheet=title))
        else:
            positions[i] = found
    missing = [c.label for c in sheet.columns if c.required and c.label not in positions.values()]
    bad += [BadCell(1, label, "missing column", sheet=title) for label in missing]
    if missing:
        return
    for number, cells in lines:
        values = {label: cells.get(i) for i, label in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        yield Row(title, number, values)
