"""Reading one cell of a clerk's spreadsheet: text that stays text (leading zeros kept), money in
万元, dates from Excel date cells, date serials or the ways people type them, and code words."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from domain.errors import InvalidValue
from domain.text import ascii_digits
from domain.values import Labelled, ProjectStatus, Stage, check_span, parse_wan
from projections.forms.safety import Formula

L = TypeVar("L", bound=Labelled)
EXCEL_EPOCH = date(1899, 12, 30)
SERIALS = range(1, 2958466)  # Excel's dates: 1900-01-01 to 9999-12-31
DAY = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
COMPACT_DAY = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
STATUS_SUFFIX = re.compile(r"[（(](" + "|".join(s.label for s in ProjectStatus) + r")[)）]$")
STAGE_WORDS = {"谋划": Stage.LEAD, "储备": Stage.LEAD, "谋划/储备": Stage.LEAD, "谋划、储备": Stage.LEAD}
LEVEL_WORDS = {"市级": "city", "委级": "commission"}


class CellError(ValueError):
    """The reason a cell cannot be read; the caller adds the row and the column."""


def normal(text: str) -> str:
    """For comparing what people type: full-width forms folded, spaces dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _no_formula(value: Any) -> None:
    if isinstance(value, Formula):
        raise CellError(f"cell {value.coordinate} holds a formula ({value}); formulas are not imported, "
                        f"type the value itself")


def text(value: Any) -> str:
    _no_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError(f"{value} is not text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def money(value: Any) -> Decimal | None:
    """万元 with at most two decimals; blank means nothing stated."""
    _no_formula(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (bool, date, datetime)):
        raise CellError(f"{text(value)!r} is not an amount of 万元 (e.g. 1200.50)")
    if isinstance(value, float):  # 13500.499999999998 from a formula is the 13500.50 the clerk sees
        exact = Decimal(repr(value))
        rounded = exact.quantize(Decimal("0.01"))
        value = rounded if abs(exact - rounded) < Decimal("1e-6") else exact
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        return parse_wan(raw)
    except InvalidValue as error:
        raise CellError(str(error)) from None


def day(value: Any) -> date | None:
    """An Excel date cell, a date serial (44469), or 2021-09-30, 2021/9/30, 2021.9.30, 2021年9月30日."""
    _no_formula(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return check_span(_day(value))
    except InvalidValue as error:
        raise CellError(str(error)) from None


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    ascii_digits(raw, "date")
    if re.fullmatch(r"[0-9]{5}(\.[0-9]+)?", raw):
        return _serial(float(raw))
    match = DAY.match(raw) or COMPACT_DAY.match(raw)
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError(f"{raw!r} is not a date (e.g. 2021-09-30)")


def _serial(number: float) -> date:
    if int(number) not in SERIALS:
        raise CellError(f"{number} is not a date (e.g. 2021-09-30)")
    return EXCEL_EPOCH + timedelta(days=int(number))


def choice(value: Any, enum: type[L], what: str, words: dict[str, Any] | None = None) -> L | None:
    """A code word or its Chinese label (谋划储备 or lead); blank means nothing stated."""
    raw = normal(text(value))
    if not raw:
        return None
    for member in enum:
        if raw.lower() == member.value or raw == normal(member.label):
            return member
    if words and raw in words:
        return enum(words[raw])
    labels = "、".join(m.label for m in enum)
    raise CellError(f"unknown {what} {text(value)!r}; choose one of: {labels} (or {', '.join(m.value for m in enum)})")


def stage(value: Any) -> Stage | None:
    """当前环节, as the form shows it: a stage, perhaps followed by （暂停）/（终止）."""
    raw = STATUS_SUFFIX.sub("", normal(text(value)))
    return choice(raw, Stage, "stage", {normal(k): v for k, v in STAGE_WORDS.items()})
