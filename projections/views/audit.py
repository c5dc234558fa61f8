"""The audit view: an index over the log, not a copy of it. One row per aggregate says what it is
(its subject — a project number, a report id — and its unit), one row per Shanghai day says which
log positions it spans; projections/audit.py finds the positions through them and reads the events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from projections.db import Cursor, ts
from projections.runner import LoggedEvent, View
from projections.tables import StateTable

SUBJECTS = StateTable("zs_audit_subjects", ("id", "kind", "subject", "unit"),
                      indexes=[("subject",), ("unit",)], kept=False)
PERSON_UNITS = StateTable("zs_audit_person_units", ("id", "unit"), key="id, unit", indexes=[("unit",)],
                          kept=False)
DAYS = StateTable("zs_audit_days", ("day", "first_position", "last_position"), key="day",
                  ints=("first_position", "last_position"))
SUBJECT_FIELD = {"Unit": "code", "Person": "name", "Project": "number", "Problem": "problem_id",
                 "Report": "report_id"}


class AuditView(View):
    name = "audit"
    tables = ("zs_audit_subjects", "zs_audit_person_units", "zs_audit_days")
    tables_sql = SUBJECTS.tables_sql() + PERSON_UNITS.tables_sql() + DAYS.tables_sql()
    indexes_sql = SUBJECTS.indexes_sql() + PERSON_UNITS.indexes_sql()

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        subjects: dict[str, dict[str, Any]] = {}
        person_units: set[tuple[str, str]] = set()
        for r in records:
            if r.version == 1 or r.kind == "Person":
                self._subject(r, subjects, person_units)
        # An hour (or an exact time, if not in UTC: the hour decides the day) → its first and last position.
        hours = [s[:13] + "Z" if s[-1:] == "Z" else s for s in [r.timestamp for r in records]]
        positions = [r.position for r in records]
        firsts = dict(zip(reversed(hours), reversed(positions)))
        lasts = dict(zip(hours, positions))
        days: dict[str, list[int]] = {}
        for hour, first in firsts.items():
            last = lasts[hour]
            day = shanghai_day(ts(f"{hour[:13]}:00:00Z" if len(hour) == 14 else hour))
            span = days.setdefault(day, [first, last])
            span[0], span[1] = min(span[0], first), max(span[1], last)
        moves = {r.aggregate_id: r.state.get("unit") for r in records if r.kind == "Person" and r.event == "Updated"}
        known = SUBJECTS.load(cursor, [key for key in moves if key not in subjects])
        for key, unit in moves.items():  # a person's subject carries their latest unit
            row = subjects.get(key) or known.get(key)
            if row is not None:
                subjects[key] = row | {"unit": unit}
        SUBJECTS.upsert(cursor, subjects.values())
        PERSON_UNITS.upsert(cursor, [{"id": i, "unit": u} for i, u in person_units])
        existing = DAYS.load(cursor, days)
        DAYS.upsert(cursor, [{"day": day, "first_position": min(span[0], existing.get(day, {}).get("first_position")
                                                                or span[0]),
                              "last_position": max(span[1], existing.get(day, {}).get("last_position") or 0)}
                             for day, span in days.items()])

    @staticmethod
    def _subject(r: LoggedEvent, subjects: dict[str, dict[str, Any]], person_units: set[tuple[str, str]]) -> None:
        if r.version == 1:
            key = SUBJECT_FIELD.get(r.kind)
            unit = r.state.get("code") if r.kind == "Unit" else r.state.get("unit")
            subjects[r.aggregate_id] = {"id": r.aggregate_id, "kind": r.kind,
                                        "subject": r.state[key] if key else r.kind.lower(), "unit": unit}
        if r.kind == "Person" and r.event in ("Registered", "Updated") and r.state.get("unit"):
            person_units.add((r.aggregate_id, r.state["unit"]))


def shanghai_day(recorded_at: str) -> str:
    """The Shanghai day of a view timestamp (UTC, fixed format): 16:00 UTC starts the next day."""
    day = date.fromisoformat(recorded_at[:10])
    return str(day + timedelta(days=1)) if recorded_at[11:13] >= "16" else str(day)
