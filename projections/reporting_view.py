"""The reporting view: units (with every version, for their enrolment and officers at any moment),
people, and reports (with every version, for what had been sent at any moment)."""

from __future__ import annotations

import json
from datetime import date, datetime
from collections.abc import Callable, Sequence
from typing import Any

from domain.period import Cadence, Period
from domain.deadlines import counts, sent_late
from projections.db import Cursor
from projections.runner import Record, View
from projections.tables import HistoryTable, StateTable, Tally

UNIT_COLUMNS = ("id", "code", "name", "kind", "sectors", "department", "enrolled_on", "withdrawn_on", "principal",
                "leader", "liaison")
PERSON_COLUMNS = ("id", "name", "role", "unit", "phone", "title", "email", "active")
REPORT_COLUMNS = (
    "id", "report_id", "unit", "kind", "period", "due_on", "status", "revision", "drafted_by", "approved_by",
    "approved_at", "sent_by", "sent_at", "last_sent_at", "sealed", "reviewed_by", "reviewed_at", "return_reason",
    "attachments", "note", "period_start",
)
UNITS = StateTable("zs_units", UNIT_COLUMNS + ("version",), ints=("version",), indexes=[("code",)])
UNIT_VERSIONS = HistoryTable("zs_unit_versions", UNIT_COLUMNS, indexes=[("code", "version")])
PEOPLE = StateTable("zs_people", PERSON_COLUMNS + ("version",), ints=("active", "version"), indexes=[("name",)])
REPORTS = StateTable("zs_reports", REPORT_COLUMNS + ("version",), ints=("revision", "sealed", "version"),
                     indexes=[("unit", "period"), ("report_id",), ("due_on", "report_id", "status"), ("period_start",)])
REPORT_COUNTS = Tally("zs_report_counts", ("unit",), ("on_time", "late"))  # counted reports, on time or late
# As-of questions about reports ask only whether one counted and when it was last sent.
REPORT_VERSIONS = HistoryTable("zs_report_versions", ("id", "report_id", "unit", "status", "last_sent_at"),
                               indexes=[("unit",)])

Handler = Callable[[dict[str, Any], Record], None]
REVIEW_CLEARED = dict(approved_by=None, approved_at=None, sent_by=None, sent_at=None, reviewed_by=None,
                      reviewed_at=None)


def _enrolled(u: dict[str, Any], r: Record) -> None:
    s = r.state
    u.update(code=s["code"], name=s["name"], kind=s["kind"], sectors=json.dumps(s["sectors"]),
             department=s["department"], enrolled_on=s["enrolled_on"], withdrawn_on=None,
             principal=None, leader=None, liaison=None)


def _unit_updated(u: dict[str, Any], r: Record) -> None:
    s = r.state
    u.update(name=s["name"], department=s["department"], sectors=json.dumps(s["sectors"]))


def _officer_left(u: dict[str, Any], r: Record) -> None:
    if u.get(r.state["role"]) == r.state["person"]:
        u[r.state["role"]] = None


UNIT_HANDLERS: dict[str, Handler] = {
    "Enrolled": _enrolled, "Updated": _unit_updated,
    "Withdrawn": lambda u, r: u.update(withdrawn_on=r.state["on"]),
    "OfficerAppointed": lambda u, r: u.update({r.state["role"]: r.state["person"]}),
    "OfficerLeft": _officer_left,
}
PERSON_HANDLERS: dict[str, Handler] = {
    "Registered": lambda p, r: p.update({k: r.state[k] for k in ("name", "role", "unit", "phone", "title", "email")},
                                        active=1),
    "Updated": lambda p, r: p.update({k: r.state[k] for k in ("role", "unit", "phone", "title", "email")}),
    "Removed": lambda p, r: p.update(active=0),
    # Access events (the Ledger's passwords, tokens and logins) change nothing the views show; the audit trail lists them.
    "PasswordSet": lambda p, r: None,
    "PasswordChanged": lambda p, r: None,
    "TokenIssued": lambda p, r: None,
}


def _drafted(x: dict[str, Any], r: Record) -> None:
    s = r.state
    period = Period.parse(s["period"])
    x.update({k: s[k] for k in ("report_id", "unit", "kind", "period", "due_on", "note")},
             period_start=None if period.cadence is Cadence.ONCE else period.first_day.isoformat(),
             attachments=json.dumps(s["attachments"], ensure_ascii=False), status="draft", revision=1,
             drafted_by=r.done_by, sealed=0, last_sent_at=None, return_reason=None, **REVIEW_CLEARED)


def _revised(x: dict[str, Any], r: Record) -> None:
    x.update(status="draft", revision=int(x["revision"]) + 1, drafted_by=r.done_by, sealed=0,
             attachments=json.dumps(r.state["attachments"], ensure_ascii=False), note=r.state["note"],
             **REVIEW_CLEARED)


REPORT_HANDLERS: dict[str, Handler] = {
    "Drafted": _drafted, "Revised": _revised,
    "Approved": lambda x, r: x.update(status="approved", approved_by=r.done_by, approved_at=r.effective_at),
    "Sent": lambda x, r: x.update(status="sent", sent_by=r.done_by, sent_at=r.effective_at,
                                  last_sent_at=r.effective_at, sealed=int(r.state["sealed"])),
    "Accepted": lambda x, r: x.update(status="accepted", reviewed_by=r.done_by, reviewed_at=r.effective_at,
                                      return_reason=None),
    "Returned": lambda x, r: x.update(status="returned", reviewed_by=r.done_by, reviewed_at=r.effective_at,
                                      return_reason=r.state["reason"]),
}
KINDS = {
    "Unit": (UNITS, UNIT_VERSIONS, UNIT_HANDLERS),
    "Person": (PEOPLE, None, PERSON_HANDLERS),
    "Report": (REPORTS, REPORT_VERSIONS, REPORT_HANDLERS),
}


class ReportingView(View):
    name = "reporting"
    tables = ("zs_units", "zs_unit_versions", "zs_people", "zs_reports", "zs_report_versions", "zs_report_counts")
    tables_sql = [s for t in (UNITS, UNIT_VERSIONS, PEOPLE, REPORTS, REPORT_VERSIONS, REPORT_COUNTS)
                  for s in t.tables_sql()]
    indexes_sql = [s for t in (UNITS, UNIT_VERSIONS, PEOPLE, REPORTS, REPORT_VERSIONS) for s in t.indexes_sql()]

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        REPORT_COUNTS.reset()
        for kind, (current, history, handlers) in KINDS.items():
            mine = [r for r in records if r.kind == kind]
            if not mine:
                continue
            rows = current.load(cursor, [r.aggregate_id for r in mine])
            versions = []
            for r in mine:
                row = rows.get(r.aggregate_id) or rows.setdefault(r.aggregate_id, current.blank(r.aggregate_id))
                if kind == "Report":
                    _count(row, -1)
                handlers[r.event](row, r)
                if kind == "Report":
                    _count(row, +1)
                row["version"] = r.version
                if history is not None:
                    versions.append(history.version(row, r))
            current.upsert(cursor, rows.values())
            if history is not None:
                history.insert(cursor, versions)
        REPORT_COUNTS.flush(cursor)


def _count(report: dict[str, Any], sign: int) -> None:
    """The running on-time/late counts, by the domain's rule (domain/deadlines.py)."""
    if counts(report.get("status")) and report.get("last_sent_at"):
        late = sent_late(datetime.fromisoformat(report["last_sent_at"]), date.fromisoformat(report["due_on"]))
        REPORT_COUNTS.add((report["unit"],), 0 if late else 1, 1 if late else 0, sign=sign)
