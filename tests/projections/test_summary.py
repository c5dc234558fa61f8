"""Annual and quarterly summaries by replay (issue 4, item 4; docs/domain.md rule 7), on SQLite and PostgreSQL:
facts count in the period of their business date (or, without one, their effective time), from what
was recorded by K; reports are those due in the period, with their status at its end.

`story` runs from the commission's set-up (2021-09-01) to 2022-04-03, when P's signing on 2022-03-28
is recorded late. In 2022-Q1: HW sends its December project_status on time and tracking_feedback
late; HW-2021-002 is signed (01-12) and lands (02-20); GY registers two projects, promotes one and
terminates the other; a December problem is closed; services are given (one voided); GY's key
project is rated A (2022-Q1) and B (2022-01), and C for 2021-Q4."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.application import Ledger
from domain.period import Period
from domain.values import Level, ProblemCategory, Rating, Sector, ServiceKind, Stage
from projections.summary import summarize
from tests.conftest import Clock
from tests.projections.support import STORES, module_commission, shanghai

P, P2, G1, G2 = "HW-2021-001", "HW-2021-002", "GY-2022-001", "GY-2022-002"
Q1 = Period.parse("2022-Q1")
YEAR_2021 = Period.parse("2021")
RECORDED_LATE = shanghai(2022, 4, 3, 10)
OWED_IN_A_QUARTER = 12  # 3 monthly kinds x 3 months, the quarterly report, the annual summary and plan
OWED_IN_2021 = 14  # 3 monthly kinds x 4 months (Aug-Nov), the liaison form, the Q3 report


def send(ledger: Ledger, kind: str, period: str) -> None:
    report_id = ledger.draft_report("孙联络", "HW", kind, period, [("表.xlsx", b"form")])
    ledger.approve_report("赵处长", report_id)
    ledger.send_report("孙联络", report_id, sealed=True)


def gy_project(ledger: Ledger, number: str, investment: str) -> None:
    ledger.add_project("周联络", number, "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION, "某燃气公司",
                       Decimal(investment))


def story(ledger: Ledger, clock: Clock) -> Ledger:
    at = clock.set
    at(shanghai(2021, 11, 10, 10))
    ledger.add_project("孙联络", P2, "HW", "垃圾分类驿站", Sector.SANITATION, Level.UNIT, "某回收公司", Decimal("800.50"))
    ledger.advance_project("孙联络", P2, Stage.NEGOTIATING, date(2021, 11, 10))
    at(shanghai(2021, 12, 15, 10))
    ledger.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND, date(2022, 1, 31))
    at(shanghai(2022, 1, 2, 10))
    ledger.add_service("孙联络", P, ServiceKind.SITE, date(2021, 12, 30), "年末踏勘", Decimal("1.00"))
    at(shanghai(2022, 1, 4, 10))
    send(ledger, "project_status", "2021-12")
    at(shanghai(2022, 1, 7, 10))
    send(ledger, "tracking_feedback", "2021-12")
    at(shanghai(2022, 1, 10, 10))
    gy_project(ledger, G1, "5000.00")
    ledger.promote_project("许办公", G1, "行业带动")
    at(shanghai(2022, 1, 12, 10))
    ledger.advance_project("孙联络", P2, Stage.SIGNED, date(2022, 1, 12))
    at(shanghai(2022, 2, 8, 10))
    ledger.answer_problem("孙联络", f"{P}/P1", "已协调，反馈投资方")
    ledger.close_problem("许办公", f"{P}/P1")
    at(shanghai(2022, 2, 10, 10))
    ledger.raise_problem("周联络", G1, "管网迁改资金", ProblemCategory.FUNDING)
    at(shanghai(2022, 2, 20, 10))
    ledger.advance_project("孙联络", P2, Stage.LANDED, date(2022, 2, 20))
    ledger.add_service("孙联络", P2, ServiceKind.APPROVAL, date(2022, 2, 20), "协调环评", Decimal("3.50"))
    ledger.add_service("孙联络", P, ServiceKind.POLICY, date(2022, 2, 20), "政策解读", Decimal("10.00"))
    ledger.void_service("孙联络", f"{P}/S2", "重复登记")
    at(shanghai(2022, 3, 1, 10))
    gy_project(ledger, G2, "300.00")
    at(shanghai(2022, 3, 15, 10))
    ledger.terminate_project("周联络", G2, "投资方退出")
    at(shanghai(2022, 3, 31, 10))
    ledger.evaluate_project("许办公", G1, "2022-Q1", Rating.A, "推进有力")
    ledger.evaluate_project("许办公", G1, "2022-01", Rating.B, None)
    ledger.evaluate_project("许办公", G1, "2021-Q4", Rating.C, "补评")
    at(RECORDED_LATE)
    ledger.advance_project("孙联络", P, Stage.SIGNED, date(2022, 3, 28), "三月签约，四月补记")
    send(ledger, "annual_summary", "2021")  # due 2022-01-31: still missing at the quarter's end
    return ledger


@pytest.fixture(scope="module", params=STORES)
def told(request, tmp_path_factory) -> Iterator[Ledger]:
    """The story, built once per store; the tests only read it."""
    with module_commission(request, tmp_path_factory) as (ledger, clock):
        yield story(ledger, clock)


def unit(summary: dict[str, Any], code: str) -> dict[str, Any]:
    return next(row for row in summary["units"] if row["unit"] == code)


def test_a_stage_reached_in_march_counts_in_q1_though_recorded_in_april(told):
    hw = unit(summarize(told, Q1), "HW")
    assert hw["stages_reached"] == {"negotiating": 0, "signed": 2, "landed": 1, "started": 0, "operating": 0}


def test_known_at_before_the_late_recording_leaves_it_out(told):
    hw = unit(summarize(told, Q1, known_at=shanghai(2022, 4, 2, 18)), "HW")
    assert hw["stages_reached"]["signed"] == 1
    assert hw["signed_investment_wan"] == Decimal("800.50")


def test_signed_and_landed_investment_are_exact_decimal_sums(told):
    summary = summarize(told, Q1)
    hw = unit(summary, "HW")
    assert hw["signed_investment_wan"] == Decimal("12800.50")
    assert hw["landed_investment_wan"] == Decimal("800.50")
    assert unit(summary, "GY")["signed_investment_wan"] == Decimal("0.00")
    for value in (hw["signed_investment_wan"], summary["total"]["landed_investment_wan"]):
        assert isinstance(value, Decimal)


def test_projects_added_promoted_and_terminated_count_by_their_effective_time(told):
    summary = summarize(told, Q1)
    gy, hw = unit(summary, "GY"), unit(summary, "HW")
    assert (gy["projects_added"], gy["projects_promoted"], gy["projects_terminated"]) == (2, 1, 1)
    assert (hw["projects_added"], hw["projects_promoted"], hw["projects_terminated"]) == (0, 0, 0)


def test_problems_raised_and_closed_in_the_quarter(told):
    summary = summarize(told, Q1)
    assert (unit(summary, "HW")["problems_raised"], unit(summary, "HW")["problems_closed"]) == (0, 1)
    assert (unit(summary, "GY")["problems_raised"], unit(summary, "GY")["problems_closed"]) == (1, 0)
    assert unit(summarize(told, YEAR_2021), "HW")["problems_raised"] == 1


def test_services_count_by_their_date_and_voided_ones_are_left_out(told):
    hw = unit(summarize(told, Q1), "HW")
    assert (hw["services"], hw["services_amount_wan"]) == (1, Decimal("3.50"))
    hw_2021 = unit(summarize(told, YEAR_2021), "HW")
    assert (hw_2021["services"], hw_2021["services_amount_wan"]) == (1, Decimal("1.00"))


def test_ratings_count_the_evaluations_for_periods_within_the_summary(told):
    assert unit(summarize(told, Q1), "GY")["ratings"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert unit(summarize(told, YEAR_2021), "GY")["ratings"] == {"A": 0, "B": 0, "C": 1, "D": 0}
    assert unit(summarize(told, Q1), "HW")["ratings"] == {"A": 0, "B": 0, "C": 0, "D": 0}


def test_reports_due_in_the_quarter_with_their_status_at_its_end(told):
    summary = summarize(told, Q1)
    hw, gy = unit(summary, "HW"), unit(summary, "GY")
    assert (hw["reports_owed"], hw["reports_on_time"], hw["reports_late"], hw["reports_missing"]) == \
        (OWED_IN_A_QUARTER, 1, 1, OWED_IN_A_QUARTER - 2)
    assert (gy["reports_owed"], gy["reports_on_time"], gy["reports_late"], gy["reports_missing"]) == \
        (OWED_IN_A_QUARTER, 0, 0, OWED_IN_A_QUARTER)


def test_a_year_summary_counts_the_years_facts(told):
    summary = summarize(told, YEAR_2021)
    hw = unit(summary, "HW")
    assert (summary["period"], summary["from"], summary["to"]) == ("2021", date(2021, 1, 1), date(2021, 12, 31))
    assert (hw["projects_added"], hw["stages_reached"]["negotiating"], hw["stages_reached"]["signed"]) == (2, 1, 0)
    assert (hw["reports_owed"], hw["reports_missing"]) == (OWED_IN_2021, OWED_IN_2021)


def test_replaying_twice_gives_the_same_summary(told):
    k = shanghai(2022, 4, 3, 12)
    assert summarize(told, Q1, known_at=k) == summarize(told, Q1, known_at=k)
    assert summarize(told, YEAR_2021) == summarize(told, YEAR_2021)


def test_the_unit_rows_sum_to_the_total(told):
    for period in (Q1, YEAR_2021):
        summary = summarize(told, period)
        rows, total = summary["units"], summary["total"]
        assert [row["unit"] for row in rows] == ["GY", "HW"]
        for key, value in total.items():
            if key == "counted":
                assert value == {k: merged(k, [row[key] for row in rows]) for k in value}
            elif isinstance(value, dict):
                assert value == {k: sum(row[key][k] for row in rows) for k in value}, key
            elif isinstance(value, list):
                assert value == [item for row in rows for item in row[key]], key
            else:
                assert value == sum(row[key] for row in rows), key
        assert set(total) == set(rows[0]) - {"unit", "name"}


def merged(key: str, counted: list[dict[str, Any]]) -> Any:
    if isinstance(counted[0][key], dict):
        return {k: [x for c in counted for x in c[key][k]] for k in counted[0][key]}
    return [x for c in counted for x in c[key]]


def test_a_unit_summary_is_that_units_row(told):
    whole, hw_only = summarize(told, Q1), summarize(told, Q1, "HW")
    assert hw_only["units"] == [unit(whole, "HW")]
    assert hw_only["total"]["signed_investment_wan"] == Decimal("12800.50")


def test_events_about_later_periods_do_not_change_a_summary(commission, clock):
    story(commission, clock)
    before = summarize(commission, Q1)
    clock.set(shanghai(2022, 5, 10, 10))
    commission.add_project("孙联络", "HW-2022-003", "HW", "智慧环卫", Sector.SANITATION, Level.UNIT, "某科技公司",
                           Decimal("99.00"))
    commission.advance_project("孙联络", P, Stage.LANDED, date(2022, 5, 10))
    commission.raise_problem("周联络", G1, "审批滞后", ProblemCategory.APPROVAL)
    commission.add_service("孙联络", P2, ServiceKind.FINANCING, date(2022, 5, 9), "融资对接", Decimal("50.00"))
    commission.evaluate_project("许办公", G1, "2022-Q2", Rating.D, None)
    commission.update_project("孙联络", P, investment=Decimal("20000.00"))
    send(commission, "project_status", "2022-01")  # due in Q1, sent after it: still missing at its end
    after = summarize(commission, Q1)
    assert after["known_at"] > before["known_at"]
    assert after["log_position"] > before["log_position"]
    moving = ("known_at", "log_position")
    assert {k: v for k, v in after.items() if k not in moving} == {k: v for k, v in before.items() if k not in moving}
    assert unit(summarize(commission, Period.parse("2022-Q2")), "HW")["landed_investment_wan"] == Decimal("20000.00")
