"""The audit trail: one indexed row per event — who (person, role, OS user, host), when (recorded
and effective), which unit, what action on which subject, and the event's own facts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from projections.db import Cursor
from projections.runner import Record, View
from projections.tables import StateTable

ENVELOPE = {"timestamp", "effective_at", "actor", "actor_role", "os_user", "host", "originator_topic"}
COLUMNS = ("position", "recorded_at", "effective_at", "actor", "actor_role", "os_user", "host", "unit", "action",
           "subject", "aggregate_id", "details")
AUDIT = StateTable("zs_audit", COLUMNS, key="position", ints=("position",),
                   indexes=[("actor",), ("unit",), ("subject",), ("action",), ("recorded_at",)])
SUBJECTS = StateTable("zs_audit_subjects", ("id", "subject", "unit"))
SUBJECT_FIELD = {"Unit": "code", "Person": "name", "Project": "number", "Problem": "problem_id",
                 "Report": "report_id"}


class AuditView(View):
    name = "audit"
    tables = ("zs_audit", "zs_audit_subjects")
    schema = AUDIT.schema() + SUBJECTS.schema()

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        subjects = SUBJECTS.load(cursor, [r.aggregate_id for r in records])
        changed: dict[str, dict[str, Any]] = {}
        rows = []
        for r in records:
            kind = r.topic.split(":")[1].split(".")[0]
            subject = subjects.get(r.aggregate_id)
            if subject is None or r.version == 1:
                key = SUBJECT_FIELD.get(kind)
                unit = r.state.get("code") if kind == "Unit" else r.state.get("unit")
                subject = {"id": r.aggregate_id, "subject": r.state[key] if key else kind.lower(), "unit": unit}
                subjects[r.aggregate_id] = changed[r.aggregate_id] = subject
            elif kind == "Person" and r.event == "Updated" and subject["unit"] != r.state.get("unit"):
                subject = subject | {"unit": r.state.get("unit")}
                subjects[r.aggregate_id] = changed[r.aggregate_id] = subject
            s = r.state
            rows.append({
                "position": r.position, "recorded_at": r.recorded_at, "effective_at": r.effective_at,
                "actor": s["actor"], "actor_role": s["actor_role"], "os_user": s["os_user"], "host": s["host"],
                "unit": subject["unit"], "action": f"{kind}.{r.event}", "subject": subject["subject"],
                "aggregate_id": r.aggregate_id,
                "details": json.dumps({k: v for k, v in s.items() if k not in ENVELOPE}, ensure_ascii=False),
            })
        SUBJECTS.upsert(cursor, changed.values())
        AUDIT.upsert(cursor, rows)
