"""The views of the ledger, and the runner that keeps them caught up with its log."""

from __future__ import annotations

from typing import Any

from projections.audit import AuditView
from projections.board import BoardView
from projections.lamp_view import LampView
from projections.reporting_view import ReportingView
from projections.runner import Runner
from projections.supervision_view import SupervisionView


def all_views() -> list[Any]:
    return [BoardView(), ReportingView(), AuditView(), SupervisionView(), LampView()]


def runner_for(ledger: Any) -> Runner:
    return Runner(ledger.recorder, all_views())
