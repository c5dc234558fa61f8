"""Aggregate ids from natural keys: what the read side needs of the domain's base without pydantic
(domain/immutable.py re-exports them beside the frozen values)."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

from domain.text import nfc

NAMESPACE = UUID("5f1c2f6e-3b1a-4f55-9a43-1d2c9c0e2116")


@lru_cache(maxsize=1 << 16)
def aggregate_id(kind: str, key: str) -> UUID:
    """An aggregate's id from its kind and natural key (`Aggregate.id_for`): found without a lookup
    (a uuid5, computed once per key: a paper import asks per row)."""
    return uuid5(NAMESPACE, f"{kind}:{nfc(key)}")
