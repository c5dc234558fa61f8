"""When a report is on time, late, overdue or upcoming (docs/domain.md rules 1 and 5): the one home of the
calendar's rule. Every view, summary, form, reminder and count asks these functions; none restates them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from typing import Any

from domain.values import ReportStatus, end_of_day, shanghai_date

UPCOMING, ON_TIME, LATE, OVERDUE = "upcoming", "on_time", "late", "overdue"
STATUSES = (UPCOMING, ON_TIME, LATE, OVERDUE)
LABELS = {UPCOMING: "未到期", ON_TIME: "按时", LATE: "迟报", OVERDUE: "逾期未报"}
COUNTED = ReportStatus.COUNTED  # a report counts while it is sent or accepted (not draft, approved, returned)


def counts(status: str | None) -> bool:
    """Whether a report in this status counts for its obligation."""
    return status in COUNTED


@lru_cache(maxsize=8192)
def deadline(due_on: date) -> datetime:
    """The last instant of the due day in Shanghai (rule 1): sent by then is on time."""
    return end_of_day(due_on)


def sent_late(sent_at: datetime, due_on: date) -> bool:
    return sent_at > deadline(due_on)


@dataclass(frozen=True)
class Sending:
    """A report as it stood at T: whether it counts, and its latest sending (lateness is measured there)."""

    counted: bool
    last_sent_at: datetime | None

    @classmethod
    def of(cls, status: str | None, last_sent_at: datetime | None) -> Sending:
        return cls(counts(status), last_sent_at)


@dataclass(frozen=True)
class Standing:
    """An obligation's status at T, with days late (to its latest sending's date) or days overdue (to T's date)."""

    status: str
    sent_at: datetime | None = None
    days_late: int | None = None
    days_overdue: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "sent_at": self.sent_at, "days_late": self.days_late,
                "days_overdue": self.days_overdue}


def standing(due_on: date, sending: Sending | None, as_of: datetime) -> Standing:
    """Rule 5: counted at T → on time or late by its latest sending; else overdue once past the deadline."""
    sent_at = sending.last_sent_at if sending is not None and sending.counted else None
    if sent_at is not None:
        if sent_late(sent_at, due_on):
            return Standing(LATE, sent_at, days_late=(shanghai_date(sent_at) - due_on).days)
        return Standing(ON_TIME, sent_at)
    if as_of > deadline(due_on):
        return Standing(OVERDUE, days_overdue=(shanghai_date(as_of) - due_on).days)
    return Standing(UPCOMING)
