"""Codes as the office reads them: report kinds by their titles, roles, frequencies and events by
their Chinese labels, for tables only (JSON keeps the codes). And the way back for input: a report
kind typed as its title, or a form named by its title, is the kind's code word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import click

from domain.errors import InvalidValue
from domain.lamps import Colour
from domain.values import (
    Labelled, Level, Library, ProblemCategory, ProblemStatus, ProjectStatus, Rating, Role, Sector, ServiceKind, Stage,
    UnitKind,
)

if TYPE_CHECKING:
    from domain.application import Ledger
    from domain.timetable import Timetable


class HasCalendar(Protocol):
    """The Ledger, or the read API (`Queries`): either tells the calendar in force."""

    def calendar(self) -> Timetable: ...

PROJECT_COLUMNS = [
    ("number", "项目编号"), ("name", "项目名称"), ("unit", "单位"), ("sector", "所属行业"), ("level", "项目级别"),
    ("library", "库别"), ("stage", "当前环节"), ("status", "状态"), ("investor", "投资方"),
    ("investment_wan", "计划总投资（万元）"), ("responsible_person", "责任人"),
    ("responsible_department", "责任部门"), ("liaison", "联络员"), ("open_problems", "未销号问题"),
    ("updated_at", "更新时间"), ("lamp", "预警"),
]
LIST_COLUMNS = [c for c in PROJECT_COLUMNS if c[0] not in ("responsible_department", "liaison", "updated_at")]
PROJECT_CODES = {"sector": Sector, "level": Level, "library": Library, "stage": Stage, "status": ProjectStatus,
                 "lamp": Colour}
CADENCES = {"monthly": "每月", "quarterly": "每季度", "annual": "每年", "once": "一次"}


def role_label(code: str | None) -> str | None:
    """A role's Chinese label; an unknown code (an older ledger's) is shown as it is."""
    if code is None:
        return None
    try:
        return Role(code).label
    except ValueError:
        return code


DETAIL_CODES: dict[str, type[Labelled]] = {
    "stage": Stage, "sector": Sector, "sectors": Sector, "level": Level, "library": Library,
    "category": ProblemCategory, "rating": Rating, "role": Role,
}
KINDS: dict[str, type[Labelled]] = {"Unit": UnitKind, "Project": ServiceKind}  # `kind` of a Report is its title
STATUSES: dict[str, type[Labelled]] = {"Project": ProjectStatus, "Problem": ProblemStatus}


def with_detail_labels(ledger: Ledger, rows: Sequence[Mapping[str, Any]], event_key: str,
                       aggregate: str | None = None) -> list[dict[str, Any]]:
    """Rows whose event details name codes by their Chinese labels (stage=在谈, kind=重点招商项目情况表).
    The aggregate is the event name's prefix (`Report.Sent`) unless given."""
    titles = kind_titles(ledger)
    result = []
    for row in rows:
        owner = aggregate or str(row[event_key]).partition(".")[0]
        details = row.get("details")
        if isinstance(details, Mapping):
            details = {key: _label(owner, key, value, titles) for key, value in details.items()}
        result.append(dict(row) | {"details": details})
    return result


def _label(owner: str, key: str, value: Any, titles: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_label(owner, key, v, titles) for v in value]
    if not isinstance(value, str):
        return value
    if key == "kind" and owner == "Report":
        return titles.get(value, value)
    enum = DETAIL_CODES.get(key) or (KINDS.get(owner) if key == "kind" else None) or (
        STATUSES.get(owner) if key == "status" else None)
    if enum is None:
        return value
    try:
        return enum(value).label
    except ValueError:
        return value


def kind_titles(ledger: HasCalendar) -> dict[str, str]:
    calendar = ledger.calendar()
    return {kind: calendar.rule(kind).title for kind in calendar.kinds()}


def with_kind_titles(ledger: HasCalendar, rows: Sequence[Mapping[str, Any]], key: str = "kind") -> list[dict[str, Any]]:
    """Rows whose report kind reads as its title (重点招商项目情况表)."""
    titles = kind_titles(ledger)
    return [dict(row) | {key: titles.get(row[key], row[key])} if row.get(key) else dict(row) for row in rows]


def form_kind(ledger: HasCalendar, text: str) -> str:
    """A form's kind typed as its code, the form's title or the report kind's title; anything else
    is left for the form's own refusal."""
    try:
        return ledger.calendar().rule(text.strip()).kind
    except InvalidValue:
        return text


def report_kind(ledger: HasCalendar, text: str, option: str = "'--kind'") -> str:
    """The code word of a report kind typed as its code or as its title; malformed input names the option."""
    try:
        return ledger.calendar().rule(text.strip()).kind
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint=option) from None


class LabelledChoice(click.ParamType):
    """One of a fixed set of code words, typed as the code or as its Chinese label."""

    def __init__(self, labels: Mapping[str, str], what: str) -> None:
        self.labels = dict(labels)
        self.name = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        for code, label in self.labels.items():
            if text in (code, label):
                return code
        choices = ", ".join(f"{code} ({label})" for code, label in self.labels.items())
        self.fail(f"unknown {self.name} {text!r}; choose one of: {choices}", param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.labels) + "]"


def event_code(text: str, labels: Mapping[str, str]) -> str:
    """An audit action typed as its code (Sent, Report.Sent), its Chinese label (报送), or as the
    table prints it (报送（Report.Sent）). 提出问题 is the problem's own event."""
    text = text.strip()
    if text.endswith("）") and "（" in text:
        return text[text.rindex("（") + 1:-1]
    if text == "提出问题":
        return "Problem.Raised"
    found = [code for code, label in labels.items() if label == text]
    return found[0] if found else text
