"""Each row of the paper ledger as one backfill: when it took effect, who did it on paper, why it is
entered now, and the one public Ledger command it stands for. Cells are read here (text stays text,
formulas are refused, codes by their Chinese label or code word); the rules are the Ledger's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from domain.application import Ledger
from domain.errors import InvalidValue
from domain.period import Period
from domain.report import Report
from domain.values import (
    SHANGHAI, UTC, Labelled, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind,
    check_span, end_of_day, parse_moment, shanghai_date,
)
from projections.forms import cells
from projections.forms.cells import CellError
from projections.paper.layout import AT, BY, BY_NAME, LIST_SEPARATORS, WHY
from projections.paper.reading import Row
from projections.paper.refusal import ORDER, BadCell

L = TypeVar("L", bound=Labelled)
T = TypeVar("T")


@dataclass
class Handles:
    """What the file names that the ledger numbers: its problems (项目编号, 问题标识) → the problem's id."""

    problems: dict[tuple[str, str], str] = field(default_factory=dict)

    def problem(self, number: str, key: str) -> str:
        return self.problems.get((number, key)) or (key if "/" in key else f"{number}/{key}")


Command = Callable[[Ledger, str, Handles], Any]  # (the backfilling ledger, who enters it, handles)


@dataclass(frozen=True)
class Entry:
    sheet: str
    row: int
    at: datetime
    by: str | None
    because: str
    set_up: bool
    blame: str  # the column a refusal of the command points at
    command: Command

    @property
    def order(self) -> tuple[datetime, int, int]:
        """Effective-time order; at one moment, sheet order (units before projects before reports), then rows."""
        return self.at, ORDER[self.sheet], self.row


def entries(rows: list[Row], default_by: str | None, default_because: str, bad: list[BadCell]) -> list[Entry]:
    seen: dict[tuple[str, ...], int] = {}
    made: list[Entry] = []
    for row in rows:
        reader = _Reader(row, bad)
        entry = reader.entry(default_by, default_because, seen)
        if entry is not None and not reader.failed:
            made.append(entry)
    return made


@dataclass
class _Reader:
    row: Row
    bad: list[BadCell]
    failed: bool = False
    at: datetime | None = None  # 生效时间, read first

    def fail(self, column: str, reason: str) -> None:
        self.failed = True
        self.bad.append(BadCell(self.row.row, column, reason, sheet=self.row.sheet))

    def get(self, column: str, parse: Callable[[Any], T], required: bool = False) -> T | None:
        try:
            value = parse(self.row.values.get(column))
        except CellError as error:
            self.fail(column, str(error))
            return None
        if required and value in (None, "", ()):
            self.fail(column, "empty; this row needs it")
        return value

    def text(self, column: str, required: bool = False) -> str:
        return self.get(column, cells.text, required) or ""

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def choice(self, column: str, enum: type[L], what: str, required: bool = False) -> L | None:
        return self.get(column, lambda v: _labelled(v, enum, what), required)

    def once(self, seen: dict[tuple[str, ...], int], column: str, *key: str) -> None:
        """A thing the file creates is created in one row only."""
        k = (self.row.sheet, *key)
        if k in seen:
            self.fail(column, f"{' '.join(key)} is also created in row {seen[k]}; one row each")
        else:
            seen[k] = self.row.row

    def entry(self, default_by: str | None, default_because: str, seen: dict[tuple[str, ...], int]) -> Entry | None:
        sheet = BY_NAME[self.row.sheet]
        at = self.at = self.get(AT, moment, required=True)
        by = None if sheet.set_up else (self.optional(BY) or default_by)
        because = self.text(WHY) or default_because
        made = READERS[self.row.sheet](self, seen)
        if made is None or at is None:
            return None
        blame, command = made
        return Entry(self.row.sheet, self.row.row, at, by, because, sheet.set_up, blame, command)

    def unknown(self, action: str, *actions: str) -> None:
        """A 事项 no branch took: blank is already flagged (required); anything else is named."""
        if action:
            self.fail("事项", f"unknown 事项 {action!r}; choose one of: {'、'.join(actions)}")

    def needs(self, note: str, action: str, what: str) -> None:
        """A 说明 this 事项 cannot go without."""
        if not note:
            self.fail("说明", f"empty; {action} needs the {what}")

    def day(self, column: str) -> date | None:
        """A day column; blank: the Shanghai day of 生效时间."""
        value = self.get(column, cells.day)
        if value is not None:
            return value
        return shanghai_date(self.at) if self.at else None


def moment(value: Any) -> datetime | None:
    """生效时间: an Excel date or date-time cell, or typed 2021-09-30 / 2021-09-30 15:30 (Shanghai);
    a date alone (or a date cell at midnight) is the end of that day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    cells.text(value)  # refuses a formula, naming its cell
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0):
            return end_of_day(check_span(value.date()))
        local = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return check_span(local.astimezone(SHANGHAI), "moment").astimezone(UTC)
    if isinstance(value, float) and not value.is_integer() and 0 < value < 2958466:  # an Excel date-time cell
        local = datetime.combine(cells.EXCEL_EPOCH, time(0), tzinfo=SHANGHAI) + timedelta(days=value)
        return check_span(local.replace(microsecond=0), "moment").astimezone(UTC)
    if isinstance(value, (date, int, float)):
        found = cells.day(value)
        return end_of_day(found) if found else None
    raw = cells.text(value)
    try:
        return parse_moment(raw.replace("/", "-").replace(".", "-") if raw[:4].isdigit() and ":" not in raw else raw)
    except InvalidValue:
        try:
            found = cells.day(raw)
        except CellError:
            raise CellError(f"{raw!r} is not a moment (e.g. 2021-09-30 or 2021-09-30 15:30, Shanghai time)") from None
        return end_of_day(found) if found else None


def _labelled(value: Any, enum: type[L], what: str) -> L | None:
    raw = cells.text(value)
    if not raw:
        return None
    try:
        return enum.parse(cells.normal(raw), what)  # type: ignore[return-value]
    except InvalidValue as error:
        raise CellError(str(error)) from None


def _sectors(value: Any) -> tuple[Sector, ...]:
    raw = cells.text(value)
    for separator in LIST_SEPARATORS:
        raw = raw.replace(separator, "、")
    return tuple(_labelled(part, Sector, "sector") for part in raw.split("、") if part)  # type: ignore[misc]


# ---- one reader per sheet: (the column a refusal points at, the command) ---------------------------

Made = tuple[str, Command] | None


def _unit(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    code = r.text("单位代码", required=True)
    name = r.text("单位名称", required=True)
    kind = r.choice("单位类别", UnitKind, "unit kind", required=True)
    sectors = r.get("行业领域", _sectors) or ()
    department = r.optional("对口处室")
    enrolled = r.day("纳入日期")
    r.once(seen, "单位代码", code.upper())
    if kind is None or enrolled is None:
        return None
    return "单位代码", lambda ledger, admin, h: ledger.add_unit(admin, code, name, kind, enrolled, sectors, department)


def _person(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    action = r.text("事项", required=True)
    name = r.text("姓名", required=True)
    role = r.choice("角色", Role, "role")
    unit = r.optional("单位代码")
    title, phone, email = r.optional("职务"), r.optional("电话"), r.optional("邮箱")
    note = r.text("说明")
    if action == "登记":
        r.once(seen, "姓名", name)
        if role is None:
            r.fail("角色", "empty; 登记 needs the person's role")
            return None
        return "姓名", lambda ledger, admin, h: ledger.add_person(admin, name, role, unit, phone, title, email)
    if action == "变更":
        return "姓名", lambda ledger, admin, h: ledger.update_person(admin, name, role, unit, phone, title, email)
    if action == "移除":
        r.needs(note, "移除", "reason")
        return "姓名", lambda ledger, admin, h: ledger.remove_person(admin, name, note)
    r.unknown(action, "登记", "变更", "移除")
    return None


def _project(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    number = r.text("项目编号", required=True)
    unit = r.text("单位代码", required=True)
    name = r.text("项目名称", required=True)
    sector = r.choice("行业领域", Sector, "sector", required=True)
    level = r.choice("项目级别", Level, "level", required=True)
    investor = r.text("投资方", required=True)
    investment = r.get("计划总投资（万元）", cells.money, required=True)
    person, department, liaison = r.optional("责任人"), r.optional("责任部门"), r.optional("联络人")
    r.once(seen, "项目编号", number)
    if sector is None or level is None or investment is None:
        return None
    return "项目编号", lambda ledger, actor, h: ledger.add_project(
        actor, number, unit, name, sector, level, investor, investment, person, department, liaison)


def _move(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    number = r.text("项目编号", required=True)
    action = r.text("事项", required=True)
    note = r.text("说明")
    on = r.day("日期")
    reasoned = {"调入重点库": Ledger.promote_project, "调出重点库": Ledger.demote_project,
                "暂停": Ledger.suspend_project, "恢复": Ledger.resume_project, "终止": Ledger.terminate_project}
    if action == "推进环节":
        stage = r.choice("环节", Stage, "stage", required=True)
        return ("事项", lambda ledger, actor, h: ledger.advance_project(actor, number, stage, on, note or None)) \
            if stage else None
    if action == "进展情况":
        r.needs(note, "进展情况", "note")
        return "事项", lambda ledger, actor, h: ledger.note_progress(actor, number, note, on)
    if action in reasoned:
        r.needs(note, action, "reason")
        method = reasoned[action]
        return "事项", lambda ledger, actor, h: method(ledger, actor, number, note)
    if action == "评价":
        period = r.text("评价期间", required=True)
        rating = r.choice("评价等级", Rating, "rating", required=True)
        return ("事项", lambda ledger, actor, h: ledger.evaluate_project(actor, number, period, rating, note or None)) \
            if rating else None
    if action == "调整投资":
        amount = r.get("计划总投资（万元）", cells.money, required=True)
        return "计划总投资（万元）", lambda ledger, actor, h: ledger.update_project(actor, number, investment=amount)
    r.unknown(action, "推进环节", "进展情况", *reasoned, "评价", "调整投资")
    return None


def _problem(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    number = r.text("项目编号", required=True)
    key = r.text("问题标识", required=True)
    action = r.text("事项", required=True)
    note = r.text("说明")
    if action == "提出":
        title = r.text("问题标题", required=True)
        category = r.choice("问题类别", ProblemCategory, "problem category", required=True)
        due = r.get("办理时限", cells.day)
        r.once(seen, "问题标识", number, key)

        def raise_it(ledger: Ledger, actor: str, h: Handles) -> None:
            h.problems[(number, key)] = ledger.raise_problem(actor, number, title, category, due)

        return ("事项", raise_it) if category else None
    if action == "上报":
        to = r.text("上报至", required=True)
        return "事项", lambda ledger, actor, h: ledger.escalate_problem(actor, h.problem(number, key), to, note or None)
    if action == "答复":
        r.needs(note, "答复", "answer")
        return "事项", lambda ledger, actor, h: ledger.answer_problem(actor, h.problem(number, key), note)
    if action == "销号":
        return "事项", lambda ledger, actor, h: ledger.close_problem(actor, h.problem(number, key), note or None)
    if action == "重新打开":
        r.needs(note, "重新打开", "reason")
        return "事项", lambda ledger, actor, h: ledger.reopen_problem(actor, h.problem(number, key), note)
    r.unknown(action, "提出", "上报", "答复", "销号", "重新打开")
    return None


def _service(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    number = r.text("项目编号", required=True)
    kind = r.choice("服务类别", ServiceKind, "service kind", required=True)
    on = r.day("服务日期")
    note = r.text("服务内容", required=True)
    amount: Decimal | None = r.get("涉及金额（万元）", cells.money)
    if kind is None or on is None:
        return None
    return "服务类别", lambda ledger, actor, h: ledger.add_service(actor, number, kind, on, note, amount)


def _report(r: _Reader, seen: dict[tuple[str, ...], int]) -> Made:
    unit = r.text("单位代码", required=True).upper()
    kind = r.text("报告类别", required=True)
    period = r.text("期间", required=True)
    action = r.text("事项", required=True)
    note = r.text("说明")

    def report_id(ledger: Ledger) -> str:
        rule = ledger.calendar().rule(kind)
        return Report.key_for(unit, rule.kind, Period.parse(period, rule.cadence))

    if action == "起草":
        return "事项", lambda ledger, actor, h: ledger.draft_report(
            actor, unit, ledger.calendar().rule(kind).kind, period, (), note or None)
    if action == "批准":
        return "事项", lambda ledger, actor, h: ledger.approve_report(actor, report_id(ledger))
    if action == "报送":
        return "事项", lambda ledger, actor, h: ledger.send_report(actor, report_id(ledger), sealed=True)
    if action == "接收":
        return "事项", lambda ledger, actor, h: ledger.accept_report(actor, report_id(ledger))
    if action == "退回":
        r.needs(note, "退回", "reason")
        return "事项", lambda ledger, actor, h: ledger.return_report(actor, report_id(ledger), note)
    if action == "修改":
        return "事项", lambda ledger, actor, h: ledger.revise_report(actor, report_id(ledger), (), note or None)
    r.unknown(action, "起草", "批准", "报送", "接收", "退回", "修改")
    return None


READERS: dict[str, Callable[[_Reader, dict[tuple[str, ...], int]], Made]] = {
    "单位": _unit, "人员": _person, "项目": _project, "项目进展": _move, "问题": _problem, "服务": _service,
    "报告": _report,
}
