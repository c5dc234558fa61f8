"""The calendar's rules without pydantic (domain/timetable.py): the Terms a read builds from the stored,
already-checked policies owe exactly what the checked `Calendar` owes — the same obligations, due and open
on the same days, under the notice's default policy and under loaded ones, for units enrolled and
withdrawn over several years (docs/performance.md, start-up)."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.lamps import Thresholds
from domain.period import Period
from domain.policy import Calendar, Policy, default_policy, default_policy_text, parse_policy
from domain.timetable import Terms, Timetable
from domain.values import SHANGHAI
from projections.obligations import Enrolment, open_obligations
from projections.readstore import StoredCalendar, default_terms
from tests.unit.test_calendar import PROPERTY, monthly, policy_text, quarterly, random_policies

SPAN = (date(2021, 1, 1), date(2027, 12, 31))
UNITS = [Enrolment("HW", date(2021, 8, 31), None), Enrolment("HX", date(2021, 9, 20), date(2023, 3, 4)),
         Enrolment("HY", date(2022, 5, 31), None), Enrolment("HZ", date(2024, 1, 1), date(2026, 7, 5)),
         Enrolment("HQ", date(2026, 2, 28), None)]


def stored(policy: Policy) -> Terms:
    """A policy as a read finds it: its stored JSON (the event's `model_dump(mode="json")`), as plain terms."""
    return Terms.stored(policy.model_dump(mode="json"))


def owed(calendar: Timetable, as_of: datetime) -> list[tuple[str, object, str]]:
    return list(open_obligations(calendar, UNITS, as_of, due_by=as_of.date() + timedelta(days=90)))


def check_the_same(checked: Calendar, plain: Timetable) -> None:
    assert plain.obligations(*SPAN) == checked.obligations(*SPAN)
    assert plain.kinds() == checked.kinds()
    for obligation in checked.obligations(*SPAN):
        assert plain.obligation(obligation.kind, obligation.period) == obligation
    for kind in checked.kinds():
        mine, theirs = plain.rule(kind), checked.rule(kind)
        assert (mine.title, mine.cadence, mine.covers) == (theirs.title, theirs.cadence, theirs.covers)
        assert plain.rule(theirs.title).kind == checked.rule(theirs.title).kind  # named by its title, too
    for year in range(2021, 2028):
        for month in (1, 3, 8, 9, 12):
            as_of = datetime(year, month, 6, 9, tzinfo=SHANGHAI)
            assert owed(plain, as_of) == owed(checked, as_of), as_of
            day = as_of.date()
            assert plain.lamps_on(day) == Thresholds(**checked.lamps_on(day).model_dump())


def test_the_default_policy_read_from_its_toml_owes_what_the_checked_one_owes():
    assert default_terms() == Terms.stored(tomllib.loads(default_policy_text())) == stored(default_policy())
    check_the_same(Calendar([default_policy()]), Timetable([default_terms()]))
    assert StoredCalendar([]).obligations(*SPAN) == Calendar([default_policy()]).obligations(*SPAN)


CUSTOM = [
    parse_policy(policy_text(monthly(due_day=10), monthly("service_list", due_day=31),
                             quarterly(due_month=2, due_day=29),
                             'kind = "annual_plan"\ntitle = "年度工作思路安排"\ncadence = "annual"\n'
                             'covers = "current"\ndue_month = 3\ndue_day = 1',
                             'kind = "liaison_form"\ntitle = "联络单"\ncadence = "once"\ndue = 2022-04-30',
                             effective_from="2022-03-01",
                             shifts='[[shift]]\nperiod = "2022-09"\ndue = 2022-10-12\n\n'
                                    '[[shift]]\nperiod = "2023-Q1"\nkind = "quarterly_report"\ndue = 2023-05-02\n')
                 + "\n[lamps]\nred_after_months = 6\n"),
    parse_policy(policy_text(monthly(due_day=1), effective_from="2024-06-15")),
    parse_policy(default_policy_text().replace("due_day = 5", "due_day = 20").replace("2021-08-31", "2025-01-01")),
]


def test_loaded_policies_stored_and_read_back_owe_what_the_checked_calendar_owes():
    for loaded in (CUSTOM[:1], CUSTOM[:2], CUSTOM):
        checked = Calendar([default_policy(), *loaded])
        check_the_same(checked, Timetable([default_terms(), *(stored(p) for p in loaded)]))
        check_the_same(checked, StoredCalendar([p.model_dump(mode="json") for p in loaded]))
    assert Timetable([stored(CUSTOM[0])]).obligation("project_status", Period.parse("2022-09")).due_on == date(2022, 10, 12)


@PROPERTY
@given(st.lists(random_policies(), min_size=1, max_size=2))
def test_any_loaded_policies_owe_the_same_read_back_as_checked(loaded):
    check_the_same(Calendar([default_policy(), *loaded]), StoredCalendar([p.model_dump(mode="json") for p in loaded]))
