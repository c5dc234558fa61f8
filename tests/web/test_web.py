"""The web office through Starlette's TestClient: login, CSRF, sessions, throttling, permissions
through the web, errors, security headers, and pages over the same views as the CLI."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from html import unescape

import pytest

from domain.application import Ledger
from domain.values import UTC
from tests.conftest import MACHINE
from projections.queries import Queries
from tests.web.conftest import CHOSEN, INITIAL, csrf_of, events, hidden_fields, log_in, submit

PAGES = ["/", "/dashboard", "/board", "/projects/HW-2021-001", "/password", "/dashboard?as_of=2021-09-01",
         "/units/HW/reports", "/inbox", "/overdue", "/audit"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("what", ["board", "progress", "obligations", "overdue", "audit", "summary?year=2021"])
def test_the_api_refuses_a_stranger_with_401(client, what):
    response = client.get(f"/api/{what}")
    assert response.status_code == 401 and "Bearer" in response.json()["error"]


def test_a_login_without_its_csrf_token_is_refused_and_nothing_is_recorded(client, web_store):
    client.get("/login")
    before = events(web_store)
    response = client.post("/login", data={"name": "孙联络", "password": INITIAL})
    assert response.status_code == 403
    assert events(web_store) == before


def test_a_form_without_the_sessions_csrf_token_is_refused_with_403(liaison, web_store):
    before = events(web_store)
    response = liaison.post("/projects/HW-2021-001/note", data={"text": "完成选址踏勘"})
    assert response.status_code == 403
    assert liaison.post("/projects/HW-2021-001/note", data={"text": "x", "csrf": "forged"}).status_code == 403
    assert events(web_store) == before


def test_the_first_login_must_change_the_initial_password(client):
    response = log_in(client, "孙联络", change=False)
    assert response.status_code == 303 and response.headers["location"] == "/password"
    assert client.get("/board").headers["location"] == "/password"
    page = client.get("/password")
    weak = client.post("/password", data={"csrf": csrf_of(page.text), "old": INITIAL, "new": "1234567890",
                                          "again": "1234567890"})
    assert weak.status_code == 422 and "only digits" in weak.text and 'class="field-error"' in weak.text
    done = client.post("/password", data={"csrf": csrf_of(page.text), "old": INITIAL, "new": CHOSEN["孙联络"],
                                          "again": CHOSEN["孙联络"]})
    assert done.status_code == 303
    assert client.get("/board").status_code == 200


def test_the_session_cookie_is_httponly_and_samesite_strict(client):
    response = log_in(client, "孙联络", change=False)
    cookie = response.headers["set-cookie"]
    assert "zs_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_a_liaison_notes_progress_and_the_event_names_them_web_and_their_address(liaison, web_store):
    response = submit(liaison, "/projects/HW-2021-001", "/projects/HW-2021-001/note", text="完成选址踏勘")
    assert response.status_code == 303
    ledger = Ledger(web_store)
    event = ledger.history(ledger.project("HW-2021-001").id)[-1]
    ledger.close()
    assert (type(event).__name__, event.actor, event.os_user, event.host) == (
        "ProgressNoted", "孙联络", "web", "testclient")
    assert "完成选址踏勘" in liaison.get("/projects/HW-2021-001").text


def test_another_units_liaison_sees_no_forms_and_a_forged_write_shows_the_domains_refusal(client, web_store):
    log_in(client, "周联络")
    page = client.get("/projects/HW-2021-001")
    assert page.status_code == 200 and "记录进展" not in page.text
    before = events(web_store)
    refused = client.post("/projects/HW-2021-001/note", data={"csrf": csrf_of(page.text), "text": "越权", "version": "1"})
    assert refused.status_code == 403
    assert "周联络 (liaison of GY) may not do this" in refused.text
    assert events(web_store) == before


def test_a_liaison_cannot_do_the_offices_work_nor_move_a_stage_back(liaison, web_store):
    page = liaison.get("/projects/HW-2021-001")
    before = events(web_store)
    form = hidden_fields(page.text, "/projects/HW-2021-001/advance")
    back = liaison.post("/projects/HW-2021-001/advance", data={**form, "to": "lead"})
    assert back.status_code == 409 and "a stage moves forward only" in back.text
    bad = liaison.post("/projects/HW-2021-001/advance", data={**form, "to": "moon"})
    assert bad.status_code == 422 and "'moon'" in unescape(bad.text) and 'data-field="to"' in bad.text
    assert events(web_store) == before


def test_a_session_ends_after_30_idle_minutes(liaison, web_clock):
    web_clock.advance(minutes=29)
    assert liaison.get("/board").status_code == 200
    web_clock.advance(minutes=29)  # used 29 minutes ago: still alive
    assert liaison.get("/board").status_code == 200
    web_clock.advance(minutes=31)
    assert liaison.get("/board").headers["location"].startswith("/login")


def test_a_session_written_once_a_minute_never_outlives_30_idle_minutes(liaison, web_clock):
    """A page within a minute of the last written use is not written, so the session's recorded use
    lags the real one: it ends up to a minute early, never late."""
    web_clock.advance(minutes=2)
    assert liaison.get("/board").status_code == 200  # written
    web_clock.advance(seconds=40)
    assert liaison.get("/board").status_code == 200  # not written: used 40 s after the written use
    web_clock.advance(minutes=29, seconds=30)  # 29 min 30 s after the real use, 30 min 10 s after the written
    assert liaison.get("/board").headers["location"].startswith("/login")


def test_logout_ends_the_session(liaison):
    page = liaison.get("/board")
    assert liaison.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert liaison.get("/board").status_code == 303


def test_a_person_removed_while_kept_by_the_worker_loses_access_at_the_next_request(liaison, web_store, web_clock):
    """The worker keeps the people it has seen for the log's head: another process's removal moves the
    head, so the very next page is refused, though the same page was served a moment before."""
    assert liaison.get("/board").status_code == 200
    assert liaison.get("/board").status_code == 200  # served from the kept person
    ledger = Ledger(web_store, clock=web_clock)
    ledger.remove_person("管理员", "孙联络", "调离")
    ledger.close()
    assert liaison.get("/board").headers["location"].startswith("/login")


def test_a_removed_persons_sessions_end(liaison, web_store, web_clock):
    ledger = Ledger(web_store, clock=web_clock)
    ledger.remove_person("管理员", "孙联络", "调离")
    ledger.close()
    assert liaison.get("/board").headers["location"].startswith("/login")


def _wrong(client, name: str = "孙联络", **headers: str):
    page = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(page.text), "name": name, "password": "wrong-password-x"},
                       headers=headers)


def test_five_failures_lock_an_account_before_any_hashing_for_15_minutes(client, app, web_clock, monkeypatch):
    for _ in range(5):
        assert _wrong(client).status_code == 401
    verified = []
    credentials = app.state.office.ledger.credentials
    real = credentials.verify
    monkeypatch.setattr(credentials, "verify", lambda *a: verified.append(a) or real(*a))
    refused = log_in(client, "孙联络", change=False)
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text and verified == []
    web_clock.advance(minutes=16)
    assert log_in(client, "孙联络", change=False).status_code == 303


def test_the_lock_grows_after_each_round_of_failures(client, web_clock):
    for _ in range(5):
        _wrong(client)
    web_clock.advance(minutes=16)
    for _ in range(5):
        _wrong(client)
    web_clock.advance(minutes=16)  # the second lock lasts 30 minutes
    assert log_in(client, "孙联络", change=False).status_code == 429
    web_clock.advance(minutes=15)
    assert log_in(client, "孙联络", change=False).status_code == 303


def test_five_failures_from_one_address_lock_that_address_for_every_account(client):
    for name in ("甲", "乙", "丙", "丁", "戊"):
        _wrong(client, name)
    assert log_in(client, "孙联络", change=False).status_code == 429


def _host_of_a_note(client, web_store, text: str, forwarded: str) -> str:
    """The host recorded for a progress note posted with this X-Forwarded-For header."""
    page = client.get("/projects/HW-2021-001")
    client.post("/projects/HW-2021-001/note", data={**hidden_fields(page.text, "/projects/HW-2021-001/note"),
                                                     "text": text},
                headers={"X-Forwarded-For": forwarded})
    ledger = Ledger(web_store)
    try:
        return ledger.history(ledger.project("HW-2021-001").id)[-1].host
    finally:
        ledger.close()


@pytest.mark.parametrize("trusted", [frozenset({"testclient"})])
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(client, web_store):
    log_in(client, "孙联络", **{"X-Forwarded-For": "203.0.113.7"})
    assert _host_of_a_note(client, web_store, "经代理", "198.51.100.1, 203.0.113.9") == "203.0.113.9"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(client, web_store):
    log_in(client, "孙联络")
    assert _host_of_a_note(client, web_store, "伪造", "203.0.113.9") == "testclient"


def test_every_login_attempt_is_an_event_under_the_system_actor(client, web_store):
    _wrong(client)
    log_in(client, "孙联络", change=False)
    ledger = Ledger(web_store)
    rows = Queries(ledger).audit(action="Attempted")
    ledger.close()
    assert [(r["actor"], r["details"]["outcome"]) for r in rows] == [("系统", "wrong_password"), ("系统", "ok")]


def test_pages_carry_the_security_headers(liaison):
    headers = liaison.get("/dashboard").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


def test_an_unexpected_error_shows_a_500_page_with_an_id_the_log_has(liaison, app, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(app.state.office.queries, "board_page", broken)
    with caplog.at_level(logging.ERROR, logger="zs.web"):
        response = liaison.get("/board")
    assert response.status_code == 500 and "Traceback" not in response.text and "disk" not in response.text
    error_id = re.search(r'class="error-id">(\w+)<', response.text).group(1)
    assert error_id in caplog.text and "the disk is on fire" in caplog.text
    assert response.headers["content-security-policy"]


def test_the_board_filters_and_the_dashboard_answers_as_of_a_date(liaison):
    board = liaison.get("/board?unit=HW&stage=lead")
    assert board.status_code == 200 and "HW-2021-001" in board.text
    assert "HW-2021-001" not in liaison.get("/board?unit=GY").text
    assert liaison.get("/board?stage=moon").status_code == 422
    before = liaison.get("/dashboard?as_of=2021-08-01")
    assert before.status_code == 200 and "<b>0</b> 个项目" in before.text
    assert "<b>1</b> 个项目" in liaison.get("/dashboard").text
    bad = liaison.get("/dashboard?as_of=2021-13-01")
    assert bad.status_code == 422 and 'class="field-error"' in bad.text


def test_the_dashboards_charts_carry_their_options_as_json_not_scripts(liaison):
    page = liaison.get("/dashboard").text
    assert page.count('class="chart" data-chart=') == 5
    assert "<script>" not in page and "/static/vendor/echarts-5.6.0.min.js" in page


def test_the_vendored_scripts_and_their_licences_are_served_from_the_package(liaison):
    for path in ("/static/vendor/echarts-5.6.0.min.js", "/static/vendor/htmx-2.0.11.min.js",
                 "/static/vendor/echarts-LICENSE.txt", "/static/vendor/htmx-LICENSE.txt"):
        assert liaison.get(path).status_code == 200, path


def test_an_unknown_project_is_a_404_page(liaison):
    response = liaison.get("/projects/NO-SUCH")
    assert response.status_code == 404 and "no project numbered" in response.text


def test_a_demo_store_lets_everyone_in_with_zs_demo_and_every_page_warns(tmp_path, web_clock):
    from starlette.testclient import TestClient

    from tests.conftest import MACHINE, set_up_commission
    from web.app import create_app

    store = f"sqlite:///{tmp_path / 'demo.db'}"
    ledger = Ledger(store, clock=web_clock, machine=MACHINE)
    set_up_commission(ledger)
    ledger.set_demo_passwords("管理员")
    ledger.close()
    with TestClient(create_app(store, clock=web_clock), follow_redirects=False) as client:
        assert "zs-demo" in client.get("/login").text
        response = log_in(client, "赵处长", "zs-demo", change=False)
        assert response.status_code == 303 and response.headers["location"] == "/board"
        assert "这是演示库" in client.get("/board").text


def test_a_real_store_does_not_warn(liaison):
    assert "这是演示库" not in liaison.get("/board").text


def test_a_huge_request_is_refused_with_413_before_it_is_read(client, web_store):
    before = events(web_store)
    response = client.post("/login", content=b"x" * (6 * 1024 * 1024),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and response.headers["x-content-type-options"] == "nosniff"
    assert events(web_store) == before


def test_a_megabyte_password_is_a_failed_login_without_hashing(client, app, monkeypatch):
    verified = []
    credentials = app.state.office.ledger.credentials
    monkeypatch.setattr(credentials, "verify", lambda *a: verified.append(a))
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "name": "孙联络", "password": "x" * 1_000_000})
    assert response.status_code == 401 and verified == []


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_after_login_only_a_path_on_this_site_is_followed(client, target):
    log_in(client, "孙联络")
    client.cookies.clear()
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "name": "孙联络", "password": CHOSEN["孙联络"],
                                           "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"
    client.cookies.clear()
    page = client.get("/login")
    kept = client.post("/login", data={"csrf": csrf_of(page.text), "name": "孙联络", "password": CHOSEN["孙联络"],
                                       "next": "/board?unit=HW"})
    assert kept.headers["location"] == "/board?unit=HW"


def test_the_audit_page_searches_and_downloads_csv_with_the_clis_keys(liaison, web_store):
    submit(liaison, "/projects/HW-2021-001", "/projects/HW-2021-001/note", text="=HYPERLINK(\"x\")")
    shown = liaison.get("/audit?project=HW-2021-001")
    assert shown.status_code == 200 and "ProgressNoted" in shown.text and "web" in shown.text
    download = liaison.get("/audit?project=HW-2021-001&format=csv")
    assert download.headers["content-disposition"] == "attachment; filename=audit.csv"
    text = download.content.decode("utf-8")
    assert text.startswith("\ufeffrecorded_at,effective_at,actor,actor_role,done_by,backfill_reason,os_user,host,unit,action,subject,details")
    assert liaison.get("/audit?since=2021-02-30").status_code == 422
    assert liaison.get("/api/audit?since=2021-02-30").json()["parameter"] == "since"


def test_a_csv_cell_that_a_spreadsheet_would_run_starts_with_a_quote():
    from web.routes.audit import _csv

    text = _csv([{"subject": "=1+1", "details": {"a": 1}}, {"subject": "HW-1", "details": {}}]).decode("utf-8")
    assert text.splitlines()[1].startswith("'=1+1,")
    assert text.splitlines()[2].startswith("HW-1,")


def test_the_projects_history_shows_who_did_a_backfilled_step_who_entered_it_and_why(client, web_store, web_clock):
    web_clock.set(datetime(2021, 10, 8, 2, 0, tzinfo=UTC))
    ledger = Ledger(web_store, clock=web_clock, machine=MACHINE)
    ledger.backfilling(at=datetime(2021, 10, 5, 7, 0, tzinfo=UTC), by="孙联络", because="纸质进展记录补录").note_progress(
        "许办公", "HW-2021-001", "完成可研报告", date(2021, 10, 5))
    ledger.close()
    liaison = client
    log_in(liaison, "孙联络")
    page = liaison.get("/projects/HW-2021-001").text
    assert "<th>录入人</th>" in page and "补录：纸质进展记录补录" in page
    row = page[page.index('<tr class="backfilled">'):]
    row = row[:row.index("</tr>")]
    assert "<td>孙联络</td><td>许办公</td>" in row and "2021-10-05 15:00" in row and "2021-10-08 10:00" in row
    audit = liaison.get("/audit?actor=孙联络").text
    assert "补录：纸质进展记录补录" in audit
