"""Frozen pydantic values, and aggregate ids from natural keys (domain/ids.py): what values need of the
domain's base, without the aggregates' machinery (eventsourcing.domain), which domain/base.py adds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.ids import NAMESPACE, aggregate_id

__all__ = ["NAMESPACE", "Immutable", "aggregate_id"]


class Immutable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
