"""The reporting calendar's rules in plain Python, written once: the day a report rule makes a period
fall due and open, and which policy in force governs each obligation. domain/policy.py's pydantic models
check a policy when it is loaded and take these rules by inheritance (`ReportRule` is a `DueRules`, `Policy`
a `PolicyRules`, `Calendar` a `Timetable`); a read builds `Terms` from the stored, already-checked policies
and answers the same obligations without pydantic (projections/readstore.py, docs/performance.md)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.errors import InvalidValue, RuleViolated
from domain.lamps import Thresholds
from domain.period import Cadence, Period


class DueRules:
    """What a report rule says of a period: when it falls due, from when it is owed, whether it may be
    drafted yet. Its fields are `Rule`'s (checked on loading by domain.policy.ReportRule)."""

    if TYPE_CHECKING:
        kind: str
        title: str
        cadence: Cadence
        covers: str
        due_month: int
        due_day: int | None
        due: date | None

    def due_on(self, period: Period) -> date:
        if self.cadence is Cadence.ONCE:
            assert self.due is not None
            return self.due
        base = period.next().first_day if self.covers == "previous" else period.first_day
        month = base.month + self.due_month - 1
        year, month = base.year + (month - 1) // 12, (month - 1) % 12 + 1
        assert self.due_day is not None
        return date(year, month, min(self.due_day, calendar.monthrange(year, month)[1]))

    def opens_on(self, period: Period, effective_from: date) -> date:
        """From when the report is owed and can be prepared: the day after its period, or for a
        report on the current period (a plan), the period's first day."""
        if self.cadence is Cadence.ONCE:
            return effective_from
        return period.last_day + timedelta(days=1) if self.covers == "previous" else period.first_day

    def check_draftable(self, period: Period, today: date) -> None:
        """docs/domain.md rules 6 and 20: a report on a period is drafted from the day it opens (the day
        after its period); a report on the current period (the annual plan) at most a year ahead; a
        report owed once (the liaison form) at any time."""
        if self.cadence is Cadence.ONCE:
            return
        opens = self.opens_on(period, today)
        if self.covers == "previous" and today < opens:
            raise RuleViolated(f"the period {period} has not ended yet; report on it from {opens}")
        if self.covers == "current" and period.first_day.year > today.year + 1:
            raise RuleViolated(f"the {self.kind} for {period} is too far ahead; it can be drafted from "
                               f"{period.first_day.year - 1}")

    def periods_due(self, after: date, until: date) -> Iterator[Period]:
        """The periods whose due date lies in (after, until], in order."""
        if self.cadence is Cadence.ONCE:
            if after < self.due_on(Period(Cadence.ONCE)) <= until:
                yield Period(Cadence.ONCE)
            return
        period = _period_containing(self.cadence, date(after.year - 2, 1, 1))
        while (due := self.due_on(period)) <= until:
            if due > after:
                yield period
            period = period.next()


def _period_containing(cadence: Cadence, day: date) -> Period:
    if cadence is Cadence.MONTHLY:
        return Period(cadence, day.year, day.month)
    if cadence is Cadence.QUARTERLY:
        return Period(cadence, day.year, (day.month - 1) // 3 + 1)
    return Period(cadence, day.year)


@dataclass(frozen=True)
class Rule(DueRules):
    """A report rule as plain values; its defaults are ReportRule's (which takes them from here)."""

    kind: str
    title: str
    cadence: Cadence
    covers: str = "previous"
    due_month: int = 1
    due_day: int | None = None
    due: date | None = None


@dataclass(frozen=True)
class Moved:
    """A shifted due day as plain values (domain.policy.Shift)."""

    period: str
    due: date
    kind: str | None = None


class PolicyRules:
    """What a policy says of a kind and period: its rule, and its due day (a shift first). Its fields are
    `Terms`' (checked on loading by domain.policy.Policy)."""

    if TYPE_CHECKING:
        effective_from: date
        reports: tuple[DueRules, ...]
        shifts: tuple[Any, ...]
        lamps: Any

    def rule(self, kind: str) -> Any:
        for rule in self.reports:
            if rule.kind == kind:
                return rule
        raise InvalidValue(f"unknown report kind {kind!r}; this policy has: {', '.join(self.kinds)}")

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.reports)

    def due_on(self, kind: str, period: Period) -> date:
        for shift in self.shifts:
            if shift.period == str(period) and shift.kind in (None, kind):
                return shift.due
        return self.rule(kind).due_on(period)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class Terms(PolicyRules):
    """A policy as plain values: what the calendar's rules read of it."""

    effective_from: date
    reports: tuple[Rule, ...]
    shifts: tuple[Moved, ...] = ()
    lamps: Thresholds = Thresholds()

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> Terms:
        """From a policy already checked: as stored (`model_dump(mode="json")`) or as its TOML text reads."""
        def rule(r: Mapping[str, Any]) -> Rule:
            values = {**r, "cadence": Cadence(r["cadence"])}
            if values.get("due") is not None:
                values["due"] = _day(values["due"])
            return Rule(**values)

        return cls(_day(data["effective_from"]), tuple(rule(r) for r in data.get("reports", data.get("report", ()))),
                   tuple(Moved(s["period"], _day(s["due"]), s.get("kind"))
                         for s in data.get("shifts", data.get("shift", ()))),
                   Thresholds.stored(data.get("lamps")))


@dataclass(frozen=True, order=True)
class Obligation:
    """A report a unit owes: its kind and period, with the day it falls due."""

    due_on: date
    kind: str
    period: Period
    opens_on: date


class Timetable:
    """The policies in force, oldest first; each governs the due dates from its effective day."""

    def __init__(self, policies: Sequence[PolicyRules]) -> None:
        self.policies = tuple(sorted(policies, key=lambda p: p.effective_from))

    def policy_on(self, day: date) -> Any:
        in_force = [p for p in self.policies if p.effective_from <= day]
        return in_force[-1] if in_force else self.policies[0]

    def lamps_on(self, day: date) -> Any:
        """The lamp rules in force on a Shanghai day: a later policy never relights the past."""
        return self.policy_on(day).lamps

    def obligations(self, after: date, until: date) -> list[Obligation]:
        """Every obligation due in (after, until], each (kind, period) once, ordered by due day."""
        return list(_obligations(self.policies, after, until))

    def _obligations(self, after: date, until: date) -> tuple[Obligation, ...]:
        seen: set[tuple[str, Period]] = set()
        found = []
        for policy in self.policies:
            start = max(after, policy.effective_from - timedelta(days=1))
            for rule in policy.reports:
                for period in rule.periods_due(start - timedelta(days=62), until + timedelta(days=62)):
                    if (rule.kind, period) in seen:
                        continue
                    seen.add((rule.kind, period))
                    obligation = self.obligation(rule.kind, period)
                    if obligation is not None and after < obligation.due_on <= until:
                        found.append(obligation)
        return tuple(sorted(found))

    def obligation(self, kind: str, period: Period) -> Obligation | None:
        """The obligation for (kind, period) if a policy makes one: the oldest policy that governs it
        wins, so a period that fell due under one policy is never owed again under the next."""
        for index in range(len(self.policies)):
            obligation = self._governed(index, kind, period)
            if obligation is not None:
                return obligation
        return None

    def _governed(self, index: int, kind: str, period: Period) -> Obligation | None:
        """The obligation policy `index` makes for (kind, period), if it governs it: its due day
        falls in the policy's own time in force — or after it, when the next policy would have made
        it due before that policy began (so a change never leaves a period owed by neither)."""
        policy = self.policies[index]
        if kind not in policy.kinds or policy.rule(kind).cadence is not period.cadence:
            return None
        due = policy.due_on(kind, period)
        if due < policy.effective_from:
            return None
        if index + 1 < len(self.policies):
            successor = self.policies[index + 1]
            if due >= successor.effective_from:
                takes_over = kind in successor.kinds and successor.rule(kind).cadence is period.cadence
                if not takes_over or successor.due_on(kind, period) >= successor.effective_from:
                    return None
        rule = policy.rule(kind)
        return Obligation(due, kind, period, rule.opens_on(period, policy.effective_from))

    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for p in self.policies for k in p.kinds))

    def rule(self, kind: str) -> Any:
        """The rule of a report kind, named by its code word or by its title (重点招商项目情况表)."""
        for policy in reversed(self.policies):
            if kind in policy.kinds:
                return policy.rule(kind)
        for policy in reversed(self.policies):
            for rule in policy.reports:
                if rule.title == kind:
                    return rule
        choices = ", ".join(f"{k} ({self.rule(k).title})" for k in self.kinds())
        raise InvalidValue(f"unknown report kind {kind!r}; choose one of: {choices}")


@lru_cache(maxsize=256)
def _obligations(policies: tuple[PolicyRules, ...], after: date, until: date) -> tuple[Obligation, ...]:
    """Calendars are pure: the same policies and span always owe the same, so remember it."""
    return Timetable(policies)._obligations(after, until)
