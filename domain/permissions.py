"""Who may do what (docs/domain.md rule 8). A refusal names the actor and who may act instead."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import NotPermitted
from domain.values import Role

UNIT_ROLES = frozenset({Role.PRINCIPAL, Role.LEADER, Role.LIAISON, Role.STAFF})
REPORTING_ROLES = frozenset({Role.PRINCIPAL, Role.LEADER, Role.LIAISON})


@dataclass(frozen=True)
class Rule:
    any_unit: frozenset[Role]
    own_unit: frozenset[Role]
    who: str


class Action(Enum):
    SET_UP = Rule(frozenset({Role.ADMIN}), frozenset(), "only an admin may set up units and people or load a policy")
    PROJECT_WORK = Rule(
        frozenset({Role.OFFICE}), UNIT_ROLES,
        "only the office, or the project's own unit (principal, leader, liaison, staff), may do this",
    )
    OFFICE_REVIEW = Rule(
        frozenset({Role.OFFICE}), frozenset(),
        "only the office may promote or demote, evaluate, correct a stage, or close or reopen a problem",
    )
    REPORT = Rule(
        frozenset(), REPORTING_ROLES,
        "only the unit's principal, leader or liaison may draft and send its reports",
    )
    APPROVE = Rule(frozenset(), frozenset({Role.PRINCIPAL}), "only the unit's current principal may approve its reports")
    REVIEW = Rule(
        frozenset({Role.OFFICE}), frozenset(),
        "only the office may accept or return reports and backfill paper history",
    )
    SUPERVISE = Rule(frozenset({Role.OFFICE}), frozenset(), "only the office may open, close or reopen a 督办")
    REMIND = Rule(frozenset({Role.OFFICE}), frozenset(), "only the office may send reminders by mail")
    ANSWER_SUPERVISION = Rule(
        frozenset(), REPORTING_ROLES, "only the unit's principal, leader or liaison may answer its 督办",
    )
    KEEP_LOG = Rule(frozenset({Role.OFFICE}), frozenset(), "only the office may create the log's key or sign a checkpoint")


def check(actor_name: str, role: Role, actor_unit: str | None, action: Action, unit: str | None = None) -> None:
    rule = action.value
    if role in rule.any_unit:
        return
    if role in rule.own_unit and unit is not None and actor_unit == unit:
        return
    where = f" of {actor_unit}" if actor_unit else ""
    raise NotPermitted(f"{actor_name} ({role.value}{where}) may not do this: {rule.who}")
