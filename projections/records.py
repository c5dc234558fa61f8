"""The shapes `show` commands print for one aggregate, read from the aggregate itself (its JSON keys
are a contract); lists and boards read the views (projections/queries.py) in the same shapes."""

from __future__ import annotations

from typing import Any

from domain.application import Ledger
from domain.problem import Problem
from domain.report import Report
from domain.unit import Unit
from domain.values import Role


def unit_record(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "sectors": list(unit.sectors),
        "department": unit.department, "enrolled_on": unit.enrolled_on, "withdrawn_on": unit.withdrawn_on,
        "principal": unit.officer(Role.PRINCIPAL), "leader": unit.officer(Role.LEADER),
        "liaison": unit.officer(Role.LIAISON),
    }


def term_records(unit: Unit) -> list[dict[str, Any]]:
    return [term.model_dump() for term in unit.terms]


def problem_record(problem: Problem) -> dict[str, Any]:
    return {
        "id": problem.problem_id, "project": problem.project, "unit": problem.unit, "title": problem.title,
        "category": problem.category, "status": problem.status, "raised_at": problem.raised_at,
        "due_on": problem.due_on, "closed_at": problem.closed_at,
    }


def history_records(ledger: Ledger, aggregate_id: Any) -> list[dict[str, Any]]:
    return [
        {"recorded_at": e.timestamp, "effective_at": e.effective_at, "actor": e.actor,
         "actor_role": e.actor_role, "done_by": e.done_by, "backfill_reason": e.backfill_reason,
         "os_user": e.os_user, "host": e.host,
         "event": type(e).__name__, "details": e.details()}
        for e in ledger.history(aggregate_id)
    ]


def report_record(report: Report) -> dict[str, Any]:
    return {
        "id": report.report_id, "unit": report.unit, "kind": report.kind, "period": report.period,
        "status": report.status, "version": report.revision, "drafted_by": report.drafted_by,
        "approved_by": report.approved_by, "approved_at": report.approved_at, "sent_by": report.sent_by,
        "sent_at": report.sent_at, "sealed": report.sealed, "reviewed_by": report.reviewed_by,
        "reviewed_at": report.reviewed_at, "return_reason": report.return_reason,
        "attachments": [a.model_dump() for a in report.attachments],
    }
