"""The reporting contract through the command line (issue 3, items 1-4 and 6): `report ...`,
`obligations`, `overdue`, `remind` and `policy ...`, on a frozen real clock.

`commission_cli` stands at 2021-09-10 10:00 Shanghai time; tests move it with `freezer`."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.policy import default_policy, default_policy_text, parse_policy

ADMIN, OFFICE, PRINCIPAL, LEADER, LIAISON, GY_LIAISON = "管理员", "许办公", "赵处长", "钱副处", "孙联络", "周联络"
AUGUST = "HW/project_status/2021-08"
ZIP_NAME = "环境卫生管理处招商引资工作.zip"

REPORT_KEYS = {"id", "unit", "kind", "period", "status", "version", "drafted_by", "approved_by", "approved_at",
               "sent_by", "sent_at", "sealed", "reviewed_by", "reviewed_at", "return_reason", "attachments"}
OBLIGATION_KEYS = {"unit", "kind", "period", "due_on", "status", "sent_at", "days_late", "days_overdue",
                   "report_id"}
MONTHLY = ("project_status", "service_list", "tracking_feedback")


def read(zs, *args: str, **kwargs: Any) -> Any:
    return json.loads(zs(*args, "--json", **kwargs).stdout)


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), f"{text} is not UTC with its offset"
    return moment


def shanghai(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(hours=8), f"{text} is not Shanghai time with its offset"
    return moment


def a_file(name: str, content: bytes) -> Path:
    path = Path.cwd() / "files" / name  # the zs fixture works in tmp_path
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return path


FORM = "情况表.xlsx", "重点招商项目情况表 2021年8月".encode() * 40 + bytes(range(256))
SCAN = "盖章页.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8


def draft(zs, kind: str = "project_status", period: str = "2021-08", unit: str = "HW", actor: str = LIAISON,
          files: tuple[tuple[str, bytes], ...] = (FORM,), expect: int | None = 0) -> Any:
    attach = [arg for name, content in files for arg in ("--attach", a_file(name, content))]
    return zs("report", "draft", "--unit", unit, "--kind", kind, "--period", period, *attach, actor=actor,
              expect=expect)


def sent(zs, kind: str = "project_status", period: str = "2021-08", **kwargs: Any) -> str:
    report_id = draft(zs, kind, period, **kwargs).stdout.strip()
    zs("report", "approve", report_id, actor=PRINCIPAL)
    zs("report", "send", report_id, "--sealed", actor=LIAISON)
    return report_id


def obligations(zs, *args: str) -> list[dict[str, Any]]:
    return read(zs, "obligations", *args)


def status(zs, as_of: str, kind: str = "project_status", period: str = "2021-08") -> dict[str, Any]:
    rows = obligations(zs, "--unit", "HW", "--as-of", as_of)
    return next(r for r in rows if (r["kind"], r["period"]) == (kind, period))


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["status"], row["days_late"], row["days_overdue"]


# -- report draft ... return, revise -------------------------------------------------------------------


def test_report_draft_prints_the_new_reports_id_alone(commission_cli, freezer):
    freezer.move_to("2021-10-03T10:00:00+08:00")
    result = draft(commission_cli, period="2021-09")
    assert result.stdout == "HW/project_status/2021-09\n"


def test_a_report_goes_draft_approved_sent_accepted(commission_cli, freezer):
    zs = commission_cli
    report_id = draft(zs).stdout.strip()
    assert read(zs, "report", "show", report_id)["status"] == "draft"
    freezer.move_to("2021-09-10T03:00:00+00:00")
    assert report_id in zs("report", "approve", report_id, actor=PRINCIPAL).stdout
    assert read(zs, "report", "show", report_id)["status"] == "approved"
    freezer.move_to("2021-09-10T04:00:00+00:00")
    zs("report", "send", report_id, "--sealed", actor=LIAISON)
    freezer.move_to("2021-09-10T05:00:00+00:00")
    zs("report", "accept", report_id, actor=OFFICE)

    shown = read(zs, "report", "show", report_id)
    assert set(shown) == REPORT_KEYS | {"history"}
    assert (shown["id"], shown["unit"], shown["kind"], shown["period"]) == (AUGUST, "HW", "project_status", "2021-08")
    assert (shown["status"], shown["version"], shown["sealed"]) == ("accepted", 1, True)
    assert (shown["drafted_by"], shown["approved_by"], shown["sent_by"], shown["reviewed_by"]) == (
        LIAISON, PRINCIPAL, LIAISON, OFFICE)
    assert utc(shown["approved_at"]) == datetime.fromisoformat("2021-09-10T03:00:00+00:00")
    assert utc(shown["sent_at"]) == datetime.fromisoformat("2021-09-10T04:00:00+00:00")
    assert utc(shown["reviewed_at"]) == datetime.fromisoformat("2021-09-10T05:00:00+00:00")
    assert shown["return_reason"] is None
    assert shown["attachments"] == [{"name": FORM[0], "sha256": hashlib.sha256(FORM[1]).hexdigest(),
                                     "size": len(FORM[1])}]


def test_a_draft_shows_nulls_for_what_has_not_happened(commission_cli):
    shown = read(commission_cli, "report", "show", draft(commission_cli).stdout.strip())
    assert set(shown) == REPORT_KEYS | {"history"}
    assert [shown[k] for k in ("approved_by", "approved_at", "sent_by", "sent_at", "reviewed_by", "reviewed_at",
                               "return_reason")] == [None] * 7
    assert shown["sealed"] is False


def test_report_show_as_a_table_uses_chinese_labels_and_shanghai_time(commission_cli):
    report_id = sent(commission_cli)
    out = commission_cli("report", "show", report_id).stdout
    assert "已报送" in out and "2021-09-10 10:00" in out and FORM[0] in out


def test_return_with_a_reason_then_revise_with_new_files_then_approve_and_send_again(commission_cli, freezer):
    zs = commission_cli
    report_id = sent(zs)
    zs("report", "return", report_id, "--reason", "计划总投资与上月不一致", actor=OFFICE)
    shown = read(zs, "report", "show", report_id)
    assert (shown["status"], shown["return_reason"], shown["reviewed_by"]) == ("returned", "计划总投资与上月不一致",
                                                                                OFFICE)

    freezer.move_to("2021-09-11T02:00:00+00:00")
    zs("report", "revise", report_id, "--attach", a_file("情况表-修改.xlsx", b"v2"), actor=LIAISON)
    shown = read(zs, "report", "show", report_id)
    assert (shown["status"], shown["version"], shown["approved_by"], shown["sent_at"]) == ("draft", 2, None, None)
    assert [a["name"] for a in shown["attachments"]] == ["情况表-修改.xlsx"]

    result = zs("report", "send", report_id, "--sealed", actor=LIAISON, expect=1)
    assert "approve" in result.stderr
    zs("report", "approve", report_id, actor=PRINCIPAL)
    zs("report", "send", report_id, "--sealed", actor=LIAISON)
    shown = read(zs, "report", "show", report_id)
    assert (shown["status"], shown["version"]) == ("sent", 2)
    assert utc(shown["sent_at"]) == datetime.fromisoformat("2021-09-11T02:00:00+00:00")


def test_revise_without_attach_keeps_the_files(commission_cli):
    zs = commission_cli
    report_id = sent(zs)
    zs("report", "return", report_id, "--reason", "缺盖章页", actor=OFFICE)
    zs("report", "revise", report_id, actor=LIAISON)
    assert [a["name"] for a in read(zs, "report", "show", report_id)["attachments"]] == [FORM[0]]


def test_an_accepted_report_can_be_returned(commission_cli):
    zs = commission_cli
    report_id = sent(zs)
    zs("report", "accept", report_id, actor=OFFICE)
    zs("report", "return", report_id, "--reason", "复核发现错误", actor=OFFICE)
    assert read(zs, "report", "show", report_id)["status"] == "returned"


def test_return_needs_a_reason(commission_cli, event_count):
    report_id = sent(commission_cli)
    before = event_count()
    commission_cli("report", "return", report_id, actor=OFFICE, expect=2)
    assert event_count() == before


# -- refusals with exit codes, nothing recorded -----------------------------------------------------------


def test_sending_without_sealed_is_refused(commission_cli, event_count):
    zs = commission_cli
    report_id = draft(zs).stdout.strip()
    zs("report", "approve", report_id, actor=PRINCIPAL)
    before = event_count()
    result = zs("report", "send", report_id, actor=LIAISON, expect=1)
    assert "--sealed" in result.stderr and "加盖公章" in result.stderr
    assert event_count() == before
    assert read(zs, "report", "show", report_id)["status"] == "approved"


def test_sending_an_unapproved_report_is_refused(commission_cli, event_count):
    report_id = draft(commission_cli).stdout.strip()
    before = event_count()
    result = commission_cli("report", "send", report_id, "--sealed", actor=LIAISON, expect=1)
    assert "approve" in result.stderr
    assert event_count() == before


@pytest.mark.parametrize("actor", [LEADER, LIAISON, OFFICE, ADMIN])
def test_approval_by_anyone_but_the_principal_is_refused(commission_cli, event_count, actor):
    report_id = draft(commission_cli).stdout.strip()
    before = event_count()
    result = commission_cli("report", "approve", report_id, actor=actor, expect=1)
    assert "principal" in result.stderr
    assert event_count() == before


def test_only_the_office_accepts(commission_cli, event_count):
    report_id = sent(commission_cli)
    before = event_count()
    assert "only the office" in commission_cli("report", "accept", report_id, actor=PRINCIPAL, expect=1).stderr
    assert event_count() == before


@pytest.mark.parametrize("kind, period, code, message", [
    ("project_status", "2021-13", 2, "malformed"),
    ("project_status", "2021-Q3", 2, "this needs"),
    ("quarterly_report", "2021-09", 2, "this needs"),
    ("annual_summary", "2021-08", 2, "this needs"),
    ("weekly_report", "2021-08", 2, "unknown report kind"),
    ("project_status", "2021-09", 1, "has not ended"),
    ("quarterly_report", "2021-Q3", 1, "has not ended"),
    ("project_status", "2021-07", 1, "does not owe"),
])
def test_a_draft_refused_for_its_kind_or_period(commission_cli, event_count, kind, period, code, message):
    before = event_count()
    result = draft(commission_cli, kind, period, expect=code)
    assert message in result.stderr
    assert result.stdout == ""
    assert event_count() == before


def test_a_second_report_for_one_obligation_is_refused(commission_cli, event_count):
    draft(commission_cli)
    before = event_count()
    result = draft(commission_cli, actor=LEADER, expect=1)
    assert "already exists" in result.stderr
    assert event_count() == before


def test_a_report_that_does_not_exist_is_not_found(commission_cli):
    assert "no report" in commission_cli("report", "show", "HW/project_status/2031-01", "--json",
                                         expect=1).stderr


# -- report list -----------------------------------------------------------------------------------------


def test_report_list_json_filters_by_unit_kind_period_and_status(commission_cli):
    zs = commission_cli
    sent(zs)
    draft(zs, "service_list")
    draft(zs, "project_status", unit="GY", actor=GY_LIAISON)
    draft(zs, "liaison_form", "once")

    every = read(zs, "report", "list")
    assert all(set(r) == REPORT_KEYS for r in every)
    assert sorted(r["id"] for r in every) == [
        "GY/project_status/2021-08", "HW/liaison_form/once", AUGUST, "HW/service_list/2021-08"]
    assert [r["id"] for r in read(zs, "report", "list", "--unit", "gy")] == ["GY/project_status/2021-08"]
    assert {r["id"] for r in read(zs, "report", "list", "--kind", "project_status")} == {
        AUGUST, "GY/project_status/2021-08"}
    assert {r["id"] for r in read(zs, "report", "list", "--unit", "HW", "--period", "2021-08")} == {
        AUGUST, "HW/service_list/2021-08"}
    assert [r["id"] for r in read(zs, "report", "list", "--status", "sent")] == [AUGUST]
    assert read(zs, "report", "list", "--status", "accepted") == []


def test_report_list_refuses_an_unknown_status(commission_cli):
    commission_cli("report", "list", "--status", "lost", expect=2)


# -- attachments ------------------------------------------------------------------------------------------


def test_report_attachment_writes_the_exact_bytes(commission_cli, tmp_path):
    zs = commission_cli
    report_id = draft(zs, files=(FORM, SCAN)).stdout.strip()
    out = tmp_path / "取回.pdf"
    result = zs("report", "attachment", report_id, SCAN[0], "--out", out)
    assert out.read_bytes() == SCAN[1]
    assert hashlib.sha256(SCAN[1]).hexdigest() in result.stdout


def test_report_attachment_never_overwrites_a_file(commission_cli, tmp_path):
    zs = commission_cli
    report_id = draft(zs).stdout.strip()
    out = tmp_path / "已有.xlsx"
    out.write_bytes(b"keep me")
    result = zs("report", "attachment", report_id, FORM[0], "--out", out, expect=1)
    assert "already exists" in result.stderr
    assert out.read_bytes() == b"keep me"


def test_report_attachment_with_an_unknown_name_is_refused(commission_cli, tmp_path):
    report_id = draft(commission_cli).stdout.strip()
    result = commission_cli("report", "attachment", report_id, "附件9.doc", "--out", tmp_path / "x", expect=1)
    assert FORM[0] in result.stderr
    assert not (tmp_path / "x").exists()


# -- the package rule -------------------------------------------------------------------------------------


def test_report_package_writes_one_zip_named_after_the_unit_with_a_manifest(commission_cli, tmp_path):
    zs = commission_cli
    sent(zs, files=(FORM, SCAN))
    sent(zs, "service_list", files=(("服务清单.xlsx", b"service list for August"),))
    draft(zs, "tracking_feedback", files=(("未报送.xlsx", b"still a draft"),))
    out = tmp_path / "报送" / "2021-08"

    result = zs("report", "package", "--unit", "HW", "--period", "2021-08", "--out", out)

    target = out / ZIP_NAME
    assert str(target) in result.stdout
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        contents = {name: archive.read(name) for name in names}
    assert names == {"manifest.json", f"重点招商项目情况表（2021-08）/{FORM[0]}", f"重点招商项目情况表（2021-08）/{SCAN[0]}",
                     "重点招商项目服务清单（2021-08）/服务清单.xlsx"}
    assert contents[f"重点招商项目情况表（2021-08）/{SCAN[0]}"] == SCAN[1]
    assert (manifest["unit"], manifest["unit_name"], manifest["periods"]) == ("HW", "环境卫生管理处", ["2021-08"])
    assert {r["id"] for r in manifest["reports"]} == {AUGUST, "HW/service_list/2021-08"}
    for entry in manifest["reports"]:
        assert (entry["approved_by"], entry["sent_by"], entry["sealed"]) == (PRINCIPAL, LIAISON, True)
        assert shanghai(entry["approved_at"]) and shanghai(entry["sent_at"])
        for file in entry["files"]:
            assert hashlib.sha256(contents[file["path"]]).hexdigest() == file["sha256"]
            assert len(contents[file["path"]]) == file["size"]


def test_report_package_never_overwrites_an_existing_zip(commission_cli, tmp_path):
    zs = commission_cli
    sent(zs)
    out = tmp_path / "报送"
    zs("report", "package", "--unit", "HW", "--period", "2021-08", "--out", out)
    first = (out / ZIP_NAME).read_bytes()
    result = zs("report", "package", "--unit", "HW", "--period", "2021-08", "--out", out, expect=1)
    assert "already exists" in result.stderr
    assert (out / ZIP_NAME).read_bytes() == first


def test_report_package_with_nothing_sent_is_refused_and_writes_nothing(commission_cli, tmp_path):
    draft(commission_cli)
    result = commission_cli("report", "package", "--unit", "HW", "--period", "2021-08", "--out",
                            tmp_path / "空", expect=1)
    assert "no sent report" in result.stderr
    assert not (tmp_path / "空" / ZIP_NAME).exists()


# -- obligations, overdue, remind -------------------------------------------------------------------------


def test_obligations_json_has_the_contract_keys_ordered_by_due_on_unit_kind(commission_cli):
    rows = obligations(commission_cli, "--as-of", "2021-10-20")
    assert rows and all(set(r) == OBLIGATION_KEYS for r in rows)
    order = [(r["due_on"], r["unit"], r["kind"]) for r in rows]
    assert order == sorted(order)
    assert {r["unit"] for r in rows} == {"HW", "GY"}
    assert rows[0] == {"unit": "GY", "kind": "project_status", "period": "2021-08", "due_on": "2021-09-05",
                       "status": "overdue", "sent_at": None, "days_late": None, "days_overdue": 45,
                       "report_id": None}


def test_obligations_unit_filter_and_an_unknown_unit(commission_cli):
    assert {r["unit"] for r in obligations(commission_cli, "--unit", "hw")} == {"HW"}
    commission_cli("obligations", "--unit", "ZZ", "--json", expect=1)


@pytest.fixture
def evening_of_the_5th(commission_cli, freezer):
    """HW's service list for August sent at 20:00 Shanghai on its due day; the rest of August unsent."""
    freezer.move_to("2021-09-03T10:00:00+08:00")
    report_id = draft(commission_cli, "service_list").stdout.strip()
    commission_cli("report", "approve", report_id, actor=PRINCIPAL)
    freezer.move_to("2021-09-05T20:00:00+08:00")
    commission_cli("report", "send", report_id, "--sealed", actor=LIAISON)
    freezer.move_to("2021-09-10T10:00:00+08:00")
    return commission_cli


def test_obligations_as_of_a_date_means_the_end_of_that_shanghai_day(evening_of_the_5th):
    zs = evening_of_the_5th
    assert figures(status(zs, "2021-09-05")) == ("upcoming", None, None)
    assert figures(status(zs, "2021-09-05", "service_list")) == ("on_time", None, None)
    assert figures(status(zs, "2021-09-06")) == ("overdue", None, 1)


def test_obligations_as_of_a_datetime_without_offset_is_shanghai_time(evening_of_the_5th):
    zs = evening_of_the_5th
    assert figures(status(zs, "2021-09-05T23:59:59")) == ("upcoming", None, None)
    assert figures(status(zs, "2021-09-06T00:00:01")) == ("overdue", None, 1)
    assert figures(status(zs, "2021-09-05T19:00", "service_list")) == ("upcoming", None, None)
    assert figures(status(zs, "2021-09-05T20:00:01", "service_list")) == ("on_time", None, None)


def test_obligations_as_of_a_datetime_with_an_offset(evening_of_the_5th):
    zs = evening_of_the_5th
    assert figures(status(zs, "2021-09-05T15:59:59+00:00")) == ("upcoming", None, None)
    assert figures(status(zs, "2021-09-05T16:00:01+00:00")) == ("overdue", None, 1)
    assert figures(status(zs, "2021-09-05T16:00:01Z")) == ("overdue", None, 1)
    assert figures(status(zs, "2021-09-05T11:00:00Z", "service_list")) == ("upcoming", None, None)
    assert figures(status(zs, "2021-09-05T21:00:00+09:00", "service_list")) == ("on_time", None, None)


def test_obligations_without_as_of_answer_for_now(commission_cli, freezer):
    def august(zs) -> dict[str, Any]:
        return next(r for r in obligations(zs, "--unit", "HW") if (r["kind"], r["period"]) == (
            "project_status", "2021-08"))

    assert figures(august(commission_cli)) == ("overdue", None, 5)  # now: 2021-09-10 10:00 Shanghai
    freezer.move_to("2021-09-05T15:00:00+00:00")  # 23:00 on the due day in Shanghai
    assert figures(august(commission_cli)) == ("upcoming", None, None)


def test_a_malformed_as_of_is_refused(commission_cli):
    result = commission_cli("obligations", "--as-of", "2021-09-31", "--json", expect=2)
    assert "--as-of" in result.stderr


def test_sent_at_23_59_59_is_on_time_and_at_00_00_01_is_late(commission_cli, freezer):
    zs = commission_cli
    freezer.move_to("2021-09-03T10:00:00+08:00")
    for kind in ("project_status", "service_list"):
        report_id = draft(zs, kind).stdout.strip()
        zs("report", "approve", report_id, actor=PRINCIPAL)
    freezer.move_to("2021-09-05T23:59:59+08:00")
    zs("report", "send", AUGUST, "--sealed", actor=LIAISON)
    freezer.move_to("2021-09-06T00:00:01+08:00")
    zs("report", "send", "HW/service_list/2021-08", "--sealed", actor=LIAISON)

    on_time = status(zs, "2021-09-10")
    late = status(zs, "2021-09-10", "service_list")
    assert figures(on_time) == ("on_time", None, None)
    assert on_time["sent_at"] == "2021-09-05T15:59:59+00:00"
    assert on_time["report_id"] == AUGUST
    assert figures(late) == ("late", 1, None)
    assert late["sent_at"] == "2021-09-05T16:00:01+00:00"


def test_a_sending_after_as_of_does_not_count_at_as_of(commission_cli, freezer):
    zs = commission_cli
    sent(zs)  # at 2021-09-10 10:00 Shanghai
    assert figures(status(zs, "2021-09-10T09:59:59")) == ("overdue", None, 5)
    assert figures(status(zs, "2021-09-10T10:00:01")) == ("late", 5, None)


def test_overdue_json_lists_only_overdue_obligations_oldest_first(commission_cli):
    zs = commission_cli
    sent(zs)
    rows = read(zs, "overdue", "--as-of", "2021-10-20")
    assert rows and all(set(r) == OBLIGATION_KEYS for r in rows)
    assert {r["status"] for r in rows} == {"overdue"}
    assert [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)
    assert rows[0]["due_on"] == "2021-09-05"
    assert AUGUST not in {r["report_id"] for r in rows}
    assert ("HW", "project_status", "2021-08") not in {(r["unit"], r["kind"], r["period"]) for r in rows}
    every = [r for r in obligations(zs, "--as-of", "2021-10-20") if r["status"] == "overdue"]
    assert rows == every


def test_overdue_is_empty_before_the_first_deadline(commission_cli):
    assert read(commission_cli, "overdue", "--as-of", "2021-09-05") == []
    assert "无逾期" in commission_cli("overdue", "--as-of", "2021-09-05").stdout


def test_remind_json_lists_per_unit_what_is_due_soon_and_overdue_with_the_liaisons_phone(commission_cli):
    zs = commission_cli
    sent(zs)
    entries = {e["unit"]: e for e in read(zs, "remind", "--as-of", "2021-10-03")}
    hw = entries["HW"]
    assert (hw["name"], hw["liaison"], hw["phone"]) == ("环境卫生管理处", LIAISON, "13800000103")
    assert (entries["GY"]["liaison"], entries["GY"]["phone"]) == (GY_LIAISON, "13800000201")
    assert {(i["kind"], i["period"], i["due_on"]) for i in hw["due_soon"]} == {
        (kind, "2021-09", "2021-10-05") for kind in MONTHLY}
    assert {(i["kind"], i["period"]) for i in hw["overdue"]} == {
        ("service_list", "2021-08"), ("tracking_feedback", "2021-08"), ("liaison_form", "once")}
    assert {i["days_overdue"] for i in hw["overdue"] if i["period"] == "2021-08"} == {28}


def test_remind_within_narrows_what_is_due_soon(commission_cli):
    zs = commission_cli
    entries = {e["unit"]: e for e in read(zs, "remind", "--as-of", "2021-10-03", "--within", "1")}
    assert entries["HW"]["due_soon"] == []
    assert entries["HW"]["overdue"]
    wide = {e["unit"]: e for e in read(zs, "remind", "--as-of", "2021-10-03", "--within", "12")}
    assert ("quarterly_report", "2021-Q3") in {(i["kind"], i["period"]) for i in wide["HW"]["due_soon"]}


def test_remind_leaves_out_a_unit_with_nothing_due_or_overdue(commission_cli):
    zs = commission_cli
    for kind in MONTHLY:
        sent(zs, kind)
    sent(zs, "liaison_form", "once")
    entries = {e["unit"] for e in read(zs, "remind", "--as-of", "2021-09-20")}
    assert entries == {"GY"}


def test_remind_on_the_last_day_of_a_month_lists_the_reports_due_on_the_5th(commission_cli):
    entries = {e["unit"]: e for e in read(commission_cli, "remind", "--as-of", "2021-09-30", "--within", "5")}
    assert ("project_status", "2021-09") in {(i["kind"], i["period"]) for i in entries["HW"]["due_soon"]}


def test_remind_table_names_the_liaison_and_phone(commission_cli):
    out = commission_cli("remind", "--as-of", "2021-10-03").stdout
    assert "环境卫生管理处（HW）" in out and LIAISON in out and "13800000103" in out


# -- policy show, load --------------------------------------------------------------------------------------


def write_policy(text: str) -> Path:
    path = Path.cwd() / "新报送时限.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_policy_show_lists_the_notice_and_its_calendar(commission_cli):
    out = commission_cli("policy", "show").stdout
    assert "津城管规〔2021〕116号" in out and "2021-08-31" in out
    for kind in ("liaison_form", *MONTHLY, "quarterly_report", "annual_summary", "annual_plan"):
        assert kind in out


def test_policy_show_toml_prints_the_policy_in_force_as_a_loadable_file(commission_cli):
    text = commission_cli("policy", "show", "--toml").stdout
    assert parse_policy(text) == default_policy()


def test_policy_load_by_the_admin_takes_effect_from_its_date(commission_cli, freezer, event_count):
    zs = commission_cli
    path = write_policy(default_policy_text().replace("due_day = 5", "due_day = 10"))
    before = event_count()
    zs("policy", "load", path, "--from", "2021-11-01", actor=ADMIN)
    assert event_count() == before + 2  # the calendar's book is started, then the policy loaded

    policies = read(zs, "policy", "show")
    assert [p["effective_from"] for p in policies] == ["2021-08-31", "2021-11-01"]
    assert parse_policy(zs("policy", "show", "--toml").stdout).effective_from == date(2021, 8, 31)
    due = {(r["kind"], r["period"]): r["due_on"] for r in obligations(zs, "--unit", "HW", "--as-of", "2021-12-20")}
    assert due[("project_status", "2021-09")] == "2021-10-05"
    assert due[("project_status", "2021-10")] == "2021-11-10"
    freezer.move_to("2021-11-02T10:00:00+08:00")
    assert "due_day = 10" in zs("policy", "show", "--toml").stdout


def test_policy_load_from_a_past_date_is_refused(commission_cli, event_count):
    path = write_policy(default_policy_text())
    before = event_count()
    result = commission_cli("policy", "load", path, "--from", "2021-09-09", actor=ADMIN, expect=1)
    assert "in the past" in result.stderr
    assert event_count() == before


@pytest.mark.parametrize("actor", [OFFICE, PRINCIPAL, LIAISON])
def test_policy_load_is_for_the_admin_only(commission_cli, event_count, actor):
    path = write_policy(default_policy_text())
    before = event_count()
    assert "only an admin" in commission_cli("policy", "load", path, "--from", "2021-12-01", actor=actor,
                                             expect=1).stderr
    assert event_count() == before


def malformed(kind: str) -> tuple[str, int, str]:
    text = default_policy_text()
    if kind == "toml":
        text = text.replace('title = "重点招商项目情况表"', "title = 重点招商项目情况表")
        return text, text.splitlines().index("title = 重点招商项目情况表") + 1, "not valid TOML"
    if kind == "cadence":
        text = text.replace('cadence = "quarterly"', 'cadence = "weekly"')
        return text, text.splitlines().index('cadence = "weekly"') + 1, "cadence"
    text = text.replace('kind = "annual_plan"\ntitle = "年度工作思路安排"\ncadence = "annual"\ncovers = "current"\n'
                        'due_month = 1\ndue_day = 31',
                        'kind = "annual_plan"\ntitle = "年度工作思路安排"\ncadence = "annual"\ncovers = "current"\n'
                        'due_month = 1')
    headers = [n for n, line in enumerate(text.splitlines(), start=1) if line == "[[report]]"]
    return text, headers[-1], "due_day"


@pytest.mark.parametrize("kind", ["toml", "cadence", "due_day"])
def test_policy_load_of_a_malformed_file_exits_2_with_the_line_and_reason(commission_cli, event_count, kind):
    text, line, reason = malformed(kind)
    assert text != default_policy_text()
    before = event_count()
    result = commission_cli("policy", "load", write_policy(text), "--from", "2021-12-01", actor=ADMIN, expect=2)
    assert f"line {line}" in result.stderr
    assert reason in result.stderr
    assert event_count() == before


@pytest.mark.freeze_time("2021-10-03 00:30:00+08:00")
def test_policy_load_today_in_shanghai_is_accepted_while_utc_is_still_yesterday(zs):
    zs("init", "--admin", ADMIN)
    zs("policy", "load", write_policy(default_policy_text()), "--from", "2021-10-03", actor=ADMIN)
    result = zs("policy", "load", write_policy(default_policy_text()), "--from", "2021-10-02", actor=ADMIN,
                expect=1)
    assert "2021-10-02 is in the past (today is 2021-10-03)" in result.stderr
