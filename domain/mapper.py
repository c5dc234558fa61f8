"""The project's own event mapper, a persistence adapter.

eventsourcing 9.5.6 ships no pydantic support, so the mapper is ours: it stores an event as the JSON
of `model_dump(mode="json")` and, when reading, upcasts old versions step by step
(`upcast_v1_v2`, ...) before validating into the current class.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

import domain.topics  # noqa: F401  the stored topics of moved classes, registered before any is read


_POSITION = {"originator_id", "originator_version"}  # kept in the stored event's own columns
_LIVE = _POSITION | {"backfill_reason"}
_LIVE_AS_ACTOR = _LIVE | {"done_by"}


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
        for stored in self.stored_events((domain_event,)):
            return stored
        raise AssertionError("unreachable")  # pragma: no cover

    def stored_events(self, domain_events: Iterable[Any]) -> Iterator[StoredEvent]:
        """Each event as a stored event, one at a time as they are read (`Mapped`)."""
        for event, topic, data in self._encoded(domain_events):
            yield StoredEvent(event.originator_id, event.originator_version, topic, data)

    def rows(self, domain_events: Iterable[Any]) -> Iterator[tuple[bytes, int, str, bytes]]:
        """Each event as the row it is stored as, (aggregate id as 16 bytes, version, topic, state),
        without a StoredEvent: for a bulk insert, one at a time as they are read."""
        for event, topic, data in self._encoded(domain_events):
            yield event.originator_id.int.to_bytes(16, "big"), event.originator_version, topic, data

    def _encoded(self, domain_events: Iterable[Any]) -> Iterator[tuple[Any, str, bytes]]:
        known, compressor, cipher = _KNOWN, self.compressor, self.cipher
        for event in domain_events:
            cls = type(event)
            topic, head = known.get(cls) or _know(cls)
            exclude = _POSITION
            if getattr(event, "backfill_reason", None) is None:  # a live event: its doer is its actor (rule 11)
                exclude = _LIVE_AS_ACTOR if getattr(event, "done_by", None) == getattr(event, "actor", None) else _LIVE
            data = event.__pydantic_serializer__.to_json(event, exclude=exclude)
            if head:  # the class version, read back by `upcast` wherever it stands among the keys
                data = head + data[1:]
            if compressor:
                data = compressor.compress(data)
            if cipher:
                data = cipher.encrypt(data)
            yield event, topic, data

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


class Mapped(Sequence[StoredEvent]):
    """Domain events as stored events, each mapped when it is first read, and once: a bulk insert maps
    each event while the rows before it are on their way to the database, and a second read (a
    recorder's leaves) finds them mapped. `rows()` maps them as plain rows, for one pass."""

    def __init__(self, events: Sequence[Any], mapper: PydanticMapper) -> None:
        self.events, self.mapper, self.mapped = events, mapper, []
        self._source = mapper.stored_events(events)

    def rows(self) -> Iterator[tuple[bytes, int, str, bytes]]:
        return self.mapper.rows(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[StoredEvent]:
        mapped, source, index = self.mapped, self._source, 0
        while True:
            if index == len(mapped):
                stored = next(source, None)
                if stored is None:
                    return
                mapped.append(stored)
            yield mapped[index]
            index += 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and index >= 0:
            for _ in islice(self, index + 1):  # maps what comes before it too
                pass
            return self.mapped[index]
        return list(self)[index]


def _know(cls: type) -> tuple[str, bytes]:
    """An event class's topic and the start of its JSON when its class version is past 1 (looked up
    once: a missing class attribute costs a pydantic model class a slow __getattr__)."""
    version = getattr(cls, "class_version", 1)
    _KNOWN[cls] = get_topic(cls), b'{"class_version":%d,' % version if version > 1 else b""
    return _KNOWN[cls]


_KNOWN: dict[type, tuple[str, bytes]] = {}


def upcast(cls: type, state: dict[str, Any]) -> None:
    """Bring a stored event's state up to its class's current `class_version`, in place."""
    version = state.pop("class_version", 1)
    current = getattr(cls, "class_version", 1)
    while version < current:
        getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
        version += 1
