"""`zs form fill|consolidate|import`, `zs project import` and `zs report draft --from-ledger` through
the command line: what they write, what they record, and how they refuse (exit 2 for malformed input,
1 for a refusal; never a traceback, nothing recorded)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from domain.values import Stage
from projections.forms.fill import fill
from projections.forms.xlsx import workbook_bytes
from tests.forms.conftest import LIAISON, NOW_TEXT, OFFICE, events, workbook
from tests.forms.test_import import edited

# The CLI on SQLite; both stores are covered below the CLI (frozen time stalls PostgreSQL's pool).
pytestmark = [pytest.mark.freeze_time(NOW_TEXT), pytest.mark.parametrize("store", ["sqlite"], indirect=True)]


def test_form_fill_writes_an_xlsx_or_a_csv_by_its_suffix(september, zs, tmp_path):
    result = zs("form", "fill", "--unit", "HW", "--kind", "project_status", "--period", "2021-09", "--out", "情况表.xlsx")
    zs("form", "fill", "--unit", "hw", "--kind", "service_list", "--period", "2021-09", "--out", "服务清单.csv")

    assert "重点招商项目情况表" in result.stdout and "2 行" in result.stdout
    assert workbook((tmp_path / "情况表.xlsx").read_bytes())["汇总"]["A2"].value == "重点招商项目情况表"
    assert (tmp_path / "服务清单.csv").read_bytes().startswith("\ufeff序号,项目编号".encode())


def test_form_fill_never_overwrites_a_file(september, zs, tmp_path):
    (tmp_path / "情况表.xlsx").write_bytes(b"mine")

    result = zs("form", "fill", "--unit", "HW", "--kind", "project_status", "--period", "2021-09",
                "--out", "情况表.xlsx", expect=1)

    assert "already exists" in result.stderr and (tmp_path / "情况表.xlsx").read_bytes() == b"mine"


@pytest.mark.parametrize("args, code, says", [
    (["--kind", "project_status", "--period", "2021-09", "--out", "x.pdf"], 2, "must end in .xlsx or .csv"),
    (["--kind", "annual_plan", "--period", "2021", "--out", "x.xlsx"], 2, "no form for the kind"),
    (["--kind", "project_status", "--period", "2021-9", "--out", "x.xlsx"], 2, "malformed"),
    (["--kind", "project_status", "--period", "2021-12", "--out", "x.xlsx"], 1, "has not begun"),
])
def test_form_fill_refuses_bad_input_with_a_clear_message(september, zs, tmp_path, args, code, says):
    result = zs("form", "fill", "--unit", "HW", *args, expect=code)

    assert says in result.stderr and not (tmp_path / "x.xlsx").exists()


def test_form_fill_of_an_unknown_unit_is_refused(september, zs):
    assert "no unit 'XX'" in zs("form", "fill", "--unit", "XX", "--kind", "service_list", "--period", "2021-09",
                               "--out", "x.xlsx", expect=1).stderr


def test_form_consolidate_writes_the_offices_workbook(september, zs, tmp_path):
    zs("form", "consolidate", "--kind", "service_list", "--period", "2021-09", "--out", "汇总.xlsx")
    zs("form", "consolidate", "--kind", "service_list", "--period", "2021-09", "--out", "汇总.csv", expect=2)

    assert workbook((tmp_path / "汇总.xlsx").read_bytes()).sheetnames == ["汇总", "缺报迟报退回"]


def test_form_consolidate_current_says_so_and_takes_the_forms_title_and_states_the_log_position(september, zs,
                                                                                               tmp_path):
    result = zs("form", "consolidate", "--kind", "重点招商项目情况表", "--period", "2021-09", "--current",
                "--out", "当前.xlsx")

    book = workbook((tmp_path / "当前.xlsx").read_bytes())
    assert book["汇总"]["A2"].value == "重点招商项目情况表（汇总·当前台账）"
    assert f"log_position {events(september)}" in result.stdout and "2 个单位" in result.stdout


def test_form_import_shows_the_changes_in_a_dry_run_then_records_them(september, zs, tmp_path):
    path = tmp_path / "情况表.xlsx"
    path.write_bytes(edited(workbook_bytes(fill(september, "HW", "project_status", "2021-09").sheets),
                            {6: {"当前环节": "签约"}}))
    before = events(september)

    dry = zs("form", "import", path, "--unit", "HW", "--kind", "project_status", "--dry-run", actor=LIAISON)
    assert "HW-2021-002" in dry.stdout and "谋划储备 → 签约" in dry.stdout and "未记录" in dry.stdout
    assert events(september) == before

    done = zs("form", "import", path, "--unit", "HW", "--kind", "project_status", actor=LIAISON)
    assert "已记录 1 项变更" in done.stdout
    assert september.project("HW-2021-002").stage == Stage.SIGNED

    again = zs("form", "import", path, "--unit", "HW", "--kind", "project_status", actor=LIAISON)
    assert "与台账一致" in again.stdout


def test_form_import_lists_bad_rows_and_records_nothing(september, zs, tmp_path):
    path = tmp_path / "情况表.xlsx"
    path.write_bytes(edited(workbook_bytes(fill(september, "HW", "project_status", "2021-09").sheets),
                            {5: {"计划总投资（万元）": "abc"}, 6: {"当前环节": "已完工"}}))
    before = events(september)

    result = zs("form", "import", path, "--unit", "HW", "--kind", "project_status", actor=LIAISON, expect=2)

    assert "row 5, 计划总投资（万元）" in result.stderr and "row 6, 当前环节" in result.stderr
    assert events(september) == before


@pytest.mark.parametrize("args, actor, code, says", [
    (["--kind", "service_list"], LIAISON, 2, "only project_status"),
    (["--kind", "project_status"], None, 1, "say who you are"),
])
def test_form_import_refuses_another_kind_and_an_anonymous_clerk(september, zs, tmp_path, args, actor, code, says):
    path = tmp_path / "情况表.xlsx"
    path.write_bytes(workbook_bytes(fill(september, "HW", "project_status", "2021-09").sheets))

    assert says in zs("form", "import", path, "--unit", "HW", *args, actor=actor, expect=code).stderr


def test_form_import_refuses_an_xls_telling_how_to_save_it(september, zs, tmp_path):
    path = tmp_path / "情况表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    result = zs("form", "import", path, "--unit", "HW", "--kind", "project_status", actor=LIAISON, expect=1)

    assert "另存为" in result.stderr and ".xlsx" in result.stderr


def test_project_import_writes_a_template_and_registers_a_list(september, zs, tmp_path):
    zs("project", "import", "--template", "清单.csv")
    path = tmp_path / "清单.csv"
    path.write_bytes(path.read_bytes() + "0007,试点项目,环卫作业,单位级,某公司,10,,,\r\n".encode())

    dry = zs("project", "import", path, "--unit", "HW", "--dry-run", actor=LIAISON)
    assert "0007" in dry.stdout and "试运行" in dry.stdout
    zs("project", "import", path, "--unit", "HW", actor=LIAISON)
    assert september.project("0007").name == "试点项目"


@pytest.mark.parametrize("args, says", [
    (["--template", "t.xlsx", "清单.xlsx"], "either FILE --unit CODE, or --template FILE alone"),
    ([], "give the FILE to import"),
    (["--template", "t.txt"], "must end in .xlsx or .csv"),
])
def test_project_import_refuses_a_muddled_command(september, zs, args, says):
    assert says in zs("project", "import", *args, actor=LIAISON, expect=2).stderr


def test_report_draft_from_ledger_attaches_the_filled_form_with_its_hash_on_record(september, zs, tmp_path):
    scan = tmp_path / "盖章页.pdf"
    scan.write_bytes(b"%PDF scan")

    report = zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-09",
                "--from-ledger", "--attach", scan, actor=LIAISON).stdout.strip()

    attachments = september.report(report).attachments
    assert [a.name for a in attachments] == ["盖章页.pdf", "环境卫生管理处重点招商项目情况表2021-09.xlsx"]
    form, content = september.attachment_bytes(report, attachments[1].name)
    assert form.sha256 == hashlib.sha256(content).hexdigest() and form.size == len(content)
    assert workbook(content)["汇总"]["A2"].value == "重点招商项目情况表"


def test_report_draft_from_ledger_of_a_kind_without_a_form_is_refused(september, zs):
    before = events(september)

    result = zs("report", "draft", "--unit", "HW", "--kind", "quarterly_report", "--period", "2021-Q3",
                "--from-ledger", actor=LIAISON, expect=2)

    assert "has no form to fill" in result.stderr and events(september) == before


def test_report_revise_from_ledger_attaches_a_freshly_filled_form(september, zs, clock):
    report = zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-09",
                "--from-ledger", actor=LIAISON).stdout.strip()
    zs("report", "approve", report, actor="赵处长")
    zs("report", "send", report, "--sealed", actor=LIAISON)
    zs("report", "return", report, "--reason", "漏报进展", actor=OFFICE)
    first = september.report(report).attachments[0]
    september.note_progress(LIAISON, "HW-2021-001", "补报：完成项目选址", date(2021, 9, 28))

    zs("report", "revise", report, "--from-ledger", "--note", "补报进展", actor=LIAISON)

    revised = september.report(report)
    assert revised.revision == 2 and [a.name for a in revised.attachments] == [first.name]
    assert revised.attachments[0].sha256 != first.sha256
    _, content = september.attachment_bytes(report, first.name)
    cells = [c.value for row in workbook(content)["汇总"].iter_rows() for c in row]
    assert any("补报：完成项目选址" in str(v) for v in cells)


def test_report_revise_from_ledger_of_a_report_not_returned_is_refused(september, zs):
    report = zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-09",
                actor=LIAISON).stdout.strip()
    before = events(september)

    result = zs("report", "revise", report, "--from-ledger", actor=LIAISON, expect=1)

    assert "can be revised only when returned" in result.stderr and events(september) == before
