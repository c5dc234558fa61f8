"""A member unit: its sectors, its responsible department, and its officers with their terms."""

from __future__ import annotations

import re
from datetime import date

from domain.base import Aggregate, Immutable, Stamp
from domain.errors import NotPermitted, RuleViolated
from domain.person import check_reason
from domain.text import clean_line
from domain.values import Role, Sector, UnitKind, shanghai_date

OFFICER_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.LIAISON)
CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")


class Term(Immutable):
    role: Role
    person: str
    since: date
    until: date | None = None


class Unit(Aggregate):
    KIND = "unit"

    class Enrolled(Aggregate.Created):
        code: str
        name: str
        kind: UnitKind
        sectors: tuple[Sector, ...]
        department: str | None
        enrolled_on: date

        def apply(self, unit: Unit) -> None:
            unit.code = self.code
            unit.name = self.name
            unit.kind = self.kind
            unit.sectors = self.sectors
            unit.department = self.department
            unit.enrolled_on = self.enrolled_on
            unit.withdrawn_on = None
            unit.terms = ()

    class Updated(Aggregate.Event):
        name: str
        department: str | None
        sectors: tuple[Sector, ...]

        def apply(self, unit: Unit) -> None:
            unit.name = self.name
            unit.department = self.department
            unit.sectors = self.sectors

    class Withdrawn(Aggregate.Event):
        on: date
        reason: str

        def apply(self, unit: Unit) -> None:
            unit.withdrawn_on = self.on

    class OfficerAppointed(Aggregate.Event):
        role: Role
        person: str

        def apply(self, unit: Unit) -> None:
            since = shanghai_date(self.effective_at)
            unit.terms = _end_terms(unit.terms, self.role, since) + (
                Term(role=self.role, person=self.person, since=since),
            )

    class OfficerLeft(Aggregate.Event):
        role: Role
        person: str

        def apply(self, unit: Unit) -> None:
            unit.terms = _end_terms(unit.terms, self.role, shanghai_date(self.effective_at))

    @staticmethod
    def check_code(code: str) -> str:
        """docs/domain.md rule 22: a unit code is 1-16 Latin letters, digits or _, starting with a letter,
        stored upper-case (what is typed, cleaned, is the unit's key)."""
        code = clean_line(code, "unit code", field="code").upper()
        if not CODE.match(code):
            raise RuleViolated(f"unit code {code!r} must be 1-16 Latin letters or digits, starting with a letter")
        return code

    @classmethod
    def enrol(cls, stamp: Stamp, code: str, name: str, kind: UnitKind, sectors: tuple[Sector, ...],
              department: str | None, enrolled_on: date) -> Unit:
        code = cls.check_code(code)
        if not name.strip():
            raise RuleViolated("a unit needs a name (give --name)")
        return cls._start(code, cls.Enrolled, stamp, code=code, name=name.strip(), kind=kind,
                          sectors=tuple(dict.fromkeys(sectors)), department=department, enrolled_on=enrolled_on)

    def update(self, stamp: Stamp, name: str | None, department: str | None,
               sectors: tuple[Sector, ...] | None) -> None:
        self.check_enrolled()
        if name is not None and not name.strip():
            raise RuleViolated(f"unit {self.code} cannot be renamed to a blank name")
        after = (name.strip() if name else self.name, department if department is not None else self.department,
                 tuple(dict.fromkeys(sectors)) if sectors else self.sectors)
        if after == (self.name, self.department, self.sectors):
            raise RuleViolated(f"nothing to change for unit {self.code}: give at least one new value")
        self._record(self.Updated, stamp, name=after[0], department=after[1], sectors=after[2])

    def withdraw(self, stamp: Stamp, on: date, reason: str) -> None:
        self.check_enrolled()
        if on < self.enrolled_on:
            raise RuleViolated(f"unit {self.code} enrolled on {self.enrolled_on}; it cannot withdraw before that")
        self._record(self.Withdrawn, stamp, on=on, reason=check_reason(reason))

    def appoint(self, stamp: Stamp, role: Role, person: str) -> None:
        if self.officer(role) != person:
            self._record(self.OfficerAppointed, stamp, role=role, person=person)

    def release(self, stamp: Stamp, role: Role, person: str) -> None:
        if self.officer(role) == person:
            self._record(self.OfficerLeft, stamp, role=role, person=person)

    def officer(self, role: Role) -> str | None:
        current = [t.person for t in self.terms if t.role == role and t.until is None]
        return current[-1] if current else None

    def check_enrolled(self) -> None:
        if self.withdrawn_on is not None:
            raise RuleViolated(f"unit {self.code} withdrew on {self.withdrawn_on}")

    def check_open_to_its_people(self, today: date) -> None:
        """No ghost units: after its withdrawal date a unit's own people no longer write for it.
        The office may still correct, close and review; reading is never affected."""
        if self.withdrawn_on is not None and today > self.withdrawn_on:
            raise NotPermitted(f"unit {self.code} withdrew on {self.withdrawn_on}, so its people no longer record "
                               f"anything for it; the office may still correct, close and review its records")

    def owes_on(self, day: date) -> bool:
        """Rule 2: a due day strictly after enrolment and not after withdrawal."""
        return day > self.enrolled_on and (self.withdrawn_on is None or day <= self.withdrawn_on)


def _end_terms(terms: tuple[Term, ...], role: Role, until: date) -> tuple[Term, ...]:
    return tuple(
        t.model_copy(update={"until": until}) if t.role == role and t.until is None else t for t in terms
    )
