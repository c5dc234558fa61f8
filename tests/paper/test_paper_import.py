"""The paper-ledger import (issue 12, item 3): the template round-trips, every sheet is recorded as
backfills in effective-time order, bad rows are listed with sheet, row, column and reason, and nothing
is recorded unless every row is valid — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.application import Ledger
from domain.values import ProblemStatus, ProjectStatus, Rating, Stage
from projections.forms.refusal import RowsMalformed, RowsRefused
from projections.paper.importer import import_paper
from projections.paper.layout import SHEETS
from projections.paper.template import template_bytes
from projections.queries import Queries
from tests.conftest import adopt, shanghai
from tests.paper.support import HISTORY, SET_UP, filled

ADMIN, OFFICE = "管理员", "许办公"
FILE = "纸质台账.xlsx"


@pytest.fixture
def adopted(ledger: Ledger, clock: Any) -> Ledger:
    """A ledger started in 2026: its admin and the office's clerk, nothing of 2021 yet."""
    return adopt(ledger, clock, ADMIN, OFFICE)


def events(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def run(ledger: Ledger, sheets: dict[str, list[dict[str, Any]]], **options: Any):
    return import_paper(ledger, OFFICE, FILE, filled(sheets), admin=ADMIN, **options)


def problems(error: pytest.ExceptionInfo) -> list[tuple[str, int | None, str | None]]:
    return [(b.sheet, b.row, b.column) for b in error.value.bad]


def test_the_template_has_a_guide_and_one_documented_sheet_per_kind_of_history():
    book = load_workbook(io.BytesIO(template_bytes()))
    assert book.sheetnames[0] == "说明" and [s.name for s in SHEETS] == ["单位", "人员", "项目", "项目进展", "问题", "服务", "报告"]
    assert set(s.name for s in SHEETS) <= set(book.sheetnames)
    moves = book["项目进展"]
    headers = [moves.cell(1, c).value for c in range(1, moves.max_column + 1)]
    assert headers[:4] == ["生效时间", "经办人", "项目编号", "事项"]
    assert "end of that day" in moves.cell(1, 1).comment.text
    formulas = {dv.formula1 for dv in moves.data_validations.dataValidation}
    stage_list = next(dv.formula1 for dv in moves.data_validations.dataValidation if "E2" in str(dv.sqref))
    column = stage_list.split("!")[1].split(":")[0].replace("$", "")[0]
    assert [c.value for c in book["选项"][column] if c.value] == [s.label for s in Stage]
    assert "'项目'!$C$2:$C$10000" in formulas  # 项目编号 offers the numbers typed on the 项目 sheet


def test_a_filled_template_is_recorded_as_backfills_in_effective_time_order(adopted, clock):
    clock.set(shanghai(2026, 3, 3, 9))
    outcome = run(adopted, SET_UP | HISTORY)
    assert outcome.recorded and outcome.rows == {"单位": 1, "人员": 3, "项目": 1, "项目进展": 3, "问题": 3, "服务": 1,
                                                  "报告": 4}
    project = adopted.project("HW-2021-001")
    assert project.stage == Stage.SIGNED and project.library == "key"
    history = adopted.history(project.id)
    assert [e.effective_at for e in history] == sorted(e.effective_at for e in history)
    first = history[0]
    assert first.actor == OFFICE and first.done_by == "孙联络" and first.effective_at == shanghai(2021, 9, 10, 10)
    assert first.backfill_reason == f"纸质台账补录（{FILE}）" and first.timestamp == shanghai(2026, 3, 3, 9)
    assert adopted.problem("HW-2021-001/P1").status == ProblemStatus.CLOSED
    views = Queries(adopted)
    august = next(o for o in views.obligations(shanghai(2021, 9, 30, 12), unit="HW")
                  if o["kind"] == "project_status" and o["period"] == "2021-08")
    assert august["status"] == "on_time"  # sent on paper on 2021-09-04, before its deadline
    assert len(views.board()) == 1


def test_as_known_at_before_the_import_the_paper_history_is_not_there(adopted, clock):
    clock.set(shanghai(2026, 3, 3, 9))
    run(adopted, SET_UP | HISTORY)
    views = Queries(adopted)
    from projections.queries import Moment
    assert len(views.board(Moment(shanghai(2021, 12, 31, 23)))) == 1
    assert views.board(Moment(shanghai(2021, 12, 31, 23), shanghai(2026, 3, 2, 12))) == []


def test_excel_date_and_date_time_cells_are_read_as_shanghai_moments(adopted):
    from datetime import date as day, datetime as moment
    projects = [HISTORY["项目"][0] | {"生效时间": moment(2021, 9, 10, 15, 30)}]
    services = [HISTORY["服务"][0] | {"生效时间": day(2021, 9, 20), "服务日期": day(2021, 9, 19)}]
    run(adopted, SET_UP | {"项目": projects, "服务": services})
    project = adopted.project("HW-2021-001")
    history = adopted.history(project.id)
    assert history[0].effective_at == shanghai(2021, 9, 10, 15, 30)
    assert history[-1].effective_at == shanghai(2021, 9, 20, 23, 59, 59, 999999)  # a date: the end of that day
    assert project.services[0].on == day(2021, 9, 19)


def test_a_dry_run_checks_everything_and_records_nothing(adopted):
    before = events(adopted)
    outcome = run(adopted, SET_UP | HISTORY, dry_run=True)
    assert not outcome.recorded and events(adopted) == before
    recorded = run(adopted, SET_UP | HISTORY)
    assert recorded.recorded and events(adopted) - before == recorded.events == outcome.events


BAD_VALUES = [
    ("bad code", {"单位": [SET_UP["单位"][0] | {"单位类别": "部门"}]}, ("单位", 2, "单位类别"), "unknown unit kind"),
    ("bad date", {"项目": [HISTORY["项目"][0] | {"生效时间": "2021-13-45"}]}, ("项目", 2, "生效时间"), "not a moment"),
    ("formula", {"项目": [HISTORY["项目"][0] | {"计划总投资（万元）": "=6000*2"}]}, ("项目", 2, "计划总投资（万元）"),
     "holds a formula"),
    ("duplicate", {"项目": [HISTORY["项目"][0], HISTORY["项目"][0]]}, ("项目", 3, "项目编号"), "also created in row 2"),
    ("missing", {"服务": [HISTORY["服务"][0] | {"服务类别": None}]}, ("服务", 2, "服务类别"), "empty"),
    ("unknown action", {"问题": [HISTORY["问题"][0] | {"事项": "办结"}]}, ("问题", 2, "事项"), "unknown 事项"),
]


@pytest.mark.parametrize("sheets, where, reason", [b[1:] for b in BAD_VALUES], ids=[b[0] for b in BAD_VALUES])
def test_a_malformed_cell_is_reported_with_its_sheet_row_and_column_and_nothing_is_recorded(
        adopted, sheets, where, reason):
    before = events(adopted)
    with pytest.raises(RowsMalformed) as error:
        run(adopted, SET_UP | HISTORY | sheets)
    assert where in problems(error)
    assert reason in str(error.value) and "nothing was recorded" in str(error.value)
    assert events(adopted) == before


def test_an_unknown_person_on_paper_is_refused_naming_the_column(adopted):
    before = events(adopted)
    moves = [HISTORY["项目进展"][0] | {"经办人": "无名氏"}] + HISTORY["项目进展"][1:]
    with pytest.raises(RowsRefused) as error:
        run(adopted, SET_UP | HISTORY | {"项目进展": moves})
    assert problems(error) == [("项目进展", 2, "经办人")]
    assert "no person named 无名氏 is in the ledger" in str(error.value)
    assert events(adopted) == before


def test_a_row_the_ledger_refuses_mid_way_leaves_nothing_recorded(adopted):
    """The 终止 of row 3 is valid on its own; the stage move after it (row 4) is refused by the project:
    the rows before it were fine and are not recorded either."""
    before = events(adopted)
    moves = HISTORY["项目进展"][:1] + [
        {"生效时间": "2021-10-15", "经办人": "孙联络", "项目编号": "HW-2021-001", "事项": "终止", "说明": "企业退出"},
        {"生效时间": "2021-10-16", "经办人": "孙联络", "项目编号": "HW-2021-001", "事项": "推进环节", "环节": "落地"}]
    with pytest.raises(RowsRefused) as error:
        run(adopted, SET_UP | HISTORY | {"项目进展": moves})
    assert ("项目进展", 4, "事项") in problems(error)
    assert events(adopted) == before


def test_a_backfill_in_the_future_is_refused_at_its_row(adopted):
    later = [HISTORY["服务"][0] | {"生效时间": "2030-01-01"}]
    with pytest.raises(RowsRefused) as error:
        run(adopted, SET_UP | HISTORY | {"服务": later})
    assert problems(error) == [("服务", 2, "生效时间")]


def test_an_unknown_sheet_and_column_are_named(adopted):
    template = template_bytes()
    book = load_workbook(io.BytesIO(template))
    book.create_sheet("杂项")
    book["服务"].cell(1, 20, "备注")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(RowsMalformed) as error:
        import_paper(adopted, OFFICE, FILE, filled(HISTORY, out.getvalue()), admin=ADMIN)
    assert ("杂项", None, None) in problems(error) and ("服务", 1, "备注") in problems(error)


def row(at: str, by: str, **cells: Any) -> dict[str, Any]:
    return {"生效时间": at, "经办人": by, **cells}


MORE = {
    "人员": SET_UP["人员"] + [{"生效时间": "2022-01-20", "事项": "变更", "姓名": "孙联络", "职务": "二级主任科员"},
                             {"生效时间": "2022-01-21", "事项": "移除", "姓名": "王主任", "说明": "调离"}],
    "项目进展": HISTORY["项目进展"] + [
        row("2021-11-01", "孙联络", 项目编号="HW-2021-001", 事项="暂停", 说明="企业股权调整"),
        row("2021-11-10", "孙联络", 项目编号="HW-2021-001", 事项="恢复", 说明="调整完成"),
        row("2021-11-15", "孙联络", 项目编号="HW-2021-001", 事项="调整投资", **{"计划总投资（万元）": "13500.5"}),
        row("2022-01-10", "王主任", 项目编号="HW-2021-001", 事项="评价", 评价期间="2021-Q4", 评价等级="良好")],
    "问题": HISTORY["问题"] + [
        row("2021-10-01", "孙联络", 项目编号="HW-2021-001", 问题标识="P2", 事项="提出", 问题标题="资金", 问题类别="funding"),
        row("2021-10-05", "孙联络", 项目编号="HW-2021-001", 问题标识="P2", 事项="上报", 上报至="市财政局"),
        row("2021-10-10", "孙联络", 项目编号="HW-2021-001", 问题标识="P2", 事项="答复", 说明="已纳入储备库"),
        row("2021-10-12", "王主任", 项目编号="HW-2021-001", 问题标识="P2", 事项="销号"),
        row("2021-10-20", "王主任", 项目编号="HW-2021-001", 问题标识="HW-2021-001/P2", 事项="重新打开", 说明="未落实")],
    "报告": HISTORY["报告"] + [
        row(at, by, 单位代码="HW", 报告类别="project_status", 期间="2021-09", 事项=what, 说明=note)
        for at, by, what, note in (("2021-10-02", "孙联络", "起草", None), ("2021-10-03", "赵处长", "批准", None),
                                   ("2021-10-04", "孙联络", "报送", None), ("2021-10-06", "王主任", "退回", "请补充进展"),
                                   ("2021-10-07 09:00", "孙联络", "修改", None), ("2021-10-07 10:00", "赵处长", "批准", None),
                                   ("2021-10-07 11:00", "孙联络", "报送", None), ("2021-10-09", "王主任", "接收", None))],
}


def test_every_action_of_every_sheet_is_recorded(adopted):
    run(adopted, SET_UP | HISTORY | MORE)
    project = adopted.project("HW-2021-001")
    assert project.investment == Decimal("13500.50") and project.status == ProjectStatus.ACTIVE
    assert [(e.period, e.rating) for e in project.evaluations] == [("2021-Q4", Rating.B)]
    assert adopted.problem("HW-2021-001/P2").status == ProblemStatus.OPEN  # closed, then reopened
    assert adopted.report("HW/project_status/2021-09").status == "accepted"
    assert not adopted.person("王主任").active and adopted.person("孙联络").title == "二级主任科员"
