"""Writes the event catalogue (docs/events.md) from the aggregates themselves: every event, its
fields and who may cause it. `make docs` runs it; a test fails when the page is stale."""

from __future__ import annotations

import sys
import typing
from enum import Enum
from types import UnionType
from typing import Any, Union

import click

from domain.base import DomainEvent
from domain.permissions import Action
from domain.logins import LoginDay
from domain.person import Person
from domain.problem import Problem
from domain.reminder import Reminder
from domain.project import Project
from domain.report import Report, ReportingPolicy
from domain.signing import LogKey
from domain.supervision import Supervision
from domain.unit import Unit

AGGREGATES = (Unit, Person, Project, Problem, Report, ReportingPolicy, Supervision, LogKey, LoginDay, Reminder)
ENVELOPE = set(DomainEvent.model_fields) | {"originator_topic"}

WHO: dict[type, str] = {
    Unit.Enrolled: Action.SET_UP.value.who, Unit.Updated: Action.SET_UP.value.who,
    Unit.Withdrawn: Action.SET_UP.value.who,
    Unit.OfficerAppointed: "follows `person add/update` by an admin",
    Unit.OfficerLeft: "follows `person update/remove` by an admin",
    Person.Registered: Action.SET_UP.value.who + "; the first admin by `zs init`",
    Person.Updated: Action.SET_UP.value.who, Person.Removed: Action.SET_UP.value.who,
    Person.PasswordSet: Action.SET_UP.value.who + " (`zs person password`)",
    Person.PasswordChanged: "the person themselves, giving the current password (the web office)",
    Person.TokenIssued: Action.SET_UP.value.who + " (`zs token create`)",
    LoginDay.Started: "the system (actor 系统), at a day's first login attempt of the account",
    LoginDay.Attempted: "the system (actor 系统), at every login attempt in the web office",
    Project.StageCorrected: Action.OFFICE_REVIEW.value.who, Project.Promoted: Action.OFFICE_REVIEW.value.who,
    Project.Demoted: Action.OFFICE_REVIEW.value.who, Project.Evaluated: Action.OFFICE_REVIEW.value.who,
    Problem.Closed: Action.OFFICE_REVIEW.value.who, Problem.Reopened: Action.OFFICE_REVIEW.value.who,
    Report.Drafted: Action.REPORT.value.who, Report.Sent: Action.REPORT.value.who,
    Report.Revised: Action.REPORT.value.who, Report.Approved: Action.APPROVE.value.who,
    Report.Accepted: Action.REVIEW.value.who, Report.Returned: Action.REVIEW.value.who,
    ReportingPolicy.Started: "the first `policy load`", ReportingPolicy.Loaded: Action.SET_UP.value.who,
    Supervision.Opened: Action.SUPERVISE.value.who, Supervision.Closed: Action.SUPERVISE.value.who,
    Supervision.Reopened: Action.SUPERVISE.value.who, Supervision.Answered: Action.ANSWER_SUPERVISION.value.who,
    LogKey.Registered: Action.KEEP_LOG.value.who + " (`zs key create`)",
    LogKey.CheckpointSigned: Action.KEEP_LOG.value.who + " (`zs checkpoint`); also a sender's `report send --key`",
    Reminder.Started: "the first `remind --send` that mails a person on a Shanghai day",
    Reminder.Mailed: Action.REMIND.value.who + " (`zs remind --send`)",
}
DEFAULT_WHO = Action.PROJECT_WORK.value.who

HEADER = """# Event catalogue

Generated from the aggregates by `make docs`; do not edit by hand (a test compares it with the code).

Every event also carries its envelope: `originator_id` (the aggregate), `originator_version`,
`timestamp` (recorded_at: the clock when it was written, UTC), `effective_at` (when it took effect;
the same as recorded_at except for a backfill of paper history), `actor` and `actor_role` (the
registered person who entered it, 录入人, and their role then), `os_user` and `host` (the machine
account that ran the command). A backfill (`zs --backfill T --by NAME --because TEXT`, docs/domain.md
rule 11) adds `done_by` (the person who did it on paper, 操作人; stored only when it differs from the
actor, so a live event's doer is its actor) and `backfill_reason` (why it was entered later); events
stored before these fields existed read as live. Business dates (`on`, `due_on`, `period`) are facts
inside the events.
"""


def events_of(aggregate: type) -> list[type]:
    found = []
    for name, value in vars(aggregate).items():
        if isinstance(value, type) and issubclass(value, DomainEvent) and name not in ("Event", "Created", "Snapshot"):
            found.append(value)
    return found


def field_rows(event: type) -> list[str]:
    hints = typing.get_type_hints(event)
    return [f"`{name}` ({type_name(hints[name])})" for name in event.model_fields if name not in ENVELOPE]


def type_name(annotation: Any) -> str:
    """A field's type as a reader wants it: enums list their codes; optionals say "or none"."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (Union, UnionType):
        named = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(named) + (" or none" if type(None) in args else "")
    if origin is tuple:
        return f"list of {type_name(args[0])}"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "/".join(m.value for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def catalogue() -> str:
    parts = [HEADER]
    for aggregate in AGGREGATES:
        doc = " ".join((sys.modules[aggregate.__module__].__doc__ or "").split("\n\n")[0].split())
        if aggregate is ReportingPolicy:
            doc = "The ledger's reporting calendar: the policies loaded over time (the notice's is the default)."
        parts.append(f"\n## {aggregate.__name__}\n\n{doc}\n\n| event | fields | who may cause it |\n|---|---|---|\n")
        for event in events_of(aggregate):
            fields = ", ".join(field_rows(event)) or "—"
            version = getattr(event, "class_version", 1)
            name = f"`{aggregate.__name__}.{event.__name__}`" + (f" (v{version})" if version > 1 else "")
            parts.append(f"| {name} | {fields} | {WHO.get(event, DEFAULT_WHO)} |\n")
    return "".join(parts)


if __name__ == "__main__":
    click.echo(catalogue(), nl=False)
