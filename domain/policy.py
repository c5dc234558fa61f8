"""The reporting calendar as data: a policy read from TOML and checked, and the obligations it makes.

A policy is in force from its `effective_from` until the next one's; an obligation belongs to the
policy in force on its due date, so a new policy never changes what fell due before it. The rules that
say so are domain/timetable.py's, in plain Python; the models here check a policy and inherit them."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from datetime import date
from importlib import resources
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from domain.immutable import Immutable
from domain.errors import InvalidValue
from domain.text import clean_line
from domain.period import Cadence
from domain.timetable import DueRules, Obligation, PolicyRules, Rule, Timetable

__all__ = ["Calendar", "LampRules", "Obligation", "Policy", "ReportRule", "Shift", "default_policy",
           "default_policy_text", "parse_policy"]

KIND = re.compile(r"^[a-z][a-z0-9_]*$")


class ReportRule(Immutable, DueRules):
    """A report rule, checked; what it says of a period is DueRules' (domain/timetable.py), its defaults Rule's."""

    kind: str
    title: str
    cadence: Cadence
    covers: Literal["previous", "current"] = Rule.covers
    due_month: int = Field(default=Rule.due_month, ge=1, le=12)
    due_day: int | None = Field(default=Rule.due_day, ge=1, le=31)
    due: date | None = Rule.due

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


class Policy(Immutable, PolicyRules):
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

    def to_toml_text(self) -> str:
        return _dump(self)


class Calendar(Timetable):
    """The policies in force, as checked models: the write side's calendar. Its rules are Timetable's
    (domain/timetable.py); a read builds the same from the stored policies' Terms, without pydantic."""

    policies: tuple[Policy, ...]


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
