"""Passwords, tokens and login attempts through the Ledger, on SQLite and PostgreSQL: the secret is
kept beside the log as a hash, the log says only that it was set, and every attempt is an event."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue, NotPermitted, RuleViolated
from projections.queries import Queries

ADMIN, LIAISON, OFFICE = "管理员", "孙联络", "许办公"
INITIAL, CHOSEN = "chushi-mima-2021", "wode-xin-mima-88"


def test_an_admins_password_is_a_hash_beside_the_log_and_the_log_says_who_set_it(commission, store):
    commission.set_password(ADMIN, LIAISON, INITIAL)
    stored, must_change = commission.credentials.get(LIAISON)
    assert stored.startswith("$argon2id$") and INITIAL not in stored and must_change
    rows = Queries(commission).audit(action="PasswordSet")
    assert [(r["actor"], r["subject"], r["details"]) for r in rows] == [(ADMIN, LIAISON, {"must_change": True})]
    raw = b"".join(bytes(n.state) for n in commission.recorder.select_notifications(start=1, limit=1000))
    assert INITIAL.encode() not in raw


def test_only_an_admin_sets_passwords(commission):
    with pytest.raises(NotPermitted):
        commission.set_password(OFFICE, LIAISON, INITIAL)
    assert commission.credentials.get(LIAISON) is None


@pytest.mark.parametrize("weak", ["short-1", "12345678901234", " leading-space-pw"])
def test_a_weak_password_is_refused_and_nothing_is_recorded(commission, weak):
    before = commission.recorder.max_notification_id()
    with pytest.raises(InvalidValue):
        commission.set_password(ADMIN, LIAISON, weak)
    assert commission.recorder.max_notification_id() == before
    assert commission.credentials.get(LIAISON) is None


def test_a_person_changes_their_password_with_the_current_one(commission):
    commission.set_password(ADMIN, LIAISON, INITIAL)
    assert commission.authenticate(LIAISON, INITIAL)[0::2] == ("ok", True)
    with pytest.raises(NotPermitted):
        commission.change_password(LIAISON, "not-the-password", CHOSEN)
    with pytest.raises(RuleViolated):
        commission.change_password(LIAISON, INITIAL, INITIAL)
    commission.change_password(LIAISON, INITIAL, CHOSEN)
    assert commission.authenticate(LIAISON, CHOSEN)[0::2] == ("ok", False)
    assert commission.authenticate(LIAISON, INITIAL)[0] == "wrong_password"


def test_authentication_says_why_it_failed(commission):
    commission.set_password(ADMIN, LIAISON, INITIAL)
    assert commission.authenticate("无此人", INITIAL)[0] == "unknown_account"
    assert commission.authenticate(OFFICE, INITIAL)[0] == "no_password"
    commission.remove_person(ADMIN, LIAISON, "调离")
    assert commission.authenticate(LIAISON, INITIAL)[0] == "removed"


def test_every_login_attempt_is_an_event_of_the_system_in_a_daily_aggregate(commission, clock):
    commission.record_login(LIAISON, "10.1.2.3", "wrong_password")
    commission.record_login(LIAISON, "10.1.2.3", "ok")
    commission.record_login("无此人", "10.9.9.9", "unknown_account")
    rows = Queries(commission).audit(action="Attempted")
    assert [(r["actor"], r["details"]["address"], r["details"]["account"], r["details"]["outcome"]) for r in rows] == [
        ("系统", "10.1.2.3", LIAISON, "wrong_password"), ("系统", "10.1.2.3", LIAISON, "ok"),
        ("系统", "10.9.9.9", "无此人", "unknown_account")]
    started = Queries(commission).audit(action="LoginDay.Started")
    assert [r["details"]["subject"] for r in started] == [f"{LIAISON}/2021-09-01", "?10.9.9.9/2021-09-01"]


def test_a_token_is_returned_once_and_kept_only_as_its_digest(commission):
    token = commission.create_token(ADMIN, OFFICE)
    assert commission.credentials.token_owner(token) == OFFICE
    assert commission.credentials.token_owner(token + "x") is None
    fingerprint = Queries(commission).audit(action="TokenIssued")[0]["details"]["fingerprint"]
    assert len(fingerprint) == 8 and fingerprint not in token


def test_a_hostile_login_name_is_recorded_without_its_control_characters(commission):
    assert commission.authenticate("孙\x00联络\u202e", INITIAL)[0] == "unknown_account"
    commission.record_login("孙\x00联络\u202e" + "长" * 500, "10.1.2.3", "unknown_account")
    account = Queries(commission).audit(action="Attempted")[0]["details"]["account"]
    assert account == ("孙联络" + "长" * 500)[:200]
