"""One report per obligation (rule 4): drafted, approved by the principal, sent sealed, reviewed."""

from __future__ import annotations

from datetime import date

from domain.base import Aggregate, Immutable, Stamp
from domain.errors import RuleViolated
from domain.person import check_reason
from domain.policy import Policy


class ReportStatus:
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    COUNTED = (SENT, ACCEPTED)
    LABELS = {DRAFT: "草稿", APPROVED: "已审定", SENT: "已报送", ACCEPTED: "已接收", RETURNED: "已退回"}


class Attachment(Immutable):
    """A file sent with a report: its bytes live once, by hash, beside the events."""

    name: str
    sha256: str
    size: int


class Report(Aggregate):
    KIND = "report"

    @staticmethod
    def key_for(unit: str, kind: str, period: object) -> str:
        """A report's id names its obligation (docs/domain.md rule 4): HW/project_status/2021-08."""
        return f"{unit}/{kind}/{period}"

    class Drafted(Aggregate.Created):
        report_id: str
        unit: str
        kind: str
        period: str
        due_on: date
        attachments: tuple[Attachment, ...]
        note: str | None

        def apply(self, report: Report) -> None:
            for field in ("report_id", "unit", "kind", "period", "due_on", "attachments", "note"):
                setattr(report, field, getattr(self, field))
            report.status = ReportStatus.DRAFT
            report.revision = 1
            report.drafted_by = self.done_by
            report.sealed = False
            report.sendings = ()
            _clear_review(report)

    class Approved(Aggregate.Event):
        def apply(self, report: Report) -> None:
            report.status = ReportStatus.APPROVED
            report.approved_by = self.done_by
            report.approved_at = self.effective_at

    class Sent(Aggregate.Event):
        sealed: bool

        def apply(self, report: Report) -> None:
            report.status = ReportStatus.SENT
            report.sent_by = self.done_by
            report.sent_at = self.effective_at
            report.sealed = self.sealed
            report.sendings = report.sendings + (self.effective_at,)

    class Accepted(Aggregate.Event):
        def apply(self, report: Report) -> None:
            report.status = ReportStatus.ACCEPTED
            report.reviewed_by = self.done_by
            report.reviewed_at = self.effective_at
            report.return_reason = None

    class Returned(Aggregate.Event):
        reason: str

        def apply(self, report: Report) -> None:
            report.status = ReportStatus.RETURNED
            report.reviewed_by = self.done_by
            report.reviewed_at = self.effective_at
            report.return_reason = self.reason

    class Revised(Aggregate.Event):
        attachments: tuple[Attachment, ...]
        note: str | None

        def apply(self, report: Report) -> None:
            report.status = ReportStatus.DRAFT
            report.revision += 1
            report.attachments = self.attachments
            report.note = self.note
            report.drafted_by = self.done_by
            report.sealed = False
            _clear_review(report, keep_return=True)

    @classmethod
    def draft(cls, stamp: Stamp, report_id: str, unit: str, kind: str, period: str, due_on: date,
              attachments: tuple[Attachment, ...], note: str | None) -> Report:
        _check_names(attachments)
        return cls._start(report_id, cls.Drafted, stamp, report_id=report_id, unit=unit, kind=kind, period=period,
                          due_on=due_on, attachments=attachments, note=note or None)

    def approve(self, stamp: Stamp) -> None:
        self._check_status("approved", ReportStatus.DRAFT)
        self._record(self.Approved, stamp)

    def send(self, stamp: Stamp, sealed: bool) -> None:
        if self.status == ReportStatus.DRAFT:
            raise RuleViolated(f"report {self.report_id} is a draft; its principal must approve it before it is sent")
        self._check_status("sent", ReportStatus.APPROVED)
        if not sealed:
            raise RuleViolated("a report is sent with the unit's seal (加盖公章): confirm it with --sealed")
        self._record(self.Sent, stamp, sealed=True)

    def accept(self, stamp: Stamp) -> None:
        self._check_status("accepted", ReportStatus.SENT)
        self._record(self.Accepted, stamp)

    def return_(self, stamp: Stamp, reason: str) -> None:
        self._check_status("returned", ReportStatus.SENT, ReportStatus.ACCEPTED)
        self._record(self.Returned, stamp, reason=check_reason(reason))

    def check_revisable(self) -> None:
        self._check_status("revised", ReportStatus.RETURNED)

    def revise(self, stamp: Stamp, attachments: tuple[Attachment, ...] | None, note: str | None) -> None:
        self.check_revisable()
        if attachments:
            _check_names(attachments)
        self._record(self.Revised, stamp, attachments=attachments or self.attachments, note=note or self.note)

    def attachment(self, name: str) -> Attachment:
        for attachment in self.attachments:
            if attachment.name == name:
                return attachment
        names = ", ".join(a.name for a in self.attachments) or "none"
        raise RuleViolated(f"report {self.report_id} has no attachment {name!r} (it has: {names})")

    @property
    def counted(self) -> bool:
        return self.status in ReportStatus.COUNTED

    def _check_status(self, verb: str, *allowed: str) -> None:
        if self.status not in allowed:
            wanted = " or ".join(allowed)
            raise RuleViolated(f"report {self.report_id} is {self.status}; it can be {verb} only when {wanted}")


def _clear_review(report: Report, keep_return: bool = False) -> None:
    report.approved_by = None
    report.approved_at = None
    report.sent_by = None
    report.sent_at = None
    report.reviewed_by = None
    report.reviewed_at = None
    if not keep_return:
        report.return_reason = None


def _check_names(attachments: tuple[Attachment, ...]) -> None:
    names = [a.name for a in attachments]
    if len(names) != len(set(names)):
        raise RuleViolated("two attachments share a file name; rename one")


class ReportingPolicy(Aggregate):
    """The ledger's calendar: the policies loaded over time (the notice's is the default)."""

    KIND = "policy"
    KEY = "calendar"

    class Started(Aggregate.Created):
        def apply(self, book: ReportingPolicy) -> None:
            book.policies = ()

    class Loaded(Aggregate.Event):
        policy: Policy
        source: str

        def apply(self, book: ReportingPolicy) -> None:
            book.policies = book.policies + (self.policy,)

    @classmethod
    def start(cls, stamp: Stamp) -> ReportingPolicy:
        return cls._start(cls.KEY, cls.Started, stamp)

    def load(self, stamp: Stamp, policy: Policy, source: str, today: date) -> None:
        if policy.effective_from < today:
            raise RuleViolated(
                f"a policy takes effect from today or later; {policy.effective_from} is in the past (today is {today})"
            )
        self._record(self.Loaded, stamp, policy=policy, source=source)

