"""The audit trail: an index over the log — one row per event with who, when, which unit, what
action on which subject — through which the events themselves are read (no copy is kept)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.db import Cursor
from projections.runner import Record, View
from projections.tables import StateTable

ENVELOPE = {"timestamp", "effective_at", "actor", "actor_role", "os_user", "host", "originator_topic"}
COLUMNS = ("position", "recorded_at", "actor", "unit", "action", "subject")
AUDIT = StateTable("zs_audit", COLUMNS, key="position", ints=("position",),
                   indexes=[("actor",), ("unit",), ("subject",)])
SUBJECTS = StateTable("zs_audit_subjects", ("id", "subject", "unit"))
SUBJECT_FIELD = {"Unit": "code", "Person": "name", "Project": "number", "Problem": "problem_id",
                 "Report": "report_id"}


class AuditView(View):
    name = "audit"
    tables = ("zs_audit", "zs_audit_subjects")
    tables_sql = AUDIT.tables_sql() + SUBJECTS.tables_sql()
    indexes_sql = AUDIT.indexes_sql()

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        subjects = SUBJECTS.load(cursor, [r.aggregate_id for r in records])
        changed: dict[str, dict[str, Any]] = {}
        rows = []
        for r in records:
            kind = r.kind
            subject = subjects.get(r.aggregate_id)
            if subject is None or r.version == 1:
                key = SUBJECT_FIELD.get(kind)
                unit = r.state.get("code") if kind == "Unit" else r.state.get("unit")
                subject = {"id": r.aggregate_id, "subject": r.state[key] if key else kind.lower(), "unit": unit}
                subjects[r.aggregate_id] = changed[r.aggregate_id] = subject
            elif kind == "Person" and r.event == "Updated" and subject["unit"] != r.state.get("unit"):
                subject = subject | {"unit": r.state.get("unit")}
                subjects[r.aggregate_id] = changed[r.aggregate_id] = subject
            rows.append({"position": r.position, "recorded_at": r.recorded_at, "actor": r.state["actor"],
                         "unit": subject["unit"], "action": f"{kind}.{r.event}", "subject": subject["subject"]})
        SUBJECTS.upsert(cursor, changed.values())
        AUDIT.insert(cursor, rows)


def details(state: dict[str, Any]) -> dict[str, Any]:
    """An event's own facts: its stored state without the envelope."""
    return {k: v for k, v in state.items() if k not in ENVELOPE and k != "class_version"}
