"""Time travel (issue 4, item 3; docs/domain.md rule 7), on SQLite and PostgreSQL: an answer as of T comes
from the events effective by T, an answer as known at K leaves out what was recorded after K, and
neither changes when more is recorded later.

The `commission` fixture is set up on 2021-09-01 10:00 Shanghai time; each story moves the clock
by hand. HW's August reports are due on 2021-09-05."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.application import Ledger
from domain.errors import NotFound
from domain.values import Level, ProblemCategory, Sector, ServiceKind, Stage, end_of_day
from projections.queries import Moment, Queries
from tests.projections.support import shanghai

P = "HW-2021-001"
STATUS = "HW/project_status/2021-08"
FEEDBACK = "HW/tracking_feedback/2021-08"


def send(ledger: Ledger, kind: str) -> str:
    report_id = ledger.draft_report("孙联络", "HW", kind, "2021-08", [("表.xlsx", b"form")])
    ledger.approve_report("赵处长", report_id)
    ledger.send_report("孙联络", report_id, sealed=True)
    return report_id


def status_of(rows: list[dict], report: str) -> tuple[str, int | None, int | None]:
    unit, kind, period = report.split("/")
    row = next(r for r in rows if (r["unit"], r["kind"], r["period"]) == (unit, kind, period))
    return row["status"], row["days_late"], row["days_overdue"]


def answers_at(ledger: Ledger, moment: datetime, known_at: datetime | None = None) -> dict[str, object]:
    queries = Queries(ledger)
    at = Moment(moment, known_at)
    return {
        "board": queries.board(at), "hw board": queries.board(at, unit="HW"), "project": queries.project(P, at),
        "progress": queries.progress(moment, None, known_at), "obligations": queries.obligations(moment, None, known_at),
        "hw obligations": queries.obligations(moment, "HW", known_at),
    }


@pytest.fixture
def early_september(commission: Ledger, clock) -> Ledger:
    """By the end of 2021-09-03: P negotiating, a problem raised, HW's August project_status sent on time."""
    clock.set(shanghai(2021, 9, 2, 10))
    commission.advance_project("孙联络", P, Stage.NEGOTIATING, date(2021, 9, 2))
    commission.raise_problem("孙联络", P, "用地指标不足", ProblemCategory.LAND, date(2021, 9, 4))
    clock.set(shanghai(2021, 9, 3, 10))
    send(commission, "project_status")
    return commission


def test_an_answer_as_of_t_does_not_change_when_more_is_recorded_later(early_september, clock):
    ledger = early_september
    t = end_of_day(date(2021, 9, 3))
    before = answers_at(ledger, t)
    clock.set(shanghai(2021, 9, 7, 9))
    send(ledger, "tracking_feedback")  # late
    ledger.advance_project("孙联络", P, Stage.SIGNED, date(2021, 9, 3))  # a business date before T, recorded after
    ledger.promote_project("许办公", P, "投资规模大")
    ledger.update_project("孙联络", P, investment=Decimal("15000.00"))
    ledger.answer_problem("孙联络", f"{P}/P1", "已协调")
    ledger.close_problem("许办公", f"{P}/P1")
    ledger.add_project("周联络", "GY-2021-001", "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION,
                       "某燃气公司", Decimal("800.00"))
    ledger.add_service("孙联络", P, ServiceKind.SITE, date(2021, 9, 3), "踏勘选址")
    ledger.accept_report("许办公", STATUS)
    after = answers_at(ledger, t)
    assert after == before
    now = Queries(ledger)
    assert (now.project(P)["stage"], now.project(P)["library"], len(now.board())) == ("signed", "key", 2)
    assert before["project"]["stage"] == "negotiating" and before["project"]["open_problems"] == 1


def test_an_answer_as_of_t_comes_from_the_events_effective_by_t(early_september):
    queries = Queries(early_september)
    assert queries.project(P, Moment(shanghai(2021, 9, 1, 23)))["stage"] == "lead"
    assert queries.project(P, Moment(end_of_day(date(2021, 9, 2))))["stage"] == "negotiating"
    assert queries.project(P, Moment(shanghai(2021, 9, 1, 23)))["open_problems"] == 0
    assert queries.project(P, Moment(end_of_day(date(2021, 9, 2))))["open_problems"] == 1
    hw = queries.progress(end_of_day(date(2021, 9, 2)), "HW")[0]
    assert (hw["projects_by_stage"]["negotiating"], hw["problems_open"], hw["problems_past_due"]) == (1, 1, 0)
    hw = queries.progress(end_of_day(date(2021, 9, 6)), "HW")[0]
    assert (hw["problems_past_due"], hw["reports_on_time"], hw["reports_overdue"]) == (1, 1, 2)


def test_an_event_recorded_after_k_is_invisible_as_known_at_k(early_september, clock):
    ledger = early_september
    k = shanghai(2021, 9, 5, 12)
    clock.set(shanghai(2021, 9, 6, 9))
    ledger.advance_project("孙联络", P, Stage.SIGNED, date(2021, 9, 4))  # happened before K, recorded after
    ledger.add_project("周联络", "GY-2021-001", "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION,
                       "某燃气公司", Decimal("800.00"))
    send(ledger, "tracking_feedback")
    queries = Queries(ledger)
    known = Moment(None, k)
    assert queries.project(P, known)["stage"] == "negotiating"
    assert queries.project(P)["stage"] == "signed"
    assert [r["number"] for r in queries.board(known)] == [P]
    with pytest.raises(NotFound):
        queries.project("GY-2021-001", known)
    now = clock()
    assert status_of(queries.obligations(now, "HW", known_at=k), FEEDBACK) == ("overdue", None, 1)
    assert status_of(queries.obligations(now, "HW"), FEEDBACK) == ("late", 1, None)
    assert queries.progress(now, "GY", known_at=k)[0]["projects_by_stage"]["lead"] == 0
    assert queries.progress(now, "GY")[0]["projects_by_stage"]["lead"] == 1


def test_a_project_as_of_a_moment_before_its_registration_was_not_yet_registered(commission, clock):
    clock.set(shanghai(2021, 9, 5, 10))
    commission.add_project("周联络", "GY-2021-001", "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION,
                           "某燃气公司", Decimal("800.00"))
    queries = Queries(commission)
    with pytest.raises(NotFound, match="GY-2021-001 was not yet registered at that moment"):
        queries.project("GY-2021-001", Moment(end_of_day(date(2021, 9, 4))))
    assert "GY-2021-001" not in [r["number"] for r in queries.board(Moment(end_of_day(date(2021, 9, 4))))]
    assert queries.project("GY-2021-001", Moment(end_of_day(date(2021, 9, 5))))["stage"] == "lead"


def test_obligations_at_a_past_t_ignore_a_sending_recorded_after_t(commission, clock):
    clock.set(shanghai(2021, 9, 7, 10))
    send(commission, "project_status")
    queries = Queries(commission)
    assert status_of(queries.obligations(end_of_day(date(2021, 9, 6))), STATUS) == ("overdue", None, 1)
    assert status_of(queries.obligations(end_of_day(date(2021, 9, 5))), STATUS) == ("upcoming", None, None)
    assert status_of(queries.obligations(end_of_day(date(2021, 9, 8))), STATUS) == ("late", 2, None)


def test_a_report_returned_after_t_still_counts_as_sent_at_t(commission, clock):
    clock.set(shanghai(2021, 9, 4, 10))
    send(commission, "project_status")
    clock.set(shanghai(2021, 9, 8, 10))
    commission.return_report("许办公", STATUS, "数据不一致")
    queries = Queries(commission)
    assert status_of(queries.obligations(end_of_day(date(2021, 9, 6))), STATUS) == ("on_time", None, None)
    assert status_of(queries.obligations(end_of_day(date(2021, 9, 9))), STATUS) == ("overdue", None, 4)


# -- backfilled paper history: effective earlier than recorded ---------------------------------------------


@contextmanager
def backfilled(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, effective_at: datetime) -> Iterator[None]:
    """Events recorded now but effective at an earlier moment, as an office backfill makes them (rule 7).
    No command backfills yet, so the stamp is made so by hand."""
    stamp_for = ledger._stamp_for
    with monkeypatch.context() as patch:
        patch.setattr(ledger, "_stamp_for",
                      lambda actor, role: stamp_for(actor, role).model_copy(update={"effective_at": effective_at}))
        yield


def test_as_of_follows_effective_time_and_as_known_at_follows_recorded_time(commission, clock, monkeypatch):
    clock.set(shanghai(2021, 9, 10, 10))
    with backfilled(commission, monkeypatch, shanghai(2021, 9, 4, 10)):
        commission.advance_project("许办公", P, Stage.SIGNED, date(2021, 9, 4), "补录纸质台账")
    queries = Queries(commission)
    sept_5 = end_of_day(date(2021, 9, 5))
    assert queries.project(P, Moment(sept_5))["stage"] == "signed"  # as it stood then, as we know now
    assert queries.project(P, Moment(sept_5, shanghai(2021, 9, 6, 10)))["stage"] == "lead"  # as we knew on the 6th
    assert queries.project(P, Moment(shanghai(2021, 9, 3, 10)))["stage"] == "lead"  # before it took effect
    assert queries.board(Moment(None, shanghai(2021, 9, 9, 10)))[0]["stage"] == "lead"
