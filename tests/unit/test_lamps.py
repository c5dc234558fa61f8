"""The lamp rules as pure functions (docs/domain.md rule 17): the day a lamp turns, the three-day
window in Shanghai time, the yellow after a red clears, and who has no lamp at all."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from domain.deadlines import LATE, ON_TIME, OVERDUE, UPCOMING, Standing
from domain.lamps import (
    ProjectFacts, Thresholds, add_months, problem_lamp_colour, problem_lamp, project_lamp_colour, project_lamp, report_lamp,
    supervision_lamp,
)
from domain.policy import LampRules
from domain.values import SHANGHAI, UTC, Stage

RULES = LampRules()


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment, as UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI).astimezone(UTC)


def key_project(**facts: object) -> ProjectFacts:
    base = dict(number="HW-2021-001", library="key", stage="negotiating", status="active",
                registered_on=date(2021, 9, 1), last_progress_on=date(2021, 10, 12))
    return ProjectFacts(**(base | facts))  # type: ignore[arg-type]


def test_no_progress_turns_yellow_on_the_day_two_months_after_the_last_progress():
    assert project_lamp(key_project(), RULES, at("2021-12-11", 23, 59)).colour == "green"
    lamp = project_lamp(key_project(), RULES, at("2021-12-12", 0, 0))
    assert (lamp.colour, lamp.rule, lamp.since) == ("yellow", "no_progress", at("2021-12-12", 0))
    assert lamp.reason == "连续2个月无进展，最近一次进展 2021-10-12"


def test_no_progress_turns_red_on_the_day_three_months_after_the_last_progress():
    assert project_lamp(key_project(), RULES, at("2022-01-11", 23, 59)).colour == "yellow"
    lamp = project_lamp(key_project(), RULES, at("2022-01-12", 0, 1))
    assert (lamp.colour, lamp.since, lamp.reason) == ("red", at("2022-01-12", 0), "连续3个月无进展，最近一次进展 2021-10-12")
    assert "进展" in lamp.turns_green


def test_a_month_without_its_day_ends_on_its_last_day():
    assert add_months(date(2021, 11, 30), 3) == date(2022, 2, 28)
    assert add_months(date(2021, 12, 31), 2) == date(2022, 2, 28)


def test_a_project_never_progressed_counts_from_its_registration():
    lamp = project_lamp(key_project(last_progress_on=None), RULES, at("2021-12-01"))
    assert (lamp.colour, lamp.reason) == ("red", "连续3个月无进展，登记于 2021-09-01，此后未记录进展")


@pytest.mark.parametrize("facts", [
    dict(status="suspended"), dict(status="terminated"), dict(library="reserve"), dict(stage="operating"),
])
def test_suspended_terminated_reserve_and_operating_projects_have_no_lamp(facts):
    assert project_lamp(key_project(**facts), RULES, at("2022-06-01")) is None


def test_a_policy_may_light_the_reserve_library_too():
    rules = LampRules(libraries=("key", "reserve"))
    assert project_lamp(key_project(library="reserve"), rules, at("2022-06-01")).colour == "red"


def test_past_a_planned_stage_date_is_red_from_the_next_day():
    project = key_project(plans={"signed": date(2021, 11, 30)}, last_progress_on=date(2021, 11, 20))
    assert project_lamp(project, RULES, at("2021-11-30", 23, 59)).colour == "green"
    lamp = project_lamp(project, RULES, at("2021-12-01", 0, 0))
    assert (lamp.colour, lamp.rule, lamp.since) == ("red", "plan_overdue", at("2021-12-01", 0))
    assert lamp.reason == "计划于 2021-11-30 前签约，已超期1天，现处于在谈"


def test_after_a_red_clears_by_progress_the_lamp_is_yellow_for_thirty_days():
    cleared = key_project(prev_progress_on=date(2021, 10, 12), last_progress_on=date(2022, 2, 1))
    lamp = project_lamp(cleared, RULES, at("2022-02-01", 9))
    assert (lamp.colour, lamp.rule, lamp.since) == ("yellow", "after_red", at("2022-02-01", 0))
    assert project_lamp(cleared, RULES, at("2022-03-02", 23, 59)).colour == "yellow"
    assert project_lamp(cleared, RULES, at("2022-03-03", 0, 0)).colour == "green"


def test_a_stage_reached_after_its_planned_date_glows_yellow():
    project = key_project(stage="signed", stage_on=date(2021, 12, 10), last_progress_on=date(2021, 12, 10),
                          plans={"signed": date(2021, 11, 30)})
    assert project_lamp(project, RULES, at("2021-12-20")).rule == "after_red"


def test_a_problem_is_yellow_within_three_shanghai_days_of_its_due_date_and_red_after_it():
    raised = at("2021-09-01")
    due = date(2021, 9, 20)
    # 2021-09-16 23:30 Shanghai is still 15:30 UTC on the 16th: four days ahead, green
    assert problem_lamp(due, "open", raised, None, RULES, at("2021-09-16", 23, 59)).colour == "green"
    # 2021-09-17 00:30 Shanghai is 16:30 UTC on the 16th: already within three days
    lamp = problem_lamp(due, "open", raised, None, RULES, at("2021-09-17", 0, 30))
    assert (lamp.colour, lamp.since, lamp.reason) == ("yellow", at("2021-09-17", 0), "问题限期 2021-09-20，还剩3天")
    assert problem_lamp(due, "escalated", raised, None, RULES, at("2021-09-20", 23, 59)).reason.endswith("今天到期")
    lamp = problem_lamp(due, "answered", raised, None, RULES, at("2021-09-21", 0, 0))
    assert (lamp.colour, lamp.since) == ("red", at("2021-09-21", 0))


def test_a_problem_closed_late_glows_yellow_and_one_closed_in_time_has_no_lamp():
    due = date(2021, 9, 20)
    assert problem_lamp(due, "closed", at("2021-09-01"), at("2021-09-19"), RULES, at("2021-09-25")) is None
    late = problem_lamp(due, "closed", at("2021-09-01"), at("2021-09-22"), RULES, at("2021-09-25"))
    assert (late.colour, late.rule) == ("yellow", "after_red")
    assert problem_lamp(due, "closed", at("2021-09-01"), at("2021-09-22"), RULES, at("2021-10-22")) is None


def test_a_report_lamp_follows_its_standing():
    due, opens = date(2021, 10, 5), date(2021, 10, 1)
    title = "重点招商项目情况表"
    assert report_lamp(title, due, opens, Standing(UPCOMING), RULES, at("2021-10-01")).colour == "green"
    assert report_lamp(title, due, opens, Standing(UPCOMING), RULES, at("2021-10-02")).colour == "yellow"
    red = report_lamp(title, due, opens, Standing(OVERDUE, days_overdue=1), RULES, at("2021-10-06"))
    assert (red.colour, red.reason, red.turns_green) == ("red", f"{title}限期 2021-10-05，已逾期1天", f"报送{title}")
    late = report_lamp(title, due, opens, Standing(LATE, at("2021-10-08"), days_late=3), RULES, at("2021-10-09"))
    assert (late.colour, late.since) == ("yellow", at("2021-10-08"))
    on_time = report_lamp(title, due, opens, Standing(ON_TIME, at("2021-10-04")), RULES, at("2021-10-09"))
    assert on_time.colour == "green"
    assert report_lamp(title, due, opens, Standing(ON_TIME, at("2021-10-04")), RULES, at("2021-11-20")) is None


def test_an_open_supervision_past_due_is_red_and_an_answered_one_green():
    opened = at("2021-09-01")
    assert supervision_lamp(date(2021, 9, 10), "open", opened, None, RULES, at("2021-09-11", 0, 0)).colour == "red"
    assert supervision_lamp(date(2021, 9, 10), "answered", opened, at("2021-09-09"), RULES,
                            at("2021-09-11")).colour == "green"
    late = supervision_lamp(date(2021, 9, 10), "closed", opened, at("2021-09-12"), RULES, at("2021-09-13"))
    assert late.colour == "yellow"
    assert supervision_lamp(date(2021, 9, 10), "closed", opened, at("2021-09-09"), RULES, at("2021-09-13")) is None


def test_the_lamp_thresholds_are_the_policys():
    strict = LampRules(yellow_after_months=1, red_after_months=2, due_soon_days=0, yellow_after_red_days=0)
    assert project_lamp(key_project(), strict, at("2021-12-12")).colour == "red"
    assert problem_lamp(date(2021, 9, 20), "open", at("2021-09-01"), None, strict, at("2021-09-19")).colour == "green"
    assert problem_lamp(date(2021, 9, 20), "open", at("2021-09-01"), None, strict, at("2021-09-20")).colour == "yellow"



def test_the_stored_thresholds_default_to_the_lamp_rules_defaults():
    """domain.lamps.Thresholds (a read's lamp rules without pydantic) keeps LampRules' fields and defaults."""
    assert Thresholds() == Thresholds.stored(None) == Thresholds(**RULES.model_dump())
    rules = LampRules(libraries=("key", "reserve"), red_after_months=5, due_soon_days=7)
    assert Thresholds.stored(rules.model_dump(mode="json")) == Thresholds(**rules.model_dump())



DAY = st.integers(0, 100).map(lambda n: date(2021, 9, 1) + timedelta(days=n))  # dates near each other: the turns
STAGES = [stage.value for stage in Stage]


@settings(max_examples=1500, deadline=None)
@given(registered=DAY, last=st.none() | DAY, prev=st.none() | DAY, reached=st.none() | DAY,
       stage=st.sampled_from(STAGES), status=st.sampled_from(["active", "suspended"]),
       library=st.sampled_from(["key", "reserve"]), plans=st.dictionaries(st.sampled_from(STAGES), DAY, max_size=3),
       today=DAY, hour=st.sampled_from([0, 12, 23]))
def test_the_colour_alone_is_the_lamps_colour(registered, last, prev, reached, stage, status, library, plans, today,
                                             hour):
    """The counts judge the colour alone (`project_lamp_colour`, `problem_lamp_colour`): what the full lamp's is."""
    facts = ProjectFacts(number="HW-2021-001", library=library, stage=stage, status=status, registered_on=registered,
                         last_progress_on=last, prev_progress_on=prev, stage_on=reached, plans=plans)
    when = at(today.isoformat(), hour)
    lamp = project_lamp(facts, RULES, when)
    assert project_lamp_colour(facts, RULES, when) == (lamp.colour if lamp else None)
    closed_at = None if last is None else at(last.isoformat(), 23 - hour)
    for problem_status in ("open", "answered", "closed"):
        found = problem_lamp(reached, problem_status, at(registered.isoformat()), closed_at, RULES, when)
        assert problem_lamp_colour(reached, problem_status, closed_at, RULES, when) == (found.colour if found else None)
