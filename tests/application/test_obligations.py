"""Who owes what at a moment T (docs/domain.md rules 1, 2, 3 and 5, exactly), at every edge, on SQLite and
PostgreSQL. Events are recorded at exact instants with the `clock`; a few stories run on the real
clock under pytest-freezegun (SQLite only: PostgreSQL's pool must not see frozen time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.application import Ledger
from domain.errors import NotPermitted, RuleViolated
from domain.policy import default_policy_text
from domain.values import SHANGHAI, UTC, Role, UnitKind
from projections.queries import Queries
from tests.conftest import MACHINE

MONTHLY = ("project_status", "service_list", "tracking_feedback")
ROW_KEYS = {"unit", "kind", "period", "due_on", "status", "sent_at", "days_late", "days_overdue", "report_id"}


def shanghai(*parts: int) -> datetime:
    """A Shanghai wall-clock moment, as the UTC instant the ledger stores."""
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def end_of(day: date) -> datetime:
    return shanghai(day.year, day.month, day.day, 23, 59, 59, 999999)


def rows(ledger: Ledger, as_of: datetime, unit: str = "HW") -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["kind"], r["period"]): r for r in Queries(ledger).obligations(as_of, unit)}


def row(ledger: Ledger, as_of: datetime, kind: str = "project_status", period: str = "2021-08",
        unit: str = "HW") -> dict[str, Any]:
    return rows(ledger, as_of, unit)[(kind, period)]


def figures(entry: dict[str, Any]) -> tuple[Any, ...]:
    return entry["status"], entry["days_late"], entry["days_overdue"]


def approve(ledger: Ledger, kind: str = "project_status", period: str = "2021-08") -> str:
    report_id = ledger.draft_report("孙联络", "HW", kind, period, [("表.xlsx", b"form")])
    ledger.approve_report("赵处长", report_id)
    return report_id


def send_at(ledger: Ledger, clock: Any, moment: datetime, kind: str = "project_status",
            period: str = "2021-08") -> str:
    """Drafted and approved at whatever the clock says now; sent at exactly `moment`."""
    report_id = approve(ledger, kind, period)
    clock.set(moment)
    ledger.send_report("孙联络", report_id, sealed=True)
    return report_id


def policy_text(monthly_due_day: int) -> str:
    return default_policy_text().replace("due_day = 5", f"due_day = {monthly_due_day}")


def enrol(ledger: Ledger, code: str, enrolled_on: date) -> None:
    ledger.add_unit("管理员", code, f"{code}处", UnitKind.DEPARTMENT, enrolled_on)


# -- rule 5 at the deadline ---------------------------------------------------------------------------


def test_sent_at_23_59_59_shanghai_on_the_due_day_is_on_time(commission, clock):
    send_at(commission, clock, shanghai(2021, 9, 5, 23, 59, 59))
    entry = row(commission, shanghai(2021, 9, 10))
    assert figures(entry) == ("on_time", None, None)
    assert entry["sent_at"] == shanghai(2021, 9, 5, 23, 59, 59)
    assert entry["report_id"] == "HW/project_status/2021-08"


def test_sent_one_second_after_midnight_is_late_by_one_day(commission, clock):
    send_at(commission, clock, shanghai(2021, 9, 6, 0, 0, 1))
    entry = row(commission, shanghai(2021, 9, 10))
    assert figures(entry) == ("late", 1, None)
    assert entry["sent_at"] == shanghai(2021, 9, 6, 0, 0, 1)


def test_days_late_count_shanghai_calendar_days_to_the_sending(commission, clock):
    send_at(commission, clock, shanghai(2021, 9, 12, 23, 30))
    assert figures(row(commission, shanghai(2021, 9, 20))) == ("late", 7, None)


def test_sent_on_a_moment_whose_utc_date_is_the_due_day_but_shanghai_is_the_next_is_late(commission, clock):
    moment = datetime(2021, 9, 5, 16, 30, tzinfo=UTC)  # 2021-09-06 00:30 in Shanghai
    send_at(commission, clock, moment)
    assert figures(row(commission, shanghai(2021, 9, 10))) == ("late", 1, None)


def test_sent_on_a_moment_whose_utc_date_is_the_day_before_is_on_time(commission, clock):
    moment = datetime(2021, 9, 4, 20, 0, tzinfo=UTC)  # 2021-09-05 04:00 in Shanghai
    send_at(commission, clock, moment)
    assert figures(row(commission, shanghai(2021, 9, 10))) == ("on_time", None, None)


def test_not_sent_just_after_the_deadline_is_overdue_by_one_day(commission):
    entry = row(commission, shanghai(2021, 9, 6, 0, 0, 0))
    assert figures(entry) == ("overdue", None, 1)
    assert (entry["sent_at"], entry["report_id"]) == (None, None)


def test_not_sent_at_the_last_instant_of_the_due_day_is_still_upcoming(commission):
    entry = row(commission, end_of(date(2021, 9, 5)))
    assert figures(entry) == ("upcoming", None, None)
    assert entry["sent_at"] is None


def test_days_overdue_count_shanghai_calendar_days_to_t(commission):
    assert figures(row(commission, shanghai(2021, 9, 10, 23, 59, 59))) == ("overdue", None, 5)
    assert figures(row(commission, shanghai(2021, 9, 11, 0, 0, 0))) == ("overdue", None, 6)


def test_overdue_at_a_t_whose_utc_date_is_still_the_due_day(commission):
    t = datetime(2021, 9, 5, 16, 30, tzinfo=UTC)  # 2021-09-06 00:30 in Shanghai
    assert figures(row(commission, t)) == ("overdue", None, 1)


def test_t_may_be_given_in_any_zone_and_means_the_same_instant(commission, clock):
    send_at(commission, clock, shanghai(2021, 9, 6, 0, 0, 1), "service_list")
    t = datetime(2021, 9, 6, 8, 30, tzinfo=SHANGHAI)
    assert Queries(commission).obligations(t) == Queries(commission).obligations(t.astimezone(UTC))
    assert figures(row(commission, t)) == ("overdue", None, 1)
    assert figures(row(commission, t, "service_list")) == ("late", 1, None)


def test_drafted_and_approved_but_unsent_is_overdue_and_names_the_report(commission):
    report_id = approve(commission)
    entry = row(commission, shanghai(2021, 9, 8))
    assert figures(entry) == ("overdue", None, 3)
    assert entry["report_id"] == report_id and entry["sent_at"] is None


def test_sent_before_the_deadline_is_on_time_even_when_t_is_before_the_deadline(commission, clock):
    send_at(commission, clock, shanghai(2021, 9, 3, 9))
    assert figures(row(commission, shanghai(2021, 9, 4))) == ("on_time", None, None)


def test_every_row_has_exactly_the_contract_keys_ordered_by_due_on_unit_kind(commission):
    found = Queries(commission).obligations(shanghai(2021, 10, 20))
    assert found and all(set(r) == ROW_KEYS for r in found)
    assert [(r["due_on"], r["unit"], r["kind"]) for r in found] == sorted(
        (r["due_on"], r["unit"], r["kind"]) for r in found)
    assert {r["unit"] for r in found} == {"HW", "GY"}


def test_the_first_obligations_of_the_commissions_units(commission):
    found = rows(commission, end_of(date(2022, 1, 31)))
    assert {k: r["due_on"] for k, r in found.items() if k[1] in ("2021-08", "once", "2021-Q3", "2021", "2022")} == {
        **{(kind, "2021-08"): date(2021, 9, 5) for kind in MONTHLY},
        ("liaison_form", "once"): date(2021, 9, 15),
        ("quarterly_report", "2021-Q3"): date(2021, 10, 15),
        ("annual_summary", "2021"): date(2022, 1, 31),
        ("annual_plan", "2022"): date(2022, 1, 31),
    }


# -- returned, resent, accepted -------------------------------------------------------------------------


def test_a_returned_report_turns_overdue_and_back_to_late_when_resent(commission, clock):
    report_id = send_at(commission, clock, shanghai(2021, 9, 4, 10))
    clock.set(shanghai(2021, 9, 8, 10))
    commission.return_report("许办公", report_id, "数据有误")
    assert figures(row(commission, shanghai(2021, 9, 8, 11))) == ("overdue", None, 3)
    assert row(commission, shanghai(2021, 9, 8, 11))["sent_at"] is None

    clock.set(shanghai(2021, 9, 9, 9))
    commission.revise_report("孙联络", report_id, [("表-修改.xlsx", b"fixed")])
    commission.approve_report("赵处长", report_id)
    assert figures(row(commission, shanghai(2021, 9, 9, 10))) == ("overdue", None, 4)
    clock.set(shanghai(2021, 9, 9, 16))
    commission.send_report("孙联络", report_id, sealed=True)
    entry = row(commission, shanghai(2021, 9, 10))
    assert figures(entry) == ("late", 4, None)
    assert entry["sent_at"] == shanghai(2021, 9, 9, 16)


def test_a_returned_report_before_its_deadline_is_upcoming_again(commission, clock):
    report_id = send_at(commission, clock, shanghai(2021, 9, 2, 10))
    clock.set(shanghai(2021, 9, 3, 10))
    commission.return_report("许办公", report_id, "缺附件")
    assert figures(row(commission, shanghai(2021, 9, 3, 11))) == ("upcoming", None, None)


def test_an_accepted_report_counts_from_its_sending(commission, clock):
    report_id = send_at(commission, clock, shanghai(2021, 9, 6, 9))
    clock.set(shanghai(2021, 9, 7, 9))
    commission.accept_report("许办公", report_id)
    entry = row(commission, shanghai(2021, 9, 10))
    assert figures(entry) == ("late", 1, None)
    assert entry["sent_at"] == shanghai(2021, 9, 6, 9)


def test_an_accepted_report_returned_later_no_longer_counts(commission, clock):
    report_id = send_at(commission, clock, shanghai(2021, 9, 4, 9))
    commission.accept_report("许办公", report_id)
    clock.set(shanghai(2021, 9, 20, 9))
    commission.return_report("许办公", report_id, "复核发现错误")
    assert figures(row(commission, shanghai(2021, 9, 15))) == ("on_time", None, None)
    assert figures(row(commission, shanghai(2021, 9, 20, 10))) == ("overdue", None, 15)


# -- time travel ------------------------------------------------------------------------------------------


def test_the_answer_for_a_past_t_ignores_a_sending_recorded_after_t(commission, clock):
    report_id = approve(commission)
    t = shanghai(2021, 9, 7, 12)
    before = Queries(commission).obligations(t)
    clock.set(shanghai(2021, 9, 8, 9))
    commission.send_report("孙联络", report_id, sealed=True)
    assert Queries(commission).obligations(t) == before
    assert figures(row(commission, t)) == ("overdue", None, 2)
    assert figures(row(commission, shanghai(2021, 9, 8, 10))) == ("late", 3, None)


def test_the_answer_for_a_past_t_ignores_a_return_recorded_after_t(commission, clock):
    report_id = send_at(commission, clock, shanghai(2021, 9, 4, 9))
    t = shanghai(2021, 9, 6, 12)
    before = Queries(commission).obligations(t)
    clock.set(shanghai(2021, 9, 7, 9))
    commission.return_report("许办公", report_id, "数据有误")
    assert Queries(commission).obligations(t) == before
    assert figures(row(commission, t)) == ("on_time", None, None)


def test_a_unit_enrolled_after_t_owes_nothing_at_t(commission, clock):
    clock.set(shanghai(2021, 10, 20, 9))
    enrol(commission, "SR", date(2021, 10, 1))
    assert Queries(commission).obligations(shanghai(2021, 10, 20, 8), "SR") == []
    assert rows(commission, shanghai(2021, 10, 20, 10), "SR")


# -- enrolment and withdrawal (rule 2) ------------------------------------------------------------------


def test_a_unit_enrolled_the_day_before_a_deadline_owes_it(commission):
    enrol(commission, "SR", date(2021, 10, 4))
    obligations = rows(commission, shanghai(2021, 10, 20), "SR")
    assert {k for k in obligations if k[1] == "2021-09"} == {(kind, "2021-09") for kind in MONTHLY}
    assert obligations[("project_status", "2021-09")]["due_on"] == date(2021, 10, 5)


def test_a_unit_enrolled_on_the_day_of_a_deadline_does_not_owe_it(commission):
    enrol(commission, "SR", date(2021, 10, 5))
    obligations = rows(commission, shanghai(2021, 10, 20), "SR")
    assert not any(period == "2021-09" for _, period in obligations)
    assert ("quarterly_report", "2021-Q3") in obligations


def test_a_unit_enrolled_on_15_september_does_not_owe_the_liaison_form(commission):
    enrol(commission, "SR", date(2021, 9, 14))
    enrol(commission, "SZ", date(2021, 9, 15))
    assert ("liaison_form", "once") in rows(commission, shanghai(2021, 9, 20), "SR")
    assert ("liaison_form", "once") not in rows(commission, shanghai(2021, 9, 20), "SZ")


def test_withdrawal_on_a_due_day_keeps_that_obligation_and_drops_the_later_ones(commission, clock):
    clock.set(shanghai(2021, 10, 1, 9))
    commission.withdraw_unit("管理员", "HW", date(2021, 10, 5), "机构调整")
    obligations = rows(commission, shanghai(2022, 3, 1))
    assert max(r["due_on"] for r in obligations.values()) == date(2021, 10, 5)
    assert {k for k, r in obligations.items() if r["due_on"] == date(2021, 10, 5)} == {(k, "2021-09") for k in MONTHLY}
    assert ("quarterly_report", "2021-Q3") not in obligations
    assert ("project_status", "2021-10") not in obligations


def test_a_withdrawal_recorded_after_t_does_not_change_the_answer_at_t(commission, clock):
    t = shanghai(2021, 11, 10)
    before = Queries(commission).obligations(t, "HW")
    clock.set(shanghai(2021, 11, 20, 9))
    commission.withdraw_unit("管理员", "HW", date(2021, 10, 5), "机构调整")
    assert Queries(commission).obligations(t, "HW") == before
    assert ("project_status", "2021-10") in rows(commission, t)


# -- quarter and year boundaries, leap years ---------------------------------------------------------------


def test_the_fourth_quarter_is_due_15_january_of_the_next_year(commission):
    assert row(commission, end_of(date(2022, 1, 15)), "quarterly_report", "2021-Q4")["due_on"] == date(2022, 1, 15)
    assert figures(row(commission, end_of(date(2022, 1, 15)), "quarterly_report", "2021-Q4")) == (
        "upcoming", None, None)
    assert figures(row(commission, shanghai(2022, 1, 16), "quarterly_report", "2021-Q4")) == ("overdue", None, 1)


def test_the_annual_pair_is_due_31_january_and_overdue_on_1_february(commission):
    for kind, period in (("annual_summary", "2021"), ("annual_plan", "2022")):
        assert row(commission, end_of(date(2022, 1, 31)), kind, period)["due_on"] == date(2022, 1, 31)
        assert figures(row(commission, end_of(date(2022, 1, 31)), kind, period)) == ("upcoming", None, None)
        assert figures(row(commission, shanghai(2022, 2, 1), kind, period)) == ("overdue", None, 1)


def test_the_december_report_crosses_the_year(commission):
    assert row(commission, shanghai(2022, 1, 6), "service_list", "2021-12")["due_on"] == date(2022, 1, 5)


def test_an_annual_summary_sent_in_february_is_late_across_the_month(commission, clock):
    clock.set(shanghai(2022, 1, 3, 9))
    send_at(commission, clock, shanghai(2022, 2, 2, 9), "annual_summary", "2021")
    assert figures(row(commission, shanghai(2022, 2, 3), "annual_summary", "2021")) == ("late", 2, None)


def test_a_monthly_due_day_31_falls_on_29_february_2024(commission):
    commission.load_policy("管理员", policy_text(31), date(2021, 9, 1), "月底报送.toml")
    obligations = rows(commission, shanghai(2024, 3, 2))
    assert obligations[("project_status", "2024-01")]["due_on"] == date(2024, 2, 29)
    assert obligations[("project_status", "2023-01")]["due_on"] == date(2023, 2, 28)
    assert figures(obligations[("project_status", "2024-01")]) == ("overdue", None, 2)


def test_a_policy_due_29_february_is_clamped_in_a_common_year(commission):
    text = default_policy_text().replace('cadence = "quarterly"\ncovers = "previous"\ndue_day = 15',
                                         'cadence = "quarterly"\ncovers = "previous"\ndue_month = 2\ndue_day = 29')
    assert text != default_policy_text()
    commission.load_policy("管理员", text, date(2021, 9, 1), "季报.toml")
    obligations = rows(commission, shanghai(2024, 3, 1))
    assert obligations[("quarterly_report", "2023-Q4")]["due_on"] == date(2024, 2, 29)
    assert obligations[("quarterly_report", "2022-Q4")]["due_on"] == date(2023, 2, 28)


# -- a policy loaded later (rule 3) -----------------------------------------------------------------------


def test_a_policy_loaded_from_a_future_date_changes_only_what_falls_due_from_it(commission, clock):
    t = shanghai(2022, 1, 10)
    before = Queries(commission).obligations(t, "HW")
    clock.set(shanghai(2021, 9, 20, 9))
    commission.load_policy("管理员", policy_text(10), date(2021, 11, 1), "新时限.toml")
    after = Queries(commission).obligations(t, "HW")
    cut = date(2021, 11, 1)
    assert [r for r in after if r["due_on"] < cut] == [r for r in before if r["due_on"] < cut]
    due = {(r["kind"], r["period"]): r["due_on"] for r in after}
    assert due[("project_status", "2021-09")] == date(2021, 10, 5)
    assert due[("project_status", "2021-10")] == date(2021, 11, 10)
    assert due[("service_list", "2021-11")] == date(2021, 12, 10)
    assert due[("quarterly_report", "2021-Q3")] == date(2021, 10, 15)


def test_the_status_at_a_moment_before_the_policy_was_loaded_uses_the_policy_then(commission, clock):
    clock.set(shanghai(2021, 10, 8, 9))
    commission.load_policy("管理员", policy_text(10), date(2021, 10, 20), "新时限.toml")
    assert row(commission, shanghai(2021, 10, 8, 8), "project_status", "2021-09")["due_on"] == date(2021, 10, 5)
    assert row(commission, shanghai(2021, 11, 8, 8), "project_status", "2021-10")["due_on"] == date(2021, 11, 10)
    assert figures(row(commission, shanghai(2021, 11, 8, 8), "project_status", "2021-10")) == (
        "upcoming", None, None)


QUARTERLY_IN_ITS_SECOND_MONTH = default_policy_text().replace(
    'cadence = "quarterly"\ncovers = "previous"\ndue_day = 15',
    'cadence = "quarterly"\ncovers = "previous"\ndue_month = 2\ndue_day = 15')


def test_what_a_unit_owes_does_not_depend_on_listing_it_alone(commission, clock):
    assert QUARTERLY_IN_ITS_SECOND_MONTH != default_policy_text()
    clock.set(shanghai(2022, 1, 19, 10))
    enrol(commission, "SR", date(2022, 1, 15))
    commission.load_policy("管理员", QUARTERLY_IN_ITS_SECOND_MONTH, date(2022, 1, 20), "季报.toml")
    t = shanghai(2022, 3, 1)
    alone = Queries(commission).obligations(t, "SR")
    among = [r for r in Queries(commission).obligations(t) if r["unit"] == "SR"]
    assert ("quarterly_report", "2021-Q4") not in {(r["kind"], r["period"]) for r in alone}
    assert alone == among


def test_a_period_that_fell_due_before_a_policy_keeps_its_due_day_after_it(commission, clock):
    clock.set(shanghai(2022, 1, 19, 10))
    commission.load_policy("管理员", QUARTERLY_IN_ITS_SECOND_MONTH, date(2022, 1, 20), "季报.toml")
    obligations = rows(commission, shanghai(2022, 6, 1))
    assert obligations[("quarterly_report", "2021-Q4")]["due_on"] == date(2022, 1, 15)
    assert obligations[("quarterly_report", "2022-Q1")]["due_on"] == date(2022, 5, 15)


def test_a_policy_effective_today_in_shanghai_is_accepted(commission, clock):
    clock.set(datetime(2021, 9, 30, 16, 30, tzinfo=UTC))  # 00:30 on 1 October in Shanghai
    commission.load_policy("管理员", policy_text(10), date(2021, 10, 1), "新时限.toml")
    assert row(commission, shanghai(2021, 11, 20), "project_status", "2021-10")["due_on"] == date(2021, 11, 10)


def test_a_policy_from_a_past_date_is_refused_and_nothing_recorded(commission, clock):
    clock.set(datetime(2021, 9, 30, 16, 30, tzinfo=UTC))  # the UTC date is 30 September; Shanghai's is 1 October
    before = commission.recorder.max_notification_id()
    with pytest.raises(RuleViolated, match="2021-09-30 is in the past"):
        commission.load_policy("管理员", policy_text(10), date(2021, 9, 30), "新时限.toml")
    assert commission.recorder.max_notification_id() == before


@pytest.mark.parametrize("actor", ["许办公", "赵处长", "孙联络"])
def test_only_an_admin_may_load_a_policy(commission, actor):
    before = commission.recorder.max_notification_id()
    with pytest.raises(NotPermitted, match="only an admin"):
        commission.load_policy(actor, policy_text(10), date(2021, 12, 1), "新时限.toml")
    assert commission.recorder.max_notification_id() == before


# -- on the real clock, frozen (SQLite) -------------------------------------------------------------------


@pytest.fixture
def real_clock_ledger(tmp_path: Path, freezer: Any) -> Iterator[Ledger]:
    """HW with its principal and liaison, set up on 2021-09-01 on a ledger that reads the real clock."""
    freezer.move_to("2021-09-01T02:00:00+00:00")
    ledger = Ledger(f"sqlite:///{tmp_path / 'real.db'}", machine=MACHINE)
    ledger.init("管理员")
    ledger.add_unit("管理员", "HW", "环境卫生管理处", UnitKind.DEPARTMENT, date(2021, 8, 31))
    ledger.add_person("管理员", "赵处长", Role.PRINCIPAL, "HW")
    ledger.add_person("管理员", "孙联络", Role.LIAISON, "HW")
    ledger.add_person("管理员", "许办公", Role.OFFICE)
    yield ledger
    ledger.close()


def frozen_send(ledger: Ledger, freezer: Any, moment: str) -> None:
    report_id = approve(ledger)
    freezer.move_to(moment)
    ledger.send_report("孙联络", report_id, sealed=True)


def test_on_the_real_clock_a_sending_at_23_59_59_shanghai_is_on_time(real_clock_ledger, freezer):
    frozen_send(real_clock_ledger, freezer, "2021-09-05T23:59:59+08:00")
    entry = row(real_clock_ledger, real_clock_ledger.clock())
    assert figures(entry) == ("on_time", None, None)
    assert entry["sent_at"] == datetime(2021, 9, 5, 15, 59, 59, tzinfo=UTC)


def test_on_the_real_clock_a_sending_at_00_00_01_shanghai_is_late(real_clock_ledger, freezer):
    frozen_send(real_clock_ledger, freezer, "2021-09-06T00:00:01+08:00")
    assert figures(row(real_clock_ledger, real_clock_ledger.clock())) == ("late", 1, None)


@pytest.mark.freeze_time("2021-09-05T16:30:00+00:00")
def test_on_the_real_clock_now_is_past_the_deadline_when_shanghai_has_turned_the_day(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'now.db'}", machine=MACHINE)
    try:
        ledger.init("管理员")
        ledger.add_unit("管理员", "HW", "环境卫生管理处", UnitKind.DEPARTMENT, date(2021, 8, 31))
        assert figures(row(ledger, ledger.clock())) == ("overdue", None, 1)
    finally:
        ledger.close()


# -- one month's obligations (the month page) -----------------------------------------------------------


def test_one_months_obligations_are_the_months_rows_of_the_whole_schedule(commission, clock):
    """`due_in` walks only the month asked about: the same rows, statuses and report ids as taking
    that month's rows out of everything owed since enrolment, across a sending, a policy, a withdrawal."""
    clock.set(shanghai(2021, 10, 1, 9))
    send_at(commission, clock, shanghai(2021, 9, 3, 10))
    clock.set(shanghai(2022, 1, 19, 10))
    commission.load_policy("管理员", QUARTERLY_IN_ITS_SECOND_MONTH, date(2022, 1, 20), "季报.toml")
    commission.withdraw_unit("管理员", "GY", date(2022, 3, 5), "机构调整")
    queries, seen = Queries(commission), 0
    for t in (shanghai(2021, 9, 10), shanghai(2022, 2, 16), shanghai(2022, 6, 1)):
        for unit in ("HW", "GY", None):
            every = queries.obligations(t, unit)
            for year, month in [(y, m) for y in (2021, 2022) for m in range(1, 13)]:
                first = date(year, month, 1)
                last = (date(year + month // 12, month % 12 + 1, 1)).toordinal() - 1
                days = (first, date.fromordinal(last))
                wanted = [r for r in every if days[0] <= r["due_on"] <= days[1]]
                assert queries.obligations(t, unit, due_in=days) == wanted
                seen += len(wanted)
    assert seen > 100
    assert queries.obligations(shanghai(2022, 6, 1), "GY", due_in=(date(2022, 4, 1), date(2022, 4, 30))) == []
    sent = queries.obligations(shanghai(2021, 9, 10), "HW", due_in=(date(2021, 9, 1), date(2021, 9, 30)))
    assert [r["status"] for r in sent if r["kind"] == "project_status"] == ["on_time"]
