"""A registered person: one role, perhaps a unit; removal keeps the history."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from domain.base import Aggregate, Stamp
from domain.errors import InvalidValue, RuleViolated
from domain.text import NAME_LIMIT, clean_line
from domain.values import Role


class Person(Aggregate):
    KIND = "person"

    class Registered(Aggregate.Created):
        """v2 added `email` (for reminders by mail); a v1 person had none."""

        class_version: ClassVar[int] = 2
        name: str
        role: Role
        unit: str | None
        phone: str | None
        title: str | None
        email: str | None

        def apply(self, person: Person) -> None:
            person.name = self.name
            person.role = self.role
            person.unit = self.unit
            person.phone = self.phone
            person.title = self.title
            person.email = self.email
            person.active = True

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["email"] = None

    class Updated(Aggregate.Event):
        """The person's whole state after the change. v2 added `email`: a v1 update left it unset."""

        class_version: ClassVar[int] = 2
        role: Role
        unit: str | None
        phone: str | None
        title: str | None
        email: str | None

        def apply(self, person: Person) -> None:
            person.role = self.role
            person.unit = self.unit
            person.phone = self.phone
            person.title = self.title
            person.email = self.email

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["email"] = None

    class Removed(Aggregate.Event):
        reason: str

        def apply(self, person: Person) -> None:
            person.active = False

    class PasswordSet(Aggregate.Event):
        """An admin set this person's password; `must_change` at the first login. The secret is kept
        beside the log (domain/credentials.py), never in an event."""

        must_change: bool

    class PasswordChanged(Aggregate.Event):
        """The person changed their own password (no secret in the event)."""

    class TokenIssued(Aggregate.Event):
        """An admin issued an API token for this person; `fingerprint` is the first 8 hex digits of
        its SHA-256 (the token itself is never stored)."""

        fingerprint: str

    @classmethod
    def register(cls, stamp: Stamp, name: str, role: Role, unit: str | None,
                 phone: str | None, title: str | None, email: str | None = None) -> Person:
        name = check_name(name)
        check_placement(name, role, unit)
        return cls._start(name, cls.Registered, stamp, name=name, role=role, unit=unit, phone=phone, title=title,
                          email=check_email(email))

    def update(self, stamp: Stamp, **changes: Any) -> None:
        self.check_active()
        before = {"role": self.role, "unit": self.unit, "phone": self.phone, "title": self.title, "email": self.email}
        after = before | {k: v for k, v in changes.items() if v is not None}
        after["email"] = check_email(after["email"])
        check_placement(self.name, after["role"], after["unit"])
        if after == before:
            raise RuleViolated(f"nothing to change for {self.name}: give at least one new value")
        self._record(self.Updated, stamp, **after)

    def remove(self, stamp: Stamp, reason: str) -> None:
        self.check_active()
        self._record(self.Removed, stamp, reason=check_reason(reason))

    def password_set(self, stamp: Stamp, must_change: bool) -> None:
        self.check_active()
        self._record(self.PasswordSet, stamp, must_change=must_change)

    def password_changed(self, stamp: Stamp) -> None:
        self.check_active()
        self._record(self.PasswordChanged, stamp)

    def token_issued(self, stamp: Stamp, fingerprint: str) -> None:
        self.check_active()
        self._record(self.TokenIssued, stamp, fingerprint=fingerprint)

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolated(f"{self.name} was removed from the ledger")


def check_an_admin_remains(person: Person, admins: list[Person]) -> None:
    """No lock-out: the last active admin is neither demoted nor removed, or nobody could set up
    units and people again. `admins` are the active admins as they stand before the change."""
    if person.active and person.role is Role.ADMIN and not any(a.name != person.name for a in admins):
        raise RuleViolated(f"{person.name} is the last active admin; appoint another admin first "
                           f"(zs person add NAME --role admin), or nobody could set up units and people again")


EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def check_email(email: str | None) -> str | None:
    """An address a reminder can go to: one plain ASCII address, no display name, at most 254 characters."""
    if email is None:
        return None
    email = email.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidValue(f"{email!r} is not an email address (like wangfang@example.gov.cn)")
    return email


def check_name(name: str) -> str:
    """A person's name, cleaned as typed (it is the person's key; docs/domain.md rules 16 and 22)."""
    name = clean_line(name, "a person's name", NAME_LIMIT, field="name")
    if not name:
        raise RuleViolated("a person needs a name")
    return name


def check_placement(name: str, role: Role, unit: str | None) -> None:
    if role in (Role.ADMIN, Role.OFFICE):
        return
    if unit is None:
        raise RuleViolated(f"{name} is a {role.value} and must belong to a unit: give --unit")


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolated("a reason is required (give --reason)")
    return reason
