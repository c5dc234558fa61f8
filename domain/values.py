"""Small immutable value types: codes, money in 万元, and dates at the Shanghai edge."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue
from domain.text import ascii_digits

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


class Labelled(StrEnum):
    """A code word with its Chinese label; `label` is what tables show."""

    label: str

    def __new__(cls, value: str, label: str) -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: str, what: str) -> Labelled:
        """The member named by its code word or by its Chinese label, as the tables print it."""
        for member in cls:
            if text in (member.value, member.label):
                return member
        choices = ", ".join(f"{m.value} ({m.label})" for m in cls)
        raise InvalidValue(f"unknown {what} {text!r}; choose one of: {choices}")


class UnitKind(Labelled):
    DEPARTMENT = "department", "机关处室"
    BUREAU = "bureau", "委管局"
    AFFILIATE = "affiliate", "委属单位"


class Role(Labelled):
    ADMIN = "admin", "管理员"
    OFFICE = "office", "领导小组办公室"
    PRINCIPAL = "principal", "主要负责人"
    LEADER = "leader", "主管领导"
    LIAISON = "liaison", "联络员"
    STAFF = "staff", "工作人员"

    @property
    def is_unit_officer(self) -> bool:
        return self in (Role.PRINCIPAL, Role.LEADER, Role.LIAISON)


class Sector(Labelled):
    WASTE = "waste", "垃圾处理"
    LANDSCAPING = "landscaping", "园林绿化"
    SANITATION = "sanitation", "环卫作业"
    LIGHTING = "lighting", "街景灯光"
    ROAD_BRIDGE = "road_bridge", "路桥养护"
    GAS_HEATING = "gas_heating", "燃气供热"
    SMART_CITY = "smart_city", "城市管理信息化"
    CITYSCAPE = "cityscape", "市容市貌"
    ADVERTISING = "advertising", "户外广告"


class Level(Labelled):
    CITY = "city", "市级重点"
    COMMISSION = "commission", "委级重点"
    UNIT = "unit", "单位级"


class Library(Labelled):
    RESERVE = "reserve", "储备库"
    KEY = "key", "重点库"


class Stage(Labelled):
    LEAD = "lead", "谋划储备"
    NEGOTIATING = "negotiating", "在谈"
    SIGNED = "signed", "签约"
    LANDED = "landed", "落地"
    STARTED = "started", "开工"
    OPERATING = "operating", "投产运营"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


class ProjectStatus(Labelled):
    ACTIVE = "active", "推进中"
    SUSPENDED = "suspended", "暂停"
    TERMINATED = "terminated", "终止"


class ProblemCategory(Labelled):
    POLICY = "policy", "政策障碍"
    LAND = "land", "用地"
    FUNDING = "funding", "资金"
    APPROVAL = "approval", "审批"
    OTHER = "other", "其他"


class ProblemStatus(Labelled):
    OPEN = "open", "待办"
    ESCALATED = "escalated", "已上报"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已销号"


class ServiceKind(Labelled):
    POLICY = "policy", "政策解读"
    APPROVAL = "approval", "审批协调"
    SITE = "site", "选址服务"
    FINANCING = "financing", "融资对接"
    COORDINATION = "coordination", "协调推动"
    OTHER = "other", "其他"


class Rating(Labelled):
    A = "A", "优秀"
    B = "B", "良好"
    C = "C", "一般"
    D = "D", "较差"


CENT = Decimal("0.01")


THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
MAX_WAN = Decimal("1e12")


def parse_wan(text: str | Decimal | int) -> Decimal:
    """An amount in 万元: non-negative, at most two decimals, kept exact. Commas only as
    thousands separators (1,200.50); a decimal comma (1,5) is refused rather than misread."""
    if isinstance(text, bool) or not isinstance(text, (str, Decimal, int)):
        raise InvalidValue(f"amount {text!r} is not a number of 万元 (e.g. 1200.50)")
    raw = ascii_digits(str(text).strip(), "amount")
    if isinstance(text, str) and any(c in raw for c in "eE_"):
        raise InvalidValue(f"amount {text!r} is not a plain number of 万元 (e.g. 1200.50)")
    if "," in raw:
        if not THOUSANDS.match(raw):
            raise InvalidValue(f"amount {text!r}: a comma may only separate thousands (e.g. 1,200.50)")
        raw = raw.replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidValue(f"amount {text!r} is not a number of 万元 (e.g. 1200.50)") from None
    if not amount.is_finite():
        raise InvalidValue(f"amount {text!r} is not a number of 万元 (e.g. 1200.50)")
    if amount < 0:
        raise InvalidValue(f"amount {text!r} is negative")
    if amount >= MAX_WAN:
        raise InvalidValue(f"amount {text!r} is beyond any plausible investment (万元)")
    if amount != amount.quantize(CENT):
        raise InvalidValue(f"amount {text!r} has more than two decimals (万元 are kept to 0.01)")
    return abs(amount.quantize(CENT))


def format_wan(amount: Decimal | None) -> str:
    return "" if amount is None else str(amount.quantize(CENT))


EARLIEST = date(1990, 1, 1)  # the ledger's span: anything outside is a typo, not a fact
LATEST = date(2099, 12, 31)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^[0-9]{8}$")
_DATETIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?"
                       r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$")


def check_span(day: date, what: str = "date") -> date:
    """Dates outside 1990-01-01..2099-12-31 are refused wherever they come from."""
    if not EARLIEST <= (day.date() if isinstance(day, datetime) else day) <= LATEST:
        raise InvalidValue(f"{what} {day.isoformat()} lies outside {EARLIEST}..{LATEST}; check the year")
    return day


def parse_date(text: str | date, what: str = "date") -> date:
    """YYYY-MM-DD (or YYYYMMDD) with the digits 0-9, within the ledger's span; week dates
    (2021-W01-1) and ordinal dates are refused, being too easy to misread."""
    if isinstance(text, date):
        return check_span(text, what)
    raw = ascii_digits(str(text).strip(), what)
    if not _DATE.match(raw):
        raise InvalidValue(f"{what} {text!r} is not a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None
    return check_span(day, what)


def shanghai_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """The last instant of a Shanghai day, as UTC: a deadline on `day` means before this."""
    start_next = datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI)
    return (start_next - timedelta(microseconds=1)).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=SHANGHAI).astimezone(UTC)


def parse_moment(text: str, *, start: bool = False) -> datetime:
    """A moment typed by a person: a date means the end of that Shanghai day (its start when
    `start`); a datetime without an offset is Shanghai time. Returned in UTC, within the span."""
    raw = ascii_digits(text.strip(), "moment")
    neither = InvalidValue(f"{text!r} is neither a date (YYYY-MM-DD) nor an ISO 8601 datetime "
                           f"(YYYY-MM-DDTHH:MM[:SS][+08:00])")
    try:
        if _DATE.match(raw):
            day = check_span(date.fromisoformat(raw), "moment")
            return start_of_day(day) if start else end_of_day(day)
        if not _DATETIME.match(raw):
            raise neither
        moment = datetime.fromisoformat(raw.replace(",", "."))
    except ValueError as error:
        if isinstance(error, InvalidValue):
            raise
        raise neither from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    check_span(moment.astimezone(SHANGHAI), "moment")
    return moment.astimezone(UTC)


class ReportStatus:
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    COUNTED = (SENT, ACCEPTED)
    LABELS = {DRAFT: "草稿", APPROVED: "已审定", SENT: "已报送", ACCEPTED: "已接收", RETURNED: "已退回"}


def report_key(unit: str, kind: str, period: object) -> str:
    """A report's id names its obligation (docs/domain.md rule 4): HW/project_status/2021-08."""
    return f"{unit}/{kind}/{period}"


def report_obligation(report_id: str) -> tuple[str, str, str]:
    """(unit, kind, period) of a report id: the inverse of `report_key`."""
    unit, kind, period = report_id.split("/")
    return unit, kind, period
