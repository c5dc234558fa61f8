"""`zs verify`, `zs key create`, `zs checkpoint`, receipts on `report send --key`, `zs report receipt`,
receipts in `report package`, and a changed log named in one line by any command."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

from tests.cli.test_reporting_cli import LIAISON, PRINCIPAL, draft

OFFICE = "许办公"


def tamper(store_url: str, sql: str, *params) -> None:
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
        conn.execute(sql, params)


def keyed(zs) -> Path:
    zs("key", "create", "--out", "ledger.key", actor=OFFICE)
    return Path("ledger.key")


def sent_with_receipt(zs, key: Path) -> str:
    report_id = draft(zs).stdout.strip()
    zs("report", "approve", report_id, actor=PRINCIPAL)
    out = zs("report", "send", report_id, "--sealed", actor=LIAISON, env={"ZS_KEY": str(key)}).stdout
    assert "回执 receipt: position" in out
    return report_id


def test_verify_says_intact_and_exits_0(commission_cli):
    data = json.loads(commission_cli("verify", "--json").stdout)
    assert data["intact"] is True and data["problems"] == []
    assert data["events"] == data["tree_size"] > 0 and len(data["root"]) == 44


def test_verify_names_a_changed_event_and_exits_1(commission_cli, store_url):
    tamper(store_url, "UPDATE stored_events SET state = replace(state, '\"12000.00\"', '\"92000.00\"') "
                      "WHERE topic LIKE '%Project.Registered'")
    result = commission_cli("verify", "--json", expect=1)
    problems = json.loads(result.stdout)["problems"]
    assert [(p["kind"], p["subject"]) for p in problems] == [("changed", "project HW-2021-001")]
    text = commission_cli("verify", expect=1).stdout
    assert f"position {problems[0]['position']}: changed project HW-2021-001" in text


def test_a_command_meeting_a_changed_event_says_so_in_one_line(commission_cli, store_url):
    tamper(store_url, "UPDATE stored_events SET state = CAST('{' || substr(state, 3) AS BLOB) "
                      "WHERE topic LIKE '%Project.Registered'")
    result = commission_cli("project", "history", "HW-2021-001", expect=1)
    assert "no longer matches its leaf" in result.stderr and "position" in result.stderr
    assert "unexpected" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_views_rebuild_refuses_a_changed_log_and_leaves_the_views_alone(commission_cli, store_url):
    commission_cli("board")

    def board() -> list[tuple]:
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            return conn.execute("SELECT * FROM zs_board ORDER BY 1").fetchall()

    before = board()
    tamper(store_url, "UPDATE stored_events SET state = replace(state, '\"12000.00\"', '\"92000.00\"') "
                      "WHERE topic LIKE '%Project.Registered'")
    result = commission_cli("views", "rebuild", expect=1)
    assert "nothing was rebuilt" in result.stderr and "changed project HW-2021-001" in result.stderr
    assert board() == before and before


def test_key_create_is_office_work_writes_0600_and_never_overwrites(commission_cli, event_count):
    commission_cli("key", "create", "--out", "mine.key", actor=LIAISON, expect=1)
    assert not Path("mine.key").exists()
    result = commission_cli("key", "create", "--out", "ledger.key", actor=OFFICE)
    assert "verifier key: zhaoshang.ledger+" in result.stdout
    assert os.stat("ledger.key").st_mode & 0o777 == 0o600
    count, before = event_count(), Path("ledger.key").read_bytes()
    assert "never overwritten" in commission_cli("key", "create", "--out", "ledger.key", actor=OFFICE, expect=1).stderr
    assert Path("ledger.key").read_bytes() == before and event_count() == count


def test_a_checkpoint_is_printed_recorded_and_verified_later(commission_cli):
    key = keyed(commission_cli)
    note = commission_cli("checkpoint", "--key", key, "--out", "cp.txt", actor=OFFICE).stdout
    lines = note.splitlines()
    assert lines[0] == "zhaoshang.ledger" and lines[3].startswith("time ") and lines[5].startswith("\u2014 zhaoshang.ledger ")
    assert Path("cp.txt").read_text(encoding="utf-8") == note
    draft(commission_cli)
    assert json.loads(commission_cli("verify", "--checkpoint", "cp.txt", "--json").stdout)["intact"] is True


def test_a_checkpoint_saved_with_windows_line_ends_still_verifies_and_junk_is_malformed_input(commission_cli):
    key = keyed(commission_cli)
    note = commission_cli("checkpoint", "--key", key, actor=OFFICE).stdout
    Path("cp-crlf.txt").write_bytes(note.replace("\n", "\r\n").encode())
    assert json.loads(commission_cli("verify", "--checkpoint", "cp-crlf.txt", "--json").stdout)["intact"] is True
    Path("junk.txt").write_text("hello\n")
    assert "'--checkpoint'" in commission_cli("verify", "--checkpoint", "junk.txt", expect=2).stderr
    Path("forged.txt").write_text(note.replace("\n" + note.splitlines()[1] + "\n", "\n999\n", 1))
    result = commission_cli("verify", "--checkpoint", "forged.txt", "--json", expect=1)
    assert "does not match" in json.loads(result.stdout)["problems"][0]["detail"]


def test_a_checkpoint_needs_the_office_and_a_real_key_file(commission_cli):
    key = keyed(commission_cli)
    commission_cli("checkpoint", "--key", key, actor=LIAISON, expect=1)
    Path("junk.key").write_text("not a key")
    assert "--key" in commission_cli("checkpoint", "--key", "junk.key", actor=OFFICE, expect=2).stderr


def test_send_with_a_key_yields_a_receipt_that_verifies_and_fails_once_changed(commission_cli, store_url):
    key = keyed(commission_cli)
    report_id = sent_with_receipt(commission_cli, key)
    out = commission_cli("report", "receipt", report_id, "--out", "回执.json").stdout
    assert "招商引资工作报送回执" in out and Path("回执.txt").exists()
    receipt = json.loads(Path("回执.json").read_text(encoding="utf-8"))
    assert (receipt["report_id"], receipt["unit"], receipt["sender"]) == (report_id, "HW", LIAISON)
    assert json.loads(commission_cli("verify", "--receipt", "回执.json", "--json").stdout)["intact"] is True
    tamper(store_url, "UPDATE stored_events SET state = replace(state, '\"sealed\":true', '\"sealed\":false') "
                      "WHERE topic LIKE '%Report.Sent'")
    problems = json.loads(commission_cli("verify", "--receipt", "回执.json", "--json", expect=1).stdout)["problems"]
    assert {(p["position"], p["kind"], p["subject"]) for p in problems} == {
        (receipt["position"], "changed", f"report {report_id}")}


def test_a_malformed_receipt_is_refused_naming_the_option(commission_cli):
    Path("bad.json").write_text("{}")
    assert "--receipt" in commission_cli("verify", "--receipt", "bad.json", expect=2).stderr


def test_the_package_holds_each_reports_receipt(commission_cli):
    key = keyed(commission_cli)
    report_id = sent_with_receipt(commission_cli, key)
    printed = commission_cli("report", "package", "--unit", "HW", "--period", "2021-08", "--out", "pkg").stdout
    path = Path(printed.splitlines()[0])  # the zip's path, then what it holds
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        found = [n for n in names if n.endswith("回执.json")]
        assert found and json.loads(archive.read(found[0]))["report_id"] == report_id
        assert any(n.endswith("回执.txt") for n in names)


def test_a_ledger_from_before_the_tree_is_sealed_once_by_the_office(zs, store_url, event_count):
    from domain.application import Ledger

    old = Ledger(store_url, env={"APPLICATION_RECORDER_TOPIC": "eventsourcing.sqlite:SQLiteApplicationRecorder"})
    old.init("管理员")
    old.add_person("管理员", OFFICE, "office")
    old.close()
    assert "no tree yet" in zs("verify", expect=1).stderr
    key = keyed(zs)  # written before the seal: a third event without a leaf
    count = event_count()
    assert "no tree yet" in zs("checkpoint", "--key", key, actor=OFFICE, expect=1).stderr
    assert event_count() == count
    zs("verify", "--seal", actor="管理员", expect=1)  # the office's work
    assert "3 events are its leaves" in zs("verify", "--seal", actor=OFFICE).stdout
    assert "already built" in zs("verify", "--seal", actor=OFFICE, expect=1).stderr
    zs("checkpoint", "--key", key, actor=OFFICE)
    assert json.loads(zs("verify", "--json").stdout)["tree_size"] == 4


def test_summary_and_audit_refuse_a_changed_event_naming_its_position(commission_cli, store_url):
    commission_cli("service", "add", "HW-2021-001", "--kind", "financing", "--on", "2021-09-05", "--note", "融资对接",
                   "--amount", "350", actor=LIAISON)
    assert commission_cli("summary", "--year", "2021", expect=0)
    tamper(store_url, "UPDATE stored_events SET state = replace(state, '\"350.00\"', '\"850.00\"') "
                      "WHERE topic LIKE '%Project.ServiceRecorded'")
    for command in (("summary", "--year", "2021"), ("audit", "--project", "HW-2021-001")):
        result = commission_cli(*command, expect=1)
        assert re.search(r"position \d+", result.stderr) and "unexpected" not in result.stderr, command
        assert len(result.stderr.strip().splitlines()) == 1
