"""Frozen pydantic values, and aggregate ids from natural keys: what values and the read side need of the
domain's base, without the aggregates' machinery (eventsourcing.domain), which domain/base.py adds."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from domain.text import nfc

NAMESPACE = UUID("5f1c2f6e-3b1a-4f55-9a43-1d2c9c0e2116")


class Immutable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@lru_cache(maxsize=1 << 16)
def aggregate_id(kind: str, key: str) -> UUID:
    """An aggregate's id from its kind and natural key (`Aggregate.id_for`): found without a lookup
    (a uuid5, computed once per key: a paper import asks per row)."""
    return uuid5(NAMESPACE, f"{kind}:{nfc(key)}")
