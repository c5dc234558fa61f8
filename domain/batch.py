"""A unit of work (`Ledger.batch`): the aggregates its commands loaded, as those commands left them, and
the events they recorded, which the Ledger saves together, in one transaction, when the batch ends.
A long batch can write what it holds so far into that transaction (`Batch.flush`) and let it go."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from domain.base import Aggregate


class Batch:
    def __init__(self, write: Callable[[list[Aggregate.Event]], bool] | None = None) -> None:
        self._write = write  # writes events into the batch's one transaction; False if the store cannot
        self.events: list[Aggregate.Event] = []  # collected, not yet written
        self.flushed = 0  # how many events `flush` has written so far
        self.aggregates: dict[UUID, Aggregate] = {}
        self._by_aggregate: dict[UUID, list[Aggregate.Event]] = {}
        self._created: list[tuple[type, UUID]] = []  # (first event's class, aggregate id), in order
        self._indexed = 0  # how many of `events` the two above know: filled in when asked, not per event
        self.stored: dict[UUID, tuple[Aggregate.Event, ...]] = {}  # `Ledger.history`'s stored part, read once
        self.states: dict[UUID, tuple[int, Any]] = {}  # `Ledger.state_at`: (events folded, the state they make)

    def aggregate(self, aggregate_id: UUID, load: Callable[[UUID], Aggregate | None]) -> Aggregate | None:
        """The aggregate as this batch's commands left it; loaded from the store the first time."""
        found = self.aggregates.get(aggregate_id)
        if found is None:
            found = load(aggregate_id)
            if found is not None:
                self.aggregates[aggregate_id] = found
        elif found.pending_events:  # a command changed it, then failed before saving: undo that
            found = self._replayed(aggregate_id, load)
        return found

    def collect(self, saved: Iterable[Any]) -> None:
        """What one command saves: its aggregates' new events join the batch, in order."""
        events, kinds = self.events, _IS_AGGREGATE
        with collector_paused():
            for item in saved:
                cls = type(item)
                is_aggregate = kinds.get(cls)
                if is_aggregate is None:  # isinstance() through Aggregate's ABCMeta costs more; the MRO is long
                    is_aggregate = kinds[cls] = Aggregate in cls.__mro__
                if is_aggregate:
                    self.aggregates[item.id] = item
                    events.extend(item.collect_events())
                else:
                    events.append(item)

    def flush(self) -> None:
        """Writes the events collected so far into the batch's one transaction, opened by the first
        flush, and lets them go: memory stays flat however long the batch. The transaction commits when
        the batch ends, or rolls back whole if anything raises: other connections see nothing before.
        This Ledger's own reads inside the batch go through that transaction and so see these events
        as stored. Where the store cannot hold a transaction open (PostgreSQL, for now), the events
        stay in the batch until its end, as without a flush."""
        if not self.events or self._write is None or not self._write(self.events):
            return
        self.flushed += len(self.events)
        self.events = []
        self._by_aggregate, self._created, self._indexed = {}, [], 0
        self.stored, self.states = {}, {}  # read before this flush: stored now, pending no more

    @property
    def by_aggregate(self) -> dict[UUID, list[Aggregate.Event]]:
        """The batch's events of each aggregate, in order."""
        self._index()
        return self._by_aggregate

    @property
    def created(self) -> list[tuple[type, UUID]]:
        """(first event's class, aggregate id) of the aggregates the batch created, in order."""
        self._index()
        return self._created

    def _index(self) -> None:
        # A slice, not islice(): islice would step over the events already indexed, one by one, on
        # every call (a paper import asks once per row: quadratic in the batch's length).
        for event in self.events[self._indexed:]:
            self._by_aggregate.setdefault(event.originator_id, []).append(event)
            if event.originator_version == 1:
                self._created.append((type(event), event.originator_id))
        self._indexed = len(self.events)

    def _replayed(self, aggregate_id: UUID, load: Callable[[UUID], Aggregate | None]) -> Aggregate | None:
        state = load(aggregate_id)
        for event in self.by_aggregate.get(aggregate_id, ()):
            state = event.mutate(state)
        if state is None:
            self.aggregates.pop(aggregate_id, None)
        else:
            self.aggregates[aggregate_id] = state
        return state


_IS_AGGREGATE: dict[type, bool] = {}  # an aggregate's class or an event's: whether it is an aggregate


@contextmanager
def collector_paused() -> Iterator[None]:
    """Collecting and mapping many events allocates many objects, none in a cycle; left on, the cyclic
    garbage collector would sweep every live aggregate again and again meanwhile (half the time of a
    bulk write)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class UnitOfWork:
    """The batch open on a Ledger, if any. One object, shared by the Ledger's shallow copies
    (`copy.copy(ledger)`), so a copy made inside a batch records into that batch."""

    def __init__(self) -> None:
        self.batch: Batch | None = None

    def pending(self, aggregate_id: UUID) -> list[Aggregate.Event]:
        """The events the open batch holds for an aggregate, not yet stored."""
        return list(self.batch.by_aggregate.get(aggregate_id, ())) if self.batch else []

    def created(self, first_event: type) -> list[UUID]:
        """The aggregates the open batch created with this first event, in order."""
        return [i for cls, i in self.batch.created if cls is first_event] if self.batch else []
