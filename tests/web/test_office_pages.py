"""The office's pages through Starlette's TestClient: 逾期与提醒 with the reminder mailing, 年度/季度总结
and its downloads, the admin's units, people, passwords and policy, 三色预警, and pagination — each
route refusing strangers, forms without their CSRF token, and people without the right role."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from decimal import Decimal
from email import message_from_bytes, policy
from html import unescape

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from domain.application import Ledger
from domain.values import UTC, Level, Sector
from projections.queries import Queries
from tests.web.conftest import CHOSEN, INITIAL, csrf_of, events, log_in, sent_to_login

OCTOBER = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # September's reports overdue, Shanghai 10:00
GETS = ["/lamps", "/summary", "/summary?year=2021&format=md", "/overdue", "/admin", "/admin/people", "/admin/units",
        "/admin/policy"]
POSTS = ["/overdue/remind", "/admin/units/add", "/admin/units/HW/update", "/admin/units/HW/withdraw",
         "/admin/people/add", "/admin/people/孙联络/update", "/admin/people/孙联络/remove",
         "/admin/people/孙联络/password", "/admin/policy/load"]
ADMIN_PAGES = ["/admin", "/admin/people", "/admin/units", "/admin/policy"]


def admin_in(client):
    log_in(client, "管理员")
    return client


def form_token(client, path: str = "/admin/people") -> str:
    return csrf_of(client.get(path).text)


# -- who may reach what --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", GETS)
def test_a_stranger_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert sent_to_login(response)


@pytest.mark.parametrize("path", POSTS)
def test_a_strangers_post_is_sent_to_the_login_page_and_records_nothing(client, web_store, path):
    before = events(web_store)
    response = client.post(path, data={"csrf": "x", "name": "某人", "role": "staff"})
    assert sent_to_login(response, "/login")
    assert events(web_store) == before


@pytest.mark.parametrize("path", POSTS)
def test_a_post_without_the_sessions_csrf_token_is_refused_with_403(client, web_store, path):
    admin_in(client)
    before = events(web_store)
    assert client.post(path, data={"name": "新人", "role": "staff", "reason": "x"}).status_code == 403
    assert client.post(path, data={"csrf": "forged", "name": "新人", "role": "staff"}).status_code == 403
    assert events(web_store) == before


@pytest.mark.parametrize("who", ["孙联络", "许办公", "赵处长"])
def test_nobody_but_the_admin_reaches_the_admin_pages(client, web_store, who):
    log_in(client, who)
    for path in ADMIN_PAGES:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 403 and "只有管理员" in response.text, path
    token = form_token(client, "/board")
    before = events(web_store)
    for path, data in [("/admin/people/add", {"name": "冒名", "role": "admin"}),
                       ("/admin/people/周联络/password", {"password": "guess-this-2021", "again": "guess-this-2021"}),
                       ("/admin/units/GY/withdraw", {"on": "2021-09-02", "reason": "越权"})]:
        assert client.post(path, data={"csrf": token, **data}).status_code == 403, path
    assert events(web_store) == before
    assert "/admin/people" not in client.get("/board").text  # no 管理 link either


def test_the_admin_sees_the_admin_link(client):
    admin_in(client)
    assert 'href="/admin/people"' in client.get("/board").text


# -- people and passwords ------------------------------------------------------------------------------

def test_the_admin_adds_appoints_updates_and_removes_a_person(client, web_store):
    admin_in(client)
    token = form_token(client)
    added = client.post("/admin/people/add", data={"csrf": token, "name": "吴科员", "role": "staff", "unit": "HW",
                                                   "phone": "022-1", "email": "wu@example.gov.cn"})
    assert added.status_code == 303 and "done=person-added" in added.headers["location"]
    appointed = client.post("/admin/people/吴科员/update", data={"csrf": token, "role": "liaison", "unit": "GY",
                                                                "email": "wu2@example.gov.cn"})
    assert appointed.status_code == 303
    ledger = Ledger(web_store)
    person = ledger.person("吴科员")
    liaison = {u["code"]: u["liaison"] for u in Queries(ledger).units()}["GY"]
    ledger.close()
    assert (person.role.value, person.unit, person.email, liaison) == ("liaison", "GY", "wu2@example.gov.cn", "吴科员")
    removed = client.post("/admin/people/吴科员/remove", data={"csrf": token, "reason": "调离"})
    assert removed.status_code == 303
    assert "已移除" in client.get("/admin/people").text


def test_a_refused_admin_write_shows_the_domains_words_and_records_nothing(client, web_store):
    admin_in(client)
    token = form_token(client)
    before = events(web_store)
    twice = client.post("/admin/people/add", data={"csrf": token, "name": "孙联络", "role": "staff"})
    assert twice.status_code == 409 and "already registered" in unescape(twice.text)
    unnamed = client.post("/admin/people/add", data={"csrf": token, "name": "", "role": "staff"})
    assert unnamed.status_code == 422 and "请填写姓名" in unnamed.text
    self_removal = client.post("/admin/people/管理员/remove", data={"csrf": token, "reason": "x"})
    assert self_removal.status_code == 409 and "cannot remove yourself" in self_removal.text
    assert events(web_store) == before


def test_an_initial_password_set_by_the_admin_must_be_changed_at_first_login(client, app, web_store, caplog):
    admin_in(client)
    token = form_token(client)
    secret = "chuci-mima-for-li-77"
    with caplog.at_level(logging.DEBUG):
        weak = client.post("/admin/people/李科员/password", data={"csrf": token, "password": "12345678901",
                                                                  "again": "12345678901"})
        assert weak.status_code == 422 and "only digits" in weak.text and "12345678901" not in weak.text
        differs = client.post("/admin/people/李科员/password", data={"csrf": token, "password": secret,
                                                                     "again": secret + "x"})
        assert differs.status_code == 422 and "不一致" in differs.text and secret not in differs.text
        done = client.post("/admin/people/李科员/password", data={"csrf": token, "password": secret, "again": secret})
        assert done.status_code == 303
        page = client.get(done.headers["location"])
    assert "首次登录时须修改" in page.text and secret not in page.text
    assert secret not in caplog.text
    ledger = Ledger(web_store)
    assert secret not in str([e.__dict__ for e in ledger.history(ledger.person("李科员").id)])
    ledger.close()
    client.cookies.clear()
    first = log_in(client, "李科员", password=secret, change=False)
    assert first.status_code == 303 and first.headers["location"] == "/password"
    assert client.get("/dashboard").headers["location"] == "/password"


def test_setting_a_password_ends_the_persons_sessions(client, app):
    from starlette.testclient import TestClient

    with TestClient(app, follow_redirects=False) as other:
        log_in(other, "孙联络")
        assert other.get("/board").status_code == 200
        admin_in(client)
        token = form_token(client)
        assert client.post("/admin/people/孙联络/password", data={
            "csrf": token, "password": "reset-by-admin-1", "again": "reset-by-admin-1"}).status_code == 303
        assert other.get("/board").headers["location"].startswith("/login")


# -- units -------------------------------------------------------------------------------------------

def test_the_admin_enrols_updates_and_withdraws_a_unit(client, web_store):
    admin_in(client)
    token = form_token(client, "/admin/units")
    enrolled = client.post("/admin/units/add", data={"csrf": token, "code": "SR", "name": "市容管理处",
                                                     "kind": "department", "enrolled_on": "2021-09-01",
                                                     "sectors": ["landscaping", "waste"], "department": "综合科"})
    assert enrolled.status_code == 303
    assert client.post("/admin/units/SR/update", data={"csrf": token, "name": "市容景观管理处",
                                                       "sectors": ["landscaping"]}).status_code == 303
    bad_day = client.post("/admin/units/SR/withdraw", data={"csrf": token, "on": "2021-02-30", "reason": "撤并"})
    assert bad_day.status_code == 422 and 'class="field-error"' in bad_day.text
    assert client.post("/admin/units/SR/withdraw", data={"csrf": token, "on": "2021-09-02",
                                                         "reason": "机构撤并"}).status_code == 303
    ledger = Ledger(web_store)
    unit = ledger.unit("SR")
    ledger.close()
    assert (unit.name, [s.value for s in unit.sectors], str(unit.withdrawn_on)) == (
        "市容景观管理处", ["landscaping"], "2021-09-02")


# -- the policy -----------------------------------------------------------------------------------------

def _policy_text(store: str) -> str:
    ledger = Ledger(store)
    try:
        calendar = ledger.calendar()
        return calendar.policies[-1].to_toml_text()
    finally:
        ledger.close()


def test_the_admin_views_the_policy_and_loads_a_new_one_from_a_date(client, web_store, web_clock):
    admin_in(client)
    page = client.get("/admin/policy")
    assert page.status_code == 200 and "重点招商项目情况表" in page.text and "kind" in page.text
    text = _policy_text(web_store).replace("name = \"", "name = \"2022年", 1)
    loaded = client.post("/admin/policy/load", data={"csrf": csrf_of(page.text), "effective_from": "2022-01-01"},
                         files={"file": ("2022报送时限.toml", text.encode("utf-8"), "application/toml")})
    assert loaded.status_code == 303, loaded.text
    ledger = Ledger(web_store)
    policies = ledger.calendar().policies
    ledger.close()
    assert str(policies[-1].effective_from) == "2022-01-01"


def test_a_malformed_policy_is_refused_beside_its_field_and_records_nothing(client, web_store):
    admin_in(client)
    token = form_token(client, "/admin/policy")
    before = events(web_store)
    broken = client.post("/admin/policy/load", data={"csrf": token, "effective_from": "2022-01-01",
                                                     "text": "this is [not toml"})
    assert broken.status_code == 422 and 'class="refusal"' in broken.text
    empty = client.post("/admin/policy/load", data={"csrf": token, "effective_from": "2022-01-01"})
    assert empty.status_code == 422 and "请选择 TOML 文件" in empty.text
    assert events(web_store) == before


# -- lamps, the dashboard and the board ------------------------------------------------------------------

def test_the_lamps_page_lists_each_lamp_with_its_reason_and_what_turns_it_green(client, web_clock):
    web_clock.set(OCTOBER)
    log_in(client, "孙联络")
    page = client.get("/lamps?unit=HW&colour=red")
    assert page.status_code == 200
    assert "HW/project_status/2021-09" in page.text and "已逾期15天" in page.text and "报送重点招商项目情况表" in page.text
    assert "GY/" not in page.text
    assert "（无预警）" in client.get("/lamps?colour=red&as_of=2021-09-01").text
    bad = client.get("/lamps?colour=purple")
    assert bad.status_code == 422 and "purple" in bad.text


def test_the_dashboard_charts_each_units_lamps_as_of_its_date(client, web_clock):
    web_clock.set(OCTOBER)
    log_in(client, "许办公")
    reds = _lamp_series(client.get("/dashboard").text)
    assert sum(reds) > 0
    assert sum(_lamp_series(client.get("/dashboard?as_of=2021-09-01").text)) == 0


def _lamp_series(page: str) -> list[int]:
    """The red lamps per unit in the dashboard's lamp chart (its ECharts option, as the page carries it)."""
    option = json.loads(unescape(page.split('id="chart-lamps" data-chart="')[1].split('"')[0]))
    assert option["title"]["text"] == "各单位三色预警"
    series = {s["name"]: s["data"] for s in option["series"]}
    assert set(series) == {"红灯", "黄灯", "绿灯"}
    return series["红灯"]


def _projects(store: str, clock, count: int) -> None:
    ledger = Ledger(store, clock=clock)
    for i in range(2, count + 2):
        ledger.add_project("孙联络", f"HW-2021-{i:03d}", "HW", f"项目{i}", Sector.SANITATION, Level.CITY, "某公司",
                           Decimal("100"), "钱副处", "综合科", "孙联络")
    ledger.close()


def test_the_board_pages_with_counts_and_links_and_shows_each_lamp(client, web_store, web_clock):
    _projects(web_store, web_clock, 11)  # 12 projects in all
    log_in(client, "孙联络")
    first = client.get("/board?unit=HW&size=10")
    assert "共 12 条，第 1–10 条（第 1/2 页，每页 10 条）" in first.text
    assert 'rel="next" href="/board?unit=HW&amp;page=2&amp;size=10"' in first.text and 'rel="prev"' not in first.text
    second = client.get("/board?unit=HW&size=10&page=2")
    assert "第 11–12 条" in second.text and "HW-2021-012" in second.text and "HW-2021-001" not in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert "<th>预警</th>" in first.text
    assert client.get("/board?page=abc").status_code == 200


def test_the_board_shows_a_projects_lamp(client, web_store, web_clock):
    ledger = Ledger(web_store, clock=web_clock)
    ledger.promote_project("许办公", "HW-2021-001", "纳入重点库")
    ledger.close()
    web_clock.set(datetime(2022, 3, 1, 2, tzinfo=UTC))  # months without progress
    log_in(client, "孙联络")
    expected = Queries(Ledger(web_store, clock=web_clock)).project("HW-2021-001")["lamp"]
    assert expected in ("red", "yellow")
    row = client.get("/board").text.split("HW-2021-001")[0].rsplit("<tr>", 1)[1]
    assert f'class="lamp {expected}"' in row


def test_the_audit_trail_pages_newest_first(client):
    log_in(client, "许办公")
    page = client.get("/audit?size=10")
    assert "第 1–10 条" in page.text and 'rel="next"' in page.text
    last = client.get("/audit?size=10&page=999")
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text


# -- 逾期与提醒 -------------------------------------------------------------------------------------------

class Sink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def sink(monkeypatch):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ZS_SMTP", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("ZS_MAIL_FROM", "zsb@example.gov.cn")
    yield handler
    controller.stop()


@pytest.fixture
def pressed(web_store, web_clock):
    """October 20th: September's reports overdue, HW's September project_status drafted and waiting for its principal,
    and the liaison and the principal with addresses."""
    ledger = Ledger(web_store, clock=web_clock)
    ledger.update_person("管理员", "孙联络", email="sun@example.gov.cn")
    ledger.update_person("管理员", "赵处长", email="zhao@example.gov.cn")
    web_clock.set(OCTOBER)
    ledger.draft_report("孙联络", "HW", "project_status", "2021-09", [])
    ledger.close()
    return web_store


def test_the_overdue_page_lists_what_zs_remind_lists(client, pressed):
    log_in(client, "孙联络")
    page = client.get("/overdue")
    assert page.status_code == 200
    hw = page.text.split('data-unit="HW"')[1].split("</section>")[0]
    assert "逾期" in hw and "待审定" in hw and "2021-09" in hw and "孙联络" in hw and "13800000103" in hw
    assert 'id="send-reminders"' not in page.text  # only the office sends


def test_the_office_mails_reminders_once_a_day_and_each_mailing_is_recorded(client, pressed, sink, web_clock):
    log_in(client, "许办公")
    token = form_token(client, "/overdue")
    preview = client.post("/overdue/remind", data={"csrf": token, "dry_run": "yes"})
    assert preview.status_code == 200 and "将发送" in preview.text and sink.messages == []
    sent = client.post("/overdue/remind", data={"csrf": token, "dry_run": "no"})
    assert sent.status_code == 200 and "已发送" in sent.text
    assert sorted(m["To"].addresses[0].addr_spec for m in sink.messages) == ["sun@example.gov.cn",
                                                                               "zhao@example.gov.cn"]
    assert "待审定" in sink.messages[[m["To"].addresses[0].addr_spec for m in sink.messages].index(
        "zhao@example.gov.cn")].get_content()
    again = client.post("/overdue/remind", data={"csrf": token, "dry_run": "no"})
    assert again.status_code == 200 and "今日已提醒" in again.text and len(sink.messages) == 2
    ledger = Ledger(pressed)
    mailings = Queries(ledger).audit(action="Mailed")
    ledger.close()
    assert {(r["actor"], r["os_user"]) for r in mailings} == {("许办公", "web")} and len(mailings) == 2
    web_clock.advance(days=1)
    log_in(client, "许办公", again=True)
    client.post("/overdue/remind", data={"csrf": form_token(client, "/overdue"), "dry_run": "no"})
    assert len(sink.messages) == 4  # a new Shanghai day, the same items once more


def test_only_the_office_sends_reminders(client, pressed, sink):
    log_in(client, "孙联络")
    before = events(pressed)
    refused = client.post("/overdue/remind", data={"csrf": form_token(client, "/overdue"), "dry_run": "no"})
    assert refused.status_code == 403 and "only the office may send reminders" in refused.text
    assert sink.messages == [] and events(pressed) == before


def test_without_a_mail_server_the_office_is_told_and_nothing_is_sent(client, pressed, monkeypatch):
    monkeypatch.delenv("ZS_SMTP", raising=False)
    log_in(client, "许办公")
    before = events(pressed)
    refused = client.post("/overdue/remind", data={"csrf": form_token(client, "/overdue"), "dry_run": "no"})
    assert refused.status_code == 422 and "ZS_SMTP" in refused.text
    assert events(pressed) == before


# -- 年度/季度总结 -------------------------------------------------------------------------------------

def test_a_summary_is_shown_with_its_scope_and_log_position_and_downloads_the_same_figures(client, web_clock):
    web_clock.set(OCTOBER)
    log_in(client, "许办公")
    page = client.get("/summary?year=2021")
    assert page.status_code == 200
    text = unescape(page.text)
    assert "2021年度招商引资工作成效" in text and "期间尚未结束，数字截至 2021-10-20 10:00" in text
    assert "环境卫生管理处" in text and "新增项目（个）" in text
    position = text.split('class="log-position">')[1].split("<")[0]
    markdown = client.get(f"/summary?year=2021&format=md&log_position={position}")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    body = markdown.content.decode("utf-8")
    assert body.startswith("# 2021年度招商引资工作成效") and f"--log-position {position}" in body
    workbook = client.get("/summary?quarter=2021-Q3&format=xlsx")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "2021年第3季度招商引资情况统计" in cells and "新增项目（个）" in cells


def test_the_summary_download_links_pin_the_pages_moment_and_position(client, web_clock):
    web_clock.set(OCTOBER)
    log_in(client, "许办公")
    text = unescape(client.get("/summary?quarter=2021-Q3").text)
    links = [part.split('"')[0] for part in text.split('href="/summary?')[1:]]
    assert len(links) == 2 and all("log_position=" in link and "as_known_at=" in link for link in links)
    assert client.get("/summary?" + links[0]).status_code == 200


@pytest.mark.parametrize("query", ["year=21x", "quarter=2021-Q5", "year=2021&quarter=2021-Q1", "unit=ZZ",
                                   "year=2021&log_position=abc"])
def test_a_malformed_summary_request_is_shown_beside_its_field(client, query):
    log_in(client, "许办公")
    response = client.get(f"/summary?{query}")
    assert response.status_code == 422 and 'class="field-error"' in response.text and "Traceback" not in response.text


def test_the_password_typed_by_the_admin_is_in_no_page(client):
    admin_in(client)
    assert INITIAL not in client.get("/admin/people").text and CHOSEN["孙联络"] not in client.get("/admin/people").text
