"""Passwords and API tokens, kept in tables beside the events and never inside them (docs/web.md).

A password is stored only as an argon2id hash; a token only as its SHA-256. The log records that a
password was set or changed, or a token issued (Person events), by whom and when, never the secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventsourcing.persistence import ApplicationRecorder

from domain.errors import InvalidValue

# argon2id, 19 MiB, 2 passes, 1 lane (OWASP's recommended minimum). Measured on the 2-core reference
# machine: 55 ms per verify (best of 3 x 10) at a load average near 6, 123 ms near 10 (others'
# test suites); 64 MiB x 3 passes took 730 ms there. Re-measure with
# `python -c "import timeit, domain.credentials as c; h = c.hash_password('x' * 12);
# print(timeit.timeit(lambda: c.HASHER.verify(h, 'x' * 12), number=20) / 20)"`.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 10
# A hash checked when the account has none, so that an unknown name costs as much time as a known one.
_DUMMY = HASHER.hash("zs-no-such-account")


def check_password_rule(password: str) -> None:
    """docs/domain.md: a password has at least 10 characters and is not only digits."""
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"a password needs at least {MIN_LENGTH} characters")
    if password.isdigit():
        raise InvalidValue("a password must not be only digits")
    if password != password.strip():
        raise InvalidValue("a password must not begin or end with a space")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def new_token() -> str:
    return "zs_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CredentialStore:
    """Tables `zs_credentials` (name, argon2id hash, must_change, set_at) and `zs_tokens` (digest,
    name, issued_at, revoked) in the ledger's own database, created on first use."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.datastore: Any = recorder.datastore  # type: ignore[attr-defined]
        self.postgres = type(self.datastore).__name__.startswith("Postgres")
        schema = getattr(self.datastore, "schema", "") if self.postgres else ""
        prefix = f"{schema}." if schema else ""
        self.table, self.tokens, self.flags = f"{prefix}zs_credentials", f"{prefix}zs_tokens", f"{prefix}zs_store_flags"
        self.mark = "%s" if self.postgres else "?"
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (name TEXT PRIMARY KEY, hash TEXT NOT NULL, "
                           "must_change INTEGER NOT NULL, set_at TEXT NOT NULL)")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.tokens} (digest TEXT PRIMARY KEY, name TEXT NOT NULL, "
                           "issued_at TEXT NOT NULL)")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.flags} (flag TEXT PRIMARY KEY)")

    def put(self, name: str, digest: str, must_change: bool, at: datetime) -> None:
        m = self.mark
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (name, hash, must_change, set_at) VALUES ({m}, {m}, {m}, {m}) "
                "ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, must_change = EXCLUDED.must_change, "
                "set_at = EXCLUDED.set_at", (name, digest, int(must_change), at.isoformat()))

    def get(self, name: str) -> tuple[str, bool] | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT hash, must_change FROM {self.table} WHERE name = {self.mark}", (name,))
            row = cursor.fetchone()
        return None if row is None else (row["hash"], bool(row["must_change"]))

    def verify(self, name: str, password: str) -> bool | None:
        """True if the password matches; False if not; None if the person has no password (after the
        same work as a wrong one)."""
        found = self.get(name)
        try:
            HASHER.verify(found[0] if found else _DUMMY, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None if found is None else False
        return None if found is None else True

    def add_token(self, digest: str, name: str, at: datetime) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"INSERT INTO {self.tokens} (digest, name, issued_at) VALUES ({self.mark}, {self.mark}, "
                           f"{self.mark})", (digest, name, at.isoformat()))

    def token_owner(self, token: str) -> str | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT name FROM {self.tokens} WHERE digest = {self.mark}", (token_digest(token),))
            row = cursor.fetchone()
        return None if row is None else str(row["name"])

    def mark_demo(self) -> None:
        """This store is a demo (`zs demo`): its passwords are public."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"INSERT INTO {self.flags} (flag) VALUES ('demo') ON CONFLICT (flag) DO NOTHING")

    def is_demo(self) -> bool:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT flag FROM {self.flags} WHERE flag = 'demo'")
            return cursor.fetchone() is not None
