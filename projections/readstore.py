"""The store opened for reading only: what a read command needs when the views are current — the log's
recorder, the clock and the calendar — without the write model (no Ledger, no eventsourcing
application, no event classes). `cli.context.Context.queries` uses it; a store that needs schema
work first, or a command that writes, opens the Ledger instead."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import domain
from domain.ids import aggregate_id
from domain.lamps import Thresholds
from domain.store import open_for_reading
from domain.values import UTC
from projections.db import Db

# LoadedPolicies (domain/policies.py): its kind and key, so that its id is found without its class.
POLICIES_KIND, POLICIES_KEY = "policy", "calendar"

if TYPE_CHECKING:
    from domain.policy import Calendar


@lru_cache(maxsize=1)
def default_lamps() -> tuple[date, Thresholds]:
    """The notice's default policy's first day and lamp rules, read from its TOML without building it
    (domain.policy.default_policy reads the same file)."""
    data = tomllib.loads((Path(domain.__file__).parent / "calendar.toml").read_text(encoding="utf-8"))
    return data["effective_from"], Thresholds.stored(data.get("lamps"))


class StoredCalendar:
    """The calendar as `ReadStore.calendar` finds it: the stored policies, as they were recorded (each
    checked when it was loaded). `lamps_on` answers from them without pydantic, which is all the board
    needs (docs/performance.md); anything else builds the `Calendar` of `Policy` models once and asks it."""

    def __init__(self, stored: list[dict[str, Any]]) -> None:
        self._stored = stored
        self._calendar: Calendar | None = None
        first, lamps = default_lamps()
        # Calendar's order: by first day, the default first among equals (a stable sort)
        self._lamps = sorted([(first, lamps), *((date.fromisoformat(p["effective_from"]),
                                                  Thresholds.stored(p.get("lamps"))) for p in stored)],
                             key=lambda entry: entry[0])

    def lamps_on(self, day: date) -> Thresholds:
        """As `Calendar.lamps_on`: the lamp rules of the policy in force on a Shanghai day."""
        in_force = [lamps for first, lamps in self._lamps if first <= day]
        return in_force[-1] if in_force else self._lamps[0][1]

    def full(self) -> Calendar:
        if self._calendar is None:
            from domain.policy import Calendar, Policy, default_policy

            self._calendar = Calendar((default_policy(), *(Policy.model_validate(p) for p in self._stored)))
        return self._calendar

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not the Calendar's: copy's and pickle's probes, or before __init__
            raise AttributeError(name)
        return getattr(self.full(), name)


def real_clock() -> datetime:
    return datetime.now(tz=UTC)


class ReadStore:
    """A recorder, a clock and the calendar: what `projections.queries.Queries` reads through."""

    def __init__(self, factory: Any, recorder: Any) -> None:
        self.factory = factory
        self.recorder = recorder
        self.clock = real_clock
        self._db = Db(recorder)

    @classmethod
    def open(cls, url: str) -> ReadStore | None:
        """The store for reading, or None when it needs the Ledger first (see domain.store.open_for_reading)."""
        opened = open_for_reading(url)
        return None if opened is None else cls(*opened)

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
