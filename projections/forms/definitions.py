"""The notice's four forms as data: code kind, 附件 number, title, heading lines and fields.

The published notice kept only the forms' heading lines (附件1/2 carry 项目编号, 附件3 单位名称 and
单位：万元, 附件4 填报单位（盖章）); the fields are ours (issue 5), kept here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidValue


class Cell(StrEnum):
    """What a column holds; the writers format and the importer parses by it."""

    TEXT = "text"
    MONEY = "money"  # 万元, Decimal, two decimals
    DATE = "date"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    label: str
    cell: Cell = Cell.TEXT


NUMBER, NAME, SEQ = Column("项目编号"), Column("项目名称"), Column("序号", Cell.COUNT)
INVESTMENT = Column("计划总投资（万元）", Cell.MONEY)
STAGE, PROGRESS, FILLED_ON = Column("当前环节"), Column("本月进展情况"), Column("填报日期", Cell.DATE)
UNIT_COLUMN = Column("填报单位")
MONEY_HEADING = "单位：万元"


@dataclass(frozen=True)
class FormDefinition:
    kind: str
    annex: int
    title: str
    heading: str  # the notice's heading field: 项目编号, 单位名称 or 填报单位（盖章）
    per_project: bool  # one sheet per key project, after an overview sheet
    fields: tuple[Column, ...]
    overview_lead: tuple[Column, ...] = ()  # the overview's first columns, before the fields

    @property
    def annex_label(self) -> str:
        return f"附件{self.annex}"

    @property
    def money(self) -> bool:
        return any(c.cell is Cell.MONEY for c in self.fields)

    @property
    def overview_columns(self) -> tuple[Column, ...]:
        """The table a clerk scans (and what a CSV of the form holds)."""
        return self.overview_lead + self.fields


PROJECT_STATUS = FormDefinition(
    "project_status", 1, "重点招商项目情况表", "项目编号", True,
    (NAME, Column("投资方"), Column("所属行业"), Column("项目级别"), STAGE, INVESTMENT, PROGRESS,
     Column("存在问题"), Column("责任部门"), Column("责任人"), Column("联络员"), FILLED_ON),
    overview_lead=(NUMBER,),
)
TRACKING_FEEDBACK = FormDefinition(
    "tracking_feedback", 2, "重点招商信息跟踪反馈单", "项目编号", True,
    (SEQ, Column("跟踪事项"), Column("提出日期", Cell.DATE), Column("上报情况"), Column("反馈情况"),
     Column("办理状态"), Column("销号日期", Cell.DATE)),
    overview_lead=(NUMBER, NAME),
)
SERVICE_LIST = FormDefinition(
    "service_list", 3, "重点招商项目服务清单", "单位名称", False,
    (SEQ, NUMBER, NAME, Column("服务类型"), Column("服务内容"), Column("服务日期", Cell.DATE),
     Column("涉及金额（万元）", Cell.MONEY)),
)
LIAISON_FORM = FormDefinition(
    "liaison_form", 4, "招商引资工作联络员名单", "填报单位（盖章）", False,
    (Column("主要负责人"), Column("主管领导"), Column("责任部门"), Column("联络员"), Column("职务"),
     Column("联系电话")),
)

FORMS: dict[str, FormDefinition] = {f.kind: f for f in (PROJECT_STATUS, TRACKING_FEEDBACK, SERVICE_LIST, LIAISON_FORM)}


def form(kind: str) -> FormDefinition:
    """The form of a report kind, named by its code word or by the form's title."""
    titled = {f.title: f for f in FORMS.values()}
    try:
        return FORMS.get(kind.strip()) or titled[kind.strip()]
    except KeyError:
        raise InvalidValue(
            f"no form for the kind {kind.strip()!r}; the notice's forms are: {', '.join(FORMS)}"
        ) from None
