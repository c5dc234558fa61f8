"""报送's files through the web: the form filled from the ledger, uploads (drafting with them, revising
a returned report with them; too large and badly named files refused beside their field, nothing
recorded), attachments and receipts, and the office's 汇总 downloads (consolidation, the package zip)."""

from __future__ import annotations

import io
import json
import zipfile
from html import unescape
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from domain.application import Ledger
from integrity import receipts
from integrity.notes import create_key
from tests.web.conftest import csrf_of, events, hidden_fields, log_in

MONTH = "/units/HW/reports?month=2021-10"
REPORT = "HW/project_status/2021-09"
UPLOAD = "/units/HW/reports/upload"


@pytest.fixture
def october(web_clock):
    web_clock.set(web_clock.now.replace(month=10, day=3))
    return web_clock


def _upload(client, files, report_id: str | None = None, **fields: str):
    page = client.get(MONTH)
    match = {"report_id": report_id} if report_id else {"kind": "project_status", "period": "2021-09"}
    form = hidden_fields(page.text, UPLOAD, **match)
    return client.post(UPLOAD, data={**form, **fields}, files=[("files", f) for f in files])


def _report(store: str):
    ledger = Ledger(store)
    try:
        return ledger.report(REPORT)
    finally:
        ledger.close()


@pytest.mark.parametrize("path", ["/units/HW/reports/fill?kind=project_status&period=2021-09",
                                  f"/reports/attachment?id={quote(REPORT)}&name=x.xlsx",
                                  f"/reports/receipt?id={quote(REPORT)}", "/collect",
                                  "/collect/consolidated?kind=project_status&period=2021-09",
                                  "/collect/package?unit=HW&period=2021-09"])
def test_the_downloads_send_a_stranger_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_upload_without_the_csrf_token_is_refused_with_403(october, liaison, web_store):
    before = events(web_store)
    response = liaison.post(UPLOAD, data={"kind": "project_status", "period": "2021-09"},
                            files=[("files", ("情况表.xlsx", b"PK\x03\x04", "application/octet-stream"))])
    assert response.status_code == 403
    assert events(web_store) == before


def test_the_form_filled_from_the_ledger_downloads_as_xlsx(october, liaison):
    page = liaison.get(MONTH).text
    assert "从台账填表（下载 .xlsx）" in page
    response = liaison.get("/units/HW/reports/fill?kind=project_status&period=2021-09")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''" + quote("环境卫生管理处重点招商项目情况表2021-09.xlsx") in disposition
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("环境卫生管理处" in c for c in cells) and any("重点招商项目情况表" in c for c in cells)
    bad = liaison.get("/units/HW/reports/fill?kind=project_status&period=2021-13")
    assert bad.status_code == 422 and "Traceback" not in bad.text


def test_a_liaison_drafts_with_an_uploaded_form_and_revises_a_returned_report_with_another(october, liaison, client, web_store):
    response = _upload(liaison, [("情况表（修改）.xlsx", b"edited form bytes", "application/octet-stream"),
                                 ("现场照片.jpg", b"\xff\xd8jpeg", "image/jpeg")], note="已核对")
    assert response.status_code == 303, response.text
    report = _report(web_store)
    assert report.status == "draft" and [a.name for a in report.attachments] == ["情况表（修改）.xlsx", "现场照片.jpg"]
    ledger = Ledger(web_store)
    drafted = ledger.history(report.id)[0]
    ledger.close()
    assert (drafted.actor, drafted.os_user, drafted.host) == ("孙联络", "web", "testclient")

    got = liaison.get(f"/reports/attachment?id={quote(REPORT)}&name={quote('现场照片.jpg')}")
    assert got.status_code == 200 and got.content == b"\xff\xd8jpeg"
    assert "现场照片.jpg" in liaison.get(MONTH).text

    ledger = Ledger(web_store, clock=october)
    ledger.approve_report("赵处长", REPORT)
    ledger.send_report("孙联络", REPORT, sealed=True)
    ledger.return_report("许办公", REPORT, "计划总投资有误")
    ledger.close()
    assert "上传并修改" in liaison.get(MONTH).text
    revised = _upload(liaison, [("情况表（第二版）.xlsx", b"second", "application/octet-stream")], report_id=REPORT)
    assert revised.status_code == 303
    report = _report(web_store)
    assert report.status == "draft" and report.revision == 2
    assert [a.name for a in report.attachments] == ["情况表（第二版）.xlsx"]


def test_a_file_over_the_limit_is_refused_beside_its_field_and_nothing_is_recorded(october, liaison, web_store):
    from web.routes.report_files import UPLOAD_LIMIT

    before = events(web_store)
    response = _upload(liaison, [("扫描件.pdf", b"x" * (UPLOAD_LIMIT + 1), "application/pdf")])
    assert response.status_code == 413
    assert 'data-field="files"' in response.text and "扫描件.pdf 超过 4 MiB" in response.text
    assert events(web_store) == before


@pytest.mark.parametrize("name, words", [("..", "must be a plain file name"),
                                         ("a\\b.xlsx", "must be a plain file name"),
                                         ("情况表\u202e.xlsx", "invisible or control character"),
                                         ("长" * 201 + ".xlsx", "at most 200 are kept")])
def test_a_badly_named_file_is_refused_beside_its_field(october, liaison, web_store, name, words):
    before = events(web_store)
    response = _upload(liaison, [(name, b"bytes", "application/octet-stream")])
    assert response.status_code == 422
    assert 'data-field="files"' in response.text and words in unescape(response.text)
    assert events(web_store) == before


def test_an_upload_with_no_file_chosen_is_refused_beside_its_field(october, liaison, web_store):
    page = liaison.get(MONTH)
    form = hidden_fields(page.text, UPLOAD, kind="project_status", period="2021-09")
    response = liaison.post(UPLOAD, data=form, files=[("files", ("", b"", "application/octet-stream"))])
    assert response.status_code == 422 and "请选择要上传的文件" in response.text


def test_another_units_liaison_cannot_upload_here(october, client, web_store):
    log_in(client, "周联络")
    page = client.get(MONTH)
    assert 'action="/units/HW/reports/upload"' not in page.text
    before = events(web_store)
    response = client.post(UPLOAD, data={"csrf": csrf_of(page.text), "kind": "project_status", "period": "2021-09"},
                           files=[("files", ("情况表.xlsx", b"bytes", "application/octet-stream"))])
    assert response.status_code == 403 and "周联络 (liaison of GY) may not do this" in unescape(response.text)
    assert events(web_store) == before


def _sent(store: str, clock) -> Ledger:
    ledger = Ledger(store, clock=clock)
    ledger.draft_report("孙联络", "HW", "project_status", "2021-09", [("情况表.xlsx", b"the form")])
    ledger.approve_report("赵处长", REPORT)
    ledger.send_report("孙联络", REPORT, sealed=True)
    return ledger


def test_the_receipt_downloads_once_a_signed_tree_covers_the_sending(october, liaison, web_store, tmp_path):
    ledger = _sent(web_store, october)
    unsigned = liaison.get(f"/reports/receipt?id={quote(REPORT)}")
    assert unsigned.status_code == 409 and "no signed tree head covers the sending" in unescape(unsigned.text)
    key = create_key("test.ledger", tmp_path / "ledger.key")
    ledger.register_key("许办公", key.name, key.verifier)
    receipts.sign_tree(ledger, "许办公", key)
    ledger.close()
    assert "回执 (JSON)" in liaison.get(MONTH).text
    response = liaison.get(f"/reports/receipt?id={quote(REPORT)}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    made = json.loads(response.content)
    assert made["report_id"] == REPORT and made["sender"] == "孙联络" and made["attachments"][0]["name"] == "情况表.xlsx"
    assert made["format"] == receipts.FORMAT and made["inclusion_proof"] is not None
    text = liaison.get(f"/reports/receipt?id={quote(REPORT)}&format=txt")
    assert text.content.decode("utf-8").startswith("招商引资工作报送回执")


def test_the_office_downloads_the_consolidation_and_the_package(october, client, web_store):
    _sent(web_store, october).close()
    log_in(client, "许办公")
    assert "/collect" in client.get("/inbox").text
    month = client.get(MONTH).text
    assert "/collect/package?unit=HW&amp;due_in=2021-10" in month
    assert "/collect/consolidated?kind=project_status&amp;period=2021-09" in month
    by_month = client.get("/collect/package?unit=HW&due_in=2021-10")
    assert by_month.status_code == 200 and by_month.headers["content-type"] == "application/zip"
    assert client.get("/collect").status_code == 200
    sheet = client.get("/collect/consolidated?kind=project_status&period=2021-09")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(sheet.content))
    assert len(book.worksheets) == 2
    package = client.get("/collect/package?unit=HW&period=2021-09")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    assert quote("环境卫生管理处招商引资工作.zip") in package.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [r["id"] for r in manifest["reports"]] == [REPORT]
    nothing = client.get("/collect/package?unit=GY&period=2021-09")
    assert nothing.status_code == 409 and "has no sent report" in unescape(nothing.text)
    both = client.get("/collect/package?unit=HW&period=2021-09&due_in=2021-10")
    assert both.status_code == 422 and "not both" in both.text
    bad = client.get("/collect/consolidated?kind=moon&period=2021-09")
    assert bad.status_code == 422 and "no form for the kind" in unescape(bad.text)
