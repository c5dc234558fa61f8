"""The summary's rules (issue 8, item 2; docs/domain.md rules 7 and 14), on SQLite and PostgreSQL: facts
count by their business date whenever recorded; a running period is summarised up to the moment it
is taken; a problem closed twice counts once; every summary names its log position and reproduces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.application import Ledger
from domain.errors import RuleViolated
from domain.period import Period
from domain.values import Level, ProblemCategory, Sector, ServiceKind, Stage, UnitKind, end_of_day
from projections.queries import Queries
from projections.summary import summarize
from tests.application.test_obligations import policy_text
from tests.conftest import Clock
from tests.projections.support import shanghai

P = "HW-2021-001"
YEAR_2021, Q4 = Period.parse("2021"), Period.parse("2021-Q4")


def unit(summary: dict[str, Any], code: str) -> dict[str, Any]:
    return next(row for row in summary["units"] if row["unit"] == code)


def send(ledger: Ledger, kind: str, period: str) -> str:
    report_id = ledger.draft_report("孙联络", "HW", kind, period, [("表.xlsx", b"form")])
    ledger.approve_report("赵处长", report_id)
    ledger.send_report("孙联络", report_id, sealed=True)
    return report_id


def send_on_time_until(ledger: Ledger, clock: Clock, last_month: int) -> None:
    """HW sends every monthly report on the 3rd of the month after, from August to `last_month`, and its
    liaison form and Q3 report in time; GY sends nothing."""
    clock.set(shanghai(2021, 9, 3, 10))
    send(ledger, "liaison_form", "once")
    for month in range(8, last_month + 1):
        clock.set(shanghai(2021, month + 1, 3, 10))
        for kind in ("project_status", "tracking_feedback", "service_list"):
            send(ledger, kind, f"2021-{month:02d}")
        if month == 9:
            send(ledger, "quarterly_report", "2021-Q3")


# -- business dates, whenever recorded ---------------------------------------------------------------------


def test_facts_dated_2021_but_entered_in_2026_count_in_2021(commission, clock):
    clock.set(shanghai(2026, 3, 2, 10))
    commission.add_unit("管理员", "YL", "园林绿化管理处", UnitKind.DEPARTMENT, date(2026, 3, 2), [Sector.LANDSCAPING],
                        "园林绿化管理处综合科")
    commission.add_project("许办公", "YL-2021-001", "YL", "公园配套服务", Sector.LANDSCAPING, Level.UNIT, "某园林公司",
                           Decimal("650.00"))
    commission.add_service("许办公", "YL-2021-001", ServiceKind.POLICY, date(2021, 9, 20), "政策解读", Decimal("2.00"))
    commission.advance_project("许办公", "YL-2021-001", Stage.SIGNED, date(2021, 10, 12))
    summary = summarize(commission, YEAR_2021)
    yl = unit(summary, "YL")
    assert (yl["services"], yl["services_amount_wan"]) == (1, Decimal("2.00"))
    assert (yl["stages_reached"]["signed"], yl["signed_investment_wan"]) == (1, Decimal("650.00"))
    assert yl["counted"]["services"] == ["YL-2021-001/S1"]
    assert yl["counted"]["stages_reached"]["signed"] == ["YL-2021-001"]
    assert yl["reports_owed"] == 0  # enrolled in 2026: it owed nothing in 2021
    assert summary["total"]["services"] == 1


def test_facts_recorded_after_k_are_left_out_whatever_their_business_date(commission, clock):
    clock.set(shanghai(2026, 3, 2, 10))
    commission.add_service("孙联络", P, ServiceKind.POLICY, date(2021, 9, 20), "政策解读", Decimal("2.00"))
    before = summarize(commission, YEAR_2021, known_at=shanghai(2026, 3, 1, 18))
    assert unit(before, "HW")["services"] == 0
    assert unit(summarize(commission, YEAR_2021), "HW")["services"] == 1


# -- a running period ---------------------------------------------------------------------------------------


def test_a_quarter_taken_while_it_runs_counts_nothing_not_yet_due_as_missing(commission, clock):
    send_on_time_until(commission, clock, 10)
    clock.set(shanghai(2021, 11, 6, 10))
    summary = summarize(commission, Q4)
    hw, gy = unit(summary, "HW"), unit(summary, "GY")
    assert (summary["complete"], summary["as_of"]) == (False, shanghai(2021, 11, 6, 10))
    assert (hw["reports_owed"], hw["reports_on_time"], hw["reports_missing"], hw["reports_upcoming"]) == (7, 7, 0, 0)
    assert not any("2021-11" in report for report in hw["counted"]["reports_on_time"])  # due 12-05: not yet owed
    assert gy["counted"]["reports_missing"] == sorted([
        f"GY/{kind}/{period}" for period in ("2021-09", "2021-10")
        for kind in ("project_status", "service_list", "tracking_feedback")] + ["GY/quarterly_report/2021-Q3"])
    overdue = [r for r in Queries(commission).obligations() if r["status"] == "overdue" and r["unit"] == "HW"]
    assert overdue == []


def test_a_report_not_due_at_k_is_upcoming_and_sent_early_is_on_time(commission, clock):
    send_on_time_until(commission, clock, 9)
    clock.set(shanghai(2021, 11, 2, 10))
    send(commission, "project_status", "2021-10")
    summary = summarize(commission, Q4)
    hw = unit(summary, "HW")
    assert "HW/project_status/2021-10" in hw["counted"]["reports_on_time"]
    assert hw["counted"]["reports_upcoming"] == ["HW/service_list/2021-10", "HW/tracking_feedback/2021-10"]
    assert (hw["reports_owed"], hw["reports_on_time"], hw["reports_missing"]) == (7, 5, 0)


def test_a_year_taken_in_october_does_not_show_the_months_to_come_as_missing(commission, clock):
    send_on_time_until(commission, clock, 9)
    clock.set(shanghai(2021, 10, 16, 10))
    hw = unit(summarize(commission, YEAR_2021), "HW")
    assert (hw["reports_owed"], hw["reports_on_time"], hw["reports_missing"]) == (8, 8, 0)


def test_a_period_is_complete_once_it_has_ended_by_k(commission, clock):
    clock.set(shanghai(2022, 1, 1, 0, 0, 1))
    summary = summarize(commission, YEAR_2021)
    assert (summary["complete"], summary["as_of"]) == (True, end_of_day(date(2021, 12, 31)))
    running = summarize(commission, YEAR_2021, known_at=shanghai(2021, 12, 31, 23, 0))
    assert (running["complete"], running["as_of"]) == (False, shanghai(2021, 12, 31, 23, 0))


# -- problems closed more than once ---------------------------------------------------------------------------


def close(ledger: Ledger, problem: str) -> None:
    ledger.answer_problem("孙联络", problem, "已协调，反馈投资方")
    ledger.close_problem("许办公", problem)


def test_a_problem_closed_reopened_and_closed_again_counts_once(commission, clock):
    clock.set(shanghai(2021, 10, 8, 10))
    problem = commission.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND)
    close(commission, problem)
    clock.set(shanghai(2021, 11, 8, 10))
    commission.reopen_problem("许办公", problem, "投资方反映仍未解决")
    clock.set(shanghai(2021, 12, 8, 10))
    close(commission, problem)
    clock.set(shanghai(2022, 1, 8, 10))
    hw = unit(summarize(commission, YEAR_2021), "HW")
    assert (hw["problems_raised"], hw["problems_closed"], hw["counted"]["problems_closed"]) == (1, 1, [problem])


def test_a_problem_reopened_before_the_periods_end_is_not_counted_closed(commission, clock):
    clock.set(shanghai(2021, 10, 8, 10))
    problem = commission.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND)
    close(commission, problem)
    clock.set(shanghai(2021, 12, 20, 10))
    commission.reopen_problem("许办公", problem, "投资方反映仍未解决")
    clock.set(shanghai(2022, 1, 8, 10))
    close(commission, problem)
    assert unit(summarize(commission, Q4), "HW")["problems_closed"] == 0
    assert unit(summarize(commission, Period.parse("2022-Q1")), "HW")["problems_closed"] == 1


# -- the log position ------------------------------------------------------------------------------------------


def test_a_summary_taken_at_its_log_position_is_reproduced_exactly(commission, clock):
    send_on_time_until(commission, clock, 9)
    clock.set(shanghai(2021, 10, 20, 10))
    commission.add_service("孙联络", P, ServiceKind.SITE, date(2021, 10, 19), "踏勘", Decimal("1.00"))
    signed = summarize(commission, Q4)
    assert signed["log_position"] == commission.recorder.max_notification_id()
    clock.set(shanghai(2021, 10, 21, 10))
    commission.add_service("孙联络", P, ServiceKind.SITE, date(2021, 10, 18), "补记踏勘", Decimal("5.00"))
    commission.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND)
    again = summarize(commission, Q4, known_at=signed["known_at"], log_position=signed["log_position"])
    assert again == signed
    assert summarize(commission, Q4)["total"]["services"] == 2


def test_a_log_position_beyond_the_log_is_refused(commission):
    head = commission.recorder.max_notification_id()
    with pytest.raises(RuleViolated, match=f"the log holds {head} events"):
        summarize(commission, Q4, log_position=head + 1)


# -- a policy loaded later ----------------------------------------------------------------------------------


def test_a_summary_owes_by_the_calendar_in_force_as_the_obligations_listing_does(commission, clock):
    clock.set(shanghai(2021, 9, 20, 9))
    commission.load_policy("管理员", policy_text(10), date(2021, 11, 1), "新时限.toml")
    clock.set(shanghai(2021, 11, 8, 10))
    summary = summarize(commission, Q4)
    listed = Queries(commission).obligations(summary["as_of"])
    in_q4 = sorted(f"{r['unit']}/{r['kind']}/{r['period']}" for r in listed if Q4.contains(r["due_on"]))
    hw = unit(summary, "HW")
    assert "HW/project_status/2021-10" in hw["counted"]["reports_upcoming"]  # due 11-10 by the new policy
    assert sorted(r for u in summary["units"] for key in ("reports_on_time", "reports_late", "reports_missing",
                                                          "reports_upcoming") for r in u["counted"][key]) == in_q4
