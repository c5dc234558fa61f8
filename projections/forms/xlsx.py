"""Write sheets as an .xlsx workbook a clerk can print: 附件N, the title, the heading line, then a
bordered table with bold headers, fitted widths, money as numbers, frozen header, A4 landscape."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from projections.forms.definitions import MONEY_HEADING
from projections.forms.safety import as_text_cell
from projections.forms.sheet import Sheet, shown

FONT = "宋体"
MONEY_FORMAT, DATE_FORMAT, TEXT_FORMAT = "0.00", "yyyy-mm-dd", "@"
HEADER_ROW = 4  # 附件N, the title, the heading line, then the table's header
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
MAX_WIDTH, PAGE_WIDTH, LINE_HEIGHT = 50, 170, 15  # PAGE_WIDTH: what fits A4 landscape, in Excel's units


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for sheet in sheets:
        write_sheet(book.create_sheet(_sheet_name(sheet.name, names)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    span = max(len(sheet.columns), 1)
    _heading(ws, sheet, span)
    for col, column in enumerate(sheet.columns, 1):
        _put(as_text_cell(ws.cell(HEADER_ROW, col, column.label)), bold=True, fill=HEADER_FILL, align="center")
    rows = list(sheet.rows) + ([sheet.totals] if sheet.totals else [])
    totals_at = HEADER_ROW + len(rows) if sheet.totals else None
    for r, values in enumerate(rows, HEADER_ROW + 1):
        for col, value in enumerate(values, 1):
            cell = as_text_cell(ws.cell(r, col, value))
            _put(cell, bold=r == totals_at or (sheet.record and col == 1))
            if sheet.columns[col - 1].label == "项目编号":
                cell.number_format = TEXT_FORMAT
    widths = _fit_widths(sheet, rows)
    widths[-1] += max(0, display_width("　　".join(sheet.heading)) + 4 - sum(widths))  # the heading line fits
    for col, size in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = size
    _fit_heights(ws, [tuple(c.label for c in sheet.columns), *rows], widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    _print_setup(ws)


def _heading(ws: Worksheet, sheet: Sheet, span: int) -> None:
    if sheet.annex:
        as_text_cell(ws.cell(1, 1, sheet.annex)).font = Font(name="黑体", size=12)
    as_text_cell(ws.cell(2, 1, sheet.title)).font = Font(name="黑体", size=16, bold=True)
    ws.cell(2, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=span)
    ws.row_dimensions[2].height = 30
    items = list(sheet.heading)
    right = items.pop() if span >= 3 and items and items[-1] == MONEY_HEADING else None
    as_text_cell(ws.cell(3, 1, "　　".join(items))).font = Font(name=FONT, size=11)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=span - 1 if right else span)
    if right:
        as_text_cell(ws.cell(3, span, right)).font = Font(name=FONT, size=11)
        ws.cell(3, span).alignment = Alignment(horizontal="right")


def _put(cell: Any, bold: bool = False, fill: PatternFill | None = None, align: str | None = None) -> None:
    value = cell.value
    cell.font = Font(name=FONT, size=11, bold=bold)
    cell.border = BORDER
    if fill:
        cell.fill = fill
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
        cell.alignment = Alignment(horizontal="right", vertical="center")
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(horizontal="center", vertical="center")
    elif isinstance(value, int):
        cell.alignment = Alignment(horizontal="center", vertical="center")
    else:
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_widths(sheet: Sheet, rows: list[Any]) -> list[int]:
    """Each column as wide as its longest line (CJK counts double). When the table is wider than a
    landscape page, headers wrap and the long text columns give way first, down to a floor."""
    widths, floors = [], []
    for col, column in enumerate(sheet.columns, 1):
        values = [row[col - 1] for row in rows]
        longest = max([display_width(line) for v in values for line in shown(v).splitlines()] or [0])
        header = display_width(column.label)
        widths.append(min(max(longest, header) + 2, MAX_WIDTH))
        wrapped_header = math.ceil(header / 2) + 2
        short = longest <= 16 or any(not isinstance(v, (str, type(None))) for v in values)
        floors.append(min(max(longest + 2 if short else 16, wrapped_header), widths[-1]))
    while sum(widths) > PAGE_WIDTH:
        col = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[col] <= floors[col]:
            break
        widths[col] -= 1
    return widths


def _fit_heights(ws: Worksheet, rows: list[Any], widths: list[int]) -> None:
    """Excel does not grow a row for wrapped text on opening; give each row the lines it needs."""
    for r, values in enumerate(rows, HEADER_ROW):
        lines = max((_lines(shown(v), widths[i]) for i, v in enumerate(values)), default=1)
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines


def _lines(text: str, width: int) -> int:
    return sum(max(1, math.ceil(display_width(line) / max(width - 1, 1))) for line in (text.splitlines() or [""]))


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate
