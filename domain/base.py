"""Immutable pydantic events and values, and the aggregate base; the mapper is in domain/mapper.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from pydantic import AwareDatetime

from domain.immutable import NAMESPACE, Immutable, aggregate_id
from domain.text import clean_fields

__all__ = ["NAMESPACE", "Aggregate", "DomainEvent", "Immutable", "Stamp", "aggregate_id"]


class Stamp(Immutable):
    """Who caused an event, from which machine, and its two times (docs/domain.md rules 7 and 8)."""

    actor: str
    actor_role: str
    os_user: str
    host: str
    recorded_at: AwareDatetime
    effective_at: AwareDatetime


class DomainEvent(Immutable):
    """Every event: its aggregate, position, recorded time (`timestamp`) and its stamp fields."""

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    effective_at: AwareDatetime
    actor: str
    actor_role: str
    os_user: str
    host: str

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    def details(self) -> dict[str, Any]:
        """The event's own facts, for histories and the audit trail."""
        return self.model_dump(mode="json", exclude=_ENVELOPE)


_ENVELOPE = {
    "originator_id", "originator_version", "timestamp", "effective_at",
    "actor", "actor_role", "os_user", "host", "originator_topic",
}

TAggregate = TypeVar("TAggregate", bound="Aggregate")



class Aggregate(BaseAggregate[UUID]):
    """Base of the ledger's aggregates: ids derive from natural keys; events carry a Stamp."""

    KIND: ClassVar[str]

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        def apply(self, aggregate: Any) -> None:  # overridden by each event
            pass

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

    @classmethod
    def id_for(cls, key: str) -> UUID:
        return aggregate_id(cls.KIND, key)

    @classmethod
    def _start(cls: type[TAggregate], key: str, event_class: type, stamp: Stamp, **fields: Any) -> TAggregate:
        return cls._create(event_class, id=cls.id_for(key), **_stamp_fields(stamp), **clean_fields(fields))

    def _record(self, event_class: type, stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event_class, **_stamp_fields(stamp), **clean_fields(fields))


def _stamp_fields(stamp: Stamp) -> dict[str, Any]:
    return {
        "timestamp": stamp.recorded_at,
        "effective_at": stamp.effective_at,
        "actor": stamp.actor,
        "actor_role": stamp.actor_role,
        "os_user": stamp.os_user,
        "host": stamp.host,
    }
