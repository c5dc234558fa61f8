"""The audit trail: an index over the log, not a copy of it. One row per aggregate says what it is
(its subject — a project number, a report id — and its unit), one row per Shanghai day says which
log positions it spans; queries find the positions through them and read the events themselves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from domain.values import shanghai_date
from projections.db import Cursor, Db, from_ts, ts
from projections.runner import Record, View
from projections.tables import StateTable

ENVELOPE = {"timestamp", "effective_at", "actor", "actor_role", "os_user", "host", "originator_topic", "done_by",
            "backfill_reason"}
SUBJECTS = StateTable("zs_audit_subjects", ("id", "kind", "subject", "unit"),
                      indexes=[("subject",), ("unit",)])
PERSON_UNITS = StateTable("zs_audit_person_units", ("id", "unit"), key="id, unit", indexes=[("unit",)])
DAYS = StateTable("zs_audit_days", ("day", "first_position", "last_position"), key="day",
                  ints=("first_position", "last_position"))
SUBJECT_FIELD = {"Unit": "code", "Person": "name", "Project": "number", "Problem": "problem_id",
                 "Report": "report_id"}


class AuditView(View):
    name = "audit"
    tables = ("zs_audit_subjects", "zs_audit_person_units", "zs_audit_days")
    tables_sql = SUBJECTS.tables_sql() + PERSON_UNITS.tables_sql() + DAYS.tables_sql()
    indexes_sql = SUBJECTS.indexes_sql() + PERSON_UNITS.indexes_sql()

    def apply(self, cursor: Cursor, records: Sequence[Record]) -> None:
        subjects: dict[str, dict[str, Any]] = {}
        person_units: set[tuple[str, str]] = set()
        hours: dict[str, list[int]] = {}  # an hour (or an exact time, if not in UTC) → first, last position
        for r in records:
            if r.version == 1 or r.kind == "Person":
                self._subject(r, subjects, person_units)
            stamp = r.timestamp
            hour = stamp[:13] + "Z" if stamp.endswith("Z") else stamp  # UTC: the hour decides the day
            span = hours.get(hour)
            if span is None:
                hours[hour] = [r.position, r.position]
            else:
                span[1] = r.position
        days: dict[str, list[int]] = {}
        for hour, (first, last) in hours.items():
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
    def _subject(r: Record, subjects: dict[str, dict[str, Any]], person_units: set[tuple[str, str]]) -> None:
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


def details(state: dict[str, Any]) -> dict[str, Any]:
    """An event's own facts: its stored state without the envelope."""
    return {k: v for k, v in state.items() if k not in ENVELOPE and k != "class_version"}


def trail(db: Db, actor: str | None = None, unit: str | None = None, project: str | None = None,
          report: str | None = None, action: str | None = None, since: datetime | None = None,
          until: datetime | None = None) -> list[dict[str, Any]]:
    """Events matching every filter given, oldest first. A subject filter (unit, project, report)
    reads just those aggregates' events; otherwise the days index narrows the log to the positions
    recorded between `since` and `until`, and the rest is read and filtered."""
    chosen = _subjects(db, unit, project, report)
    if chosen is not None:
        rows = db.read_aggregates(list(chosen))
    else:
        first, last = _positions(db, since, until)
        rows = []
        while first < last:
            batch = db.read_log(first, last, 10_000)
            if not batch:
                break
            rows += [row for row in batch if actor is None or any(
                f'"{key}":{json.dumps(actor, ensure_ascii=False)}'.encode() in row[4] for key in ("actor", "done_by"))]
            first = batch[-1][0]
        chosen = {s["id"]: s for s in SUBJECTS.load_all(db, {row[1] for row in rows})}
    from integrity.guard import LeafCheck

    LeafCheck(db.recorder)(rows)  # a changed event is refused, naming its position (docs/integrity.md)
    low, high = ts(since) if since else "", ts(until) if until else "~"
    wanted = action.lower() if action else None
    person_unit: dict[str, str | None] = {}  # a person's unit as it was at each of their events
    result = []
    for position, aggregate_id, _, topic, data in rows:
        state = json.loads(data)
        name = topic.partition(":")[2]
        subject = chosen.get(aggregate_id, {})
        event_unit = subject.get("unit")
        if subject.get("kind") == "Person":
            if "unit" in state:
                person_unit[aggregate_id] = state["unit"]
            event_unit = person_unit.get(aggregate_id, event_unit)
        recorded = ts(state["timestamp"])
        done_by = state.get("done_by") or state["actor"]  # who did it; the actor entered it (rule 11)
        if (actor is not None and done_by != actor) or not low <= recorded <= high:
            continue
        if wanted is not None and wanted not in (name.lower(), name.partition(".")[2].lower()):
            continue
        if unit is not None and event_unit != unit:
            continue
        result.append({
            "recorded_at": from_ts(recorded), "effective_at": from_ts(ts(state["effective_at"])),
            "actor": state["actor"], "actor_role": state["actor_role"], "done_by": done_by,
            "backfill_reason": state.get("backfill_reason"), "os_user": state["os_user"],
            "host": state.get("host"), "unit": event_unit, "action": name, "subject": subject.get("subject"), "details": details(state),
        })
    return result


def _subjects(db: Db, unit: str | None, project: str | None, report: str | None) -> dict[str, dict[str, Any]] | None:
    clauses, params = [], []
    if unit is not None:
        clauses.append("(unit = ? OR id IN (SELECT id FROM zs_audit_person_units WHERE unit = ?))")
        params += [unit, unit]
    if project is not None:
        clauses.append("((kind = 'Project' AND subject = ?) OR (kind = 'Problem' AND substr(subject, 1, ?) = ?))")
        params += [project, len(project) + 2, f"{project}/P"]
    if report is not None:
        clauses.append("kind = 'Report' AND subject = ?")
        params.append(report)
    if not clauses:
        return None
    rows = db.fetchall(f"SELECT * FROM zs_audit_subjects WHERE {' AND '.join(clauses)}", params)
    return {row["id"]: row for row in rows}


def _positions(db: Db, since: datetime | None, until: datetime | None) -> tuple[int, int]:
    """The log positions (after, up to) that hold the events recorded between since and until."""
    clauses, params = [], []
    if since is not None:
        clauses.append("day >= ?")
        params.append(str(shanghai_date(since)))
    if until is not None:
        clauses.append("day <= ?")
        params.append(str(shanghai_date(until)))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    row = db.fetchone(f"SELECT MIN(first_position) AS first, MAX(last_position) AS last FROM zs_audit_days {where}",
                      params)
    if row is None or row["first"] is None:
        return 0, 0
    return int(row["first"]) - 1, int(row["last"])
