"""The store opened for reading only: what a read command needs when the views are current — the log's
recorder, the clock and the calendar — without the write model (no Ledger, no eventsourcing
application, no event classes). `cli.context.Context.queries` uses it; a store that needs schema
work first, or a command that writes, opens the Ledger instead."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import domain
from domain.ids import aggregate_id
from domain.store import open_for_reading
from domain.timetable import Terms, Timetable
from domain.values import UTC
from projections.db import Db

# LoadedPolicies (domain/policies.py): its kind and key, so that its id is found without its class.
POLICIES_KIND, POLICIES_KEY = "policy", "calendar"


@lru_cache(maxsize=1)
def default_terms() -> Terms:
    """The notice's default policy as plain terms, read from its TOML without building it
    (domain.policy.default_policy reads and checks the same file)."""
    return Terms.stored(tomllib.loads((Path(domain.__file__).parent / "calendar.toml").read_text(encoding="utf-8")))


class StoredCalendar(Timetable):
    """The calendar as `ReadStore.calendar` finds it: the notice's default and the stored policies, as they
    were recorded (each checked when it was loaded), as plain Terms. Its obligations, rules and lamp
    thresholds are the Calendar's own rules (domain/timetable.py), answered without pydantic
    (docs/performance.md)."""

    def __init__(self, stored: list[dict[str, Any]]) -> None:
        super().__init__((default_terms(), *(Terms.stored(p) for p in stored)))


def real_clock() -> datetime:
    return datetime.now(tz=UTC)


class ReadStore:
    """A recorder, a clock and the calendar: what `projections.queries.Queries` reads through."""

    def __init__(self, factory: Any, recorder: Any, store_url: str | None = None) -> None:
        self.factory = factory
        self.recorder = recorder
        self.store_url = store_url
        self.clock = real_clock
        self._db = Db(recorder)

    @classmethod
    def open(cls, url: str) -> ReadStore | None:
        """The store for reading, or None when it needs the Ledger first (see domain.store.open_for_reading)."""
        opened = open_for_reading(url)
        return None if opened is None else cls(*opened, url)

    def calendar(self, as_of: datetime | None = None, known_at: datetime | None = None) -> StoredCalendar:
        """The notice's default policy and every policy loaded, effective by `as_of` and recorded by
        `known_at`: as `Ledger.calendar` answers, from the stored events of the loaded policies."""
        loaded = []
        for *_, data in sorted(self._db.read_aggregates([aggregate_id(POLICIES_KIND, POLICIES_KEY).hex])):
            state = json.loads(data)
            if "policy" not in state:
                continue  # the aggregate's first event, Started, loads none
            if as_of is not None and datetime.fromisoformat(state["effective_at"]) > as_of:
                continue
            if known_at is not None and datetime.fromisoformat(state["timestamp"]) > known_at:
                continue
            loaded.append(state["policy"])
        return StoredCalendar(loaded)

    def close(self) -> None:
        self.factory.close()
