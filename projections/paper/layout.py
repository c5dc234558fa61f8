"""The paper ledger's workbook: one sheet per kind of history, its columns, what each means and the
choices offered in its drop-downs. The template writes it; the parser reads it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.policy import default_policy
from domain.values import Labelled, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind

AT, BY, WHY = "生效时间", "经办人", "补录原因"
AT_DOC = ("纸上发生的时间（北京时间），只写日期表示当天结束。When it happened on paper, Shanghai time: 2021-09-30 or "
          "2021-09-30 15:30; a date alone means the end of that day (23:59:59)")
BY_DOC = ("当时是谁做的（须当时在岗）；空着用 --by，再空是录入人。Who did it on paper then (they must have held the post "
          "at that time); blank: --by, or the office clerk entering it")
WHY_DOC = "为什么现在补录；空着用 --because，再空是“纸质台账补录（文件名）”。Why it is entered now"
LIST_SEPARATORS = "、,，;；/ "


@dataclass(frozen=True)
class Column:
    label: str
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()  # the drop-down: Chinese labels (the code words are read too)
    source: str | None = None  # the drop-down lists another sheet's column (a unit code, a project number)
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    doc: str
    columns: tuple[Column, ...]
    set_up: bool = False  # entered by an admin: no 经办人

    def column(self, label: str) -> Column:
        return next(c for c in self.columns if c.label == label)


def labels(enum: type[Labelled]) -> tuple[str, ...]:
    return tuple(m.label for m in enum)


def actions(table: dict[str, str]) -> tuple[str, ...]:
    return tuple(table)


def _at() -> Column:
    return Column(AT, AT_DOC, required=True, width=20)


def _by() -> Column:
    return Column(BY, BY_DOC, width=10)


def _why() -> Column:
    return Column(WHY, WHY_DOC, width=24)


UNIT_CODE = Column("单位代码", "the unit's code (HW); enrolled in the 单位 sheet or already in the ledger",
                   required=True, source="单位", width=10)
NUMBER = Column("项目编号", "the project's number (HW-2021-001); registered in the 项目 sheet or already in the ledger",
                required=True, source="项目", width=16)
PEOPLE_ACTIONS = {"登记": "register the person (their post, if a principal, leader or liaison of a unit)",
                  "变更": "change their role, unit, title, phone or e-mail (a post moves with them)",
                  "移除": "remove them (说明: why)"}
PROJECT_ACTIONS = {"推进环节": "move to 环节 on 日期", "进展情况": "a progress note (说明) dated 日期",
                   "调入重点库": "promote to the key library (说明: why)", "调出重点库": "demote (说明: why)",
                   "暂停": "suspend (说明: why)", "恢复": "resume (说明: why)", "终止": "terminate (说明: why)",
                   "评价": "the office's quarterly rating: 评价期间, 评价等级, 说明",
                   "调整投资": "a new 计划总投资（万元）"}
PROBLEM_ACTIONS = {"提出": "raise it: 问题标题, 问题类别, 办理时限", "上报": "escalate it to 上报至 (说明)",
                   "答复": "the answer fed back (说明)", "销号": "close it (说明)", "重新打开": "reopen it (说明: why)"}
REPORT_ACTIONS = {"起草": "drafted by the liaison (or leader, principal)", "批准": "approved by the unit's principal",
                  "报送": "sent, sealed (盖章)", "接收": "accepted by the office", "退回": "returned by the office (说明: why)",
                  "修改": "revised after a return"}


def _choices_doc(table: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in table.items())


SHEETS: tuple[Sheet, ...] = (
    Sheet("单位", "成员单位纳入（管理员录入）units enrolled (set-up: entered by an admin)", (
        _at(), Column("单位代码", "1-16 Latin letters or digits (HW)", required=True, width=10),
        Column("单位名称", "the unit's full name", required=True, width=24),
        Column("单位类别", "机关处室, 委管局 or 委属单位", required=True, choices=labels(UnitKind)),
        Column("行业领域", "its sectors, separated by 、 (环卫作业、垃圾处理)", width=24),
        Column("对口处室", "its department in charge", width=20),
        Column("纳入日期", "enrolled from (its reports are owed from then); blank: the day of 生效时间", width=12),
        _why()), set_up=True),
    Sheet("人员", "人员及任职（管理员录入）people and their posts (set-up: entered by an admin)", (
        _at(), Column("事项", _choices_doc(PEOPLE_ACTIONS), required=True, choices=actions(PEOPLE_ACTIONS), width=8),
        Column("姓名", "the person's name, unique in the ledger", required=True, width=10),
        Column("角色", "领导小组办公室, 主要负责人, 主管领导, 联络员, 工作人员 (or 管理员)", choices=labels(Role)),
        Column("单位代码", "the unit of a unit role", source="单位", width=10),
        Column("职务", "title (处长)", width=10), Column("电话", "phone", width=14), Column("邮箱", "e-mail", width=20),
        Column("说明", "why (移除)", width=20), _why()), set_up=True),
    Sheet("项目", "项目登记 projects registered", (
        _at(), _by(), Column("项目编号", "the project's number (HW-2021-001)", required=True, width=16),
        UNIT_CODE, Column("项目名称", "the project's name", required=True, width=28),
        Column("行业领域", "one sector", required=True, choices=labels(Sector)),
        Column("项目级别", "市级重点, 委级重点 or 单位级", required=True, choices=labels(Level), width=10),
        Column("投资方", "the investor", required=True, width=24),
        Column("计划总投资（万元）", "万元, at most two decimals", required=True, width=12),
        Column("责任人", "person responsible", width=10), Column("责任部门", "department responsible", width=16),
        Column("联络人", "liaison", width=10), _why())),
    Sheet("项目进展", "环节推进、进展情况、重点库调整、暂停终止、定期评价 stage moves, notes, the key library, suspensions, ratings", (
        _at(), _by(), NUMBER,
        Column("事项", _choices_doc(PROJECT_ACTIONS), required=True, choices=actions(PROJECT_ACTIONS), width=10),
        Column("环节", "推进环节: the stage reached", choices=labels(Stage), width=10),
        Column("日期", "推进环节, 进展情况: the day it happened; blank: the day of 生效时间", width=12),
        Column("说明", "the note, the reason or the rating's comment", width=30),
        Column("评价期间", "评价: the quarter (2021-Q4)", width=10),
        Column("评价等级", "评价: 优秀, 良好, 一般 or 较差", choices=labels(Rating), width=8),
        Column("计划总投资（万元）", "调整投资: the new amount", width=12), _why())),
    Sheet("问题", "问题提出、上报、答复、销号 problems and their closed loop", (
        _at(), _by(), NUMBER,
        Column("问题标识", "names the problem within this file (P1, 用地问题); for one already in the ledger its id "
               "(HW-2021-001/P1)", required=True, width=12),
        Column("事项", _choices_doc(PROBLEM_ACTIONS), required=True, choices=actions(PROBLEM_ACTIONS), width=8),
        Column("问题标题", "提出: what holds the project up", width=28),
        Column("问题类别", "提出: 政策障碍, 用地, 资金, 审批 or 其他", choices=labels(ProblemCategory), width=10),
        Column("办理时限", "提出: due by (a date), or blank", width=12),
        Column("上报至", "上报: to whom it was escalated", width=16),
        Column("说明", "the note, the answer or the reason", width=30), _why())),
    Sheet("服务", "服务清单 services given to projects", (
        _at(), _by(), NUMBER,
        Column("服务类别", "政策解读, 审批协调, 选址服务, 融资对接, 协调推动 or 其他", required=True,
               choices=labels(ServiceKind), width=10),
        Column("服务日期", "the day of the service; blank: the day of 生效时间", width=12),
        Column("服务内容", "what was done", required=True, width=30),
        Column("涉及金额（万元）", "an amount, if any", width=12), _why())),
    Sheet("报告", "报告起草、审定、报送、接收、退回 reports drafted, approved, sent and reviewed", (
        _at(), _by(), UNIT_CODE,
        Column("报告类别", "the report's kind: its title or code word", required=True,
               choices=tuple(r.title for r in default_policy().reports), width=22),
        Column("期间", "the period (2021-09, 2021-Q4, 2021, once)", required=True, width=10),
        Column("事项", _choices_doc(REPORT_ACTIONS), required=True, choices=actions(REPORT_ACTIONS), width=8),
        Column("说明", "退回: the reason; otherwise a note", width=24), _why())),
)
BY_NAME = {sheet.name: sheet for sheet in SHEETS}
GUIDE = "说明"
