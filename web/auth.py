"""Sessions, CSRF tokens, login throttling and the client's address (docs/web.md).

Sessions are server-side: the cookie holds a random id, the table `zs_sessions` only its SHA-256,
the person's name, the session's CSRF token and when it was last used. Throttling counts failed
logins per account and per client address in `zs_login_throttle`, and is checked before any hashing.
Both tables live in the ledger's database beside the views, so every worker process shares them."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request

from projections.db import Db

SESSION_COOKIE = "zs_session"
LOGIN_CSRF_COOKIE = "zs_login_csrf"  # the login form's CSRF token, before there is a session
TOUCH = timedelta(minutes=1)  # a session's use is written at most once a minute, not on every page
FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = timedelta(minutes=15)
# An account's lock grows 15, 30, 60 min, then stays at 2 h: guessing stops, yet a stranger who fails
# on purpose keeps the real person out for at most 2 h at a time. An address's grows to a day.
ACCOUNT_CAP, ADDRESS_CAP = timedelta(hours=2), timedelta(days=1)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Session:
    id: str
    name: str
    csrf: str
    must_change: bool


class Tables:
    def __init__(self, db: Db) -> None:
        self.db = db
        with db.transaction() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS zs_sessions (digest TEXT PRIMARY KEY, name TEXT NOT NULL, "
                           "csrf TEXT NOT NULL, must_change INTEGER NOT NULL, created_at TEXT NOT NULL, "
                           "seen_at TEXT NOT NULL)")
            cursor.execute("CREATE TABLE IF NOT EXISTS zs_login_throttle (key TEXT PRIMARY KEY, "
                           "failures INTEGER NOT NULL, lockouts INTEGER NOT NULL, locked_until TEXT)")

    # -- sessions ---------------------------------------------------------------------------------

    def open_session(self, name: str, must_change: bool, now: datetime) -> Session:
        session = Session(secrets.token_urlsafe(32), name, secrets.token_urlsafe(32), must_change)
        with self.db.transaction() as cursor:
            cursor.execute("INSERT INTO zs_sessions (digest, name, csrf, must_change, created_at, seen_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (_digest(session.id), name, session.csrf, int(must_change),
                                                         now.isoformat(), now.isoformat()))
        return session

    def session(self, session_id: str | None, now: datetime, idle: timedelta) -> Session | None:
        """The live session of this cookie, touched (its use written once a minute); None (and the row
        deleted) once idle too long."""
        if not session_id:
            return None
        digest = _digest(session_id)
        row = self.db.fetchone("SELECT * FROM zs_sessions WHERE digest = ?", (digest,))
        if row is None:
            return None
        if datetime.fromisoformat(row["seen_at"]) + idle < now:
            self.end_session(session_id)
            return None
        if datetime.fromisoformat(row["seen_at"]) + TOUCH <= now:  # not a write on every page
            with self.db.transaction() as cursor:
                cursor.execute("UPDATE zs_sessions SET seen_at = ? WHERE digest = ?", (now.isoformat(), digest))
        return Session(session_id, row["name"], row["csrf"], bool(row["must_change"]))

    def end_session(self, session_id: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute("DELETE FROM zs_sessions WHERE digest = ?", (_digest(session_id),))

    def end_sessions_of(self, name: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute("DELETE FROM zs_sessions WHERE name = ?", (name,))

    def password_changed(self, session_id: str) -> None:
        with self.db.transaction() as cursor:
            cursor.execute("UPDATE zs_sessions SET must_change = 0 WHERE digest = ?", (_digest(session_id),))

    # -- throttling -------------------------------------------------------------------------------

    def locked_until(self, keys: list[str], now: datetime) -> datetime | None:
        """The latest lock still running on any of these keys, if any."""
        found = None
        for key in keys:
            row = self.db.fetchone("SELECT locked_until FROM zs_login_throttle WHERE key = ?", (key,))
            if row and row["locked_until"]:
                until = datetime.fromisoformat(row["locked_until"])
                if until > now and (found is None or until > found):
                    found = until
        return found

    def failed(self, keys: list[str], now: datetime) -> None:
        for key in keys:
            cap = ACCOUNT_CAP if key.startswith("account:") else ADDRESS_CAP
            with self.db.transaction() as cursor:
                rows = cursor.fetchall("SELECT failures, lockouts FROM zs_login_throttle WHERE key = ?", (key,))
                failures, lockouts = (int(rows[0]["failures"]), int(rows[0]["lockouts"])) if rows else (0, 0)
                failures += 1
                until = None
                if failures >= FAILURES_BEFORE_LOCK:
                    lockouts += 1
                    until = (now + min(FIRST_LOCK * 2 ** min(lockouts - 1, 16), cap)).isoformat()
                    failures = 0
                if rows:
                    cursor.execute("UPDATE zs_login_throttle SET failures = ?, lockouts = ?, "
                                   "locked_until = COALESCE(?, locked_until) WHERE key = ?",
                                   (failures, lockouts, until, key))
                else:
                    cursor.execute("INSERT INTO zs_login_throttle (key, failures, lockouts, locked_until) "
                                   "VALUES (?, ?, ?, ?)", (key, failures, lockouts, until))

    def succeeded(self, keys: list[str]) -> None:
        with self.db.transaction() as cursor:
            for key in keys:
                cursor.execute("DELETE FROM zs_login_throttle WHERE key = ?", (key,))


def throttle_keys(account: str, address: str) -> list[str]:
    return [f"account:{account.strip()[:200]}", f"address:{address}"]


def csrf_ok(expected: str | None, given: Any) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def client_address(request: Request, trusted: frozenset[str]) -> str:
    """The peer's address; behind a trusted proxy, the last X-Forwarded-For entry not itself a
    trusted proxy (the one the nearest trusted proxy saw)."""
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer
