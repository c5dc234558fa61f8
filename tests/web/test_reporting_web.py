"""报送 through the web: a unit's month from the liaison's draft to the office's acceptance, each step
by the one the domain allows, refusals shown on the page with nothing recorded."""

from __future__ import annotations

import re
from html import unescape

from domain.application import Ledger
from tests.web.conftest import csrf_of, events, log_in

MONTH = "/units/HW/reports?month=2021-10"
REPORT = "HW/project_status/2021-09"


def _step(client, step: str, **fields: str):
    page = client.get(MONTH)
    return client.post("/units/HW/reports/step", data={"csrf": csrf_of(page.text), "month": "2021-10",
                                                       "step": step, **fields})


def _status(store: str) -> str:
    ledger = Ledger(store)
    try:
        return ledger.report(REPORT).status
    finally:
        ledger.close()


def test_a_units_month_goes_from_draft_to_the_offices_acceptance(client, app, web_store, web_clock):
    web_clock.set(web_clock.now.replace(month=10, day=3))
    log_in(client, "孙联络")
    page = client.get(MONTH)
    assert page.status_code == 200 and "2021-09" in page.text and "起草（从台账填表）" in page.text
    assert _step(client, "draft", kind="project_status", period="2021-09").status_code == 303
    assert _status(web_store) == "draft"
    ledger = Ledger(web_store)
    assert ledger.report(REPORT).attachments[0].name.endswith(".xlsx")  # filled from the ledger
    ledger.close()

    refused = _step(client, "approve", report_id=REPORT)  # a liaison cannot approve
    assert refused.status_code == 403 and "only the unit's current principal may approve" in unescape(refused.text)
    assert _status(web_store) == "draft"

    client.cookies.clear()
    log_in(client, "赵处长")
    assert "审定" in client.get(MONTH).text
    assert _step(client, "approve", report_id=REPORT).status_code == 303

    client.cookies.clear()
    log_in(client, "孙联络", again=True)
    before = events(web_store)
    unsealed = _step(client, "send", report_id=REPORT)
    assert unsealed.status_code in (409, 422) and 'class="refusal"' in unsealed.text
    assert events(web_store) == before
    assert _step(client, "send", report_id=REPORT, sealed="yes").status_code == 303
    assert _status(web_store) == "sent"

    client.cookies.clear()
    log_in(client, "许办公")
    page = client.get(MONTH)
    assert "接收" in page.text and "退回" in page.text
    assert _step(client, "accept", report_id=REPORT).status_code == 303
    assert _status(web_store) == "accepted"
    assert re.search(r"已接收", client.get(MONTH).text)


def test_another_units_liaison_cannot_draft_here(client, web_store, web_clock):
    web_clock.set(web_clock.now.replace(month=10, day=3))
    log_in(client, "周联络")
    assert 'value="draft"' not in client.get(MONTH).text
    before = events(web_store)
    refused = _step(client, "draft", kind="project_status", period="2021-09")
    assert refused.status_code == 403 and "周联络" in refused.text
    assert events(web_store) == before


def test_a_malformed_month_is_shown_beside_its_field(client):
    log_in(client, "孙联络")
    page = client.get("/units/HW/reports?month=2021-13")
    assert page.status_code == 422 and 'class="field-error"' in page.text
    assert client.get("/units/NOPE/reports").status_code == 404


def test_the_offices_inbox_lists_sent_reports_and_accepts_from_there(client, web_store, web_clock):
    web_clock.set(web_clock.now.replace(month=10, day=3))
    ledger = Ledger(web_store, clock=web_clock)
    ledger.draft_report("孙联络", "HW", "project_status", "2021-09")
    ledger.approve_report("赵处长", REPORT)
    ledger.send_report("孙联络", REPORT, sealed=True)
    ledger.close()
    log_in(client, "许办公")
    page = client.get("/inbox")
    assert page.status_code == 200 and "重点招商项目情况表" in page.text and "已盖章" in page.text
    returned = client.post("/units/HW/reports/step", data={"csrf": csrf_of(page.text), "back": "inbox",
                                                           "step": "return", "report_id": REPORT, "reason": "数据有误"})
    assert returned.status_code == 303 and returned.headers["location"] == "/inbox"
    assert _status(web_store) == "returned"
    assert "没有待接收的报告" in client.get("/inbox").text


def test_the_overdue_page_lists_what_is_overdue_with_the_liaisons_phone(client, web_clock):
    web_clock.set(web_clock.now.replace(month=10, day=20))
    log_in(client, "许办公")
    page = client.get("/overdue")
    assert page.status_code == 200 and "重点招商项目情况表" in page.text and "13800000103" in page.text
    assert "招商引资工作联络单" in page.text  # due 2021-09-15, never sent
