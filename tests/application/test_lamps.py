"""Lamps through the Ledger and the views, on SQLite and PostgreSQL (docs/domain.md rule 17): plans,
the day a project's lamp turns, a policy change mid-period, and what was known when."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import NotPermitted, RuleViolated
from domain.policy import default_policy_text
from domain.values import SHANGHAI, UTC, Level, ProblemCategory, Sector, Stage
from projections.queries import Moment, Queries

OFFICE, LIAISON, GY_LIAISON = "许办公", "孙联络", "周联络"
P = "HW-2021-001"


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI).astimezone(UTC)


def lamp(ledger, when: datetime, kind: str = "project", known_at: datetime | None = None) -> dict | None:
    rows = [r for r in Queries(ledger).lamps(Moment(when, known_at), kind=kind)]
    return rows[0] if rows else None


@pytest.fixture
def key(commission, clock):
    commission.promote_project(OFFICE, P, "投资规模大")
    return commission


def test_only_key_projects_are_lit_by_default(commission):
    assert lamp(commission, at("2021-12-05")) is None


def test_a_key_project_without_progress_turns_yellow_then_red(key):
    assert lamp(key, at("2021-10-31"))["colour"] == "green"
    yellow = lamp(key, at("2021-11-01", 0))
    assert (yellow["colour"], yellow["rule"], yellow["unit"], yellow["subject"]) == ("yellow", "no_progress", "HW", P)
    red = lamp(key, at("2021-12-01", 0))
    assert (red["colour"], red["since"]) == ("red", at("2021-12-01", 0).replace(hour=16, day=30, month=11))
    assert red["reason"] == "连续3个月无进展，登记于 2021-09-01，此后未记录进展"


def test_progress_clears_a_red_into_yellow_as_known_after_it_was_recorded(key, clock):
    clock.set(at("2021-12-10"))
    key.note_progress(LIAISON, P, "完成选址论证", date(2021, 12, 9))
    after = lamp(key, at("2021-12-11"))
    assert (after["colour"], after["rule"]) == ("yellow", "after_red")
    before_it_was_known = lamp(key, at("2021-12-11"), known_at=at("2021-12-09"))
    assert before_it_was_known["colour"] == "red"
    assert lamp(key, at("2022-01-08"))["colour"] == "green"
    assert lamp(key, at("2021-12-05"))["colour"] == "red"  # the past is not rewritten


def test_a_plan_past_its_date_is_red_until_the_stage_is_reached(key, clock):
    key.plan_project(LIAISON, P, Stage.SIGNED, date(2021, 9, 20))
    assert lamp(key, at("2021-09-20"))["colour"] == "green"
    red = lamp(key, at("2021-09-21", 0))
    assert (red["colour"], red["rule"]) == ("red", "plan_overdue")
    clock.set(at("2021-09-25"))
    key.advance_project(LIAISON, P, Stage.SIGNED, date(2021, 9, 25), "签约")
    assert lamp(key, at("2021-09-26"))["rule"] == "after_red"


def test_a_plan_is_for_a_later_stage_by_a_date_ahead_and_by_the_projects_own_unit(key, clock):
    with pytest.raises(RuleViolated, match="plan a later stage"):
        key.plan_project(LIAISON, P, Stage.LEAD, date(2021, 12, 1))
    with pytest.raises(RuleViolated, match="already past"):
        key.plan_project(LIAISON, P, Stage.SIGNED, date(2021, 8, 31))
    with pytest.raises(NotPermitted):
        key.plan_project(GY_LIAISON, P, Stage.SIGNED, date(2021, 12, 1))
    key.plan_project(OFFICE, P, Stage.SIGNED, date(2021, 12, 1))
    with pytest.raises(RuleViolated, match="already planned"):
        key.plan_project(LIAISON, P, Stage.SIGNED, date(2021, 12, 1))


def test_a_policy_change_mid_period_lights_by_the_rules_in_force_on_the_day(key, clock):
    clock.set(at("2021-10-01"))
    stricter = default_policy_text().replace("yellow_after_months = 2", "yellow_after_months = 1").replace(
        "red_after_months = 3", "red_after_months = 2")
    key.load_policy("管理员", stricter, date(2021, 11, 15))
    assert lamp(key, at("2021-11-10"))["colour"] == "yellow"  # the old rules: red only from 2021-12-01
    red = lamp(key, at("2021-11-16"))
    assert (red["colour"], red["reason"]) == ("red", "连续2个月无进展，登记于 2021-09-01，此后未记录进展")
    assert lamp(key, at("2021-11-16"), known_at=at("2021-09-30"))["colour"] == "yellow"


def test_problems_and_supervisions_light_by_their_due_dates(commission, clock):
    problem = commission.raise_problem(LIAISON, P, "用地指标不足", ProblemCategory.LAND, date(2021, 9, 10))
    supervision = commission.open_supervision(OFFICE, P, date(2021, 9, 8), "请说明推进计划")
    assert lamp(commission, at("2021-09-06"), "problem")["colour"] == "green"
    assert lamp(commission, at("2021-09-07"), "problem")["colour"] == "yellow"
    assert lamp(commission, at("2021-09-11"), "problem")["colour"] == "red"
    red = lamp(commission, at("2021-09-09"), "supervision")
    assert (red["subject"], red["colour"], red["rule"]) == (supervision, "red", "overdue")
    clock.set(at("2021-09-10"))
    commission.answer_supervision(LIAISON, supervision, "已说明")
    assert lamp(commission, at("2021-09-11"), "supervision")["colour"] == "yellow"  # answered late
    assert lamp(commission, at("2021-09-09"), "supervision")["colour"] == "red"


def test_reports_light_by_the_calendars_deadline(commission, clock):
    rows = Queries(commission).lamps(Moment(at("2021-10-06", 0)), kind="report", unit="HW")
    status = {r["subject"]: r["colour"] for r in rows}
    assert status["HW/project_status/2021-09"] == "red"
    assert status["HW/quarterly_report/2021-Q3"] == "green"  # due 2021-10-15: not yet within three days
    greens = Queries(commission).lamps(Moment(at("2021-10-06")), kind="report", colour="green")
    assert {r["subject"] for r in greens} == {"HW/quarterly_report/2021-Q3", "GY/quarterly_report/2021-Q3"}


def test_a_report_sent_late_glows_yellow_for_thirty_days_then_has_no_lamp(commission, clock):
    clock.set(at("2021-10-08"))
    report = commission.draft_report(LIAISON, "HW", "project_status", "2021-09")
    commission.approve_report("赵处长", report)
    commission.send_report(LIAISON, report, sealed=True)

    def colour(day: str) -> str | None:
        rows = [r for r in Queries(commission).lamps(Moment(at(day)), kind="report") if r["subject"] == report]
        return rows[0]["colour"] if rows else None

    assert colour("2021-10-07") == "red"
    assert colour("2021-10-09") == "yellow"
    assert colour("2021-11-06") == "yellow"
    assert colour("2021-11-07") is None


def test_the_counted_lamps_agree_with_the_listed_ones_day_by_day(commission, clock):
    """progress and summaries count most project lamps in SQL from the domain's cut-off dates: they
    must agree with judging every lamp one by one, on every day, across months that end early."""
    from projections.lamps import lamp_counts, lamp_counts_at, lamps_at

    c = commission
    c.promote_project(OFFICE, P, "投资规模大")
    for number, day in (("HW-2021-002", "2021-09-30"), ("HW-2021-003", "2021-10-31"), ("HW-2021-004", "2021-11-30")):
        clock.set(at(day))
        c.add_project(LIAISON, number, "HW", "项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("100"))
        c.promote_project(OFFICE, number, "重点")
    clock.set(at("2022-01-05"))
    c.note_progress(LIAISON, "HW-2021-002", "进展", date(2022, 1, 5))  # red since 12-30: yellow for 30 days
    c.plan_project(LIAISON, "HW-2021-003", Stage.SIGNED, date(2022, 1, 10))
    c.suspend_project(LIAISON, "HW-2021-004", "暂停")
    # problems: one closed after its due date (yellow after red), one closed in time, one open, one undated
    clock.set(at("2022-01-06"))
    late = c.raise_problem(LIAISON, P, "用地", ProblemCategory.LAND, date(2022, 1, 20))
    early = c.raise_problem(LIAISON, "HW-2021-002", "资金", ProblemCategory.LAND, date(2022, 3, 1))
    c.raise_problem(LIAISON, "HW-2021-003", "审批", ProblemCategory.LAND, date(2022, 2, 10))
    c.raise_problem(LIAISON, "HW-2021-004", "协调", ProblemCategory.LAND)
    clock.set(at("2022-02-01"))
    for problem in (late, early):
        c.answer_problem(LIAISON, problem, "已解决")
        c.close_problem(OFFICE, problem)
    queries = Queries(c)
    for offset in range(0, 210, 3):
        moment = Moment(at("2021-09-01", 23) + timedelta(days=offset))
        listed = lamp_counts(lamps_at(queries, moment))
        assert lamp_counts_at(queries, moment) == listed, moment
        # as `zs progress --as-of` counts them: the problems read once, for their counts and their lamps
        assert {row["unit"]: row["lamps"] for row in queries.progress(moment.as_of) if row["unit"] in listed} == \
            listed, moment
