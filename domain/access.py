"""Who may log in: passwords, API tokens and login attempts, as a mixin of the Ledger (like Reporting).

The secrets live in domain/credentials.py's tables; the log records only that they were set."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.base import Stamp
from domain.credentials import CredentialStore, check_password_rule, hash_password, new_token, token_digest
from domain.errors import NotFound, NotPermitted, RuleViolated
from domain.logins import LoginDay
from domain.permissions import Action
from domain.person import Person
from domain.values import shanghai_date

SYSTEM_ACTOR = "系统"  # the actor of login attempts: nobody is logged in yet
DEMO_PASSWORD = "zs-demo"  # `zs demo` only: known to everyone, so the store is marked and the web warns


class Access:
    """Mixed into the Ledger; `self` is the Ledger (typed Any so that this module does not import it)."""

    _credentials: CredentialStore | None = None

    @property
    def credentials(self: Any) -> CredentialStore:
        if self._credentials is None:
            self._credentials = CredentialStore(self.recorder)
        return self._credentials

    def set_password(self: Any, actor: str, name: str, password: str) -> None:
        """An admin sets a person's initial password; they must change it at their first login."""
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        person.check_active()
        check_password_rule(password)
        digest = hash_password(password)
        person.password_set(stamp, must_change=True)
        self._save(person)
        self.credentials.put(person.name, digest, must_change=True, at=stamp.recorded_at)

    def change_password(self: Any, name: str, old: str, new: str) -> None:
        """A person changes their own password, giving the current one."""
        person = self.acting(name)
        if self.credentials.verify(person.name, old) is not True:
            raise NotPermitted("the current password is wrong; nothing was changed")
        check_password_rule(new)
        if new == old:
            raise RuleViolated("the new password must differ from the current one")
        digest = hash_password(new)
        person.password_changed(self._stamp_for(person.name, person.role))
        self._save(person)
        self.credentials.put(person.name, digest, must_change=False, at=self.clock())

    def authenticate(self: Any, name: str, password: str) -> tuple[str, Person | None, bool]:
        """(outcome, person, must_change): outcome is one of domain.logins.OUTCOMES; the person only
        when the outcome is `ok`. Always costs one hash verify, whoever the name is."""
        name = name.strip()
        try:
            person: Person | None = self.person(name) if name else None
        except NotFound:
            person = None
        result = self.credentials.verify(person.name if person else "", password)
        if person is None:
            return "unknown_account", None, False
        if not person.active:
            return "removed", None, False
        if result is None:
            return "no_password", None, False
        if not result:
            return "wrong_password", None, False
        stored = self.credentials.get(person.name)
        return "ok", person, bool(stored and stored[1])

    def record_login(self: Any, account: str, address: str, outcome: str) -> None:
        """One event per attempt, under the system actor, in the day's aggregate of the account."""
        now = self.clock()
        account = "".join(c for c in account.strip() if c.isprintable())[:200]  # typed by anyone
        try:
            known = bool(account) and self.person(account) is not None
        except NotFound:
            known = False
        stamp = Stamp(actor=SYSTEM_ACTOR, actor_role="system", os_user=self.machine.os_user, host=address[:100],
                      recorded_at=now, effective_at=now)
        day = shanghai_date(now)
        key = LoginDay.key_for(account, known, address, day)
        for _ in range(3):  # two logins of one account at one moment: append again on a fresh copy
            try:
                logins: Any = self.repository.get(LoginDay.id_for(key))
            except AggregateNotFoundError:
                logins = LoginDay.start(stamp, key, day)
            logins.attempt(stamp, account, address, outcome)
            try:
                self.save(logins)
                return
            except IntegrityError:
                continue

    def set_demo_passwords(self: Any, actor: str) -> None:
        """For `zs demo` only: every active person gets the password `zs-demo` (shorter than the rule
        allows, and known to all) with no change required, and the store is marked as a demo, so
        that `zs serve` warns on every page."""
        stamp = self._authorise(actor, Action.SET_UP)
        digest = hash_password(DEMO_PASSWORD)
        for person in self.people():
            if person.active:
                person.password_set(stamp, must_change=False)
                self._save(person)
                self.credentials.put(person.name, digest, must_change=False, at=stamp.recorded_at)
        self.credentials.mark_demo()

    def create_token(self: Any, actor: str, name: str) -> str:
        """An admin issues an API token for a person: returned once, kept only as its SHA-256."""
        stamp = self._authorise(actor, Action.SET_UP)
        person = self.person(name)
        token = new_token()
        digest = token_digest(token)
        person.token_issued(stamp, digest[:8])
        self._save(person)
        self.credentials.add_token(digest, person.name, stamp.recorded_at)
        return token
