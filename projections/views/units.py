"""The units view: units (with every version, for their enrolment and officers at any moment) and
people (the current row of each)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from projections.db import Cursor
from projections.runner import LoggedEvent, View
from projections.tables import HistoryTable, StateTable

UNIT_COLUMNS = ("id", "code", "name", "kind", "sectors", "department", "enrolled_on", "withdrawn_on", "principal",
                "leader", "liaison")
PERSON_COLUMNS = ("id", "name", "role", "unit", "phone", "title", "email", "active")
UNITS = StateTable("zs_units", UNIT_COLUMNS + ("version",), ints=("version",), indexes=[("code",)])
UNIT_VERSIONS = HistoryTable("zs_unit_versions", UNIT_COLUMNS, indexes=[("code", "version")])
PEOPLE = StateTable("zs_people", PERSON_COLUMNS + ("version",), ints=("active", "version"), indexes=[("name",)])

Handler = Callable[[dict[str, Any], LoggedEvent], None]


def _enrolled(u: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    u.update(code=s["code"], name=s["name"], kind=s["kind"], sectors=json.dumps(s["sectors"]),
             department=s["department"], enrolled_on=s["enrolled_on"], withdrawn_on=None,
             principal=None, leader=None, liaison=None)


def _unit_updated(u: dict[str, Any], r: LoggedEvent) -> None:
    s = r.state
    u.update(name=s["name"], department=s["department"], sectors=json.dumps(s["sectors"]))


def _officer_left(u: dict[str, Any], r: LoggedEvent) -> None:
    if u.get(r.state["role"]) == r.state["person"]:
        u[r.state["role"]] = None


UNIT_HANDLERS: dict[str, Handler] = {
    "Enrolled": _enrolled, "Updated": _unit_updated,
    "Withdrawn": lambda u, r: u.update(withdrawn_on=r.state["on"]),
    "OfficerAppointed": lambda u, r: u.update({r.state["role"]: r.state["person"]}),
    "OfficerLeft": _officer_left,
}
PERSON_HANDLERS: dict[str, Handler] = {
    "Registered": lambda p, r: p.update({k: r.state[k] for k in ("name", "role", "unit", "phone", "title", "email")},
                                        active=1),
    "Updated": lambda p, r: p.update({k: r.state[k] for k in ("role", "unit", "phone", "title", "email")}),
    "Removed": lambda p, r: p.update(active=0),
    # Access events (the Ledger's passwords, tokens and logins) change nothing the views show; the audit trail lists them.
    "PasswordSet": lambda p, r: None,
    "PasswordChanged": lambda p, r: None,
    "TokenIssued": lambda p, r: None,
}
KINDS = {
    "Unit": (UNITS, UNIT_VERSIONS, UNIT_HANDLERS),
    "Person": (PEOPLE, None, PERSON_HANDLERS),
}


class UnitView(View):
    name = "units"
    tables = ("zs_units", "zs_unit_versions", "zs_people")
    tables_sql = [s for t in (UNITS, UNIT_VERSIONS, PEOPLE) for s in t.tables_sql()]
    indexes_sql = [s for t in (UNITS, UNIT_VERSIONS, PEOPLE) for s in t.indexes_sql()]

    def apply(self, cursor: Cursor, records: Sequence[LoggedEvent]) -> None:
        for kind, (current, history, handlers) in KINDS.items():
            mine = [r for r in records if r.kind == kind]
            if mine:
                current.follow(cursor, mine, lambda row, r, handlers=handlers: handlers[r.event](row, r), history)
