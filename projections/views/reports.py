"""The reports view: each report's current row, every version of whether it counted and when it was
last sent (for what had been sent at any moment), and the running on-time/late counts per unit."""

from __future__ import annotations

import json
from datetime import date, datetime
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from domain.period import Cadence, Period
from domain.deadlines import counts, sent_late
from projections.db import Cursor
from projections.runner import LoggedEvent, View
from projections.tables import HistoryTable, StateTable, Tally

REPORT_COLUMNS = (
    "id", "report_id", "unit", "kind", "period", "due_on", "status", "revision", "drafted_by", "approved_by",
    "approved_at", "sent_by", "sent_at", "last_sent_at", "sealed", "reviewed_by", "reviewed_at", "return_reason",
    "attachments", "note", "period_start",
)
REPORTS = StateTable("zs_reports", REPORT_COLUMNS + ("version",), ints=("revision", "sealed", "version"),
                     indexes=[("unit", "period"), ("report_id",), ("due_on", "report_id", "status"), ("period_start",)])
REPORT_COUNTS = Tally("zs_report_counts", ("unit",), ("on_time", "late"))  # counted reports, on time or late
# As-of questions about reports ask only whether one counted and when it was last sent.
REPORT_VERSIONS = HistoryTable("zs_report_versions", ("id", "report_id", "unit", "status", "last_sent_at"),
                               carried=("report_id", "status", "last_sent_at"))

Handler = Callable[[dict[str, Any], LoggedEvent], None]
REVIEW_CLEARED = dict(approved_by=None, approved_at=None, sent_by=None, sent_at=None, reviewed_by=None,
                      reviewed_at=None)


def _drafted(x: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    period = Period.parse(s["period"])
    x.update({k: s[k] for k in ("report_id", "unit", "kind", "period", "due_on", "note")},
             period_start=None if period.cadence is Cadence.ONCE else period.first_day.isoformat(),
             attachments=json.dumps(s["attachments"], ensure_ascii=False), status="draft", revision=1,
             drafted_by=r.done_by, sealed=0, last_sent_at=None, return_reason=None, **REVIEW_CLEARED)


def _revised(x: dict[str, Any], r: LoggedEvent) -> None:
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


class ReportView(View):
    name = "reports"
    tables = ("zs_reports", "zs_report_versions", "zs_report_counts")
    tables_sql = [s for t in (REPORTS, REPORT_VERSIONS, REPORT_COUNTS) for s in t.tables_sql()]
    indexes_sql = [s for t in (REPORTS, REPORT_VERSIONS) for s in t.indexes_sql()]

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        mine = [r for r in records if r.kind == "Report"]
        if mine:
            REPORT_COUNTS.reset()
            REPORTS.follow(cursor, mine, _counted, REPORT_VERSIONS)
            REPORT_COUNTS.flush(cursor)


def _counted(row: dict[str, Any], r: LoggedEvent) -> None:
    """A report's event applied, keeping the running counts: its old row counted out, its new row in
    (only when that changes where it counts: most events leave a report's count as it was)."""
    before = _standing(row)
    REPORT_HANDLERS[r.event](row, r)
    after = _standing(row)
    if before != after:
        if before is not None:
            REPORT_COUNTS.add(before[0], *before[1], sign=-1)
        if after is not None:
            REPORT_COUNTS.add(after[0], *after[1])


def _standing(report: dict[str, Any]) -> tuple[tuple[str], tuple[int, int]] | None:
    """Where a report counts: (its unit,), (on time, late); None while it does not count."""
    if counts(report.get("status")) and report.get("last_sent_at"):
        return (report["unit"],), _on_time_late(report["last_sent_at"], report["due_on"])
    return None


@lru_cache(maxsize=65536)
def _on_time_late(last_sent_at: str, due_on: str) -> tuple[int, int]:
    """(1, 0) on time or (0, 1) late, by the domain's rule (domain/deadlines.py)."""
    late = sent_late(datetime.fromisoformat(last_sent_at), date.fromisoformat(due_on))
    return (0, 1) if late else (1, 0)
