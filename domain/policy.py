"""The reporting calendar as data: a policy read from TOML, and the obligations it makes.

A policy is in force from its `effective_from` until the next one's; an obligation belongs to the
policy in force on its due date, so a new policy never changes what fell due before it."""

from __future__ import annotations

import calendar
import re
import tomllib
from functools import lru_cache
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from domain.immutable import Immutable
from domain.errors import InvalidValue, RuleViolated
from domain.text import clean_line
from domain.period import Cadence, Period

KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class ReportRule(Immutable):
    kind: str
    title: str
    cadence: Cadence
    covers: Literal["previous", "current"] = "previous"
    due_month: int = Field(default=1, ge=1, le=12)
    due_day: int | None = Field(default=None, ge=1, le=31)
    due: date | None = None

    @field_validator("kind")
    @classmethod
    def _kind_is_a_code(cls, kind: str) -> str:
        if not KIND.match(kind):
            raise ValueError("a kind is lower-case letters, digits and _, e.g. project_status")
        return kind

    @model_validator(mode="after")
    def _due_fits_cadence(self) -> ReportRule:
        if self.cadence is Cadence.ONCE and self.due is None:
            raise ValueError("a report owed once needs `due = YYYY-MM-DD`")
        if self.cadence is not Cadence.ONCE and self.due_day is None:
            raise ValueError(f"a {self.cadence.value} report needs `due_day`")
        if self.cadence is Cadence.MONTHLY and self.due_month != 1:
            raise ValueError("a monthly report is due in the month after its period (or, covering the current "
                             "month, in it): leave out due_month")
        if self.cadence is Cadence.QUARTERLY and self.due_month > 3:
            raise ValueError("due_month of a quarterly report counts within a quarter: 1, 2 or 3")
        return self

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


class Shift(Immutable):
    """A due day moved (a holiday, say) for one period, of one kind or of every kind."""

    period: str
    due: date
    kind: str | None = None


class LampRules(Immutable):
    """The three-colour lamps' thresholds (docs/domain.md rule 17); every key has the notice's default."""

    libraries: tuple[str, ...] = ("key",)
    until_stage: str = "operating"
    yellow_after_months: int = Field(default=2, ge=1, le=120)
    red_after_months: int = Field(default=3, ge=1, le=120)
    due_soon_days: int = Field(default=3, ge=0, le=365)
    yellow_after_red_days: int = Field(default=30, ge=0, le=3650)

    @field_validator("libraries")
    @classmethod
    def _known_libraries(cls, libraries: tuple[str, ...]) -> tuple[str, ...]:
        for library in libraries:
            if library not in ("key", "reserve"):
                raise ValueError(f"a library is key or reserve, not {library!r}")
        return libraries

    @field_validator("until_stage")
    @classmethod
    def _known_stage(cls, stage: str) -> str:
        stages = ("lead", "negotiating", "signed", "landed", "started", "operating")
        if stage not in stages:
            raise ValueError(f"until_stage is one of {', '.join(stages)}, not {stage!r}")
        return stage

    @model_validator(mode="after")
    def _yellow_before_red(self) -> LampRules:
        if self.yellow_after_months >= self.red_after_months:
            raise ValueError("yellow_after_months must be fewer than red_after_months")
        return self


class Policy(Immutable):
    name: str
    effective_from: date = Field(default=date(2021, 8, 31), description="optional in a file: `--from` sets it")
    reports: tuple[ReportRule, ...] = Field(alias="report", min_length=1)
    shifts: tuple[Shift, ...] = Field(default=(), alias="shift")
    lamps: LampRules = LampRules()  # a policy stored before lamps were rules gets the defaults

    model_config = Immutable.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _kinds_unique(self) -> Policy:
        kinds = [r.kind for r in self.reports]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each report kind may appear once")
        for shift in self.shifts:
            if shift.kind is not None and shift.kind not in kinds:
                raise ValueError(f"a shift names the kind {shift.kind!r}, which the policy does not have")
        return self

    def rule(self, kind: str) -> ReportRule:
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

    def to_toml_text(self) -> str:
        return _dump(self)


@dataclass(frozen=True, order=True)
class Obligation:
    """A report a unit owes: its kind and period, with the day it falls due."""

    due_on: date
    kind: str
    period: Period
    opens_on: date


class Calendar:
    """The policies in force, oldest first; each governs the due dates from its effective day."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        self.policies = tuple(sorted(policies, key=lambda p: p.effective_from))

    def policy_on(self, day: date) -> Policy:
        in_force = [p for p in self.policies if p.effective_from <= day]
        return in_force[-1] if in_force else self.policies[0]

    def lamps_on(self, day: date) -> LampRules:
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

    def rule(self, kind: str) -> ReportRule:
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
def _obligations(policies: tuple[Policy, ...], after: date, until: date) -> tuple[Obligation, ...]:
    """Calendars are pure: the same policies and span always owe the same, so remember it."""
    return Calendar(policies)._obligations(after, until)


def parse_policy(text: str, source: str = "policy") -> Policy:
    """Read a policy from TOML; a malformed one is refused with its line and the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidValue(f"{source}: not valid TOML: {error}") from None
    except RecursionError:
        raise InvalidValue(f"{source}: not a policy: its tables or arrays nest too deeply") from None
    _refuse_booleans(data, source, text)
    _refuse_repeated_kinds(text, data, source)
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _line_of(text, first["loc"])
        location = ".".join(str(part) for part in first["loc"]) or "the file"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidValue(f"{source}, line {where}: {location}: {message}") from None


def _refuse_booleans(data: Any, source: str, text: str, loc: tuple[Any, ...] = ()) -> None:
    """A policy holds no yes/no values: `due_day = true` is a typo, not the day 1; and its text
    holds no control or invisible characters (rule 16), as anything typed."""
    if isinstance(data, str):
        try:
            clean_line(data, ".".join(str(part) for part in loc) or "a value")
        except InvalidValue as error:
            raise InvalidValue(f"{source}, line {_line_of(text, loc)}: {error}") from None
    if isinstance(data, bool):
        location = ".".join(str(part) for part in loc)
        raise InvalidValue(f"{source}, line {_line_of(text, loc)}: {location}: true/false is no number or "
                           f"text here; write the value itself (e.g. due_day = 5)")
    if isinstance(data, dict):
        for key, value in data.items():
            _refuse_booleans(value, source, text, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _refuse_booleans(value, source, text, (*loc, index))


def _refuse_repeated_kinds(text: str, data: dict[str, Any], source: str) -> None:
    """Kinds repeated, or named by a shift without a report: refused at the offending line."""
    def line_of(kind: Any, nth: int) -> int:
        lines = [i + 1 for i, line in enumerate(text.splitlines())
                 if re.match(rf"""^\s*kind\s*=\s*["']{re.escape(str(kind))}["']""", line)]
        return lines[nth] if len(lines) > nth else 1

    seen: set[Any] = set()
    for table in data.get("report", []):
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind in seen:
            raise InvalidValue(f"{source}, line {line_of(kind, 1)}: report.kind: "
                               f"each report kind may appear once ({kind!r} is repeated)")
        seen.add(kind)
    for table in data.get("shift", []):
        kind = table.get("kind") if isinstance(table, dict) else None
        if kind is not None and kind not in seen:
            raise InvalidValue(f"{source}, line {line_of(kind, 0)}: shift.kind: "
                               f"the policy has no report kind {kind!r}")


def _line_of(text: str, loc: tuple[Any, ...]) -> int:
    """The line a validation error points at: the key inside the n-th [[table]], or the table."""
    lines = text.splitlines()
    table, index, key = None, None, None
    parts = list(loc)
    if parts and parts[0] == "lamps":
        headers = [i for i, line in enumerate(lines) if line.strip() == "[lamps]"]
        if headers:
            later = [i for i, line in enumerate(lines) if i > headers[0] and line.strip().startswith("[")]
            for i in range(headers[0], later[0] if later else len(lines)):
                if len(parts) > 1 and re.match(rf"^\s*{re.escape(str(parts[1]))}\s*=", lines[i]):
                    return i + 1
            return headers[0] + 1
    if parts and parts[0] in ("report", "shift"):
        table = parts[0]
        index = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else None
        key = parts[2] if len(parts) > 2 else None
    elif parts:
        key = parts[0]
    start, end = 0, len(lines)
    if table is not None:
        headers = [i for i, line in enumerate(lines) if line.strip() == f"[[{table}]]"]
        if index is not None and index < len(headers):
            start = headers[index]
            later = [i for i, line in enumerate(lines) if i > start and line.strip().startswith("[")]
            end = later[0] if later else len(lines)
        elif headers:
            return headers[0] + 1
    for i in range(start, end):
        if key is not None and re.match(rf"^\s*{re.escape(str(key))}\s*=", lines[i]):
            return i + 1
    return start + 1


def default_policy_text() -> str:
    return resources.files("domain").joinpath("calendar.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return parse_policy(default_policy_text(), "the default policy")


def _dump(policy: Policy) -> str:
    lines = [f'name = "{policy.name}"', f"effective_from = {policy.effective_from}"]
    for rule in policy.reports:
        lines += ["", "[[report]]"]
        for key, value in rule.model_dump(exclude_none=True).items():
            lines.append(f"{key} = {_toml_value(value)}")
    for shift in policy.shifts:
        lines += ["", "[[shift]]"]
        for key, value in shift.model_dump(exclude_none=True).items():
            lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[lamps]"]
    for key, value in policy.lamps.model_dump().items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
