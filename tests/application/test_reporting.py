"""The reporting workflow told through the Ledger (docs/domain.md rules 4, 6 and 8), on SQLite and PostgreSQL.

The `commission` fixture: HW (principal 赵处长, leader 钱副处, liaison 孙联络, staff 李科员), GY (liaison
周联络, no principal), office 许办公, admin 管理员. The clock stands at 2021-09-01 10:00 Shanghai time, so
the August reports are the first that can be drafted."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from domain.application import Ledger
from domain.errors import AlreadyExists, DomainError, InvalidValue, NotPermitted, RuleViolated
from domain.report import Report, ReportStatus
from domain.values import SHANGHAI, UTC, Role, UnitKind
from tests.conftest import MACHINE
from tests.support import refused_unrecorded as refused

AUGUST = "HW/project_status/2021-08"
FORM = ("情况表.xlsx", "重点招商项目情况表 2021年8月 环卫一体化PPP项目 12000.00万元".encode() * 20)
SCAN = ("盖章页.pdf", b"%PDF-1.4 sealed page of HW for August 2021 \x00\x01\x02" * 30)


def shanghai(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


def draft(ledger: Ledger, kind: str = "project_status", period: str = "2021-08", unit: str = "HW",
          actor: str = "孙联络", files: tuple[tuple[str, bytes], ...] = (FORM,)) -> str:
    return ledger.draft_report(actor, unit, kind, period, files)


def approved(ledger: Ledger, **kwargs: Any) -> str:
    report_id = draft(ledger, **kwargs)
    ledger.approve_report("赵处长", report_id)
    return report_id


def sent(ledger: Ledger, **kwargs: Any) -> str:
    report_id = approved(ledger, **kwargs)
    ledger.send_report("孙联络", report_id, sealed=True)
    return report_id


def returned(ledger: Ledger) -> str:
    report_id = sent(ledger)
    ledger.return_report("许办公", report_id, "计划总投资与上月不一致")
    return report_id


def event_names(ledger: Ledger, report_id: str) -> list[str]:
    return [type(e).__name__ for e in ledger.history(ledger.report(report_id).id)]


def blob_rows(ledger: Ledger, digest: str | None = None) -> int:
    store = ledger.attachments
    where = f" WHERE sha256 = {store.mark}" if digest else ""
    with store.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) AS n FROM {store.table}{where}", (digest,) if digest else ())
        return cursor.fetchone()["n"]


def enrol(ledger: Ledger, code: str, enrolled_on: date, liaison: str) -> None:
    ledger.add_unit("管理员", code, f"{code}处", UnitKind.DEPARTMENT, enrolled_on)
    ledger.add_person("管理员", liaison, Role.LIAISON, code, "13800000999")


# -- the way through ----------------------------------------------------------------------------------


def test_a_liaison_drafts_a_report_named_after_its_obligation(commission):
    report_id = draft(commission)
    report = commission.report(report_id)
    assert report_id == AUGUST
    assert (report.unit, report.kind, report.period, report.due_on) == ("HW", "project_status", "2021-08",
                                                                        date(2021, 9, 5))
    assert (report.status, report.revision, report.drafted_by) == (ReportStatus.DRAFT, 1, "孙联络")


@pytest.mark.parametrize("actor", ["赵处长", "钱副处", "孙联络"])
def test_the_principal_leader_or_liaison_may_draft_and_send(commission, actor):
    report_id = draft(commission, actor=actor)
    commission.approve_report("赵处长", report_id)
    commission.send_report(actor, report_id, sealed=True)
    report = commission.report(report_id)
    assert (report.drafted_by, report.sent_by, report.status) == (actor, actor, ReportStatus.SENT)


def test_the_principal_approves_and_the_liaison_sends_sealed(commission, clock):
    report_id = draft(commission)
    clock.advance(hours=1)
    commission.approve_report("赵处长", report_id)
    clock.advance(hours=1)
    commission.send_report("孙联络", report_id, sealed=True)
    report = commission.report(report_id)
    assert (report.approved_by, report.approved_at) == ("赵处长", shanghai(2021, 9, 1, 11))
    assert (report.sent_by, report.sent_at, report.sealed) == ("孙联络", shanghai(2021, 9, 1, 12), True)
    assert event_names(commission, report_id) == ["Drafted", "Approved", "Sent"]


def test_the_office_accepts_a_sent_report(commission):
    report_id = sent(commission)
    commission.accept_report("许办公", report_id)
    report = commission.report(report_id)
    assert (report.status, report.reviewed_by) == (ReportStatus.ACCEPTED, "许办公")


def test_the_office_returns_a_sent_report_with_a_reason(commission):
    report_id = returned(commission)
    report = commission.report(report_id)
    assert (report.status, report.reviewed_by, report.return_reason) == (
        ReportStatus.RETURNED, "许办公", "计划总投资与上月不一致")


def test_the_office_may_return_an_accepted_report(commission):
    report_id = sent(commission)
    commission.accept_report("许办公", report_id)
    commission.return_report("许办公", report_id, "复核发现金额有误")
    assert commission.report(report_id).status == ReportStatus.RETURNED


def test_a_returned_report_is_revised_and_goes_through_approval_again(commission):
    report_id = returned(commission)
    commission.revise_report("孙联络", report_id, [("情况表-修改.xlsx", b"corrected")], "已更正金额")
    refused(commission, RuleViolated, "principal must approve", lambda: commission.send_report(
        "孙联络", report_id, sealed=True))
    commission.approve_report("赵处长", report_id)
    commission.send_report("孙联络", report_id, sealed=True)
    report = commission.report(report_id)
    assert (report.status, report.revision) == (ReportStatus.SENT, 2)
    assert [a.name for a in report.attachments] == ["情况表-修改.xlsx"]
    assert event_names(commission, report_id) == ["Drafted", "Approved", "Sent", "Returned", "Revised",
                                                  "Approved", "Sent"]


def test_revising_without_files_keeps_the_attachments_sent_before(commission):
    report_id = returned(commission)
    commission.revise_report("孙联络", report_id)
    assert [a.name for a in commission.report(report_id).attachments] == [FORM[0]]


def test_the_liaison_form_and_next_years_plan_may_be_drafted_early(commission):
    assert draft(commission, "liaison_form", "once") == "HW/liaison_form/once"
    assert draft(commission, "annual_plan", "2022") == "HW/annual_plan/2022"


def test_a_period_may_be_reported_once_it_has_ended_in_shanghai(commission, clock):
    clock.set(datetime(2021, 9, 30, 16, 30, tzinfo=UTC))  # 00:30 on 1 October in Shanghai
    assert draft(commission, period="2021-09") == "HW/project_status/2021-09"


# -- refusals: who may act (rule 8) -------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["钱副处", "孙联络", "许办公", "管理员", "周联络"])
def test_only_the_current_principal_may_approve(commission, actor):
    report_id = draft(commission)
    refused(commission, NotPermitted, "principal", lambda: commission.approve_report(actor, report_id))
    assert commission.report(report_id).status == ReportStatus.DRAFT


def test_a_former_principal_may_not_approve_after_a_new_one_is_appointed(commission):
    report_id = draft(commission)
    commission.add_person("管理员", "吴处长", Role.PRINCIPAL, "HW", "022-28350109", "处长")
    refused(commission, NotPermitted, r"current principal \(吴处长\)",
            lambda: commission.approve_report("赵处长", report_id))
    commission.approve_report("吴处长", report_id)
    assert commission.report(report_id).approved_by == "吴处长"


def test_another_units_principal_may_not_approve(commission):
    report_id = draft(commission, unit="GY", actor="周联络")
    refused(commission, NotPermitted, "principal", lambda: commission.approve_report("赵处长", report_id))


@pytest.mark.parametrize("actor", ["周联络", "许办公"])
def test_a_unit_without_a_principal_cannot_have_its_reports_approved_and_is_told_why(commission, actor):
    report_id = draft(commission, unit="GY", actor="周联络")
    refused(commission, NotPermitted, r"GY has no principal appointed",
            lambda: commission.approve_report(actor, report_id))


def test_a_former_principal_of_a_unit_left_without_one_is_told_none_is_appointed(commission):
    commission.add_person("管理员", "吴局长", Role.PRINCIPAL, "GY")
    commission.add_person("管理员", "郑局长", Role.PRINCIPAL, "GY")
    commission.remove_person("管理员", "郑局长", "调离")
    report_id = draft(commission, unit="GY", actor="周联络")
    refused(commission, NotPermitted, r"GY has no principal appointed",
            lambda: commission.approve_report("吴局长", report_id))


@pytest.mark.parametrize("actor", ["李科员", "许办公", "管理员", "周联络"])
def test_staff_the_office_and_other_units_may_not_draft_hws_reports(commission, actor):
    refused(commission, NotPermitted, "may not do this", lambda: draft(commission, actor=actor))


@pytest.mark.parametrize("actor", ["李科员", "许办公", "周联络"])
def test_only_the_units_principal_leader_or_liaison_may_send(commission, actor):
    report_id = approved(commission)
    refused(commission, NotPermitted, "may not do this",
            lambda: commission.send_report(actor, report_id, sealed=True))


@pytest.mark.parametrize("actor", ["赵处长", "孙联络", "管理员"])
def test_only_the_office_accepts_or_returns(commission, actor):
    report_id = sent(commission)
    refused(commission, NotPermitted, "only the office", lambda: commission.accept_report(actor, report_id))
    refused(commission, NotPermitted, "only the office",
            lambda: commission.return_report(actor, report_id, "退回"))


# -- refusals: the workflow (rule 4) --------------------------------------------------------------------


def test_sending_an_unapproved_report_is_refused(commission):
    report_id = draft(commission)
    refused(commission, RuleViolated, "principal must approve",
            lambda: commission.send_report("孙联络", report_id, sealed=True))


def test_sending_without_the_seal_is_refused(commission):
    report_id = approved(commission)
    refused(commission, RuleViolated, "--sealed", lambda: commission.send_report("孙联络", report_id, sealed=False))
    assert commission.report(report_id).status == ReportStatus.APPROVED


def test_returning_without_a_reason_is_refused(commission):
    report_id = sent(commission)
    refused(commission, RuleViolated, "reason", lambda: commission.return_report("许办公", report_id, ""))


def test_a_second_report_for_one_obligation_is_refused(commission):
    draft(commission)
    refused(commission, AlreadyExists, "already exists; one report per obligation",
            lambda: draft(commission, actor="钱副处"))


def test_a_second_report_is_refused_even_after_the_first_was_returned(commission):
    returned(commission)
    refused(commission, AlreadyExists, "revise it", lambda: draft(commission))


def test_an_unknown_report_is_not_found(commission):
    with pytest.raises(DomainError, match="no report 'HW/project_status/2031-08'"):
        commission.report("HW/project_status/2031-08")


# -- refusals: periods and obligations (rule 6) ------------------------------------------------------


@pytest.mark.parametrize("kind, period", [
    ("project_status", "2021-09"), ("service_list", "2021-09"), ("quarterly_report", "2021-Q3"),
    ("annual_summary", "2021"), ("project_status", "2030-01"),
])
def test_a_period_that_has_not_ended_is_refused(commission, kind, period):
    refused(commission, RuleViolated, "has not ended", lambda: draft(commission, kind, period))


def test_a_month_is_not_over_at_23_59_59_on_its_last_day_in_shanghai(commission, clock):
    clock.set(shanghai(2021, 9, 30, 23, 59, 59))
    refused(commission, RuleViolated, "has not ended", lambda: draft(commission, period="2021-09"))


@pytest.mark.parametrize("period", ["2021-07", "2021-06", "2020-12"])
def test_a_month_before_the_notice_is_not_owed(commission, period):
    refused(commission, RuleViolated, "does not owe", lambda: draft(commission, period=period))


def test_the_annual_plan_for_2021_is_not_owed(commission):
    refused(commission, RuleViolated, "does not owe", lambda: draft(commission, "annual_plan", "2021"))


def test_a_unit_does_not_owe_reports_due_on_or_before_its_enrolment(commission, clock):
    enrol(commission, "SR", date(2021, 10, 5), "冯联络")
    clock.set(shanghai(2021, 10, 10, 9))
    refused(commission, RuleViolated, r"does not owe a project_status for 2021-09 \(due 2021-10-05",
            lambda: draft(commission, period="2021-09", unit="SR", actor="冯联络"))
    assert draft(commission, "quarterly_report", "2021-Q3", unit="SR", actor="冯联络") == "SR/quarterly_report/2021-Q3"


def test_a_unit_enrolled_on_the_liaison_forms_day_does_not_owe_it(commission):
    enrol(commission, "SR", date(2021, 9, 15), "冯联络")
    refused(commission, RuleViolated, "does not owe a liaison_form",
            lambda: draft(commission, "liaison_form", "once", unit="SR", actor="冯联络"))


def test_a_withdrawn_unit_does_not_owe_what_falls_due_after_its_withdrawal(commission, clock):
    clock.set(shanghai(2021, 11, 2, 9))
    commission.withdraw_unit("管理员", "HW", date(2021, 11, 3), "机构调整")  # before October's is due (11-05)
    refused(commission, RuleViolated, "does not owe a project_status for 2021-10",
            lambda: draft(commission, period="2021-10"))
    assert draft(commission, period="2021-09") == "HW/project_status/2021-09"


def test_an_unknown_kind_is_invalid(commission):
    error = refused(commission, InvalidValue, "unknown report kind 'weekly_report'",
                    lambda: draft(commission, "weekly_report", "2021-08"))
    assert "project_status" in str(error)


@pytest.mark.parametrize("period", ["2021-13", "2021-00", "2021/08", "21-08", "2021-8", "Q3", "", "一次"])
def test_a_malformed_period_is_invalid(commission, period):
    refused(commission, InvalidValue, "period", lambda: draft(commission, period=period))


@pytest.mark.parametrize("kind, period", [
    ("project_status", "2021-Q3"), ("project_status", "2021"), ("project_status", "once"),
    ("quarterly_report", "2021-09"), ("annual_summary", "2021-Q4"), ("annual_plan", "2022-01"),
    ("liaison_form", "2021"),
])
def test_a_period_of_the_wrong_shape_for_its_kind_is_invalid(commission, kind, period):
    refused(commission, InvalidValue, "this needs", lambda: draft(commission, kind, period))


# -- attachments -----------------------------------------------------------------------------------------


def test_an_attachment_is_retrieved_exactly_as_it_was_sent(commission):
    report_id = draft(commission, files=(FORM, SCAN))
    attachment, content = commission.attachment_bytes(report_id, SCAN[0])
    assert content == SCAN[1]
    assert (attachment.name, attachment.size) == (SCAN[0], len(SCAN[1]))


def test_the_same_file_sent_with_two_reports_is_stored_once(commission):
    draft(commission, "project_status", files=(FORM,))
    draft(commission, "service_list", files=(("服务清单副本.xlsx", FORM[1]),))
    digests = {a.sha256 for r in commission.reports() for a in r.attachments}
    assert len(digests) == 1
    assert blob_rows(commission, digests.pop()) == 1


def test_attachment_bytes_never_enter_the_stored_events(commission):
    secret = "附件正文-只应存于附件表-7f3c9a".encode() * 8
    report_id = draft(commission, files=(("正文.docx", secret),))
    notifications = commission.recorder.select_notifications(start=1, limit=10_000)
    states = [bytes(n.state) for n in notifications]
    assert any("正文.docx".encode() in s for s in states)  # the search does reach the report's events
    for encoded in (secret, base64.b64encode(secret), secret.hex().encode(), secret[:40]):
        assert not any(encoded in s for s in states)
    assert commission.attachment_bytes(report_id, "正文.docx")[1] == secret


def test_asking_for_an_attachment_the_report_lacks_is_refused(commission):
    report_id = draft(commission)
    with pytest.raises(RuleViolated, match="has no attachment '附件4.xlsx'"):
        commission.attachment_bytes(report_id, "附件4.xlsx")


def test_an_attachment_name_with_a_path_is_invalid(commission):
    refused(commission, InvalidValue, "plain file name",
            lambda: draft(commission, files=(("../情况表.xlsx", b"x"),)))


def test_two_attachments_of_one_name_are_refused(commission):
    refused(commission, RuleViolated, "share a file name",
            lambda: draft(commission, files=(FORM, (FORM[0], b"other"))))


def test_a_refused_draft_stores_no_attachment_bytes(commission):
    before = blob_rows(commission)
    refused(commission, RuleViolated, "share a file name",
            lambda: draft(commission, files=((FORM[0], b"first"), (FORM[0], b"second"))))
    assert blob_rows(commission) == before


def test_a_refused_revision_stores_no_attachment_bytes(commission):
    report_id = sent(commission)
    before = blob_rows(commission)
    refused(commission, RuleViolated, "only when returned",
            lambda: commission.revise_report("孙联络", report_id, [("新表.xlsx", b"never sent")]))
    assert blob_rows(commission) == before


# -- two people sending at once ---------------------------------------------------------------------------


def test_two_people_sending_one_report_at_once_exactly_one_succeeds(commission, store, clock, monkeypatch):
    report_id = approved(commission)
    other = Ledger(store, clock=clock, machine=MACHINE)
    both_loaded = threading.Barrier(2, timeout=20)
    outcomes: dict[str, Any] = {}

    def load_then_wait(app: Ledger) -> Callable[[str], Report]:
        load = app.report

        def report(rid: str) -> Report:
            loaded = load(rid)
            both_loaded.wait()
            return loaded

        return report

    def send(app: Ledger, actor: str) -> None:
        try:
            app.send_report(actor, report_id, sealed=True)
            outcomes[actor] = "sent"
        except Exception as error:  # the loser's error is examined below
            outcomes[actor] = error

    monkeypatch.setattr(commission, "report", load_then_wait(commission))
    monkeypatch.setattr(other, "report", load_then_wait(other))
    try:
        threads = [threading.Thread(target=send, args=(commission, "孙联络")),
                   threading.Thread(target=send, args=(other, "钱副处"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        other.close()
    monkeypatch.undo()

    assert sorted(map(str, outcomes)) == ["孙联络", "钱副处"]
    winners = [who for who, outcome in outcomes.items() if outcome == "sent"]
    losers = [outcome for outcome in outcomes.values() if outcome != "sent"]
    assert len(winners) == 1
    assert len(losers) == 1 and isinstance(losers[0], RuleViolated)
    assert isinstance(losers[0].__context__, IntegrityError)
    assert "nothing was recorded" in str(losers[0])
    assert event_names(commission, report_id).count("Sent") == 1
    assert commission.report(report_id).sent_by == winners[0]


def test_a_stale_copy_cannot_send_after_another_ledger_sent(commission, store, clock):
    report_id = approved(commission)
    other = Ledger(store, clock=clock, machine=MACHINE)
    try:
        other.send_report("钱副处", report_id, sealed=True)
        refused(commission, RuleViolated, "is sent", lambda: commission.send_report("孙联络", report_id, sealed=True))
    finally:
        other.close()
    assert event_names(commission, report_id).count("Sent") == 1
