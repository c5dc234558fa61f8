"""Values at the edge: money in 万元, moments typed by people, reporting periods, code words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, InvalidValue
from domain.period import Cadence, Period
from domain.values import (
    SHANGHAI, UTC, Level, Library, ProblemCategory, ProjectStatus, Rating, Role, Sector, ServiceKind, Stage,
    UnitKind, end_of_day, format_wan, parse_date, parse_moment, parse_wan,
    shanghai_date, start_of_day,
)

# -- money in 万元 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("1200.50", "1200.50"),
        ("1200.5", "1200.50"),
        ("1200", "1200.00"),
        ("0", "0.00"),
        ("0.01", "0.01"),
        (" 36.80 ", "36.80"),
        ("1,200.50", "1200.50"),
        ("12,000,000", "12000000.00"),
        (Decimal("7.1"), "7.10"),
        (42, "42.00"),
    ],
)
def test_an_amount_is_kept_as_an_exact_decimal_to_the_cent(typed, kept):
    amount = parse_wan(typed)
    assert isinstance(amount, Decimal)
    assert str(amount) == kept


def test_an_amount_with_trailing_zeros_beyond_the_cent_is_still_two_decimals():
    assert str(parse_wan("3.1400")) == "3.14"


@pytest.mark.parametrize("typed", ["0.001", "1200.505", "1.999", "0.0001"])
def test_an_amount_with_more_than_two_decimals_is_refused(typed):
    with pytest.raises(InvalidValue, match="more than two decimals"):
        parse_wan(typed)


@pytest.mark.parametrize("typed", ["-1", "-0.01", "-1,200.00"])
def test_a_negative_amount_is_refused(typed):
    with pytest.raises(InvalidValue, match="negative"):
        parse_wan(typed)


@pytest.mark.parametrize("typed", ["", "   ", "abc", "12万", "1.2.3", "¥100", "12 00", "NaN", "Infinity", "-inf"])
def test_an_amount_that_is_not_a_number_is_refused_with_an_example(typed):
    with pytest.raises(InvalidValue, match=r"not a number of 万元 \(e.g. 1200.50\)"):
        parse_wan(typed)


def test_an_invalid_amount_is_a_domain_error_and_a_value_error():
    with pytest.raises(DomainError):
        parse_wan("junk")
    with pytest.raises(ValueError):
        parse_wan("junk")


@pytest.mark.parametrize("typed", ["1e3", "1E3", "1_000"])
def test_an_amount_in_exponent_or_underscore_notation_is_refused(typed):
    with pytest.raises(InvalidValue, match="not a plain number"):
        parse_wan(typed)


@pytest.mark.parametrize("typed", [Decimal("1e30"), Decimal("1e12"), "1000000000000", "99999999999999999999999999999"])
def test_an_absurdly_large_amount_is_refused_as_an_invalid_value(typed):
    with pytest.raises(InvalidValue, match="beyond any plausible investment"):
        parse_wan(typed)


def test_the_largest_plausible_amount_is_still_accepted():
    assert str(parse_wan("999,999,999,999.99")) == "999999999999.99"


@pytest.mark.parametrize("typed", ["1,5", "12,00", "1,2,3", ",100", "1,000,00", "1,0000"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(typed):
    with pytest.raises(InvalidValue, match=r"a comma may only separate thousands \(e.g. 1,200.50\)"):
        parse_wan(typed)


@pytest.mark.parametrize("typed", ["-0", "-0.00", Decimal("-0")])
def test_minus_zero_is_kept_as_plain_zero(typed):
    assert str(parse_wan(typed)) == "0.00"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_cent_amount_survives_typing_and_formatting(amount):
    assert parse_wan(format_wan(amount)) == amount
    assert parse_wan(f"{amount:,}") == amount


def test_a_missing_amount_formats_as_blank():
    assert format_wan(None) == ""
    assert format_wan(Decimal("5")) == "5.00"


# -- dates and moments ----------------------------------------------------------------------------


def test_a_date_is_parsed_or_refused_with_its_shape():
    assert parse_date(" 2021-09-05 ") == date(2021, 9, 5)
    assert parse_date(date(2021, 9, 5)) == date(2021, 9, 5)
    with pytest.raises(InvalidValue, match=r"due date '2021-02-30' is not a date \(YYYY-MM-DD\)"):
        parse_date("2021-02-30", "due date")


def test_a_typed_date_means_the_end_of_that_shanghai_day():
    moment = parse_moment("2021-09-05")
    assert moment == datetime(2021, 9, 5, 15, 59, 59, 999999, tzinfo=UTC)
    assert moment.astimezone(SHANGHAI).date() == date(2021, 9, 5)
    assert moment + timedelta(microseconds=1) == datetime(2021, 9, 6, tzinfo=SHANGHAI)


def test_a_typed_date_with_start_means_the_start_of_that_shanghai_day():
    moment = parse_moment("2021-09-05", start=True)
    assert moment == datetime(2021, 9, 4, 16, 0, tzinfo=UTC)
    assert moment.astimezone(SHANGHAI) == datetime(2021, 9, 5, 0, 0, tzinfo=SHANGHAI)


def test_a_moment_is_returned_in_utc():
    assert parse_moment("2021-09-05").utcoffset() == timedelta(0)
    assert parse_moment("2021-09-05T10:00").utcoffset() == timedelta(0)
    assert parse_moment("2021-09-05T10:00+09:00").utcoffset() == timedelta(0)


@pytest.mark.parametrize("typed", ["2021-09-05T10:00", "2021-09-05 10:00", "2021-09-05T10:00:00"])
def test_a_datetime_without_an_offset_is_shanghai_time(typed):
    assert parse_moment(typed) == datetime(2021, 9, 5, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "typed, utc",
    [
        ("2021-09-05T10:00+00:00", datetime(2021, 9, 5, 10, 0, tzinfo=UTC)),
        ("2021-09-05T10:00Z", datetime(2021, 9, 5, 10, 0, tzinfo=UTC)),
        ("2021-09-05T10:00-05:00", datetime(2021, 9, 5, 15, 0, tzinfo=UTC)),
        ("2021-09-05T10:00+08:00", datetime(2021, 9, 5, 2, 0, tzinfo=UTC)),
    ],
)
def test_a_datetime_with_an_offset_is_taken_at_its_word(typed, utc):
    assert parse_moment(typed) == utc


def test_a_start_flag_does_not_move_a_datetime():
    assert parse_moment("2021-09-05T10:00", start=True) == parse_moment("2021-09-05T10:00")


def test_late_evening_utc_is_already_the_next_day_in_shanghai():
    moment = parse_moment("2021-09-05T20:30+00:00")
    assert moment.date() == date(2021, 9, 5)
    assert shanghai_date(moment) == date(2021, 9, 6)


def test_early_morning_shanghai_is_still_the_previous_day_in_utc():
    moment = parse_moment("2021-09-05T07:00")
    assert moment.date() == date(2021, 9, 4)
    assert shanghai_date(moment) == date(2021, 9, 5)


def test_the_end_of_a_shanghai_day_is_still_that_day_in_utc_and_the_start_is_the_day_before():
    assert end_of_day(date(2021, 9, 5)).date() == date(2021, 9, 5)
    assert start_of_day(date(2021, 9, 5)).date() == date(2021, 9, 4)
    assert end_of_day(date(2021, 9, 5)) - start_of_day(date(2021, 9, 5)) == timedelta(days=1, microseconds=-1)


def test_a_year_end_moment_in_shanghai_falls_in_the_old_year_in_utc():
    moment = parse_moment("2022-01-01T00:30")
    assert moment == datetime(2021, 12, 31, 16, 30, tzinfo=UTC)
    assert shanghai_date(moment) == date(2022, 1, 1)


@pytest.mark.parametrize("typed", ["", "yesterday", "2021-13-01", "2021-02-30", "2021-09-05T25:00", "05/09/2021"])
def test_a_moment_that_is_neither_a_date_nor_a_datetime_is_refused(typed):
    with pytest.raises(InvalidValue, match="neither a date"):
        parse_moment(typed)


def test_a_compact_iso_date_is_read_as_a_date_or_refused():
    try:
        moment = parse_moment("20210901")
    except InvalidValue:
        return
    assert moment == end_of_day(date(2021, 9, 1))


def test_surrounding_spaces_in_a_moment_are_ignored():
    assert parse_moment("  2021-09-05  ") == parse_moment("2021-09-05")


# -- reporting periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, period",
    [
        ("2021-09", Period(Cadence.MONTHLY, 2021, 9)),
        ("2021-12", Period(Cadence.MONTHLY, 2021, 12)),
        ("2021-Q3", Period(Cadence.QUARTERLY, 2021, 3)),
        ("2021", Period(Cadence.ANNUAL, 2021)),
        ("once", Period(Cadence.ONCE)),
        (" 2021-09 ", Period(Cadence.MONTHLY, 2021, 9)),
    ],
)
def test_a_period_is_read_from_its_shape_and_written_back_the_same(typed, period):
    assert Period.parse(typed) == period
    assert str(period) == typed.strip()


@pytest.mark.parametrize("typed", ["2021-13", "2021-00", "2021-9", "2021-Q5", "2021-Q0", "2021-q3",
                                   "21", "20210", "Once", "", "2021/09", "2021-09-01"])
def test_a_malformed_period_is_refused_naming_every_shape(typed):
    with pytest.raises(InvalidValue, match="malformed; expected YYYY-MM, YYYY-Qn, YYYY or once"):
        Period.parse(typed)


@pytest.mark.parametrize(
    "typed, cadence, says",
    [
        ("2021-Q3", Cadence.MONTHLY, "period '2021-Q3' is quarterly; this needs YYYY-MM, e.g. 2021-09"),
        ("2021-09", Cadence.QUARTERLY, "period '2021-09' is monthly; this needs YYYY-Qn, e.g. 2021-Q3"),
        ("2021-09", Cadence.ANNUAL, "period '2021-09' is monthly; this needs YYYY, e.g. 2021"),
        ("2021", Cadence.ONCE, "period '2021' is annual; this needs the word once"),
        ("once", Cadence.MONTHLY, "period 'once' is once; this needs YYYY-MM"),
    ],
)
def test_a_period_of_the_wrong_shape_for_its_cadence_is_refused_saying_the_right_shape(typed, cadence, says):
    with pytest.raises(InvalidValue) as refused:
        Period.parse(typed, cadence)
    assert says in str(refused.value)


def test_a_malformed_period_with_a_cadence_names_only_that_cadences_shape():
    with pytest.raises(InvalidValue, match=r"'2021-13' is malformed; expected YYYY-MM, e.g. 2021-09$"):
        Period.parse("2021-13", Cadence.MONTHLY)


def test_a_period_of_the_right_shape_for_its_cadence_is_accepted():
    assert Period.parse("2021-Q4", Cadence.QUARTERLY) == Period(Cadence.QUARTERLY, 2021, 4)


@pytest.mark.parametrize(
    "this, following",
    [
        ("2021-08", "2021-09"),
        ("2021-11", "2021-12"),
        ("2021-12", "2022-01"),
        ("2021-Q3", "2021-Q4"),
        ("2021-Q4", "2022-Q1"),
        ("2021", "2022"),
        ("1999", "2000"),
    ],
)
def test_the_next_period_crosses_quarter_and_year_boundaries(this, following):
    assert str(Period.parse(this).next()) == following


@pytest.mark.parametrize(
    "typed, first, last",
    [
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),
        ("2099-02", date(2099, 2, 1), date(2099, 2, 28)),
        ("2021-09", date(2021, 9, 1), date(2021, 9, 30)),
        ("2021-12", date(2021, 12, 1), date(2021, 12, 31)),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2021-Q2", date(2021, 4, 1), date(2021, 6, 30)),
        ("2021-Q3", date(2021, 7, 1), date(2021, 9, 30)),
        ("2021-Q4", date(2021, 10, 1), date(2021, 12, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_a_period_runs_from_its_first_to_its_last_day(typed, first, last):
    period = Period.parse(typed)
    assert (period.first_day, period.last_day) == (first, last)
    assert period.contains(first) and period.contains(last)
    assert not period.contains(first - timedelta(days=1))
    assert not period.contains(last + timedelta(days=1))


def test_once_has_no_dates_and_no_successor():
    once = Period.parse("once")
    with pytest.raises(InvalidValue, match="no dates"):
        once.first_day
    with pytest.raises(InvalidValue, match="`once` has no"):
        once.last_day
    with pytest.raises(InvalidValue, match="no successor"):
        once.next()


def test_the_month_of_a_day_is_its_monthly_period():
    assert Period.month_of(date(2024, 2, 29)) == Period.parse("2024-02")


def test_periods_of_one_cadence_sort_in_time():
    typed = ["2022-01", "2021-10", "2021-09", "2021-12"]
    assert [str(p) for p in sorted(Period.parse(t) for t in typed)] == ["2021-09", "2021-10", "2021-12", "2022-01"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.ANNUAL]), st.integers(1990, 2099), st.data())
def test_consecutive_periods_tile_the_calendar_without_gaps(cadence, year, data):
    index = {Cadence.MONTHLY: data.draw(st.integers(1, 12)), Cadence.QUARTERLY: data.draw(st.integers(1, 4)),
             Cadence.ANNUAL: 0}[cadence]
    period = Period(cadence, year, index)
    assert period.next().first_day == period.last_day + timedelta(days=1)
    assert Period.parse(str(period), cadence) == period


# -- code words -----------------------------------------------------------------------------------


def test_a_code_word_is_parsed_or_refused_listing_the_choices():
    assert Stage.parse("landed", "stage") is Stage.LANDED
    with pytest.raises(InvalidValue, match=r"unknown stage 'done'; choose one of: lead \(谋划储备\), "
                                           r"negotiating \(在谈\), signed \(签约\), landed \(落地\)"):
        Stage.parse("done", "stage")


@pytest.mark.parametrize("enum, label", [
    (Stage, "落地"), (Sector, "环卫作业"), (Level, "市级重点"), (ProblemCategory, "用地"), (Role, "联络员"),
    (ServiceKind, "选址服务"), (Rating, "优秀"), (UnitKind, "委管局"), (Library, "重点库"), (ProjectStatus, "暂停"),
])
def test_every_code_word_is_also_parsed_from_its_chinese_label_as_the_tables_print_it(enum, label):
    member = enum.parse(label, "code")

    assert member.label == label and enum.parse(member.value, "code") is member


@given(st.text(max_size=6))
def test_a_text_that_is_neither_a_code_word_nor_a_label_is_refused(text):
    members = {m.value for m in Sector} | {m.label for m in Sector}
    if text in members:
        assert Sector.parse(text, "sector").label in {m.label for m in Sector}
    else:
        with pytest.raises(InvalidValue, match="unknown sector"):
            Sector.parse(text, "sector")


def test_stages_rank_in_the_notices_order_and_carry_chinese_labels():
    assert [s.rank for s in Stage] == [0, 1, 2, 3, 4, 5]
    assert Stage.LEAD.rank < Stage.LANDED.rank < Stage.OPERATING.rank
    assert Stage.LANDED.label == "落地"
    assert Stage.LANDED == "landed"


def test_only_principal_leader_and_liaison_are_unit_officers():
    assert {r for r in Role if r.is_unit_officer} == {Role.PRINCIPAL, Role.LEADER, Role.LIAISON}
