"""The package of one sending and the audit's host, on SQLite and PostgreSQL: both read storage (the
attachments' bytes, the event log)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date, datetime

import pytest

from domain.errors import AlreadyExists, RuleViolated
from domain.values import UTC
from projections.package import _publish, write_package
from projections.queries import Queries
from tests.conftest import MACHINE

PRINCIPAL, LIAISON = "赵处长", "孙联络"
MONTHLY = ("project_status", "tracking_feedback", "service_list")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, minute, tzinfo=UTC)  # Shanghai


def send(ledger, kind: str, period: str, name: str, content: bytes) -> str:
    report = ledger.draft_report(LIAISON, "HW", kind, period, [(name, content)])
    ledger.approve_report(PRINCIPAL, report)
    ledger.send_report(LIAISON, report, sealed=True)
    return report


def test_the_september_trio_and_the_q3_report_sent_together_go_in_one_zip_in_shanghai_time(commission, clock,
                                                                                          tmp_path):
    clock.set(at(date(2021, 10, 4), 9, 30))
    for kind in MONTHLY:
        send(commission, kind, "2021-09", f"{kind}.xlsx", kind.encode())
    send(commission, "quarterly_report", "2021-Q3", "三季度报告.pdf", b"%PDF q3")
    clock.set(at(date(2021, 10, 5), 8))

    target = write_package(commission, "HW", tmp_path, ["2021-09", "2021-Q3"])

    assert target.name == "环境卫生管理处招商引资工作.zip"
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        infos = {i.filename: i for i in archive.infolist()}
        contents = {name: archive.read(name) for name in infos}
    assert len(manifest["reports"]) == 4 and manifest["log_position"] == commission.recorder.max_notification_id()
    assert {i.date_time for name, i in infos.items() if name != "manifest.json"} == {(2021, 10, 4, 9, 30, 0)}
    assert infos["manifest.json"].date_time == (2021, 10, 5, 8, 0, 0)
    for entry in manifest["reports"]:
        assert entry["sent_at"] == "2021-10-04T09:30:00+08:00"
        for file in entry["files"]:
            assert hashlib.sha256(contents[file["path"]]).hexdigest() == file["sha256"]


def test_the_audit_trail_carries_the_host_every_event_records(commission):
    trail = Queries(commission).audit()

    assert trail and {row["host"] for row in trail} == {MACHINE.host}


def test_a_changed_byte_in_a_stored_file_refuses_the_package_and_leaves_no_file(commission, clock, tmp_path):
    clock.set(at(date(2021, 10, 4), 9, 30))
    report = send(commission, "project_status", "2021-09", "情况表.xlsx", b"the form as sent")
    store = commission.attachments
    digest = commission.report(report).attachments[0].sha256
    with store.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"UPDATE {store.table} SET content = {store.mark} WHERE sha256 = {store.mark}",
                       (b"the form changed", digest))

    with pytest.raises(RuleViolated, match="do not match the SHA-256 on record"):
        write_package(commission, "HW", tmp_path / "包", ["2021-09"])

    assert list((tmp_path / "包").iterdir()) == []


def test_a_zip_put_in_place_meanwhile_is_never_replaced(tmp_path):
    partial, target = tmp_path / "partial", tmp_path / "环境卫生管理处招商引资工作.zip"
    partial.write_bytes(b"ours")
    target.write_bytes(b"theirs, written a moment earlier")

    with pytest.raises(AlreadyExists):
        _publish(partial, target)

    assert target.read_bytes() == b"theirs, written a moment earlier"


def test_without_hard_links_the_zip_is_copied_into_a_new_file_and_still_never_replaces_one(tmp_path, monkeypatch):
    def no_links(source, target):
        raise PermissionError("hard links are not supported on this file system")

    monkeypatch.setattr("projections.package.os.link", no_links)
    partial, target = tmp_path / "partial", tmp_path / "包.zip"
    partial.write_bytes(b"ours")

    _publish(partial, target)
    partial.write_bytes(b"a second run")
    with pytest.raises(AlreadyExists):
        _publish(partial, target)

    assert target.read_bytes() == b"ours"
