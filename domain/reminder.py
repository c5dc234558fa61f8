"""The reminders mailed to one person on one Shanghai day: each item at most once a day, and each
mailing an event, so the audit trail shows who was reminded of what, and when."""

from __future__ import annotations

from datetime import date

from domain.base import Aggregate, Stamp
from domain.errors import RuleViolated


class Reminder(Aggregate):
    KIND = "reminder"

    class Started(Aggregate.Created):
        person: str
        unit: str | None
        day: date

        def apply(self, reminder: Reminder) -> None:
            reminder.person = self.person
            reminder.unit = self.unit
            reminder.day = self.day
            reminder.items = ()

    class Mailed(Aggregate.Event):
        """One message: to whom, its subject, and the items it reminded of (e.g. `approval:HW/project_status/2021-09`)."""

        to: str
        subject: str
        items: tuple[str, ...]

        def apply(self, reminder: Reminder) -> None:
            reminder.items = reminder.items + self.items

    @staticmethod
    def key(person: str, day: date) -> str:
        return f"{person}/{day.isoformat()}"

    @classmethod
    def start(cls, stamp: Stamp, person: str, unit: str | None, day: date) -> Reminder:
        return cls._start(cls.key(person, day), cls.Started, stamp, person=person, unit=unit, day=day)

    def mailed(self, stamp: Stamp, to: str, subject: str, items: tuple[str, ...]) -> None:
        again = sorted(set(items) & set(self.items))
        if again:
            raise RuleViolated(f"{self.person} was already reminded of {', '.join(again)} on {self.day}")
        if not items:
            raise RuleViolated("a reminder names at least one item")
        self._record(self.Mailed, stamp, to=to, subject=subject, items=tuple(items))
