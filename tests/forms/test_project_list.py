"""`zs project import`: a unit's list of new projects from Excel — all registered, or none."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.values import Level, Library, Sector, Stage
from projections.forms.project_list import LIST_COLUMNS, import_projects
from projections.forms.refusal import RowsMalformed, RowsRefused
from projections.forms.template import template_csv, template_xlsx
from tests.forms.conftest import LIAISON, events, workbook

HEADER = [c.column.label for c in LIST_COLUMNS]


def sheet_with(*rows: list[object]) -> bytes:
    book = workbook(template_xlsx())
    ws = book["项目清单"]
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROW_A = ["0012", "餐厨垃圾资源化项目", "垃圾处理", "委级重点", "天津某环保公司", 5600.5, "钱副处", "综合科", "孙联络"]
ROW_B = ["HW-2022-002", "公厕智能化改造", "sanitation", "unit", "某科技公司", "300", None, None, None]


def test_the_template_has_the_columns_drop_downs_and_a_guide():
    book = workbook(template_xlsx())

    ws = book["项目清单"]
    assert [c.value for c in ws[1]] == HEADER
    assert ws["A2"].number_format == "@" and ws["F2"].number_format == "0.00" and ws.freeze_panes == "A2"
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert "垃圾处理" in lists["C2:C501"] and "市级重点" in lists["D2:D501"]
    assert book["填写说明"]["A2"].value == "项目清单填写说明"
    assert template_csv().decode("utf-8-sig").strip() == ",".join(HEADER)


def test_a_list_registers_every_project_in_the_reserve_with_leading_zeros_kept(september):
    outcome = import_projects(september, LIAISON, "HW", "清单.xlsx", sheet_with(ROW_A, ROW_B))

    assert [(row, number) for row, number, _ in outcome.registered] == [(2, "0012"), (3, "HW-2022-002")]
    first = september.project("0012")
    assert (first.sector, first.level, first.investment) == (Sector.WASTE, Level.COMMISSION, Decimal("5600.50"))
    assert (first.library, first.stage, first.unit) == (Library.RESERVE, Stage.LEAD, "HW")
    assert september.project("HW-2022-002").responsible_person is None


def test_a_dry_run_registers_nothing(september):
    before = events(september)

    outcome = import_projects(september, LIAISON, "HW", "清单.xlsx", sheet_with(ROW_A), dry_run=True)

    assert len(outcome.registered) == 1 and not outcome.recorded and events(september) == before


def test_bad_rows_are_all_named_and_nothing_is_registered(september):
    before = events(september)
    bad_amount = [*ROW_B[:5], "三百万", *ROW_B[6:]]
    unknown_sector = ["HW-2022-003", "项目", "环保", "市级", "某公司", 1, None, None, None]
    blank_name = ["HW-2022-004", None, "垃圾处理", "市级", "某公司", 1, None, None, None]

    with pytest.raises(RowsMalformed) as caught:
        import_projects(september, LIAISON, "HW", "清单.xlsx", sheet_with(ROW_A, bad_amount, unknown_sector,
                                                                            blank_name, ROW_A))

    message = str(caught.value)
    assert "row 3, 计划总投资（万元）: amount '三百万' is not a number" in message
    assert "row 4, 所属行业: unknown sector '环保'" in message
    assert "row 5, 项目名称: required" in message
    assert "row 6, 项目编号: 0012 is also in row 2" in message
    assert events(september) == before


def test_a_project_already_registered_is_refused(september):
    taken = ["HW-2021-001", *ROW_A[1:]]

    with pytest.raises(RowsRefused, match="row 2, 项目编号: project HW-2021-001 is already registered"):
        import_projects(september, LIAISON, "HW", "清单.xlsx", sheet_with(taken))


def test_a_gbk_csv_list_is_read(september):
    text = ",".join(HEADER) + "\r\n" + "0099,燃气示范,燃气供热,单位级,某燃气公司,12.5,,,\r\n"

    import_projects(september, LIAISON, "HW", "清单.csv", text.encode("gb18030"))

    assert september.project("0099").sector == Sector.GAS_HEATING


def test_an_empty_list_is_refused(september):
    with pytest.raises(InvalidValue, match="no rows under the header"):
        import_projects(september, LIAISON, "HW", "清单.xlsx", template_xlsx())
