"""The policies loaded into the ledger: the one aggregate of the reporting calendar (docs/calendar.md)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from domain.base import Aggregate, Stamp
from domain.errors import RuleViolated
from domain.policy import Policy


class LoadedPolicies(Aggregate):
    """The policies loaded into the ledger over time (`zs policy load`); with the notice's default
    they make its `Calendar` (`Ledger.calendar`). Stored under its first name: its topics are pinned
    to `domain.report:ReportingPolicy`, so stored events read back and the audit trail names them as
    it always has (domain/topics.py registers them before any is read)."""

    KIND = "policy"
    KEY = "calendar"
    TOPIC = "domain.report:ReportingPolicy"

    class Created(Aggregate.Created):  # eventsourcing's own, never recorded (`Started` is)
        TOPIC: ClassVar[str] = "domain.report:ReportingPolicy.Created"

    class Started(Aggregate.Created):
        TOPIC: ClassVar[str] = "domain.report:ReportingPolicy.Started"

        def apply(self, loaded: LoadedPolicies) -> None:
            loaded.policies = ()

    class Loaded(Aggregate.Event):
        TOPIC: ClassVar[str] = "domain.report:ReportingPolicy.Loaded"
        policy: Policy
        source: str

        def apply(self, loaded: LoadedPolicies) -> None:
            loaded.policies = loaded.policies + (self.policy,)

    @classmethod
    def start(cls, stamp: Stamp) -> LoadedPolicies:
        return cls._start(cls.KEY, cls.Started, stamp)

    def load(self, stamp: Stamp, policy: Policy, source: str, today: date) -> None:
        if policy.effective_from < today:
            raise RuleViolated(
                f"a policy takes effect from today or later; {policy.effective_from} is in the past (today is {today})"
            )
        self._record(self.Loaded, stamp, policy=policy, source=source)
