"""Every event a ledger of today's code stored stays readable (docs/architecture.md, upcasting; issue
11): tests/fixtures/ledger-2026-12-04.jsonl.gz holds the stored events of `zs demo` plus a 督办's
loop, a plan, a signing key and checkpoint, a password, a token and an e-mail address, as written on
2026-12-04. A class renamed or moved without `register_topic`, or an event changed without an upcaster,
makes this test fail."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from domain.mapper import PydanticMapper

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ledger-2026-12-04.jsonl.gz"


def stored_events() -> list[StoredEvent]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as lines:
        return [StoredEvent(originator_id=UUID(row["originator_id"]), originator_version=row["originator_version"],
                            topic=row["topic"], state=row["state"].encode("utf-8"))
                for row in map(json.loads, lines)]


def test_every_stored_event_reads_back_as_its_current_class():
    mapper = PydanticMapper()
    events = stored_events()
    assert len(events) == 2300
    for stored in events:
        event = mapper.to_domain_event(stored)
        assert isinstance(event, resolve_topic(stored.topic))
        assert (event.originator_id, event.originator_version) == (stored.originator_id, stored.originator_version)


def test_every_aggregate_of_the_stored_ledger_is_rebuilt_from_its_events():
    mapper = PydanticMapper()
    histories: dict[UUID, list] = defaultdict(list)
    for stored in stored_events():
        histories[stored.originator_id].append(mapper.to_domain_event(stored))
    kinds = defaultdict(int)
    for history in histories.values():
        aggregate = None
        for event in sorted(history, key=lambda e: e.originator_version):
            aggregate = event.mutate(aggregate)
        assert aggregate is not None and aggregate.version == len(history)
        kinds[type(aggregate).__name__] += 1
    assert {"Unit", "Person", "Project", "Problem", "Report", "Supervision", "LogKey"} <= set(kinds)


def test_the_fixture_covers_the_ledgers_kinds_of_event():
    topics = {stored.topic for stored in stored_events()}
    assert len(topics) >= 37
