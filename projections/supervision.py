"""督办 as the supervision view holds them (`zs supervise list|show`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.db import from_ts


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
