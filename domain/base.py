"""Immutable pydantic events and values, the aggregate base, and the project's own event mapper.

eventsourcing 9.5.6 ships no pydantic support, so the mapper lives here: it stores an event as
the JSON of `model_dump(mode="json")` and, when reading, upcasts old versions step by step
(`upcast_v1_v2`, ...) before validating into the current class.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid5

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.text import clean_fields, nfc

NAMESPACE = UUID("5f1c2f6e-3b1a-4f55-9a43-1d2c9c0e2116")


class Immutable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Stamp(Immutable):
    """Who caused an event, from which machine, and its two times (DOMAIN.md rules 7 and 8)."""

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
        return uuid5(NAMESPACE, f"{cls.KIND}:{nfc(key)}")

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


class _NoTranscoder(Transcoder):
    """The mapper serialises through pydantic, so the library's transcoder is never used."""

    def encode(self, obj: Any) -> bytes:  # pragma: no cover - never called
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


class PydanticMapper(Mapper[UUID]):
    """Stores events as compact JSON from pydantic; upcasts by `class_version` when reading."""

    def __init__(self, transcoder: Transcoder | None = None, compressor: Any = None, cipher: Any = None):
        super().__init__(transcoder or _NoTranscoder(), compressor, cipher)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = type(domain_event)
        state = domain_event.model_dump(mode="json", exclude={"originator_id", "originator_version"})
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        data = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(cls),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = resolve_topic(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            state: dict[str, Any] = json.loads(data)
        except Exception as error:
            raise MapperDeserialisationError(
                f"cannot read stored event {stored_event.topic} v{stored_event.originator_version}: {error}"
            ) from error
        upcast(cls, state)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        return cls.model_validate(state)


def upcast(cls: type, state: dict[str, Any]) -> None:
    """Bring a stored event's state up to its class's current `class_version`, in place."""
    version = state.pop("class_version", 1)
    current = getattr(cls, "class_version", 1)
    while version < current:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
