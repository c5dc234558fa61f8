"""The reporting calendar as data (docs/domain.md, the reporting calendar, rules 2 and 3): the notice's
default policy, parsing a policy file, shifts, clamping, leap years, a later policy, and properties
that hold over any span."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidValue, RuleViolated
from domain.period import Cadence, Period
from domain.policy import Calendar, Obligation, Policy, default_policy, default_policy_text, parse_policy

ENROLLED = date(2021, 8, 31)
MONTHLY = ("project_status", "service_list", "tracking_feedback")
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def obligations_due(calendar: Calendar, after: date, until: date) -> dict[tuple[str, str], date]:
    return {(o.kind, str(o.period)): o.due_on for o in calendar.obligations(after, until)}


def default_calendar() -> Calendar:
    return Calendar([default_policy()])


def policy_text(*reports: str, effective_from: str = "2021-08-31", shifts: str = "") -> str:
    body = "\n".join(f"[[report]]\n{r.strip()}\n" for r in reports)
    return f'name = "测试"\neffective_from = {effective_from}\n\n{body}\n{shifts}'


def monthly(kind: str = "project_status", due_day: int = 5) -> str:
    return f'kind = "{kind}"\ntitle = "月报"\ncadence = "monthly"\ndue_day = {due_day}'


def quarterly(kind: str = "quarterly_report", due_day: int = 15, due_month: int = 1) -> str:
    return f'kind = "{kind}"\ntitle = "季报"\ncadence = "quarterly"\ndue_month = {due_month}\ndue_day = {due_day}'


def refusal(text: str) -> str:
    with pytest.raises(InvalidValue) as caught:
        parse_policy(text, "我委报送时限.toml")
    return str(caught.value)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


# -- the notice's calendar ---------------------------------------------------------------------------


def test_first_monthly_trio_is_due_on_5_september_2021_for_august():
    due = obligations_due(default_calendar(), ENROLLED, date(2021, 9, 5))
    assert {k: v for k, v in due.items() if k[0] in MONTHLY} == {
        (kind, "2021-08"): date(2021, 9, 5) for kind in MONTHLY
    }


def test_nothing_is_owed_for_july_2021_before_the_notice():
    due = obligations_due(default_calendar(), date(2021, 1, 1), date(2021, 8, 31))
    assert due == {}


def test_the_liaison_form_is_owed_once_by_15_september_2021():
    due = obligations_due(default_calendar(), ENROLLED, date(2030, 12, 31))
    forms = {k: v for k, v in due.items() if k[0] == "liaison_form"}
    assert forms == {("liaison_form", "once"): date(2021, 9, 15)}


def test_a_unit_enrolled_on_15_september_does_not_owe_the_liaison_form():
    due = obligations_due(default_calendar(), date(2021, 9, 15), date(2021, 12, 31))
    assert not any(kind == "liaison_form" for kind, _ in due)


def test_the_first_quarterly_report_covers_q3_2021_and_is_due_15_october():
    due = obligations_due(default_calendar(), ENROLLED, date(2021, 12, 31))
    assert {k: v for k, v in due.items() if k[0] == "quarterly_report"} == {
        ("quarterly_report", "2021-Q3"): date(2021, 10, 15)
    }


def test_the_fourth_quarter_crosses_into_the_next_year():
    due = obligations_due(default_calendar(), ENROLLED, date(2022, 1, 31))
    assert due[("quarterly_report", "2021-Q4")] == date(2022, 1, 15)


def test_the_first_annual_pair_is_summary_2021_and_plan_2022_due_31_january_2022():
    due = obligations_due(default_calendar(), ENROLLED, date(2022, 12, 31))
    annual = {k: v for k, v in due.items() if k[0] in ("annual_summary", "annual_plan")}
    assert annual == {("annual_summary", "2021"): date(2022, 1, 31), ("annual_plan", "2022"): date(2022, 1, 31)}


def test_the_annual_plan_opens_on_the_first_day_of_its_own_year_and_the_summary_after_it():
    obligations = {(o.kind, str(o.period)): o for o in default_calendar().obligations(ENROLLED, date(2022, 1, 31))}
    assert obligations[("annual_plan", "2022")].opens_on == date(2022, 1, 1)
    assert obligations[("annual_summary", "2021")].opens_on == date(2022, 1, 1)
    assert obligations[("project_status", "2021-08")].opens_on == date(2021, 9, 1)


def test_deadlines_are_not_moved_for_weekends():
    # 2021-12-05 was a Sunday; the notice names fixed days
    due = obligations_due(default_calendar(), ENROLLED, date(2021, 12, 31))
    assert date(2021, 12, 5).weekday() == 6
    assert due[("project_status", "2021-11")] == date(2021, 12, 5)


def test_the_default_policy_is_effective_from_the_notice_date_and_has_the_seven_kinds():
    policy = default_policy()
    assert policy.effective_from == date(2021, 8, 31)
    assert set(policy.kinds) == {"liaison_form", *MONTHLY, "quarterly_report", "annual_summary", "annual_plan"}


def test_a_policy_round_trips_through_its_toml_text():
    policy = default_policy()
    assert parse_policy(policy.to_toml_text()) == policy


# -- parse errors: the line and the reason -------------------------------------------------------------


def test_an_unknown_cadence_is_refused_with_its_line_and_the_choices():
    text = policy_text(monthly(), 'kind = "weekly_report"\ntitle = "周报"\ncadence = "weekly"\ndue_day = 1')
    message = refusal(text)
    where = line_of(text, 'cadence = "weekly"')
    assert f"line {where}" in message
    assert "cadence" in message and "monthly" in message
    assert message.startswith("我委报送时限.toml")


def test_a_monthly_report_without_due_day_is_refused_at_its_table():
    text = policy_text(monthly(), 'kind = "service_list"\ntitle = "服务清单"\ncadence = "monthly"')
    message = refusal(text)
    assert f"line {line_of(text, '[[report]]', occurrence=2)}" in message
    assert "due_day" in message


def test_a_due_day_beyond_31_is_refused_at_its_line():
    text = policy_text(monthly(due_day=32))
    message = refusal(text)
    assert f"line {line_of(text, 'due_day = 32')}" in message
    assert "31" in message


def test_a_duplicate_kind_is_refused_at_the_line_of_the_repeat():
    text = policy_text(monthly(), monthly())
    message = refusal(text)
    assert "each report kind may appear once" in message
    repeat = line_of(text, 'kind = "project_status"', occurrence=2)
    assert f"line {repeat}" in message


def test_invalid_toml_is_refused_with_its_line():
    text = policy_text(monthly()).replace('title = "月报"', "title = 月报")
    message = refusal(text)
    assert "not valid TOML" in message
    assert f"line {line_of(text, 'title = 月报')}" in message


def test_a_policy_without_any_report_is_refused():
    assert "report" in refusal('name = "空"\neffective_from = 2022-01-01\n')


def test_a_shift_naming_an_unknown_kind_is_refused():
    text = policy_text(monthly(), shifts='[[shift]]\nperiod = "2021-09"\nkind = "weekly"\ndue = 2021-10-08\n')
    assert "weekly" in refusal(text)


# -- shifts, clamping, leap years ----------------------------------------------------------------------


def test_a_shift_moves_one_due_day_and_leaves_the_others():
    shift = '[[shift]]\nperiod = "2021-09"\nkind = "project_status"\ndue = 2021-10-08\n'
    calendar = Calendar([parse_policy(policy_text(monthly(), monthly("service_list"), shifts=shift))])
    due = obligations_due(calendar, ENROLLED, date(2021, 12, 31))
    assert due[("project_status", "2021-09")] == date(2021, 10, 8)
    assert due[("service_list", "2021-09")] == date(2021, 10, 5)
    assert due[("project_status", "2021-08")] == date(2021, 9, 5)
    assert due[("project_status", "2021-10")] == date(2021, 11, 5)


def test_a_shift_without_a_kind_moves_every_kind_of_that_period():
    shift = '[[shift]]\nperiod = "2021-09"\ndue = 2021-10-08\n'
    calendar = Calendar([parse_policy(policy_text(monthly(), monthly("service_list"), shifts=shift))])
    due = obligations_due(calendar, ENROLLED, date(2021, 12, 31))
    assert due[("project_status", "2021-09")] == due[("service_list", "2021-09")] == date(2021, 10, 8)


def test_due_day_31_is_clamped_to_the_last_day_of_a_30_day_month():
    calendar = Calendar([parse_policy(policy_text(monthly(due_day=31)))])
    due = obligations_due(calendar, ENROLLED, date(2022, 1, 31))
    assert due[("project_status", "2021-09")] == date(2021, 10, 31)
    assert due[("project_status", "2021-10")] == date(2021, 11, 30)


def test_due_day_31_falls_on_29_february_in_a_leap_year_and_28_otherwise():
    calendar = Calendar([parse_policy(policy_text(monthly(due_day=31)))])
    due = obligations_due(calendar, ENROLLED, date(2024, 12, 31))
    assert due[("project_status", "2024-01")] == date(2024, 2, 29)
    assert due[("project_status", "2023-01")] == date(2023, 2, 28)


def test_a_quarterly_report_due_29_february_of_its_second_month():
    calendar = Calendar([parse_policy(policy_text(quarterly(due_month=2, due_day=29)))])
    due = obligations_due(calendar, ENROLLED, date(2024, 12, 31))
    assert due[("quarterly_report", "2023-Q4")] == date(2024, 2, 29)
    assert due[("quarterly_report", "2022-Q4")] == date(2023, 2, 28)


# -- a second policy --------------------------------------------------------------------------------


def later_policy(effective_from: date, due_day: int = 10) -> Policy:
    text = default_policy_text().replace("due_day = 5", f"due_day = {due_day}")
    return parse_policy(text).model_copy(update={"effective_from": effective_from, "name": "新时限"})


def test_a_later_policy_leaves_every_obligation_due_before_it_unchanged():
    effective = date(2022, 3, 1)
    before = obligations_due(default_calendar(), ENROLLED, effective - timedelta(days=1))
    after = obligations_due(Calendar([default_policy(), later_policy(effective)]), ENROLLED, effective - timedelta(days=1))
    assert before == after
    assert len(before) > 20


def test_a_later_policy_governs_the_obligations_due_from_its_date():
    calendar = Calendar([default_policy(), later_policy(date(2022, 3, 1))])
    due = obligations_due(calendar, ENROLLED, date(2022, 5, 31))
    assert due[("project_status", "2022-01")] == date(2022, 2, 5)
    assert due[("project_status", "2022-02")] == date(2022, 3, 10)
    assert due[("project_status", "2022-03")] == date(2022, 4, 10)


def test_the_order_policies_are_given_in_does_not_matter():
    first, second = default_policy(), later_policy(date(2022, 3, 1))
    span = (ENROLLED, date(2023, 12, 31))
    assert obligations_due(Calendar([second, first]), *span) == obligations_due(Calendar([first, second]), *span)


def test_a_later_policy_with_an_earlier_due_day_does_not_drop_a_period():
    # 2022-02 is due 03-05 under the notice, which is after the new policy's date, but 03-01 under the new
    # policy, which is before it: the period must still be owed once
    calendar = Calendar([default_policy(), later_policy(date(2022, 3, 3), due_day=1)])
    due = obligations_due(calendar, ENROLLED, date(2022, 5, 31))
    assert due[("project_status", "2022-02")] == date(2022, 3, 5)
    assert due[("project_status", "2022-03")] == date(2022, 4, 1)


def staggered_quarterly() -> Calendar:
    """Q4 2021 is due 2022-01-15 under the first policy; the second, from 2022-01-20, would make it due
    2022-02-15."""
    first = parse_policy(policy_text(quarterly(due_month=1, due_day=15)))
    second = parse_policy(policy_text(quarterly(due_month=2, due_day=15), effective_from="2022-01-20"))
    return Calendar([first, second])


def test_a_period_that_fell_due_before_a_later_policy_keeps_its_due_day():
    due = obligations_due(staggered_quarterly(), ENROLLED, date(2022, 12, 31))
    assert due[("quarterly_report", "2021-Q4")] == date(2022, 1, 15)
    assert due[("quarterly_report", "2022-Q1")] == date(2022, 5, 15)


def test_a_period_that_fell_due_before_a_later_policy_is_not_owed_again_after_it():
    calendar = staggered_quarterly()
    assert ("quarterly_report", "2021-Q4") not in obligations_due(calendar, date(2022, 1, 15), date(2022, 12, 31))
    assert calendar.obligation("quarterly_report", Period.parse("2021-Q4")).due_on == date(2022, 1, 15)


# -- properties over any span -------------------------------------------------------------------------


def days(start: date = date(2021, 1, 1), end: date = date(2030, 12, 31)) -> st.SearchStrategy[date]:
    return st.dates(min_value=start, max_value=end)


@st.composite
def spans(draw: st.DrawFn) -> tuple[date, date]:
    after = draw(days())
    until = draw(days(after, date(2030, 12, 31)))
    return after, until


@st.composite
def random_policies(draw: st.DrawFn) -> Policy:
    """The notice's kinds and cadences, each with its own due day (and month), from a random date."""
    reports = []
    for kind, cadence in (("project_status", "monthly"), ("service_list", "monthly"),
                          ("quarterly_report", "quarterly"), ("annual_summary", "annual")):
        due_month = {"monthly": 1, "quarterly": draw(st.integers(1, 3)), "annual": draw(st.integers(1, 12))}[cadence]
        reports.append(f'kind = "{kind}"\ntitle = "{kind}"\ncadence = "{cadence}"\n'
                       f"due_month = {due_month}\ndue_day = {draw(st.integers(1, 31))}")
    effective = draw(days(date(2021, 9, 1)))
    return parse_policy(policy_text(*reports, effective_from=effective.isoformat()))


def check_each_period_at_most_once(obligations: list[Obligation]) -> None:
    keys = [(o.kind, o.period) for o in obligations]
    assert len(keys) == len(set(keys))


def check_due_dates_rise_strictly_per_kind(obligations: list[Obligation]) -> None:
    by_kind: dict[str, list[Obligation]] = defaultdict(list)
    for o in sorted(obligations, key=lambda o: o.period):
        by_kind[o.kind].append(o)
    for kind, owed_ in by_kind.items():
        dues = [o.due_on for o in owed_]
        assert dues == sorted(set(dues)), f"{kind}: due dates do not rise strictly with the period: {dues}"


def check_periods_consecutive_per_kind(obligations: list[Obligation]) -> None:
    by_kind: dict[str, list[Period]] = defaultdict(list)
    for o in obligations:
        by_kind[o.kind].append(o.period)
    for kind, periods in by_kind.items():
        periods.sort()
        if periods[0].cadence is Cadence.ONCE:
            assert len(periods) == 1
            continue
        for earlier, later in zip(periods, periods[1:]):
            assert earlier.next() == later, f"{kind}: a gap between {earlier} and {later}"


def check_within_span(obligations: list[Obligation], after: date, until: date) -> None:
    assert all(after < o.due_on <= until for o in obligations)
    assert obligations == sorted(obligations)


@PROPERTY
@given(spans())
def test_over_any_span_each_kind_and_period_is_owed_at_most_once(span):
    check_each_period_at_most_once(default_calendar().obligations(*span))


@PROPERTY
@given(spans())
def test_over_any_span_the_periods_of_each_kind_follow_without_a_gap(span):
    check_periods_consecutive_per_kind(default_calendar().obligations(*span))


@PROPERTY
@given(spans())
def test_over_any_span_due_dates_rise_strictly_per_kind_and_lie_in_the_span(span):
    obligations = default_calendar().obligations(*span)
    check_due_dates_rise_strictly_per_kind(obligations)
    check_within_span(obligations, *span)


@PROPERTY
@given(spans(), st.integers(0, 400))
def test_splitting_a_span_splits_its_obligations(span, offset):
    after, until = span
    middle = min(after + timedelta(days=offset), until)
    calendar = default_calendar()
    whole = calendar.obligations(after, until)
    assert whole == sorted(calendar.obligations(after, middle) + calendar.obligations(middle, until))


@PROPERTY
@given(spans())
def test_each_obligation_of_a_span_is_the_one_the_calendar_names_for_its_period(span):
    calendar = default_calendar()
    for obligation in calendar.obligations(*span):
        assert calendar.obligation(obligation.kind, obligation.period) == obligation


@PROPERTY
@given(spans(), random_policies(), random_policies())
def test_with_two_random_policies_each_period_is_owed_at_most_once_and_dues_rise(span, first, second):
    obligations = Calendar([first, second]).obligations(*span)
    check_each_period_at_most_once(obligations)
    check_due_dates_rise_strictly_per_kind(obligations)
    check_within_span(obligations, *span)


@PROPERTY
@given(random_policies(), random_policies(), spans())
def test_a_second_random_policy_never_changes_what_fell_due_before_it(first, second, span):
    after, until = span
    if second.effective_from < first.effective_from:
        first, second = second, first
    until = min(until, second.effective_from - timedelta(days=1))
    if until <= after:
        return
    assert Calendar([first]).obligations(after, until) == Calendar([first, second]).obligations(after, until)


@PROPERTY
@given(spans(), random_policies(), random_policies())
@example(
    span=(date(2021, 8, 31), date(2023, 12, 31)),
    first=parse_policy(policy_text(monthly(due_day=5), effective_from="2021-08-31")),
    second=parse_policy(policy_text(monthly(due_day=1), effective_from="2022-03-03")),
)
def test_with_two_random_policies_the_periods_of_each_kind_follow_without_a_gap(span, first, second):
    check_periods_consecutive_per_kind(Calendar([first, second]).obligations(*span))


@PROPERTY
@given(spans(), random_policies(), random_policies(), st.integers(0, 400))
@example(
    span=(date(2021, 8, 31), date(2022, 12, 31)), offset=137,  # 2022-01-15, the first due day of 2021-Q4
    first=parse_policy(policy_text(quarterly(due_month=1, due_day=15))),
    second=parse_policy(policy_text(quarterly(due_month=2, due_day=15), effective_from="2022-01-20")),
)
def test_with_two_random_policies_splitting_a_span_splits_its_obligations(span, first, second, offset):
    after, until = span
    middle = min(after + timedelta(days=offset), until)
    calendar = Calendar([first, second])
    whole = calendar.obligations(after, until)
    assert whole == sorted(calendar.obligations(after, middle) + calendar.obligations(middle, until))
    for obligation in whole:
        assert calendar.obligation(obligation.kind, obligation.period) == obligation


# -- when a report may be drafted (rules 6 and 20): one home, ReportRule.check_draftable -------------------


@pytest.mark.parametrize("kind, period, today, refusal", [
    ("project_status", "2021-09", date(2021, 9, 30), "the period 2021-09 has not ended yet; report on it from 2021-10-01"),
    ("project_status", "2021-09", date(2021, 10, 1), None),
    ("annual_plan", "2023", date(2021, 12, 31), "the annual_plan for 2023 is too far ahead; it can be drafted from 2022"),
    ("annual_plan", "2023", date(2022, 1, 1), None),
    ("annual_summary", "2021", date(2021, 12, 31), "the period 2021 has not ended yet; report on it from 2022-01-01"),
])
def test_a_report_is_draftable_from_the_day_its_period_opens_and_a_plan_at_most_a_year_ahead(kind, period, today,
                                                                                              refusal):
    rule = default_policy().rule(kind)
    parsed = Period.parse(period, rule.cadence)
    if refusal is None:
        rule.check_draftable(parsed, today)
        assert rule.opens_on(parsed, today) <= today or rule.covers == "current"
    else:
        with pytest.raises(RuleViolated, match=re.escape(refusal)):
            rule.check_draftable(parsed, today)


def test_the_liaison_form_owed_once_is_draftable_at_any_time():
    rule = default_policy().rule("liaison_form")
    rule.check_draftable(Period.parse("once", rule.cadence), date(2021, 8, 1))
