"""The views: tables in the ledger's own database, fed by its events (never by aggregates), one module
each; `all_views` lists them for the runner that keeps them caught up with the log."""

from __future__ import annotations

from typing import Any

from projections.runner import Runner, View
from projections.views.audit import AuditView
from projections.views.board import BoardView
from projections.views.lamps import LampView
from projections.views.reports import ReportView
from projections.views.supervision import SupervisionView
from projections.views.units import UnitView


def all_views() -> list[View]:
    return [BoardView(), UnitView(), ReportView(), AuditView(), SupervisionView(), LampView()]


def runner_for(ledger: Any) -> Runner:
    return Runner(ledger.recorder, all_views(), getattr(ledger, "store_url", None))
