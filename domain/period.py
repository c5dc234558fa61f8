"""Reporting periods: a month `2021-09`, a quarter `2021-Q3`, a year `2021`, or `once`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidValue
from domain.text import ascii_digits
from domain.values import EARLIEST, LATEST


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    ONCE = "once"


_SHAPES = {
    Cadence.MONTHLY: (re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$"), "YYYY-MM, e.g. 2021-09"),
    Cadence.QUARTERLY: (re.compile(r"^([0-9]{4})-Q([1-4])$"), "YYYY-Qn, e.g. 2021-Q3"),
    Cadence.ANNUAL: (re.compile(r"^([0-9]{4})$"), "YYYY, e.g. 2021"),
    Cadence.ONCE: (re.compile(r"^once$"), "the word once"),
}


@dataclass(frozen=True, order=True)
class Period:
    cadence: Cadence
    year: int = 0
    index: int = 0  # the month (1-12) or quarter (1-4); 0 for a year or `once`

    @classmethod
    def parse(cls, text: str, cadence: Cadence | None = None) -> Period:
        try:
            text = ascii_digits(str(text).strip(), "period")
        except InvalidValue as error:
            raise InvalidValue(str(error), "period") from None
        for shape, (pattern, _) in _SHAPES.items():
            match = pattern.match(text)
            if match is None:
                continue
            if cadence is not None and shape != cadence:
                raise InvalidValue(f"period {text!r} is {shape.value}; this needs {_SHAPES[cadence][1]}", "period")
            groups = [int(g) for g in match.groups()]
            if groups and not EARLIEST.year <= groups[0] <= LATEST.year:
                raise InvalidValue(f"period {text!r} lies outside the years {EARLIEST.year}..{LATEST.year}",
                                   "period")
            return cls(shape, *groups) if groups else cls(shape)
        wanted = _SHAPES[cadence][1] if cadence else "YYYY-MM, YYYY-Qn, YYYY or once"
        raise InvalidValue(f"period {text!r} is malformed; expected {wanted}", "period")

    @classmethod
    def month_of(cls, day: date) -> Period:
        return cls(Cadence.MONTHLY, day.year, day.month)

    def __str__(self) -> str:
        if self.cadence is Cadence.MONTHLY:
            return f"{self.year:04d}-{self.index:02d}"
        if self.cadence is Cadence.QUARTERLY:
            return f"{self.year:04d}-Q{self.index}"
        if self.cadence is Cadence.ANNUAL:
            return f"{self.year:04d}"
        return "once"

    @property
    def first_day(self) -> date:
        if self.cadence is Cadence.MONTHLY:
            return date(self.year, self.index, 1)
        if self.cadence is Cadence.QUARTERLY:
            return date(self.year, 3 * self.index - 2, 1)
        if self.cadence is Cadence.ANNUAL:
            return date(self.year, 1, 1)
        raise InvalidValue("the period `once` has no dates")

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Period:
        if self.cadence is Cadence.MONTHLY:
            return Period(self.cadence, self.year + self.index // 12, self.index % 12 + 1)
        if self.cadence is Cadence.QUARTERLY:
            return Period(self.cadence, self.year + self.index // 4, self.index % 4 + 1)
        if self.cadence is Cadence.ANNUAL:
            return Period(self.cadence, self.year + 1)
        raise InvalidValue("the period `once` has no successor")

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day
