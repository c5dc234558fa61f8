"""`zs --backfill T --by NAME --because TEXT` on write commands (docs/domain.md rule 11, docs/history.md):
the options' pairing, the refusals, and both times in history, `report show` and `audit`."""

from __future__ import annotations

import json
from typing import Any

import pytest

ADMIN, OFFICE, PRINCIPAL, LIAISON = "管理员", "许办公", "赵处长", "孙联络"
REPORT = "HW/project_status/2021-08"
BECAUSE = ("--because", "补录纸质台账")
HISTORY_KEYS = {"recorded_at", "effective_at", "actor", "actor_role", "done_by", "backfill_reason", "os_user", "host",
                "event", "details"}


def read(zs, *args: str, **kwargs: Any) -> Any:
    return json.loads(zs(*args, "--json", **kwargs).stdout)


def backfill(zs, at: str, *args: str, by: str | None = None, actor: str = OFFICE, expect: int = 0):
    return zs("--backfill", at, *(("--by", by) if by else ()), *BECAUSE, *args, actor=actor, expect=expect)


@pytest.fixture
def adopted(zs, freezer):
    """A ledger started on 2026-03-02 whose unit HW and its 2021 people are backfilled as of 2021-08-31."""
    freezer.move_to("2026-03-02T02:00:00+00:00")
    zs("init", "--admin", ADMIN)
    zs("person", "add", OFFICE, "--role", "office", actor=ADMIN)
    backfill(zs, "2021-08-31", "unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department",
             "--enrolled", "2021-08-31", actor=ADMIN)
    backfill(zs, "2021-08-31", "person", "add", PRINCIPAL, "--role", "principal", "--unit", "HW", actor=ADMIN)
    backfill(zs, "2021-08-31", "person", "add", LIAISON, "--role", "liaison", "--unit", "HW", actor=ADMIN)
    freezer.move_to("2026-03-03T02:00:00+00:00")
    return zs


def send_on_paper(zs) -> None:
    backfill(zs, "2021-09-02", "report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-08",
             by=LIAISON)
    backfill(zs, "2021-09-03", "report", "approve", REPORT, by=PRINCIPAL)
    backfill(zs, "2021-09-04T16:00", "report", "send", REPORT, "--sealed", by=LIAISON)


@pytest.mark.parametrize("options, named", [
    (("--by", LIAISON), "--by"),
    (("--because", "补录"), "--because"),
    (("--backfill", "2021-09-02"), "--because"),
    (("--backfill", "2021-09-02", "--because", "  "), "--because"),
    (("--backfill", "2021-13-02", "--because", "补录"), "--backfill"),
])
def test_unpaired_or_malformed_backfill_options_exit_2_naming_the_option(adopted, event_count, options, named):
    before = event_count()
    result = adopted(*options, "project", "note", "HW-2021-001", "--text", "进展", actor=OFFICE, expect=2)
    assert f"'{named}'" in result.stderr and "Traceback" not in result.stderr
    assert event_count() == before


def test_a_report_sent_on_paper_is_on_time_and_hidden_as_known_before_its_recording(adopted) -> None:
    send_on_paper(adopted)
    rows = read(adopted, "obligations", "--unit", "HW", "--as-of", "2021-09-06")
    sent = [r for r in rows if r["report_id"] == REPORT][0]
    assert (sent["status"], sent["sent_at"]) == ("on_time", "2021-09-04T08:00:00+00:00")
    assert read(adopted, "obligations", "--as-of", "2021-09-06", "--as-known-at", "2025-12-31") == []
    assert read(adopted, "overdue", "--as-of", "2021-09-06", "--as-known-at", "2026-03-02")  # known, not sent then


def test_history_report_show_and_audit_carry_both_times_and_who_did_it(adopted) -> None:
    send_on_paper(adopted)
    shown = read(adopted, "report", "show", REPORT)
    assert (shown["approved_by"], shown["sent_by"]) == (PRINCIPAL, LIAISON)
    assert all(set(row) == HISTORY_KEYS for row in shown["history"])
    approved = shown["history"][1]
    assert (approved["actor"], approved["done_by"], approved["backfill_reason"]) == (OFFICE, PRINCIPAL, "补录纸质台账")
    assert approved["effective_at"] == "2021-09-03T15:59:59.999999+00:00"
    assert approved["recorded_at"].startswith("2026-03-03T02:00:00")
    audit = read(adopted, "audit", "--actor", PRINCIPAL)
    assert [(r["action"], r["actor"], r["done_by"]) for r in audit] == [("Report.Approved", OFFICE, PRINCIPAL)]
    table = adopted("report", "show", REPORT).stdout
    assert "录入人" in table and "补录：补录纸质台账" in table
    assert "补录：补录纸质台账" in adopted("audit", "--report", REPORT).stdout


def test_project_history_shows_a_live_event_done_by_its_actor(adopted) -> None:
    backfill(adopted, "2021-09-10", "project", "add", "HW-2021-001", "--unit", "HW", "--name", "环卫一体化PPP项目",
             "--sector", "sanitation", "--level", "city", "--investor", "某公司", "--investment", "100", by=LIAISON)
    adopted("project", "note", "HW-2021-001", "--text", "2026年现场核实", actor=OFFICE)
    rows = read(adopted, "project", "history", "HW-2021-001")
    assert [(r["actor"], r["done_by"], r["backfill_reason"]) for r in rows] == [
        (OFFICE, LIAISON, "补录纸质台账"), (OFFICE, OFFICE, None)]
    assert rows[1]["effective_at"] == rows[1]["recorded_at"]


def test_refusals_exit_1_and_record_nothing(adopted, event_count) -> None:
    before = event_count()
    refused = backfill(adopted, "2021-09-02", "report", "draft", "--unit", "HW", "--kind", "project_status",
                       "--period", "2021-08", actor=LIAISON, expect=1)
    assert "only the office" in refused.stderr
    refused = backfill(adopted, "2021-09-02", "report", "draft", "--unit", "HW", "--kind", "project_status",
                       "--period", "2021-08", expect=1)
    assert "许办公 was not registered at 2021-09-02" in refused.stderr
    assert "in the future" in backfill(adopted, "2027-01-01", "report", "draft", "--unit", "HW", "--kind",
                                       "project_status", "--period", "2021-08", by=LIAISON, expect=1).stderr
    assert "cannot be backfilled" in backfill(adopted, "2021-09-01", "person", "password", OFFICE,
                                              actor=ADMIN, expect=1).stderr
    assert event_count() == before


def test_a_paper_sending_is_signed_later_by_the_office_and_its_receipt_names_the_sender(adopted, tmp_path) -> None:
    key = tmp_path / "office.key"
    adopted("key", "create", "--out", str(key), actor=OFFICE)
    backfill(adopted, "2021-09-02", "report", "draft", "--unit", "HW", "--kind", "project_status", "--period",
             "2021-08", by=LIAISON)
    backfill(adopted, "2021-09-03", "report", "approve", REPORT, by=PRINCIPAL)
    sent = backfill(adopted, "2021-09-04T16:00", "report", "send", REPORT, "--sealed", "--key", str(key), by=LIAISON)
    assert "not signed now" in sent.stderr
    adopted("checkpoint", "--key", str(key), actor=OFFICE)
    receipt = json.loads(adopted("report", "receipt", REPORT).stdout)
    assert (receipt["sender"], receipt["sent_at"]) == (LIAISON, "2021-09-04T08:00:00+00:00")
