"""The 督办 view: one current row per supervision notice, for lists by unit and status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from projections.db import Cursor, from_ts
from projections.runner import Record, View
from projections.tables import HistoryTable, StateTable

COLUMNS = ("id", "supervision_id", "subject_kind", "subject", "unit", "due_on", "status", "note", "opened_by",
           "opened_at", "answer", "answered_by", "answered_at", "closed_by", "closed_at", "reopen_reason", "version")
SUPERVISIONS = StateTable("zs_supervisions", COLUMNS, ints=("version",),
                          indexes=[("supervision_id",), ("unit", "status")])
# What a lamp reads of a 督办 at any moment (docs/domain.md rule 17).
SUPERVISION_VERSIONS = HistoryTable("zs_supervision_versions", ("id", "supervision_id", "subject", "unit", "due_on",
                                                                "status", "opened_at", "answered_at"),
                                    indexes=[("unit",)])


def _opened(row: dict[str, Any], r: Record) -> None:
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

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        mine = [r for r in records if r.kind == "Supervision"]
        if not mine:
            return
        rows = SUPERVISIONS.load(cursor, [r.aggregate_id for r in mine])
        versions = []
        for r in mine:
            row = rows.get(r.aggregate_id) or rows.setdefault(r.aggregate_id, SUPERVISIONS.blank(r.aggregate_id))
            HANDLERS[r.event](row, r)
            row["version"] = r.version
            versions.append(SUPERVISION_VERSIONS.version(row, r))
        SUPERVISIONS.upsert(cursor, rows.values())
        SUPERVISION_VERSIONS.insert(cursor, versions)


def supervision_rows(db: Any, today: date, unit: str | None = None, status: str | None = None,
                     supervision_id: str | None = None) -> list[dict[str, Any]]:
    """督办 oldest first; `past_due` is true for one still waiting for its unit after its due day."""
    clauses, params = [], []
    for column, value in (("unit", unit), ("status", status), ("supervision_id", supervision_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = db.fetchall(f"SELECT * FROM zs_supervisions {where} ORDER BY opened_at, supervision_id", params)
    return [{
        "id": r["supervision_id"], "subject_kind": r["subject_kind"], "subject": r["subject"], "unit": r["unit"],
        "due_on": date.fromisoformat(r["due_on"]), "status": r["status"],
        "past_due": r["status"] == "open" and today > date.fromisoformat(r["due_on"]),
        "note": r["note"], "opened_by": r["opened_by"], "opened_at": from_ts(r["opened_at"]),
        "answer": r["answer"], "answered_by": r["answered_by"], "answered_at": from_ts(r["answered_at"]),
        "closed_by": r["closed_by"], "closed_at": from_ts(r["closed_at"]), "reopen_reason": r["reopen_reason"],
    } for r in rows]
