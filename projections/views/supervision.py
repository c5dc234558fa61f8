"""The 督办 view: one current row per supervision notice, for lists by unit and status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.db import Cursor
from projections.runner import LoggedEvent, View
from projections.tables import HistoryTable, StateTable

COLUMNS = ("id", "supervision_id", "subject_kind", "subject", "unit", "due_on", "status", "note", "opened_by",
           "opened_at", "answer", "answered_by", "answered_at", "closed_by", "closed_at", "reopen_reason", "version")
SUPERVISIONS = StateTable("zs_supervisions", COLUMNS, ints=("version",),
                          indexes=[("supervision_id",), ("unit", "status")])
# What a lamp reads of a 督办 at any moment (docs/domain.md rule 17).
SUPERVISION_VERSIONS = HistoryTable("zs_supervision_versions", ("id", "supervision_id", "subject", "unit", "due_on",
                                                                "status", "opened_at", "answered_at"))


def _opened(row: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    row.update({k: s[k] for k in ("supervision_id", "subject_kind", "subject", "unit", "due_on", "note")},
               status="open", opened_by=r.done_by, opened_at=r.effective_at)


HANDLERS = {
    "Opened": _opened,
    "Answered": lambda row, r: row.update(status="answered", answer=r.state["note"], answered_by=r.done_by,
                                          answered_at=r.effective_at),
    "Closed": lambda row, r: row.update(status="closed", closed_by=r.done_by, closed_at=r.effective_at),
    "Reopened": lambda row, r: row.update(status="open", reopen_reason=r.state["reason"], closed_by=None,
                                          closed_at=None),
}


class SupervisionView(View):
    name = "supervision"
    tables = ("zs_supervisions", "zs_supervision_versions")
    tables_sql = SUPERVISIONS.tables_sql() + SUPERVISION_VERSIONS.tables_sql()
    indexes_sql = SUPERVISIONS.indexes_sql() + SUPERVISION_VERSIONS.indexes_sql()

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        mine = [r for r in records if r.kind == "Supervision"]
        if mine:
            SUPERVISIONS.follow(cursor, mine, lambda row, r: HANDLERS[r.event](row, r), SUPERVISION_VERSIONS)
