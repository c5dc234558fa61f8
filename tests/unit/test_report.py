"""One report per obligation on its own (docs/domain.md rule 4): draft → approved → sent sealed → accepted
or returned; a returned report is revised as a new version. Every refusal records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain.base import Stamp
from domain.errors import DomainError, RuleViolated
from domain.report import Attachment, Report, ReportStatus
from domain.values import UTC
from tests.support import refused_unchanged

NOW = datetime(2021, 9, 3, 2, 0, tzinfo=UTC)  # 10:00 on 2021-09-03 in Shanghai
FORM = Attachment(name="情况表.xlsx", sha256="a" * 64, size=1024)
SCAN = Attachment(name="盖章扫描.pdf", sha256="b" * 64, size=2048)


def stamp(actor: str = "孙联络", role: str = "liaison", hours: float = 0) -> Stamp:
    at = NOW + timedelta(hours=hours)
    return Stamp(actor=actor, actor_role=role, os_user="tester", host="test-host", recorded_at=at, effective_at=at)


def drafted(*attachments: Attachment) -> Report:
    report = Report.draft(stamp(), "HW/project_status/2021-08", "HW", "project_status", "2021-08",
                          date(2021, 9, 5), attachments or (FORM,), "八月情况")
    report.collect_events()
    return report


def approved() -> Report:
    report = drafted()
    report.approve(stamp("赵处长", "principal", hours=1))
    report.collect_events()
    return report


def sent() -> Report:
    report = approved()
    report.send(stamp(hours=2), sealed=True)
    report.collect_events()
    return report


def returned() -> Report:
    report = sent()
    report.return_(stamp("许办公", "office", hours=3), "计划总投资与上月不一致")
    report.collect_events()
    return report


def accepted() -> Report:
    report = sent()
    report.accept(stamp("许办公", "office", hours=3))
    report.collect_events()
    return report


def refused(report: Report, match: str, act: Callable[[], Any], error: type[DomainError] = RuleViolated) -> None:
    refused_unchanged(report, error, match, act)


# -- the way through -------------------------------------------------------------------------------------


def test_a_drafted_report_is_a_first_version_draft_by_its_drafter():
    report = drafted()
    assert (report.status, report.revision, report.drafted_by) == (ReportStatus.DRAFT, 1, "孙联络")
    assert report.attachments == (FORM,)
    assert report.approved_by is None and report.sent_at is None and not report.sealed
    assert not report.counted


def test_approval_names_the_approver_and_the_moment():
    report = approved()
    assert report.status == ReportStatus.APPROVED
    assert (report.approved_by, report.approved_at) == ("赵处長".replace("長", "长"), NOW + timedelta(hours=1))


def test_a_sent_report_is_sealed_counted_and_remembers_its_sending():
    report = sent()
    assert report.status == ReportStatus.SENT
    assert report.sealed and report.counted
    assert (report.sent_by, report.sent_at) == ("孙联络", NOW + timedelta(hours=2))
    assert report.sendings == (NOW + timedelta(hours=2),)


def test_an_accepted_report_counts_and_names_its_reviewer():
    report = accepted()
    assert report.status == ReportStatus.ACCEPTED and report.counted
    assert (report.reviewed_by, report.reviewed_at) == ("许办公", NOW + timedelta(hours=3))


def test_a_returned_report_does_not_count_and_keeps_the_reason():
    report = returned()
    assert report.status == ReportStatus.RETURNED and not report.counted
    assert report.return_reason == "计划总投资与上月不一致"


def test_an_accepted_report_can_still_be_returned_with_a_reason():
    report = accepted()
    report.return_(stamp("许办公", "office", hours=4), "附件缺少盖章页")
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "附件缺少盖章页")


def test_revise_bumps_the_revision_and_goes_back_to_draft():
    report = returned()
    report.revise(stamp(hours=5), (SCAN,), "已更正")
    assert (report.status, report.revision) == (ReportStatus.DRAFT, 2)
    assert report.attachments == (SCAN,)
    assert report.note == "已更正"


def test_revise_without_files_keeps_the_attachments():
    report = returned()
    report.revise(stamp(hours=5), None, None)
    assert report.attachments == (FORM,)
    assert report.note == "八月情况"


def test_revise_with_an_empty_list_keeps_the_attachments():
    report = returned()
    report.revise(stamp(hours=5), (), None)
    assert report.attachments == (FORM,)


def test_revise_clears_the_approval_the_sending_and_the_seal():
    report = returned()
    report.revise(stamp(hours=5), None, None)
    assert (report.approved_by, report.approved_at) == (None, None)
    assert (report.sent_by, report.sent_at, report.sealed) == (None, None, False)
    assert (report.reviewed_by, report.reviewed_at) == (None, None)


def test_a_revised_report_needs_approval_again_before_it_is_sent():
    report = returned()
    report.revise(stamp(hours=5), None, None)
    report.collect_events()
    refused(report, "draft; its principal must approve it", lambda: report.send(stamp(hours=6), sealed=True))


def test_a_resent_report_keeps_every_sending_and_counts_from_the_latest():
    report = returned()
    report.revise(stamp(hours=5), None, None)
    report.approve(stamp("赵处长", "principal", hours=6))
    report.send(stamp(hours=7), sealed=True)
    assert report.sendings == (NOW + timedelta(hours=2), NOW + timedelta(hours=7))
    assert report.sent_at == NOW + timedelta(hours=7)
    assert report.revision == 2 and report.counted


def test_each_step_is_one_event_with_its_actor():
    report = Report.draft(stamp(), "HW/project_status/2021-08", "HW", "project_status", "2021-08",
                          date(2021, 9, 5), (FORM,), None)
    report.approve(stamp("赵处长", "principal", hours=1))
    report.send(stamp(hours=2), sealed=True)
    report.return_(stamp("许办公", "office", hours=3), "退回")
    report.revise(stamp(hours=4), None, None)
    events = report.collect_events()
    assert [type(e).__name__ for e in events] == ["Drafted", "Approved", "Sent", "Returned", "Revised"]
    assert [e.actor for e in events] == ["孙联络", "赵处长", "孙联络", "许办公", "孙联络"]


def test_the_report_names_an_attachment_and_refuses_an_unknown_one():
    report = drafted(FORM, SCAN)
    assert report.attachment("盖章扫描.pdf") == SCAN
    with pytest.raises(RuleViolated, match="has no attachment '附件5.doc'"):
        report.attachment("附件5.doc")


# -- refusals --------------------------------------------------------------------------------------------


def test_approving_twice_is_refused():
    report = approved()
    refused(report, "is approved; it can be approved only when draft",
            lambda: report.approve(stamp("赵处长", "principal", hours=2)))


def test_approving_a_sent_report_is_refused():
    report = sent()
    refused(report, "is sent", lambda: report.approve(stamp("赵处长", "principal", hours=3)))


def test_sending_a_draft_is_refused_naming_the_principals_approval():
    report = drafted()
    refused(report, "is a draft; its principal must approve it", lambda: report.send(stamp(hours=1), sealed=True))


def test_sending_without_the_seal_is_refused():
    report = approved()
    refused(report, "加盖公章", lambda: report.send(stamp(hours=2), sealed=False))


def test_sending_twice_is_refused():
    report = sent()
    refused(report, "is sent; it can be sent only when approved", lambda: report.send(stamp(hours=3), sealed=True))


def test_sending_a_returned_report_without_revising_is_refused():
    report = returned()
    refused(report, "is returned", lambda: report.send(stamp(hours=4), sealed=True))


def test_accepting_a_draft_is_refused():
    report = drafted()
    refused(report, "is draft; it can be accepted only when sent",
            lambda: report.accept(stamp("许办公", "office", hours=1)))


def test_accepting_an_approved_but_unsent_report_is_refused():
    report = approved()
    refused(report, "is approved", lambda: report.accept(stamp("许办公", "office", hours=2)))


def test_accepting_twice_is_refused():
    report = accepted()
    refused(report, "is accepted", lambda: report.accept(stamp("许办公", "office", hours=4)))


def test_returning_a_draft_is_refused():
    report = drafted()
    refused(report, "is draft; it can be returned only when sent or accepted",
            lambda: report.return_(stamp("许办公", "office", hours=1), "退回"))


def test_returning_twice_is_refused():
    report = returned()
    refused(report, "is returned", lambda: report.return_(stamp("许办公", "office", hours=4), "再退"))


def test_returning_without_a_reason_is_refused():
    report = sent()
    refused(report, "reason", lambda: report.return_(stamp("许办公", "office", hours=3), "  "))


@pytest.mark.parametrize("make", [drafted, approved, sent, accepted], ids=lambda f: f.__name__)
def test_revising_a_report_that_was_not_returned_is_refused(make):
    report = make()
    refused(report, "it can be revised only when returned", lambda: report.revise(stamp(hours=5), (SCAN,), None))


def test_drafting_with_two_attachments_of_one_name_is_refused():
    twin = Attachment(name=FORM.name, sha256="c" * 64, size=1)
    with pytest.raises(RuleViolated, match="two attachments share a file name"):
        Report.draft(stamp(), "HW/project_status/2021-08", "HW", "project_status", "2021-08",
                     date(2021, 9, 5), (FORM, twin), None)


def test_revising_with_two_attachments_of_one_name_is_refused():
    report = returned()
    twin = Attachment(name=SCAN.name, sha256="c" * 64, size=1)
    refused(report, "two attachments share a file name", lambda: report.revise(stamp(hours=5), (SCAN, twin), None))
