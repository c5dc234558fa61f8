"""The calendar's one rule on its own (docs/domain.md rules 1 and 5, domain/deadlines.py): the deadline is the
end of the due day in Shanghai; a counted report is on time or late by its latest sending; an uncounted
one is upcoming until the deadline and overdue after it, by whole Shanghai days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.deadlines import (
    COUNTED, LATE, ON_TIME, OVERDUE, UPCOMING, Sending, Standing, counts, deadline, standing,
)
from domain.values import SHANGHAI, UTC

DUE = date(2021, 10, 5)


def shanghai(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def test_the_deadline_is_the_last_instant_of_the_due_day_in_shanghai():
    assert deadline(DUE) == datetime(2021, 10, 5, 15, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("status, counted", [("draft", False), ("approved", False), ("sent", True),
                                              ("accepted", True), ("returned", False), (None, False)])
def test_only_sent_and_accepted_reports_count(status, counted):
    assert counts(status) is counted
    assert Sending.of(status, shanghai(2021, 10, 1, 9)).counted is counted
    assert (status in COUNTED) is counted


def test_a_report_sent_at_the_last_instant_is_on_time_and_a_moment_later_late_by_one_day():
    assert standing(DUE, Sending(True, deadline(DUE)), shanghai(2021, 10, 9)) == Standing(ON_TIME, deadline(DUE))
    late = deadline(DUE) + timedelta(microseconds=1)
    assert standing(DUE, Sending(True, late), shanghai(2021, 10, 9)) == Standing(LATE, late, days_late=1)


def test_an_uncounted_report_is_upcoming_until_the_deadline_then_overdue_by_shanghai_days():
    returned = Sending(False, shanghai(2021, 10, 4, 9))  # sent once, then returned: no longer counts
    assert standing(DUE, returned, deadline(DUE)).status == UPCOMING
    assert standing(DUE, None, deadline(DUE) + timedelta(microseconds=1)) == Standing(OVERDUE, days_overdue=1)
    assert standing(DUE, None, shanghai(2021, 10, 8, 0, 30)).days_overdue == 3


def test_a_report_sent_before_its_deadline_is_on_time_even_while_the_deadline_is_ahead():
    early = shanghai(2021, 10, 2, 9)
    assert standing(DUE, Sending(True, early), shanghai(2021, 10, 3)).as_dict() == {
        "status": ON_TIME, "sent_at": early, "days_late": None, "days_overdue": None}
