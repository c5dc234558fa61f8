"""Immutable pydantic events and values, and the aggregate base; the mapper is in domain/mapper.py."""

from __future__ import annotations

from functools import lru_cache
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid5

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.errors import RuleViolated
from domain.text import clean_fields, nfc
from domain.values import SHANGHAI

NAMESPACE = UUID("5f1c2f6e-3b1a-4f55-9a43-1d2c9c0e2116")


class Immutable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stamp(Immutable):
    """Who caused an event, from which machine, and its two times (docs/domain.md rules 7 and 8).
    A backfill (rule 11) adds who did it on paper (`done_by`) and why it is entered now."""

    actor: str
    actor_role: str
    os_user: str
    host: str
    recorded_at: AwareDatetime
    effective_at: AwareDatetime
    done_by: str | None = None
    backfill_reason: str | None = None

    @property
    def backfilled(self) -> bool:
        return self.backfill_reason is not None


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
    # Who did it (on paper, for a backfill); the actor when live, and then not stored (rule 11).
    done_by: str = Field(default_factory=lambda fields: fields["actor"])
    backfill_reason: str | None = None  # set only on a backfill

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    @property
    def backfilled(self) -> bool:
        return self.backfill_reason is not None

    def details(self) -> dict[str, Any]:
        """The event's own facts, for histories and the audit trail."""
        return self.model_dump(mode="json", exclude=_ENVELOPE)


_ENVELOPE = {
    "originator_id", "originator_version", "timestamp", "effective_at",
    "actor", "actor_role", "os_user", "host", "originator_topic", "done_by", "backfill_reason",
}

TAggregate = TypeVar("TAggregate", bound="Aggregate")


class Aggregate(BaseAggregate[UUID]):
    """Base of the ledger's aggregates: ids derive from natural keys; events carry a Stamp."""

    KIND: ClassVar[str]

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        def apply(self, aggregate: Any) -> None:  # overridden by each event
            pass

        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            aggregate.last_effective = (self.effective_at, self.backfilled)
            return aggregate

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

    @classmethod
    def id_for(cls, key: str) -> UUID:
        return _id_for(cls.KIND, key)

    @classmethod
    def _start(cls: type[TAggregate], key: str, event_class: type, stamp: Stamp, **fields: Any) -> TAggregate:
        return cls._create(event_class, id=cls.id_for(key), **_stamp_fields(stamp), **clean_fields(fields))

    def _record(self, event_class: type, stamp: Stamp, **fields: Any) -> None:
        if stamp.backfilled:
            self.check_backfill_order(stamp)
        self.trigger_event(event_class, **_stamp_fields(stamp), **clean_fields(fields))

    def check_backfill_order(self, stamp: Stamp) -> None:
        """Rule 11: an aggregate's paper history comes in effective-time order, before its live events."""
        last, backfilled = self.last_effective
        if stamp.effective_at >= last:
            return
        when = f"{last.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}"
        if backfilled:
            raise RuleViolated(f"this {self.KIND}'s paper history already reaches {when} (Shanghai); backfills of one "
                               f"{self.KIND} are entered in effective-time order, so enter the earlier ones first")
        raise RuleViolated(f"this {self.KIND} already has live events (the latest took effect {when}, Shanghai); "
                           f"paper history is entered before live events, so it can no longer be backfilled "
                           f"before that moment")


def _stamp_fields(stamp: Stamp) -> dict[str, Any]:
    fields = {
        "timestamp": stamp.recorded_at,
        "effective_at": stamp.effective_at,
        "actor": stamp.actor,
        "actor_role": stamp.actor_role,
        "os_user": stamp.os_user,
        "host": stamp.host,
    }
    if stamp.backfilled:
        fields.update(done_by=stamp.done_by or stamp.actor, backfill_reason=stamp.backfill_reason)
    return fields


@lru_cache(maxsize=1 << 16)
def _id_for(kind: str, key: str) -> UUID:
    """An aggregate's id from its kind and key (a uuid5, computed once: a paper import asks per row)."""
    return uuid5(NAMESPACE, f"{kind}:{nfc(key)}")
