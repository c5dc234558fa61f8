"""The project's own event mapper, a persistence adapter.

eventsourcing 9.5.6 ships no pydantic support, so the mapper is ours: it stores an event as the JSON
of `model_dump(mode="json")` and, when reading, upcasts old versions step by step
(`upcast_v1_v2`, ...) before validating into the current class.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic


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
        if state.get("backfill_reason") is None:  # a live event: its doer is its actor (rule 11)
            state.pop("backfill_reason", None)
            if state.get("done_by") == state.get("actor"):
                state.pop("done_by", None)
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
