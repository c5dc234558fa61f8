"""The template of `zs project import`: the columns with drop-down lists for 所属行业 and 项目级别,
项目编号 formatted as text (leading zeros stay), and a sheet explaining each column."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from domain.values import Level, Sector
from projections.forms.definitions import Cell, Column
from projections.forms.project_list import LIST_COLUMNS
from projections.forms.sheet import Sheet
from projections.forms.xlsx import (
    DATE_FORMAT,
    MONEY_FORMAT,
    TEXT_FORMAT,
    display_width,
    write_sheet,
)

ROWS = 500  # rows prepared with formats and drop-downs
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
CHOICES = {"所属行业": [s.label for s in Sector], "项目级别": [lv.label for lv in Level]}


def template_xlsx() -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "项目清单"
    for col, spec in enumerate(LIST_COLUMNS, 1):
        label = spec.column.label
        cell = ws.cell(1, col, label)
        cell.font = Font(name="宋体", bold=True, color="C00000" if spec.required else None)
        cell.fill = HEADER_FILL
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(display_width(label), 12) + 4
        number_format = {Cell.MONEY: MONEY_FORMAT, Cell.DATE: DATE_FORMAT}.get(spec.column.cell, TEXT_FORMAT)
        for row in range(2, ROWS + 2):
            ws.cell(row, col).number_format = number_format
        if label in CHOICES:
            rule = DataValidation(type="list", formula1='"' + ",".join(CHOICES[label]) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=label, error=f"请从下拉列表中选择{label}")
            rule.add(f"{letter}2:{letter}{ROWS + 1}")
            ws.add_data_validation(rule)
    ws.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    guide = Sheet("填写说明", None, "项目清单填写说明", ("红色列名为必填；第一张工作表每行登记一个项目，导入时不读本表",),
                  (Column("列名"), Column("必填"),
                   Column("填写要求")),
                  tuple((c.column.label, "是" if c.required else "否", c.help) for c in LIST_COLUMNS))
    write_sheet(notes, guide)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    return ("\ufeff" + ",".join(c.column.label for c in LIST_COLUMNS) + "\r\n").encode("utf-8")
