"""`zs backfill template`: the paper ledger's empty workbook — a 说明 sheet, then one sheet per kind of
history with its header row (each header's comment says what the column holds), text-formatted cells
and drop-downs for the code words' Chinese labels, the unit codes and the project numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from projections.forms.safety import as_text_cell
from projections.paper.layout import GUIDE, SHEETS, Column, Sheet

LISTS = "选项"  # a hidden sheet holding the drop-downs' choices
LAST_ROW = 1048576
REQUIRED_FILL = PatternFill("solid", fgColor="F4CCCC")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
INTRO = (
    "纸质台账补录模板 (the paper ledger's import): fill the sheets below, one row per fact, and import the file "
    "with `zs --as OFFICE backfill import FILE.xlsx --admin ADMIN [--by NAME] [--dry-run]`.",
    "Every row states its 生效时间 (when it happened on paper, Shanghai time), who did it then (经办人) and, if "
    "wanted, why it is entered now (补录原因). Rows are recorded in 生效时间 order across all sheets.",
    "Red headers are required. Codes may be typed as the Chinese label (签约) or the code word (signed).",
    "Nothing is recorded unless every row is valid; each bad row is reported with its sheet, row, column and reason.",
)


def template_bytes() -> bytes:
    book = Workbook()
    guide = book.active
    guide.title = GUIDE
    _guide(guide)
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    list_columns: dict[tuple[str, ...], str] = {}
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for col, column in enumerate(sheet.columns, 1):
            letter = get_column_letter(col)
            cell = as_text_cell(ws.cell(1, col, column.label))
            cell.font = Font(bold=True)
            cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
            cell.comment = Comment(("必填 required. " if column.required else "") + column.doc, "zs")
            ws.column_dimensions[letter].width = column.width
            ws.column_dimensions[letter].number_format = "@"
            formula = _choices(lists, list_columns, column)
            if formula:
                check = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning",
                                       showErrorMessage=True, error="not one of the choices; see the header's note")
                check.add(f"{letter}2:{letter}{LAST_ROW}")
                ws.add_data_validation(check)
        ws.freeze_panes = "A2"
    book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.index(lists))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide(ws) -> None:
    for row, line in enumerate(INTRO, 1):
        as_text_cell(ws.cell(row, 1, line))
    row = len(INTRO) + 2
    for col, header in enumerate(("工作表 sheet", "列 column", "必填 required", "说明 meaning", "选项 choices"), 1):
        as_text_cell(ws.cell(row, col, header)).font = Font(bold=True)
    for sheet in SHEETS:
        row += 1
        as_text_cell(ws.cell(row, 1, sheet.name)).font = Font(bold=True)
        as_text_cell(ws.cell(row, 4, sheet.doc))
        for column in sheet.columns:
            row += 1
            for col, value in enumerate((sheet.name, column.label, "是" if column.required else "",
                                         column.doc, "、".join(column.choices)), 1):
                as_text_cell(ws.cell(row, col, value))
    for letter, width in zip("ABCDE", (10, 18, 8, 80, 40)):
        ws.column_dimensions[letter].width = width


def _choices(lists, made: dict[tuple[str, ...], str], column: Column) -> str | None:
    if column.source:
        letter = get_column_letter(_sheet(column.source).columns.index(_key(column.source)) + 1)
        return f"{quote_sheetname(column.source)}!${letter}$2:${letter}$10000"
    if not column.choices:
        return None
    if column.choices not in made:
        letter = get_column_letter(len(made) + 1)
        for row, choice in enumerate(column.choices, 1):
            as_text_cell(lists.cell(row, len(made) + 1, choice))
        made[column.choices] = f"{LISTS}!${letter}$1:${letter}${len(column.choices)}"
    return made[column.choices]


def _sheet(name: str) -> Sheet:
    return next(s for s in SHEETS if s.name == name)


def _key(name: str) -> Column:
    sheet = _sheet(name)
    return sheet.columns[1] if sheet.name == "单位" else sheet.column("项目编号")
