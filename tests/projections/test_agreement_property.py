"""One rule, one answer (issue 8, item 1): over hypothesis-generated ledgers — units enrolled and withdrawn
at random, reports drafted, approved, sent, returned, revised and accepted at random times through the
Ledger on the test Clock — and random moments K, the summary of a period taken as known at K lists,
report by report, what `obligations --as-of T --as-known-at K` lists for that period (T the earlier of
the period's end and K); `overdue` and `progress` at (T, K) count what it lists; and now, the fast
paths of `overdue` and `progress` (their SQL and running counts: `overdue_now`, `progress_now`, what
`zs overdue` and `zs progress` run) answer as their general paths (`overdue_at`, `progress_at`) and the
listing do; and at each moment, progress's report counts and lamp counts (`tally_statuses`,
`lamp_counts_at`) equal judging every obligation and every lamp one by one.

Each example gets a SQLite file of its own; a few more run on a PostgreSQL schema of their own, where the
fast paths' SQL is rewritten for PostgreSQL."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Ledger
from domain.deadlines import LATE, ON_TIME, OVERDUE, UPCOMING, deadline
from domain.errors import DomainError
from domain.period import Period
from domain.values import UTC, Role, Sector, UnitKind, end_of_day, shanghai_date
from projections.lamps import PROBLEM, ReportLamps, glowing_since, lamp_counts, lamp_counts_at, lamps_at
from projections.moment import Moment, rows_at
from projections.obligations import obligations_at, report_states, status_counts, tally_reports, tally_statuses
from projections.overdue import overdue_at, overdue_now
from projections.progress import problems_at, progress_at, progress_now
from projections.queries import Queries
from projections.summary import summarize
from tests.conftest import MACHINE, Clock, postgres_schema
from tests.projections.support import commission_like

START = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)
OFFICE, ADMIN = "许办公", "管理员"
PEOPLE = {"HW": ("赵处长", "孙联络"), "GY": ("吴局长", "周联络")}
EXTRA = ["SR", "YL", "FQ"]
MONTHLY = ["project_status", "tracking_feedback", "service_list"]
OBLIGATIONS = ([(kind, f"{y}-{m:02d}") for kind in MONTHLY for y, m in [(2021, 8), (2021, 9), (2021, 10),
                                                                         (2021, 11), (2021, 12), (2022, 1)]]
               + [("quarterly_report", "2021-Q3"), ("quarterly_report", "2021-Q4"), ("liaison_form", "once"),
                  ("annual_summary", "2021"), ("annual_plan", "2022")])
PERIODS = [Period.parse(p) for p in ("2021", "2022", "2021-Q3", "2021-Q4", "2022-Q1")]
SUMMARY_KEYS = {ON_TIME: "reports_on_time", LATE: "reports_late", OVERDUE: "reports_missing",
                UPCOMING: "reports_upcoming"}


@dataclass(frozen=True)
class Step:
    command: str
    unit: int
    obligation: int
    hours: int
    times: int = 1  # how many steps along its way a report moves at once


def _unit(units: list[str], i: int) -> str:
    return units[i % len(units)]


def move(ledger: Ledger, code: str, kind: str, period: str, principal: str, liaison: str, accept: bool) -> None:
    """One report a step along its way: drafted, approved, sent, then accepted or returned; a returned one
    is revised, an accepted one may be returned again."""
    report_id = f"{code}/{kind}/{period}"
    try:
        status = ledger.report(report_id).status
    except DomainError:
        ledger.draft_report(liaison, code, kind, period, [("表.xlsx", b"form")])
        return
    if status == "draft":
        ledger.approve_report(principal, report_id)
    elif status == "approved":
        ledger.send_report(liaison, report_id, True)
    elif status == "sent" and accept:
        ledger.accept_report(OFFICE, report_id)
    elif status in ("sent", "accepted"):
        ledger.return_report(OFFICE, report_id, "数据不一致")
    else:
        ledger.revise_report(liaison, report_id, note="已更正")


def play(ledger: Ledger, clock: Clock, sequence: list[Step]) -> int:
    units, done, people = ["HW", "GY"], 0, dict(PEOPLE)
    for s in sequence:
        clock.advance(hours=s.hours)
        today = clock().astimezone(UTC).date()
        code = _unit(units, s.unit)
        principal, liaison = people[code]
        kind, period = OBLIGATIONS[s.obligation % len(OBLIGATIONS)]
        try:
            if s.command == "enrol" and len(units) < 2 + len(EXTRA):
                new = EXTRA[len(units) - 2]
                enrolled = today - timedelta(days=s.obligation * 3)  # sometimes before today: owed from then
                ledger.add_unit(ADMIN, new, f"单位{new}", UnitKind.AFFILIATE, enrolled, [Sector.LANDSCAPING], "综合科")
                ledger.add_person(ADMIN, f"{new}主任", Role.PRINCIPAL, new)
                ledger.add_person(ADMIN, f"{new}联络", Role.LIAISON, new)
                people[new] = (f"{new}主任", f"{new}联络")
                units.append(new)
            elif s.command == "withdraw":
                ledger.withdraw_unit(ADMIN, code, today + timedelta(days=s.obligation), "职能调整")
            elif s.command == "move":
                for _ in range(s.times):
                    move(ledger, code, kind, period, principal, liaison, s.unit % 2 == 0)
            else:
                continue
            done += 1
        except DomainError:
            pass
    return done


steps = st.builds(Step, st.sampled_from(["enrol", "withdraw"] + ["move"] * 10),
                  st.integers(0, 4), st.integers(0, len(OBLIGATIONS) - 1), st.integers(1, 24 * 12), st.integers(1, 4))


def build(folder: str, sequence: list[Step], store: str | None = None) -> tuple[Ledger, Clock]:
    clock = Clock(START)
    ledger = Ledger(store or f"sqlite:///{Path(folder) / 'ledger.db'}", clock=clock, machine=MACHINE)
    commission_like(ledger)
    ledger.add_person(ADMIN, "吴局长", Role.PRINCIPAL, "GY")
    play(ledger, clock, sequence)
    return ledger, clock


def key(row: dict) -> str:
    return f"{row['unit']}/{row['kind']}/{row['period']}"


def assert_the_answers_agree(ledger: Ledger, queries: Queries, period: Period, known_at: datetime) -> None:
    as_of = min(end_of_day(period.last_day), known_at)
    listed = queries.obligations(as_of, known_at=known_at)
    summary = summarize(ledger, period, known_at=known_at)
    assert summary["as_of"] == as_of and summary["complete"] == (end_of_day(period.last_day) <= known_at)
    in_period = {key(r): r["status"] for r in listed if period.contains(r["due_on"])}
    counted = {report: status for row in summary["units"] for status, name in SUMMARY_KEYS.items()
               for report in row["counted"][name]}
    assert counted == in_period
    for row in summary["units"]:
        assert row["reports_owed"] == sum(1 for r in in_period if r.startswith(row["unit"] + "/"))
    for at in (Moment(as_of, known_at), Moment(as_of)):  # the general search and the spans
        assert_the_fast_counts_agree(queries, at)
        assert_the_listings_agree(queries, at)
    overdue = [key(r) for r in queries.overdue(as_of, known_at)]
    assert overdue == [key(r) for r in listed if r["status"] == OVERDUE]
    statuses = Counter((r["unit"], r["status"]) for r in listed)
    for row in queries.progress(as_of, known_at=known_at):
        code = row["unit"]
        assert {s: row[f"reports_{s}"] for s in (ON_TIME, LATE, OVERDUE, UPCOMING)} == \
            {s: statuses[(code, s)] for s in (ON_TIME, LATE, OVERDUE, UPCOMING)}, code
        assert row["reports_owed"] == sum(1 for r in listed if r["unit"] == code and deadline(r["due_on"]) < as_of)


def assert_the_fast_counts_agree(queries: Queries, at: Moment) -> None:
    """progress's report counts from the stored sending times equal judging each obligation by the domain's
    rule, and its lamp counts equal counting the lamps listed one by one."""
    calendar, units = queries.calendar(at.as_of, at.known_at), queries.enrolments(at)
    assert tally_statuses(calendar, units, report_states(queries.db, at), at.as_of) == \
        status_counts(calendar, units, queries.sendings(at, counted_only=True), at.as_of)
    # the walk progress runs: the report counts beside the report lamps (over the obligations due soon too)
    rules = calendar.lamps_on(shanghai_date(at.as_of))
    statuses, reported = tally_reports(calendar, units, report_states(queries.db, at), at.as_of, None,
                                       ReportLamps(calendar, rules, at.as_of))
    assert statuses == status_counts(calendar, units, queries.sendings(at, counted_only=True), at.as_of)
    listed = lamp_counts([r for r in lamps_at(queries, at) if r["kind"] == "report"])
    assert {code: +c for code, c in reported.items()} == {code: +Counter(c) for code, c in listed.items()}
    assert lamp_counts_at(queries, at) == lamp_counts(lamps_at(queries, at))
    # the problems read once for progress's counts and its lamps (what `Queries.progress` passes on)
    when = at.as_of
    today = shanghai_date(when)
    problems = problems_at(queries.db, at, None, today, glowing_since(calendar.lamps_on(today), when))
    assert lamp_counts_at(queries, at, problems=problems.lit) == lamp_counts(lamps_at(queries, at))
    assert progress_at(queries.db, calendar, when, at, problems=problems) == progress_at(queries.db, calendar, when, at)
    assert sorted(problems.lit) == sorted(queries.db.values(
        f"SELECT {', '.join(PROBLEM)} FROM {rows_at('problems', at)[0]} WHERE status <> 'closed' OR closed_at >= ?",
        rows_at("problems", at)[1] + (glowing_since(calendar.lamps_on(today), when),)))


def assert_the_listings_agree(queries: Queries, at: Moment) -> None:
    """The listing from the stored sending times (`listing`: what `obligations` and `overdue` run) gives,
    row for row and in order, what judging each obligation by the domain's rule gives (`obligations_at`):
    for all units and each one, and with a horizon (`due_by`) or one month's obligations (`due_in`)."""
    calendar, units, as_of = queries.calendar(at.as_of, at.known_at), queries.enrolments(at), at.as_of
    plain = obligations_at(calendar, units, queries.sendings(at), as_of)
    assert queries.obligations(as_of, known_at=at.known_at) == plain
    assert queries.overdue(as_of, at.known_at) == [r for r in plain if r["status"] == OVERDUE]
    for code in {u.code for u in units}:
        assert queries.obligations(as_of, code, at.known_at) == \
            obligations_at(calendar, units, queries.sendings(at, code), as_of, code)
    today = as_of.astimezone(UTC).date()
    month = (today.replace(day=1), (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
    for due_by, due_in in ((today + timedelta(days=40), None), (None, month)):
        assert queries.obligations(as_of, known_at=at.known_at, due_by=due_by, due_in=due_in) == \
            obligations_at(calendar, units, queries.sendings(at), as_of, due_by=due_by, due_in=due_in)


def check_one_answer(ledger: Ledger, clock: Clock, moments: list[tuple[Period, float]]) -> None:
    queries = Queries(ledger)
    now = clock()
    for period, fraction in moments:
        known_at = START + (now - START) * fraction
        assert_the_answers_agree(ledger, queries, period, known_at)
    listed = queries.obligations()  # now: the fast paths read SQL and running counts, not the listing
    assert listed == obligations_at(calendar := queries.calendar(), queries.enrolments(), queries.sendings(), now)
    assert [key(r) for r in queries.overdue()] == [key(r) for r in listed if r["status"] == OVERDUE]
    assert queries.progress() == queries.progress(now)
    assert lamp_counts_at(queries, Moment()) == lamp_counts(lamps_at(queries, Moment()))  # now, from the current tables
    # each fast path beside its general one, called by name (projections/overdue.py, projections/progress.py)
    fast = overdue_now(queries.db, calendar, now)
    assert fast == overdue_at(queries.db, calendar, now, Moment(now))
    assert fast == queries.overdue()
    assert progress_now(queries.db, calendar, now) == progress_at(queries.db, calendar, now, Moment(now))
    for code in {r["unit"] for r in listed}:
        assert progress_now(queries.db, calendar, now, code) == progress_at(queries.db, calendar, now, Moment(now), code)


LEDGERS = st.lists(steps, min_size=20, max_size=60)
MOMENTS = st.lists(st.tuples(st.sampled_from(PERIODS), st.floats(0, 1)), min_size=2, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=LEDGERS, moments=MOMENTS)
def test_summary_obligations_overdue_and_progress_give_one_answer(sequence, moments):
    with tempfile.TemporaryDirectory() as folder:
        ledger, clock = build(folder, sequence)
        try:
            check_one_answer(ledger, clock, moments)
        finally:
            ledger.close()


@pytest.mark.postgres
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=LEDGERS, moments=MOMENTS)
def test_on_postgresql_too_the_four_give_one_answer(postgres_url, sequence, moments):
    with postgres_schema(postgres_url) as store:
        ledger, clock = build("", sequence, store)
        try:
            check_one_answer(ledger, clock, moments)
        finally:
            ledger.close()


def test_the_generated_ledgers_send_reports_and_enrol_units():
    """Guards the property against testing only refusals: a plausible sequence is recorded step by step."""
    sequence = [Step("enrol", 0, 2, 30), Step("move", 0, 0, 24 * 5), Step("move", 0, 0, 1),
                Step("move", 0, 0, 1), Step("move", 0, 0, 30), Step("move", 0, 0, 1), Step("move", 0, 0, 1),
                Step("move", 0, 0, 1), Step("move", 0, 0, 1), Step("move", 2, 1, 24 * 40),
                Step("withdraw", 1, 5, 1)]
    with tempfile.TemporaryDirectory() as folder:
        ledger, clock = build(folder, [])
        try:
            assert play(ledger, clock, sequence) == len(sequence)
            assert ledger.report("HW/project_status/2021-08").status == "sent"  # accepted, returned, revised, resent
        finally:
            ledger.close()


def test_a_moment_before_any_deadline_lists_nothing_overdue():
    with tempfile.TemporaryDirectory() as folder:
        ledger, _ = build(folder, [])
        try:
            queries = Queries(ledger)
            assert_the_answers_agree(ledger, queries, PERIODS[0], START)
            assert queries.overdue(START) == [] and date(2021, 9, 5) > START.date()
        finally:
            ledger.close()


def test_a_withdrawn_units_plan_sent_before_it_left_is_not_counted_now_either():
    """Regression: the running counts held a plan the unit no longer owed (withdrawn before its due date),
    so `progress` now said -1 upcoming while the listing said nothing."""
    with tempfile.TemporaryDirectory() as folder:
        ledger, clock = build(folder, [])
        try:
            clock.set(datetime(2021, 12, 1, 2, 0, tzinfo=UTC))
            move_plan = Step("move", 1, OBLIGATIONS.index(("annual_plan", "2022")), 1, 3)
            play(ledger, clock, [move_plan])
            assert ledger.report("GY/annual_plan/2022").status == "sent"
            ledger.withdraw_unit(ADMIN, "GY", date(2021, 12, 20), "职能调整")
            clock.set(datetime(2022, 1, 10, 2, 0, tzinfo=UTC))
            queries = Queries(ledger)
            gy = next(row for row in queries.progress() if row["unit"] == "GY")
            assert (gy["reports_on_time"], gy["reports_upcoming"]) == (0, 0)
            assert queries.progress() == queries.progress(clock())
        finally:
            ledger.close()
