"""Login attempts in the log (docs/web.md): one small aggregate per account (or, for a name that is
not registered, per client address) per Shanghai day, one event per attempt.

A day's aggregate stays small (a person logs in a few times a day), so appending loads little; the
audit trail finds attempts by day and subject; nothing else replays them."""

from __future__ import annotations

from datetime import date

from domain.base import Aggregate, Stamp

OUTCOMES = ("ok", "wrong_password", "no_password", "unknown_account", "removed", "throttled")


class LoginDay(Aggregate):
    KIND = "logins"

    class Started(Aggregate.Created):
        subject: str
        day: date

        def apply(self, logins: LoginDay) -> None:
            logins.subject = self.subject
            logins.day = self.day

    class Attempted(Aggregate.Event):
        """Someone tried to log in as `account` from `address`; `outcome` is one of OUTCOMES."""

        account: str
        address: str
        outcome: str

    @staticmethod
    def key_for(account: str, known: bool, address: str, day: date) -> str:
        return f"{account if known else '?' + address}/{day.isoformat()}"

    @classmethod
    def start(cls, stamp: Stamp, key: str, day: date) -> LoginDay:
        return cls._start(key, cls.Started, stamp, subject=key, day=day)

    def attempt(self, stamp: Stamp, account: str, address: str, outcome: str) -> None:
        self._record(self.Attempted, stamp, account=account[:200], address=address[:100], outcome=outcome)
