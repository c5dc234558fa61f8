"""The audit trail (`zs audit`): the events matching a filter, found through the audit view's index
(projections/views/audit.py) and read from the log itself, oldest first."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.values import shanghai_date
from projections.db import Db, from_ts, ts
from projections.views.audit import SUBJECTS

ENVELOPE = {"timestamp", "effective_at", "actor", "actor_role", "os_user", "host", "originator_topic", "done_by",
            "backfill_reason"}


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
