"""The lamps' view: for each project, the facts its lamp reads (library, stage, status, the business date
of its last progress and of the one before, its plans), with every version, so that `zs lamps` answers
for any moment from the tables, without replaying the log (docs/domain.md rule 17)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from domain.lamps import ProjectFacts
from domain.values import shanghai_date
from projections.db import Cursor, from_ts
from projections.runner import LoggedEvent, View
from projections.tables import HistoryTable, StateTable

COLUMNS = ("id", "number", "unit", "library", "stage", "stage_on", "status", "registered_on", "last_progress_on",
           "prev_progress_on", "plans")
LAMP_PROJECTS = StateTable("zs_lamp_projects", COLUMNS + ("version",), ints=("version",), indexes=[("unit",)])
LAMP_PROJECT_VERSIONS = HistoryTable("zs_lamp_project_versions", COLUMNS, carried=COLUMNS[1:])  # all but id: the lamp counts
PROGRESS = frozenset({"StageAdvanced", "ProgressNoted", "ServiceRecorded"})  # rule 17: what counts as progress


def _registered(p: dict[str, Any], r: LoggedEvent) -> None:
    registered = from_ts(r.effective_at)
    assert registered is not None
    p.update(number=r.state["number"], unit=r.state["unit"], library="reserve", stage="lead", stage_on=None,
             status="active", registered_on=shanghai_date(registered).isoformat(), plans="{}")


def _progress(p: dict[str, Any], on: str) -> None:
    """A later business date moves the last progress on (remembering the one before); an earlier one does not."""
    base = max(p["last_progress_on"] or p["registered_on"], p["registered_on"])
    if on > base:
        p.update(prev_progress_on=base, last_progress_on=on)
    elif p["last_progress_on"] is None or on > p["last_progress_on"]:
        p["last_progress_on"] = on


def _apply(p: dict[str, Any], r: LoggedEvent) -> bool:
    """Changes the row for this event; False when the event does not touch the lamp's facts."""
    event, s = r.event, r.state
    if event == "ProgressNoted":  # most of a project's events
        _progress(p, s["on"])
        return True
    if event == "Registered":
        _registered(p, r)
    elif event in ("StageAdvanced", "StageCorrected"):
        p.update(stage=s["stage"], stage_on=s["on"])
    elif event == "Planned":
        p["plans"] = json.dumps(json.loads(p["plans"] or "{}") | {s["stage"]: s["by"]}, sort_keys=True)
    elif event in ("Suspended", "Resumed", "Terminated"):
        p["status"] = {"Suspended": "suspended", "Resumed": "active", "Terminated": "terminated"}[event]
    elif event in ("Promoted", "Demoted"):
        p["library"] = "key" if event == "Promoted" else "reserve"
    elif event not in PROGRESS:
        return False
    if event in PROGRESS:
        _progress(p, s["on"])
    return True


class LampView(View):
    name = "lamps"
    tables = ("zs_lamp_projects", "zs_lamp_project_versions")
    tables_sql = LAMP_PROJECTS.tables_sql() + LAMP_PROJECT_VERSIONS.tables_sql()
    indexes_sql = LAMP_PROJECTS.indexes_sql() + LAMP_PROJECT_VERSIONS.indexes_sql()

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        mine = [r for r in records if r.kind == "Project"]
        if mine:
            LAMP_PROJECTS.follow(cursor, mine, _apply, LAMP_PROJECT_VERSIONS)


def facts(row: dict[str, Any]) -> ProjectFacts:
    def day(text: str | None) -> date | None:
        return None if text is None else date.fromisoformat(text)

    return ProjectFacts(
        number=row["number"], library=row["library"], stage=row["stage"], status=row["status"],
        registered_on=date.fromisoformat(row["registered_on"]), last_progress_on=day(row["last_progress_on"]),
        prev_progress_on=day(row["prev_progress_on"]), stage_on=day(row["stage_on"]),
        plans={k: date.fromisoformat(v) for k, v in json.loads(row["plans"]).items()} if row["plans"] not in (None, "{}")
        else {})
