"""The reporting commands of the Ledger: the calendar, and each report's way to the office."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from domain.attachments import AttachmentStore
from domain.errors import InvalidValue, NotFound, NotPermitted, RuleViolated
from domain.period import Cadence, Period
from domain.permissions import Action
from domain.policy import Calendar, Obligation, default_policy, parse_policy
from domain.base import Stamp
from domain.report import Attachment, Report, ReportingPolicy
from domain.unit import Unit
from domain.values import Role, shanghai_date
from domain.text import clean_line

if TYPE_CHECKING:
    from domain.application import Ledger

ALWAYS_DRAFTABLE = (Cadence.ONCE,)


class Reporting:
    """Mixed into the Ledger: commands on reports and the policy."""

    _blobs: AttachmentStore | None = None

    @property
    def attachments(self: Ledger) -> AttachmentStore:
        if self._blobs is None:
            self._blobs = AttachmentStore(self.recorder)
        return self._blobs

    # -- the policy ---------------------------------------------------------------------------------

    def calendar(self: Ledger, as_of: datetime | None = None, known_at: datetime | None = None) -> Calendar:
        """The default policy plus every policy loaded (effective by `as_of`, recorded by `known_at`)."""
        loaded = self._policy_book(as_of, known_at)
        return Calendar((default_policy(), *(loaded.policies if loaded else ())))

    def load_policy(self: Ledger, actor: str, text: str, effective_from: date, source: str = "policy") -> None:
        stamp = self._authorise(actor, Action.SET_UP)
        policy = parse_policy(text, source).model_copy(update={"effective_from": effective_from})
        book = self._policy_book() or ReportingPolicy.start(stamp)
        book.load(stamp, policy, source, shanghai_date(stamp.effective_at))
        self._save(book)

    def _policy_book(self: Ledger, as_of: datetime | None = None,
                     known_at: datetime | None = None) -> ReportingPolicy | None:
        try:
            book = self.repository.get(ReportingPolicy.id_for(ReportingPolicy.KEY))
        except AggregateNotFoundError:
            return None
        return self.state_at(book.id, as_of, known_at) if as_of or known_at else book

    # -- reports ------------------------------------------------------------------------------------

    def draft_report(self: Ledger, actor: str, unit: str, kind: str, period: str,
                     files: Sequence[tuple[str, bytes]] = (), note: str | None = None) -> str:
        home = self.unit(unit)
        stamp = self._authorise_reporter(actor, home)
        calendar = self.calendar()
        rule = calendar.rule(kind)
        parsed = Period.parse(period, rule.cadence)
        today = shanghai_date(stamp.effective_at)
        if rule.cadence not in ALWAYS_DRAFTABLE and rule.covers == "previous" and parsed.last_day >= today:
            raise RuleViolated(f"the period {parsed} has not ended yet; report on it from {parsed.next().first_day}")
        if rule.covers == "current" and parsed.first_day.year > today.year + 1:
            raise RuleViolated(f"the {kind} for {parsed} is too far ahead; it can be drafted from "
                               f"{parsed.first_day.year - 1}")
        obligation = calendar.obligation(kind, parsed)
        if obligation is None or not home.owes_on(obligation.due_on):
            raise RuleViolated(f"unit {home.code} does not owe a {kind} for {parsed}"
                               + (f" (due {obligation.due_on}, outside its enrolment)" if obligation else ""))
        report_id = report_key(home.code, kind, parsed)
        self._refuse_existing(Report, report_id, f"report {report_id} already exists; "
                              f"one report per obligation — revise it after a return instead")
        report = Report.draft(stamp, report_id, home.code, kind, str(parsed), obligation.due_on,
                              self._store_files(files), note)
        self._save(report)
        return report_id

    def approve_report(self: Ledger, actor: str, report_id: str) -> None:
        report = self.report(report_id)
        principal = self.unit(report.unit).officer(Role.PRINCIPAL)
        if principal is None:
            self.acting(actor)
            raise NotPermitted(f"{report.unit} has no principal appointed, so its reports cannot be approved; "
                               f"an admin appoints one with `zs person add NAME --role principal --unit {report.unit}`")
        stamp = self._authorise(actor, Action.APPROVE, report.unit)
        if principal != stamp.actor:
            raise NotPermitted(f"only {report.unit}'s current principal ({principal or 'none appointed'}) "
                               f"may approve its reports, acting as themself")
        report.approve(stamp)
        self._save(report)

    def send_report(self: Ledger, actor: str, report_id: str, sealed: bool) -> None:
        report = self.report(report_id)
        stamp = self._authorise_reporter(actor, self.unit(report.unit))
        report.send(stamp, sealed)
        self._save(report)

    def accept_report(self: Ledger, actor: str, report_id: str) -> None:
        report = self.report(report_id)
        report.accept(self._authorise(actor, Action.REVIEW, report.unit))
        self._save(report)

    def return_report(self: Ledger, actor: str, report_id: str, reason: str) -> None:
        report = self.report(report_id)
        report.return_(self._authorise(actor, Action.REVIEW, report.unit), reason)
        self._save(report)

    def revise_report(self: Ledger, actor: str, report_id: str, files: Sequence[tuple[str, bytes]] = (),
                      note: str | None = None) -> None:
        report = self.report(report_id)
        stamp = self._authorise_reporter(actor, self.unit(report.unit))
        report.check_revisable()
        report.revise(stamp, self._store_files(files) if files else None, note)
        self._save(report)

    def _authorise_reporter(self: Ledger, actor: str, unit: Unit) -> Stamp:
        """Rule 8: the unit's principal, leader or liaison — the current holder of that post, so
        one whose term has ended no longer reports for the unit."""
        stamp = self._authorise(actor, Action.REPORT, unit.code)
        role = Role(stamp.actor_role)
        if unit.officer(role) != stamp.actor:
            current = unit.officer(role) or "nobody"
            raise NotPermitted(f"{stamp.actor} is no longer {unit.code}'s {role.value} (the post is held by "
                               f"{current}); only the current principal, leader or liaison drafts and sends its reports")
        return stamp

    def report(self: Ledger, report_id: str) -> Report:
        return self._get(Report, report_id.strip(), f"no report {report_id.strip()!r}; "
                         f"a report id looks like HW/project_status/2021-08")

    def reports(self: Ledger) -> list[Report]:
        return sorted(self._all(Report, Report.Drafted), key=lambda r: r.report_id)

    def attachment_bytes(self: Ledger, report_id: str, name: str,
                         version: int | None = None) -> tuple[Attachment, bytes]:
        """A file as it was attached to the report's current version, or to an earlier one."""
        report = self.report(report_id)
        if version is None or version == report.revision:
            attachment = report.attachment(name)
        else:
            versions = [e.attachments for e in self.history(report.id) if isinstance(e, (Report.Drafted, Report.Revised))]
            if not 1 <= version <= len(versions):
                raise NotFound(f"report {report.report_id} has versions 1 to {len(versions)}, not {version}")
            matching = [a for a in versions[version - 1] if a.name == name]
            if not matching:
                raise NotFound(f"version {version} of report {report.report_id} has no attachment {name!r}")
            attachment = matching[0]
        return attachment, self.attachments.get(attachment.sha256)

    def _store_files(self: Ledger, files: Sequence[tuple[str, bytes]]) -> tuple[Attachment, ...]:
        """Check every name first, then store the bytes: a refused draft leaves nothing behind."""
        names = [clean_line(name, "attachment name", field="file") for name, _ in files]
        for name in names:
            if not name or "/" in name or "\\" in name or name in (".", ".."):
                raise InvalidValue(f"attachment name {name!r} must be a plain file name")
        if len(names) != len(set(names)):
            raise RuleViolated("two attachments share a file name; rename one")
        stored = []
        for name, (_, content) in zip(names, files):
            stored.append(Attachment(name=name, sha256=self.attachments.put(content), size=len(content)))
        return tuple(stored)


def report_key(unit: str, kind: str, period: Period) -> str:
    return f"{unit}/{kind}/{period}"


def owed(calendar: Calendar, enrolled_on: date, withdrawn_on: date | None, until: date) -> list[Obligation]:
    """Rule 2: what a unit owes with due dates up to `until`."""
    end = min(until, withdrawn_on) if withdrawn_on else until
    return calendar.obligations(enrolled_on, end)
