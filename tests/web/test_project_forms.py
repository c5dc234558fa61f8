"""项目台账's forms and 督办 through the web: each form shown only to those the domain allows, every
write the Ledger's (actor the logged-in person, os_user `web`, host the client), refusals and
malformed input on the page with nothing recorded, and a stale form refused (此项目已被他人修改)."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from domain.application import Ledger
from tests.web.conftest import commission_at, csrf_of, events, hidden_fields, log_in, sent_to_login, submit

PROJECT = "/projects/HW-2021-001"
POSTS = ["/new/project", f"{PROJECT}/note", f"{PROJECT}/advance", f"{PROJECT}/update", f"{PROJECT}/plan",
         f"{PROJECT}/raise", f"{PROJECT}/service", f"{PROJECT}/problem/answer", f"{PROJECT}/problem/close",
         f"{PROJECT}/problem/reopen", "/supervision/open", "/supervision/answer", "/supervision/close",
         "/supervision/reopen"]


def _ledger(store: str, clock=None) -> Ledger:
    return Ledger(store, clock=clock) if clock else Ledger(store)


def _last_event(store: str, number: str = "HW-2021-001"):
    ledger = _ledger(store)
    try:
        return ledger.history(ledger.project(number).id)[-1]
    finally:
        ledger.close()


@pytest.mark.parametrize("path", ["/new/project", PROJECT, "/supervision"])
def test_the_new_pages_send_a_stranger_to_the_login_page(client, path):
    response = client.get(path)
    assert sent_to_login(response)


@pytest.mark.parametrize("path", POSTS)
def test_every_new_form_sends_a_stranger_to_the_login_page(client, web_store, path):
    before = events(web_store)
    response = client.post(path, data={"text": "x", "version": "1"})
    assert sent_to_login(response, "/login")
    assert events(web_store) == before


@pytest.mark.parametrize("path", POSTS)
def test_every_new_form_without_the_csrf_token_is_refused_with_403(liaison, web_store, path):
    before = events(web_store)
    response = liaison.post(path, data={"text": "x", "note": "x", "version": "1", "problem_id": "HW-2021-001/P1"})
    assert response.status_code == 403 and "CSRF" in response.text
    assert events(web_store) == before


def test_a_liaison_registers_a_project_in_their_unit_and_the_event_is_theirs_from_the_web(liaison, web_store):
    page = liaison.get("/new/project")
    assert page.status_code == 200 and 'value="HW"' in page.text and 'value="GY"' not in page.text
    response = submit(liaison, "/new/project", "/new/project", number="HW-2021-002", unit="HW", name="垃圾分类处理站",
                      sector="waste", level="commission", investor="天津某环保公司", investment="3,500.50")
    assert response.status_code == 303 and response.headers["location"] == "/projects/HW-2021-002"
    event = _last_event(web_store, "HW-2021-002")
    assert (type(event).__name__, event.actor, event.os_user, event.host) == ("Registered", "孙联络", "web", "testclient")
    assert str(event.investment) == "3500.50"
    assert "垃圾分类处理站" in liaison.get("/projects/HW-2021-002").text


def test_registering_in_another_unit_is_refused_with_the_domains_words(liaison, web_store):
    before = events(web_store)
    refused = submit(liaison, "/new/project", "/new/project", number="GY-2021-009", unit="GY", name="燃气",
                     sector="gas_heating", level="unit", investor="某公司", investment="10")
    assert refused.status_code == 403 and "孙联络 (liaison of HW) may not do this" in unescape(refused.text)
    assert 'class="refusal"' in refused.text and events(web_store) == before


def test_malformed_registration_is_shown_beside_each_field(liaison, web_store):
    before = events(web_store)
    bad = submit(liaison, "/new/project", "/new/project", number="HW-2021-003", unit="HW", name="",
                 sector="moon", level="city", investor="某公司", investment="1,5")
    text = unescape(bad.text)
    assert bad.status_code == 422
    assert 'data-field="name"' in text and 'data-field="sector"' in text and 'data-field="investment"' in text
    assert "a comma may only separate thousands" in text and "Traceback" not in text
    assert 'value="HW-2021-003"' in text  # what was typed stays in the form
    assert events(web_store) == before


def test_a_duplicate_number_is_refused_with_the_domains_message(liaison, web_store):
    refused = submit(liaison, "/new/project", "/new/project", number="HW-2021-001", unit="HW", name="重复",
                     sector="waste", level="unit", investor="某公司", investment="1")
    assert refused.status_code == 409 and "already registered" in unescape(refused.text)


def test_the_admin_may_not_register_projects_and_sees_no_form(client):
    log_in(client, "管理员")
    assert client.get("/new/project").status_code == 403
    assert "登记项目" not in client.get("/board").text.split("</h1>")[1].split("<form")[0]


def test_a_liaison_updates_plans_raises_and_records_a_service(liaison, web_store, web_clock):
    assert submit(liaison, PROJECT, f"{PROJECT}/update", investment="13500.50", investor="天津某环境服务有限公司",
                  name="环卫一体化PPP项目", level="city", responsible_person="钱副处",
                  responsible_department="环境卫生管理处综合科", liaison="孙联络").status_code == 303
    assert type(_last_event(web_store)).__name__ == "Updated"
    assert submit(liaison, PROJECT, f"{PROJECT}/plan", stage="signed", by="2021-12-31").status_code == 303
    assert submit(liaison, PROJECT, f"{PROJECT}/raise", title="项目用地规划调整", category="land",
                  due_on="2021-12-31").status_code == 303
    assert submit(liaison, PROJECT, f"{PROJECT}/service", kind="approval", on="2021-08-31",
                  note="协调办理环评批复", amount="20").status_code == 303
    page = liaison.get(PROJECT).text
    assert "HW-2021-001/P1" in page and "项目用地规划调整" in page and "HW-2021-001/S1" in page
    assert "签约：2021-12-31 前" in page and "13500.50" in page
    ledger = _ledger(web_store)
    project = ledger.project("HW-2021-001")
    trail = [(type(e).__name__, e.actor, e.os_user) for e in ledger.history(project.id)[1:]]
    ledger.close()
    assert trail == [("Updated", "孙联络", "web"), ("Planned", "孙联络", "web"), ("ProblemRegistered", "孙联络", "web"),
                     ("ServiceRecorded", "孙联络", "web")]


def test_an_update_that_changes_nothing_is_refused_with_the_domains_message(liaison, web_store):
    before = events(web_store)
    same = submit(liaison, PROJECT, f"{PROJECT}/update")  # every field as it stands: nothing to change
    assert same.status_code == 409 and "nothing to change" in unescape(same.text)
    assert events(web_store) == before


def test_a_bad_date_is_shown_beside_its_field_in_its_own_form(liaison, web_store):
    before = events(web_store)
    bad = submit(liaison, PROJECT, f"{PROJECT}/service", kind="approval", on="2021-02-30", note="x")
    text = unescape(bad.text)
    assert bad.status_code == 422 and 'data-field="on"' in text and "2021-02-30" in text
    assert text.index('data-field="on"') > text.index('id="form-service"')  # beside the service form's date
    assert events(web_store) == before


def test_a_form_without_its_version_is_refused_beside_the_form(liaison, web_store):
    page = liaison.get(PROJECT)
    form = hidden_fields(page.text, f"{PROJECT}/note")
    del form["version"]
    before = events(web_store)
    response = liaison.post(f"{PROJECT}/note", data={**form, "text": "完成踏勘"})
    assert response.status_code == 422 and 'data-field="version"' in response.text
    assert events(web_store) == before


def test_a_stale_form_is_refused_someone_else_changed_this_and_nothing_is_recorded(app, web_store):
    from starlette.testclient import TestClient

    with TestClient(app, follow_redirects=False) as first, TestClient(app, follow_redirects=False) as second:
        log_in(first, "孙联络")
        log_in(second, "赵处长")
        seen_by_second = second.get(PROJECT).text
        assert submit(first, PROJECT, f"{PROJECT}/note", text="联络员先记录").status_code == 303
        before = events(web_store)
        stale = second.post(f"{PROJECT}/advance", data={**hidden_fields(seen_by_second, f"{PROJECT}/advance"),
                                                        "to": "negotiating"})
        text = unescape(stale.text)
        assert stale.status_code == 409 and "此项目已被他人修改" in text and "someone else changed" in text
        assert 'class="refusal"' in text and events(web_store) == before
        assert _last_event(web_store).text == "联络员先记录"
        # Looking again gives the new version; the same change then goes through.
        assert submit(second, PROJECT, f"{PROJECT}/advance", to="negotiating").status_code == 303


def test_another_units_liaison_sees_no_forms_and_cannot_raise_or_serve(client, web_store):
    log_in(client, "周联络")
    page = client.get(PROJECT)
    assert 'action="/projects/HW-2021-001/raise"' not in page.text and 'id="form-note"' not in page.text
    form = {"csrf": csrf_of(page.text), "version": "1"}
    before = events(web_store)
    for what, fields in (("raise", {"title": "越权", "category": "land"}),
                         ("service", {"kind": "other", "on": "2021-08-31", "note": "越权"}),
                         ("advance", {"to": "negotiating"}), ("plan", {"stage": "signed", "by": "2021-12-31"}),
                         ("update", {"investment": "1"}), ("note", {"text": "越权"})):
        refused = client.post(f"{PROJECT}/{what}", data={**form, **fields})
        assert refused.status_code == 403 and "周联络 (liaison of GY) may not do this" in unescape(refused.text)
    assert events(web_store) == before


def _with_problem(store: str, clock) -> str:
    ledger = _ledger(store, clock)
    from domain.values import ProblemCategory

    problem_id = ledger.raise_problem("孙联络", "HW-2021-001", "用地", ProblemCategory.LAND, date(2021, 12, 31))
    ledger.close()
    return problem_id


def test_the_unit_answers_a_problem_and_only_the_office_closes_and_reopens_it(client, web_store, web_clock):
    problem_id = _with_problem(web_store, web_clock)
    log_in(client, "孙联络")
    page = client.get(PROJECT).text
    assert 'action="/projects/HW-2021-001/problem/answer"' in page
    assert submit(client, PROJECT, f"{PROJECT}/problem/answer", {"problem_id": problem_id},
                  note="规划调整已批复，已反馈投资方").status_code == 303
    assert 'problem/close"' not in client.get(PROJECT).text  # the liaison sees no 销号
    before = events(web_store)
    forged = client.post(f"{PROJECT}/problem/close", data={"csrf": csrf_of(page), "problem_id": problem_id,
                                                           "version": "2"})
    assert forged.status_code == 403 and "only the office may" in unescape(forged.text)
    assert events(web_store) == before

    client.cookies.clear()
    log_in(client, "许办公")
    assert submit(client, PROJECT, f"{PROJECT}/problem/close", {"problem_id": problem_id}).status_code == 303
    assert "已销号" in client.get(PROJECT).text
    empty = submit(client, PROJECT, f"{PROJECT}/problem/reopen", {"problem_id": problem_id}, reason="")
    assert empty.status_code == 422 and 'data-field="reason"' in empty.text
    assert submit(client, PROJECT, f"{PROJECT}/problem/reopen", {"problem_id": problem_id},
                  reason="投资方反映问题未解决").status_code == 303
    ledger = _ledger(web_store)
    problem = ledger.problem(problem_id)
    events_of = ledger.history(problem.id)
    ledger.close()
    assert problem.status == "open"
    assert [(type(e).__name__, e.actor, e.os_user) for e in events_of[1:]] == [
        ("Answered", "孙联络", "web"), ("Closed", "许办公", "web"), ("Reopened", "许办公", "web")]


def test_a_stale_problem_form_is_refused(app, web_store, web_clock):
    from starlette.testclient import TestClient

    problem_id = _with_problem(web_store, web_clock)
    with TestClient(app, follow_redirects=False) as liaison, TestClient(app, follow_redirects=False) as leader:
        log_in(liaison, "孙联络")
        log_in(leader, "赵处长")
        seen = leader.get(PROJECT).text
        assert submit(liaison, PROJECT, f"{PROJECT}/problem/answer", {"problem_id": problem_id},
                      note="已答复").status_code == 303
        form = hidden_fields(seen, f"{PROJECT}/problem/answer", problem_id=problem_id)
        stale = leader.post(f"{PROJECT}/problem/answer", data={**form, "note": "处长也答复"})
        assert stale.status_code == 409 and "此问题已被他人修改" in stale.text


# -- 督办 ---------------------------------------------------------------------------------------------

def test_the_office_opens_a_supervision_the_unit_answers_and_the_office_reopens_and_closes(client, web_store,
                                                                                           web_clock):
    log_in(client, "许办公")
    page = client.get(f"/supervision?subject=HW-2021-001")
    assert page.status_code == 200 and 'id="form-open"' in page.text
    opened = submit(client, "/supervision?subject=HW-2021-001", "/supervision/open", subject="HW-2021-001",
                    due_on="2021-09-15", note="请说明推进计划")
    assert opened.status_code == 303
    assert "DB-2021-001" in client.get(PROJECT).text  # the project page lists its 督办

    client.cookies.clear()
    log_in(client, "孙联络")
    listed = client.get("/supervision?unit=HW").text
    assert 'id="form-open"' not in listed and 'action="/supervision/answer"' in listed
    assert 'action="/supervision/close"' not in listed
    assert submit(client, "/supervision?unit=HW", "/supervision/answer", {"supervision_id": "DB-2021-001"},
                  note="已报送推进计划").status_code == 303

    client.cookies.clear()
    log_in(client, "许办公", again=True)
    assert submit(client, "/supervision", "/supervision/reopen", {"supervision_id": "DB-2021-001"},
                  reason="未说明开工时间").status_code == 303
    client.cookies.clear()
    log_in(client, "孙联络", again=True)
    assert submit(client, "/supervision", "/supervision/answer", {"supervision_id": "DB-2021-001"},
                  note="定于11月28日开工").status_code == 303
    client.cookies.clear()
    log_in(client, "许办公", again=True)
    assert submit(client, "/supervision", "/supervision/close", {"supervision_id": "DB-2021-001"}).status_code == 303
    ledger = _ledger(web_store)
    supervision = ledger.supervision("DB-2021-001")
    trail = [(type(e).__name__, e.actor, e.os_user, e.host) for e in ledger.history(supervision.id)]
    ledger.close()
    assert supervision.status == "closed"
    assert [t[:2] for t in trail] == [("Opened", "许办公"), ("Answered", "孙联络"), ("Reopened", "许办公"),
                                      ("Answered", "孙联络"), ("Closed", "许办公")]
    assert {t[2:] for t in trail} == {("web", "testclient")}


def _opened(store: str, clock) -> None:
    ledger = _ledger(store, clock)
    ledger.open_supervision("许办公", "HW-2021-001", date(2021, 9, 15), "请说明推进计划")
    ledger.close()


def test_a_liaison_cannot_open_close_or_reopen_and_another_unit_cannot_answer(client, web_store, web_clock):
    _opened(web_store, web_clock)
    log_in(client, "周联络")
    page = client.get("/supervision")
    assert 'action="/supervision/answer"' not in page.text  # GY's liaison: not GY's 督办
    token = csrf_of(page.text)
    before = events(web_store)
    refused = client.post("/supervision/answer", data={"csrf": token, "supervision_id": "DB-2021-001",
                                                       "version": "1", "note": "越权"})
    assert refused.status_code == 403 and "only the unit's principal, leader or liaison" in unescape(refused.text)
    for what, fields in (("open", {"subject": "HW-2021-001", "due_on": "2021-09-30", "note": "x"}),
                         ("close", {"supervision_id": "DB-2021-001", "version": "1"}),
                         ("reopen", {"supervision_id": "DB-2021-001", "version": "1", "reason": "x"})):
        response = client.post(f"/supervision/{what}", data={"csrf": token, **fields})
        assert response.status_code == 403 and "only the office may open, close or reopen" in unescape(response.text)
    assert events(web_store) == before


def test_a_stale_supervision_answer_is_refused(app, web_store, web_clock):
    from starlette.testclient import TestClient

    _opened(web_store, web_clock)
    with TestClient(app, follow_redirects=False) as liaison, TestClient(app, follow_redirects=False) as principal:
        log_in(liaison, "孙联络")
        log_in(principal, "赵处长")
        seen = principal.get("/supervision").text
        assert submit(liaison, "/supervision", "/supervision/answer", {"supervision_id": "DB-2021-001"},
                      note="联络员答复").status_code == 303
        before = events(web_store)
        stale = principal.post("/supervision/answer", data={
            **hidden_fields(seen, "/supervision/answer", supervision_id="DB-2021-001"), "note": "处长答复"})
        assert stale.status_code == 409 and "此督办已被他人修改" in stale.text
        assert events(web_store) == before


def test_opening_on_an_unknown_subject_or_a_past_day_shows_the_refusal(client, web_store):
    log_in(client, "许办公")
    before = events(web_store)
    unknown = submit(client, "/supervision", "/supervision/open", subject="NO-SUCH", due_on="2021-09-30", note="x")
    assert unknown.status_code == 409 and "no project numbered" in unescape(unknown.text)
    bad = submit(client, "/supervision", "/supervision/open", subject="HW-2021-001", due_on="2021-9-3x", note="")
    assert bad.status_code == 422 and 'data-field="due_on"' in bad.text and 'data-field="note"' in bad.text
    assert events(web_store) == before


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both_stores(request, tmp_path, web_clock) -> str:
    """The web fixtures' commission on a SQLite file, and again on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'forms.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_store")
    return commission_at(url, web_clock)


def test_on_either_store_a_stale_form_is_refused_and_a_fresh_one_recorded(both_stores, web_clock):
    from starlette.testclient import TestClient

    from web.app import create_app

    app = create_app(both_stores, clock=web_clock)
    with TestClient(app, follow_redirects=False) as first, TestClient(app, follow_redirects=False) as second:
        log_in(first, "孙联络")
        log_in(second, "许办公")
        seen = second.get(PROJECT).text
        assert submit(first, PROJECT, f"{PROJECT}/raise", title="用地", category="land").status_code == 303
        before = events(both_stores)
        stale = second.post(f"{PROJECT}/service", data={**hidden_fields(seen, f"{PROJECT}/service"), "kind": "site",
                                                        "on": "2021-08-31", "note": "选址服务"})
        assert stale.status_code == 409 and "此项目已被他人修改" in stale.text
        assert events(both_stores) == before
        assert submit(second, PROJECT, f"{PROJECT}/service", kind="site", on="2021-08-31",
                      note="选址服务").status_code == 303
        assert submit(second, PROJECT, f"{PROJECT}/problem/answer", {"problem_id": "HW-2021-001/P1"},
                      note="已协调").status_code == 303
    ledger = Ledger(both_stores)
    try:
        project = ledger.project("HW-2021-001")
        trail = [(type(e).__name__, e.actor, e.os_user) for e in ledger.history(project.id)[1:]]
        answered = ledger.history(ledger.problem("HW-2021-001/P1").id)[-1]
    finally:
        ledger.close()
    assert trail == [("ProblemRegistered", "孙联络", "web"), ("ServiceRecorded", "许办公", "web")]
    assert (type(answered).__name__, answered.actor, answered.host) == ("Answered", "许办公", "testclient")
