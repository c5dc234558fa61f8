"""Backfilling paper history (docs/domain.md rules 7 and 11; docs/history.md), on SQLite and PostgreSQL.

The ledger is adopted on 2026-03-02: the admin backfills HW's enrolment and its 2021 people as of
2021-08-31, then the office (许办公, registered live in 2026) enters what HW did on paper in 2021,
naming who did it then with `by`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.application import Ledger
from domain.errors import InvalidValue, NotPermitted, RuleViolated
from domain.period import Cadence, Period
from domain.values import Level, Role, Sector, Stage, UnitKind
from projections.queries import Moment, Queries
from projections.records import history_records
from projections.summary import summarize
from tests.application.test_reporting import refused
from tests.conftest import ADOPTED, adopt, shanghai

OFFICE, PAPER_OFFICE, ADMIN = "许办公", "王主任", "管理员"
PRINCIPAL, LIAISON = "赵处长", "孙联络"
REASON = "补录2021年纸质台账"
AUGUST = "HW/project_status/2021-08"


ENROLLED = shanghai(2021, 8, 31, 9)


@pytest.fixture
def paper(ledger: Ledger, clock: Any) -> Ledger:
    adopt(ledger, clock, ADMIN, OFFICE)
    setup = ledger.backfilling(at=ENROLLED, because=REASON)
    setup.add_unit(ADMIN, "HW", "环境卫生管理处", UnitKind.DEPARTMENT, date(2021, 8, 31), [Sector.SANITATION])
    setup.add_person(ADMIN, PAPER_OFFICE, Role.OFFICE)
    setup.add_person(ADMIN, PRINCIPAL, Role.PRINCIPAL, "HW")
    setup.add_person(ADMIN, LIAISON, Role.LIAISON, "HW")
    clock.advance(days=1)
    return ledger


def on_paper(ledger: Ledger, *when: int, by: str | None = None) -> Ledger:
    return ledger.backfilling(at=shanghai(*when), by=by, because=REASON)


def send_august_on_paper(ledger: Ledger) -> str:
    report_id = on_paper(ledger, 2021, 9, 2, 9, by=LIAISON).draft_report(OFFICE, "HW", "project_status", "2021-08")
    on_paper(ledger, 2021, 9, 3, 9, by=PRINCIPAL).approve_report(OFFICE, report_id)
    on_paper(ledger, 2021, 9, 4, 16, by=LIAISON).send_report(OFFICE, report_id, sealed=True)
    return report_id


def status(ledger: Ledger, as_of: datetime, known_at: datetime | None = None) -> str | None:
    rows = [r for r in Queries(ledger).obligations(as_of, "HW", known_at) if r["period"] == "2021-08"
            and r["kind"] == "project_status"]
    return rows[0]["status"] if rows else None


# -- on time from the effective time; hidden before it was recorded --------------------------------


def test_a_report_sent_on_paper_before_its_deadline_is_on_time_as_of_any_moment_after_it(paper: Ledger) -> None:
    send_august_on_paper(paper)
    assert status(paper, shanghai(2021, 9, 4, 12)) == "upcoming"  # not yet sent on paper
    for moment in (shanghai(2021, 9, 4, 17), shanghai(2021, 9, 6), shanghai(2024, 1, 1), None):
        assert status(paper, moment) == "on_time"
    report = paper.report(AUGUST)
    assert (report.drafted_by, report.approved_by, report.sent_by) == (LIAISON, PRINCIPAL, LIAISON)
    assert report.sent_at == shanghai(2021, 9, 4, 16)
    row = Queries(paper).reports(unit="HW")[0]
    assert (row["approved_by"], row["sent_by"]) == (PRINCIPAL, LIAISON)


def test_as_known_at_a_moment_before_the_recording_hides_every_backfill(paper: Ledger, clock: Any) -> None:
    between = clock.now
    clock.advance(days=1)
    send_august_on_paper(paper)
    assert status(paper, shanghai(2021, 9, 6), known_at=shanghai(2025, 12, 31)) is None  # HW unknown then
    assert Queries(paper).obligations(shanghai(2021, 9, 6), known_at=shanghai(2025, 12, 31)) == []
    assert status(paper, shanghai(2021, 9, 6), known_at=between) == "overdue"  # HW known, its sending not
    assert status(paper, shanghai(2021, 9, 6), known_at=clock.now) == "on_time"


def test_progress_and_the_quarters_summary_count_the_paper_sending_on_time_once_known(paper: Ledger) -> None:
    send_august_on_paper(paper)
    hw = Queries(paper).progress(shanghai(2021, 9, 6), "HW")[0]
    assert (hw["reports_on_time"], hw["reports_late"], hw["reports_overdue"]) == (1, 0, 2)
    q3 = Period.parse("2021-Q3", Cadence.QUARTERLY)
    summary = summarize(paper, q3)
    row = next(u for u in summary["units"] if u["unit"] == "HW")
    assert (row["reports_owed"], row["reports_on_time"], row["reports_missing"]) == (4, 1, 3)
    assert summarize(paper, q3, known_at=shanghai(2025, 12, 31))["units"] == []


def test_history_carries_both_times_the_person_entering_and_the_person_who_did_it(paper: Ledger) -> None:
    report_id = send_august_on_paper(paper)
    sent = history_records(paper, paper.report(report_id).id)[-1]
    assert (sent["event"], sent["actor"], sent["done_by"], sent["backfill_reason"]) == ("Sent", OFFICE, LIAISON, REASON)
    assert sent["effective_at"] == shanghai(2021, 9, 4, 16)
    assert sent["recorded_at"] == ADOPTED.replace(day=3)
    audit = Queries(paper).audit(report=report_id)
    assert [(r["action"], r["actor"], r["done_by"]) for r in audit] == [
        ("Report.Drafted", OFFICE, LIAISON), ("Report.Approved", OFFICE, PRINCIPAL), ("Report.Sent", OFFICE, LIAISON)]
    assert [r["action"] for r in Queries(paper).audit(actor=PRINCIPAL)] == ["Report.Approved"]


def test_a_live_event_is_done_by_its_actor_and_stores_no_extra_fields(paper: Ledger) -> None:
    paper.add_project(OFFICE, "HW-2026-001", "HW", "新项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("10"))
    event = paper.history(paper.project("HW-2026-001").id)[0]
    assert (event.done_by, event.backfill_reason, event.backfilled) == (OFFICE, None, False)
    assert event.effective_at == event.recorded_at
    stored = paper.recorder.select_notifications(start=paper.recorder.max_notification_id(), limit=1)[0].state
    assert b"done_by" not in stored and b"backfill_reason" not in stored


# -- who may backfill, and who did it on paper ------------------------------------------------------


def test_only_the_office_backfills_and_only_the_admin_backfills_set_up(paper: Ledger) -> None:
    refused(paper, NotPermitted, "only the office",
            lambda: on_paper(paper, 2021, 9, 2, by=LIAISON).draft_report(ADMIN, "HW", "project_status", "2021-08"))
    paper.add_person(ADMIN, "钱联络", Role.LIAISON, "HW")  # live: HW's liaison now
    refused(paper, NotPermitted, "only the office",
            lambda: on_paper(paper, 2021, 9, 2).draft_report("钱联络", "HW", "project_status", "2021-08"))
    refused(paper, NotPermitted, "only an admin",
            lambda: on_paper(paper, 2021, 9, 1).add_person(OFFICE, "新人", Role.STAFF))
    refused(paper, InvalidValue, "needs no --by",
            lambda: on_paper(paper, 2021, 9, 1, by=PAPER_OFFICE).add_person(ADMIN, "新人", Role.STAFF))


def test_the_person_named_is_checked_with_the_permissions_they_had_then(paper: Ledger) -> None:
    refused(paper, NotPermitted, "was not registered at 2021-09-02",
            lambda: on_paper(paper, 2021, 9, 2).draft_report(OFFICE, "HW", "project_status", "2021-08"))
    refused(paper, NotPermitted, "was not registered at 2021-08-30",
            lambda: on_paper(paper, 2021, 8, 30, by=LIAISON).add_project(
                OFFICE, "HW-2021-001", "HW", "项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("1")))
    refused(paper, NotPermitted, "no person named 不存在 is in the ledger",
            lambda: on_paper(paper, 2021, 9, 2, by="不存在").draft_report(OFFICE, "HW", "project_status", "2021-08"))
    report_id = on_paper(paper, 2021, 9, 2, by=LIAISON).draft_report(OFFICE, "HW", "project_status", "2021-08")
    refused(paper, NotPermitted, "as of 2021-09-03 09:00 .*孙联络 \\(liaison of HW\\) may not",
            lambda: on_paper(paper, 2021, 9, 3, 9, by=LIAISON).approve_report(OFFICE, report_id))
    refused(paper, NotPermitted, "may not",
            lambda: on_paper(paper, 2021, 9, 3, by=PAPER_OFFICE).approve_report(OFFICE, report_id))
    on_paper(paper, 2021, 9, 3, by=PRINCIPAL).approve_report(OFFICE, report_id)
    on_paper(paper, 2021, 9, 4, by=LIAISON).send_report(OFFICE, report_id, sealed=True)
    on_paper(paper, 2021, 9, 6, by=PAPER_OFFICE).accept_report(OFFICE, report_id)
    assert paper.report(report_id).reviewed_by == PAPER_OFFICE


def test_posts_are_checked_as_they_stood_at_the_time(paper: Ledger) -> None:
    paper.backfilling(at=shanghai(2021, 12, 1, 9), because=REASON).add_person(ADMIN, "钱处长", Role.PRINCIPAL, "HW")
    october = on_paper(paper, 2021, 11, 2, by=LIAISON).draft_report(OFFICE, "HW", "project_status", "2021-10")
    refused(paper, NotPermitted, "was not registered at 2021-11-03",
            lambda: on_paper(paper, 2021, 11, 3, by="钱处长").approve_report(OFFICE, october))
    on_paper(paper, 2021, 11, 3, by=PRINCIPAL).approve_report(OFFICE, october)  # 赵处长 held the post then
    november = on_paper(paper, 2021, 12, 2, by=LIAISON).draft_report(OFFICE, "HW", "project_status", "2021-11")
    refused(paper, NotPermitted, "HW's principal was 钱处长, not 赵处长",
            lambda: on_paper(paper, 2021, 12, 3, by=PRINCIPAL).approve_report(OFFICE, november))
    on_paper(paper, 2021, 12, 3, by="钱处长").approve_report(OFFICE, november)
    assert (paper.report(october).approved_by, paper.report(november).approved_by) == (PRINCIPAL, "钱处长")


def test_a_unit_not_yet_enrolled_at_the_time_is_refused(paper: Ledger) -> None:
    paper.backfilling(at=shanghai(2021, 10, 1), because=REASON).add_unit(
        ADMIN, "GY", "市公用事业管理局", UnitKind.BUREAU, date(2021, 10, 1))
    refused(paper, RuleViolated, "unit GY was not enrolled at 2021-09-20",
            lambda: on_paper(paper, 2021, 9, 20, by=PAPER_OFFICE).add_project(
                OFFICE, "GY-2021-001", "GY", "项目", Sector.GAS_HEATING, Level.UNIT, "某公司", Decimal("1")))


# -- the time's bounds and the order per aggregate ------------------------------------------------------


def test_the_time_is_an_aware_moment_not_in_the_future_with_a_reason(paper: Ledger, clock: Any) -> None:
    with pytest.raises(RuleViolated, match="in the future"):
        paper.backfilling(at=clock.now.replace(year=2027), because=REASON)
    with pytest.raises(InvalidValue, match="outside 1990-01-01"):
        paper.backfilling(at=shanghai(1989, 12, 31), because=REASON)
    with pytest.raises(InvalidValue, match="no offset"):
        paper.backfilling(at=datetime(2021, 9, 1), because=REASON)
    with pytest.raises(InvalidValue, match="needs a reason"):
        paper.backfilling(at=ENROLLED, because="  ")
    with pytest.raises(InvalidValue, match="invisible"):
        paper.backfilling(at=ENROLLED, by="孙\u200b联络", because=REASON)


def test_backfills_of_one_aggregate_come_in_effective_time_order(paper: Ledger) -> None:
    report_id = on_paper(paper, 2021, 9, 2, by=LIAISON).draft_report(OFFICE, "HW", "project_status", "2021-08")
    on_paper(paper, 2021, 9, 3, by=PRINCIPAL).approve_report(OFFICE, report_id)
    refused(paper, RuleViolated, "paper history already reaches 2021-09-03 .* enter the earlier ones first",
            lambda: on_paper(paper, 2021, 9, 2, 12, by=LIAISON).send_report(OFFICE, report_id, sealed=True))
    on_paper(paper, 2021, 9, 3, by=LIAISON).send_report(OFFICE, report_id, sealed=True)  # the same moment is fine


def test_paper_history_is_entered_before_live_events(paper: Ledger) -> None:
    paper.add_project(OFFICE, "HW-2021-001", "HW", "项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("1"))
    refused(paper, RuleViolated, "already has live events .* paper history is entered before live events",
            lambda: on_paper(paper, 2021, 10, 1, by=LIAISON).advance_project(
                OFFICE, "HW-2021-001", Stage.NEGOTIATING, date(2021, 10, 1)))
    paper.add_person(ADMIN, "钱联络", Role.LIAISON, "HW")  # a live appointment on HW
    refused(paper, RuleViolated, "paper history is entered before live events", lambda: paper.backfilling(
        at=shanghai(2021, 10, 1), because=REASON).add_person(ADMIN, "李联络", Role.LIAISON, "HW"))


def test_what_happens_now_cannot_be_backfilled(paper: Ledger) -> None:
    refused(paper, NotPermitted, "cannot be backfilled",
            lambda: on_paper(paper, 2021, 9, 1).set_password(ADMIN, OFFICE, "a-long-password-1"))
    refused(paper, NotPermitted, "cannot be backfilled", lambda: on_paper(paper, 2021, 9, 1).create_token(ADMIN, OFFICE))
    refused(paper, NotPermitted, "cannot be backfilled", lambda: on_paper(paper, 2021, 9, 1).check_may_remind(OFFICE))


def test_a_backfilling_ledger_is_a_copy_the_shared_ledger_stays_live(paper: Ledger, clock: Any) -> None:
    backfilling = on_paper(paper, 2021, 9, 2, by=LIAISON)
    assert paper.backfill is None and backfilling.backfill is not None
    assert backfilling.recorder is paper.recorder
    paper.add_project(OFFICE, "HW-2026-001", "HW", "新项目", Sector.SANITATION, Level.UNIT, "某公司", Decimal("10"))
    event = paper.history(paper.project("HW-2026-001").id)[0]
    assert (event.effective_at, event.backfilled) == (clock.now, False)


# -- issue 13: a backfilled fact turns a red lamp yellow, as of its time, once known ---------------------


def test_a_backfilled_progress_turns_a_red_lamp_yellow_as_of_its_time_but_only_as_known_after(
        commission: Ledger, clock: Any) -> None:
    commission.promote_project(OFFICE, "HW-2021-001", "投资规模大")

    def lamp(as_of: datetime, known_at: datetime | None = None) -> tuple[str, str]:
        row = Queries(commission).lamps(Moment(as_of, known_at), kind="project")[0]
        return row["colour"], row["rule"]

    assert lamp(shanghai(2021, 12, 6)) == ("red", "no_progress")
    clock.set(shanghai(2021, 12, 20, 10))
    commission.backfilling(at=shanghai(2021, 12, 5, 15), by=LIAISON, because="纸质进展记录补录").note_progress(
        OFFICE, "HW-2021-001", "完成选址论证", date(2021, 12, 5))
    assert lamp(shanghai(2021, 12, 6)) == ("yellow", "after_red")
    assert lamp(shanghai(2021, 12, 5, 14)) == ("red", "no_progress")  # before it took effect
    assert lamp(shanghai(2021, 12, 6), known_at=shanghai(2021, 12, 20, 9)) == ("red", "no_progress")
    assert lamp(shanghai(2021, 12, 6), known_at=clock.now) == ("yellow", "after_red")
