"""Reading back a unit's filled 情况表: the changes it states become events; what the ledger already
holds records nothing; a bad row is named by its row and column, and then nothing is recorded."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import InvalidValue, NotPermitted, RuleViolated
from domain.values import Level, Sector, Stage
from projections.forms.csv import csv_bytes
from projections.forms.fill import fill
from projections.forms.importer import import_project_status
from projections.forms.reading import UnreadableFile
from projections.forms.refusal import RowsMalformed, RowsRefused
from projections.forms.safety import unguard_csv
from projections.forms.xlsx import HEADER_ROW, workbook_bytes
from tests.forms.conftest import GY_LIAISON, LIAISON, events, shanghai, workbook


def filled_xlsx(ledger, period: str = "2021-09") -> bytes:
    return workbook_bytes(fill(ledger, "HW", "project_status", period).sheets)


def filled_csv(ledger, period: str = "2021-09") -> bytes:
    return csv_bytes(fill(ledger, "HW", "project_status", period).overview)


def edited(content: bytes, changes: dict[int, dict[str, object]]) -> bytes:
    """The workbook with cells of its overview changed: {spreadsheet row: {column label: value}}."""
    book = workbook(content)
    ws = book.worksheets[0]
    columns = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    for row, cells in changes.items():
        for label, value in cells.items():
            ws.cell(row, columns[label], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(ledger, content: bytes, name: str = "情况表.xlsx", dry_run: bool = False, actor: str = LIAISON):
    return import_project_status(ledger, actor, "HW", name, content, dry_run)


@pytest.mark.parametrize("period", ["2021-09", "2021-10"])
@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_filling_a_month_and_importing_it_back_records_nothing(september, period, as_csv):
    content = filled_csv(september, period) if as_csv else filled_xlsx(september, period)
    before = events(september)

    outcome = run(september, content, "情况表.csv" if as_csv else "情况表.xlsx")

    assert outcome.changes == [] and not outcome.recorded and outcome.rows == 2
    assert events(september) == before


def test_a_clerks_changes_become_a_forward_stage_a_new_amount_and_a_note_by_the_acting_person(september):
    content = edited(filled_xlsx(september), {5: {"当前环节": "签约", "计划总投资（万元）": 13500.5,
                                                  "本月进展情况": "签订投资协议"}})

    outcome = run(september, content)

    assert [(c.row, c.number) for c in outcome.changes] == [(5, "HW-2021-001")] * 3
    project = september.project("HW-2021-001")
    assert (project.stage, project.stage_on) == (Stage.SIGNED, date(2021, 9, 30))
    assert project.investment == Decimal("13500.50")
    assert project.notes[-1] == (date(2021, 9, 30), "签订投资协议")
    assert {e.actor for e in september.history(project.id)[-3:]} == {LIAISON}
    assert run(september, filled_xlsx(september)).changes == []  # and filling it again is silent


def test_text_added_under_the_months_progress_is_recorded_alone(september):
    shown = fill(september, "HW", "project_status", "2021-09").overview.rows[0][7]
    content = edited(filled_xlsx(september), {5: {"本月进展情况": shown + "\n确定合作模式"}})

    run(september, content)

    assert september.project("HW-2021-001").notes[-1] == (date(2021, 9, 30), "确定合作模式")


def test_lines_of_the_months_progress_kept_with_or_without_their_dates_are_not_recorded_again(september):
    before = events(september)
    content = edited(filled_xlsx(september), {5: {"本月进展情况": "完成可研报告编制\n2021-09-15 进入在谈：首轮商务洽谈"}})

    assert run(september, content).changes == [] and events(september) == before


def test_a_dry_run_shows_the_changes_and_records_nothing(september):
    before = events(september)

    outcome = run(september, edited(filled_xlsx(september), {6: {"当前环节": "在谈"}}), dry_run=True)

    assert [c.what for c in outcome.changes] == ["当前环节 谋划储备 → 在谈（2021-09-30）"]
    assert not outcome.recorded and events(september) == before


def test_an_excel_date_cell_and_a_date_serial_are_both_dates(september):
    content = edited(filled_xlsx(september), {5: {"本月进展情况": "甲", "填报日期": datetime(2021, 9, 28)},
                                              6: {"本月进展情况": "乙", "填报日期": 44469}})

    run(september, content)

    assert september.project("HW-2021-001").notes[-1] == (date(2021, 9, 28), "甲")
    assert september.project("HW-2021-002").notes[-1] == (date(2021, 9, 30), "乙")


def test_a_gbk_csv_from_chinese_excel_is_read(september):
    text = filled_csv(september).decode("utf-8-sig").replace("谋划储备", "在谈")

    outcome = run(september, text.encode("gbk"), "情况表.csv")

    assert [c.what for c in outcome.changes] == ["当前环节 谋划储备 → 在谈（2021-09-30）"]
    assert september.project("HW-2021-002").stage == Stage.NEGOTIATING


def test_a_csv_without_a_bom_and_with_a_leading_zero_number_is_read_as_text(september):
    september.add_project(LIAISON, "007", "HW", "示范项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("1"))
    header = "项目编号,当前环节,计划总投资（万元）,本月进展情况,填报日期\r\n"
    content = (header + "007,在谈,1,启动,2021-10-03\r\n").encode("utf-8")

    run(september, content, "清单.csv")

    assert september.project("007").stage == Stage.NEGOTIATING


# -- bad files: each named by row and column, and nothing recorded ---------------------------------------


def refused(ledger, content: bytes, name: str = "情况表.xlsx", error=InvalidValue) -> str:
    before = events(ledger)
    with pytest.raises(error) as caught:
        run(ledger, content, name)
    assert events(ledger) == before
    return str(caught.value)


def test_wrong_headers_are_named_with_the_header_row(september):
    book = workbook(filled_xlsx(september))
    book.worksheets[0].cell(HEADER_ROW, 7, "总投资额")
    out = io.BytesIO()
    book.save(out)

    message = refused(september, out.getvalue(), error=RowsMalformed)

    assert "row 4, 总投资额: unknown column" in message
    assert "row 4, 计划总投资（万元）: missing column" in message


def test_a_file_without_the_number_column_is_refused_listing_the_columns(september):
    message = refused(september, "名称,环节\r\n甲,在谈\r\n".encode(), "x.csv")

    assert "no header row naming 项目编号" in message and "计划总投资（万元）" in message


def test_every_bad_row_is_reported_and_nothing_is_recorded_even_for_the_good_ones(september):
    content = edited(filled_xlsx(september), {
        5: {"当前环节": "签约", "计划总投资（万元）": "一万二"},
        6: {"当前环节": "已完工"},
    })

    message = refused(september, content, error=RowsMalformed)

    assert "row 5, 计划总投资（万元）: amount '一万二' is not a number of 万元" in message
    assert "row 6, 当前环节: unknown stage '已完工'" in message
    assert "2 problems; nothing was recorded" in message
    assert september.project("HW-2021-001").stage == Stage.NEGOTIATING


def test_an_unknown_project_and_one_of_another_unit_are_refused_by_row(september):
    content = edited(filled_xlsx(september), {5: {"项目编号": "HW-2099-999"}, 6: {"项目编号": "GY-2021-001"}})

    message = refused(september, content, error=RowsRefused)

    assert "row 5, 项目编号: no project numbered 'HW-2099-999' in the ledger" in message
    assert "row 6, 项目编号: project GY-2021-001 belongs to unit GY, not HW" in message


def test_rows_are_numbered_as_the_spreadsheet_shows_them_past_heading_lines_and_blank_rows(september):
    lines = filled_csv(september).decode("utf-8-sig").split("\r\n")
    text = "\r\n".join(["附件1", "重点招商项目情况表", lines[0], "", lines[1], lines[2].replace("谋划储备", "倒退")])

    message = refused(september, text.encode("utf-8-sig"), "情况表.csv")

    assert "row 6, 当前环节: unknown stage '倒退'" in message


def test_a_stage_moved_back_is_refused_by_the_forward_only_rule(september):
    content = edited(filled_xlsx(september), {5: {"当前环节": "谋划储备", "填报日期": "2021-10-03"}})

    message = refused(september, content, error=RowsRefused)

    assert "row 5, 当前环节: the ledger has project HW-2021-001 at 在谈 since 2021-09-15" in message


def test_a_date_in_the_future_and_a_project_listed_twice_are_refused(september):
    content = edited(filled_xlsx(september), {5: {"本月进展情况": "新", "填报日期": "2021-10-09"},
                                              6: {"项目编号": "HW-2021-001"}})

    message = refused(september, content)

    assert "row 5, 本月进展情况: the date 2021-10-09 is in the future" in message
    assert "row 6, 项目编号: project HW-2021-001 is also in row 5" in message


@pytest.mark.parametrize("content, name, reason", [
    (b"", "情况表.csv", "is empty"),
    (b"\xef\xbb\xbf\r\n", "情况表.csv", "is empty"),
    ("项目编号,当前环节,计划总投资（万元）,本月进展情况,填报日期\r\n".encode(), "情况表.csv", "no rows under the header"),
])
def test_files_that_are_not_a_filled_form_are_refused_with_what_to_do(september, content, name, reason):
    assert reason in refused(september, content, name)


@pytest.mark.parametrize("content, name, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "情况表.png", "is not a spreadsheet"),
    (b"%PDF-1.4\n\x00\x01\x02\xff", "情况表.pdf", "is not a spreadsheet"),
    (b"PK\x03\x04 this is not a workbook", "情况表.xlsx", "is not a readable Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "情况表.xls", "另存为"),
])
def test_files_that_are_no_spreadsheet_are_file_errors_naming_the_file(september, content, name, reason):
    message = refused(september, content, name, UnreadableFile)
    assert reason in message and name in message


def test_a_workbook_with_a_corrupt_sheet_is_a_file_error_naming_the_file(september):
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(filled_xlsx(september))) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else data)

    message = refused(september, broken.getvalue(), "情况表.xlsx", UnreadableFile)

    assert "情况表.xlsx is not a readable Excel workbook" in message


def test_a_formula_in_an_imported_workbook_is_refused_naming_its_cell(september):
    book = workbook(filled_xlsx(september))
    book.worksheets[0].cell(HEADER_ROW + 1, 7, "=1000*12")
    out = io.BytesIO()
    book.save(out)

    message = refused(september, out.getvalue())

    assert "G5 holds a formula (=1000*12)" in message


def test_a_formula_in_an_imported_csv_is_refused_and_our_own_guard_is_taken_off(september):
    header = "项目编号,当前环节,计划总投资（万元）,本月进展情况,填报日期\r\n"
    formula = header + 'HW-2021-001,签约,=HYPERLINK("http://evil.example"),进展,2021-09-30\r\n'

    assert "C2 holds a formula" in refused(september, formula.encode(), "情况表.csv")
    assert unguard_csv("'=SUM(A1)") == "=SUM(A1)" and unguard_csv("'不变") == "'不变"


def test_an_xls_is_refused_with_how_to_save_it_as_xlsx(september):
    message = refused(september, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "情况表.xls", UnreadableFile)

    assert ".xls" in message and "Excel 工作簿 (*.xlsx)" in message


def test_only_the_office_or_the_units_own_people_may_import(september):
    with pytest.raises(NotPermitted):
        run(september, filled_xlsx(september), actor=GY_LIAISON)


def test_a_suspended_project_refuses_a_stage_move(september, clock):
    september.suspend_project(LIAISON, "HW-2021-002", "资金调整")
    content = edited(filled_xlsx(september, "2021-10"), {6: {"当前环节": "在谈"}})

    assert "is suspended; resume it first" in refused(september, content, error=RuleViolated)


def test_a_workbook_saved_by_excel_with_a_formula_rounding_error_reads_the_amount_the_clerk_sees(september):
    content = edited(filled_xlsx(september), {5: {"计划总投资（万元）": 13500.499999999998}})

    run(september, content)

    assert september.project("HW-2021-001").investment == Decimal("13500.50")


def test_clock_moves_do_not_matter_to_a_form_of_a_past_month(september, clock):
    content = filled_xlsx(september)
    clock.set(shanghai(date(2021, 11, 20)))
    september.update_project(LIAISON, "HW-2021-001", investment=Decimal("20000"))

    assert run(september, content).changes == []  # the form is older than the ledger's figure
    assert september.project("HW-2021-001").investment == Decimal("20000.00")


def test_excels_unicode_text_utf16_with_tabs_is_read(september):
    text = filled_csv(september).decode("utf-8-sig").replace(",", "\t").replace("谋划储备", "在谈")

    run(september, text.encode("utf-16"), "情况表.txt")

    assert september.project("HW-2021-002").stage == Stage.NEGOTIATING


def test_an_unknown_number_of_digits_alone_is_refused_with_the_excel_leading_zeros_hint(september):
    header = "项目编号,当前环节,计划总投资（万元）,本月进展情况,填报日期\r\n"
    content = (header + "12,在谈,1,启动,2021-10-03\r\nX-9,在谈,1,启动,2021-10-03\r\n").encode("utf-8")

    message = refused(september, content, "清单.csv", error=RowsRefused)

    assert "row 2, 项目编号: no project numbered '12' in the ledger (if it had leading zeros, Excel dropped" in message
    assert "row 3, 项目编号: no project numbered 'X-9' in the ledger\n" in message + "\n"
