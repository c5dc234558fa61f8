"""One package per sending: what a unit sends together goes as one 单位名称招商引资工作.zip with one
manifest, its times in Shanghai time and saying so, its log position stated."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta

import pytest

from domain.application import Ledger
from tests.cli.test_reporting_cli import MONTHLY, ZIP_NAME, sent

SEPTEMBER_TRIO = {f"HW/{kind}/2021-09" for kind in MONTHLY}


@pytest.fixture
def october(commission_cli, freezer):
    """HW sends its September trio on 2021-10-04 and its Q3 report on 2021-10-08, 10:00 and 10:30 Shanghai."""
    zs = commission_cli
    freezer.move_to("2021-10-04T10:00:00+08:00")
    for kind in MONTHLY:
        sent(zs, kind, "2021-09", files=((f"{kind}.xlsx", kind.encode() * 10),))
    freezer.move_to("2021-10-08T10:30:00+08:00")
    sent(zs, "quarterly_report", "2021-Q3", files=(("三季度报告.pdf", b"%PDF Q3"),))
    sent(zs, "project_status", "2021-08", files=(("八月补报.xlsx", b"august"),))  # due in September, sent late
    freezer.move_to("2021-10-09T09:00:00+08:00")
    return zs


def opened(path) -> tuple[dict, dict[str, zipfile.ZipInfo]]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json")), {i.filename: i for i in archive.infolist()}


def test_the_september_trio_and_the_q3_report_go_in_one_zip_named_after_the_unit(october, tmp_path):
    out = tmp_path / "报送"

    result = october("report", "package", "--unit", "HW", "--period", "2021-09", "--period", "2021-Q3", "--out", out)

    assert [p.name for p in out.iterdir()] == [ZIP_NAME]
    assert result.stdout.splitlines()[1].startswith("4 份报告、4 个文件（log_position ")
    manifest, entries = opened(out / ZIP_NAME)
    assert {r["id"] for r in manifest["reports"]} == SEPTEMBER_TRIO | {"HW/quarterly_report/2021-Q3"}
    assert manifest["periods"] == ["2021-09", "2021-Q3"]
    assert "季度招商引资情况报告（2021-Q3）/三季度报告.pdf" in entries and len(entries) == 5


def test_due_in_takes_every_sent_report_of_the_unit_due_in_that_month(october, tmp_path):
    october("report", "package", "--unit", "HW", "--due-in", "2021-10", "--out", tmp_path / "十月")

    manifest, _ = opened(tmp_path / "十月" / ZIP_NAME)
    assert {r["id"] for r in manifest["reports"]} == SEPTEMBER_TRIO | {"HW/quarterly_report/2021-Q3"}
    assert manifest["due_in"] == "2021-10"


def test_times_in_the_zip_and_its_manifest_are_shanghai_time_and_say_so(october, tmp_path):
    october("report", "package", "--unit", "HW", "--due-in", "2021-10", "--out", tmp_path)

    manifest, entries = opened(tmp_path / ZIP_NAME)
    assert entries["季度招商引资情况报告（2021-Q3）/三季度报告.pdf"].date_time == (2021, 10, 8, 10, 30, 0)
    assert entries["重点招商项目情况表（2021-09）/project_status.xlsx"].date_time == (2021, 10, 4, 10, 0, 0)
    assert entries["manifest.json"].date_time == (2021, 10, 9, 9, 0, 0)
    assert manifest["time_zone"] == "Asia/Shanghai (UTC+08:00)"
    assert manifest["packaged_at"] == "2021-10-09T09:00:00+08:00"
    sent_at = {r["id"]: r["sent_at"] for r in manifest["reports"]}
    assert sent_at["HW/quarterly_report/2021-Q3"] == "2021-10-08T10:30:00+08:00"
    assert all(datetime.fromisoformat(t).utcoffset() == timedelta(hours=8) for t in sent_at.values())
    with zipfile.ZipFile(tmp_path / ZIP_NAME) as archive:
        assert "北京时间" in archive.comment.decode()


def test_the_manifest_states_the_log_position_it_was_read_at(october, tmp_path, store_url):
    october("report", "package", "--unit", "HW", "--period", "2021-09", "--out", tmp_path)

    ledger = Ledger(store_url)
    try:
        assert opened(tmp_path / ZIP_NAME)[0]["log_position"] == ledger.recorder.max_notification_id()
    finally:
        ledger.close()


def test_a_named_period_without_a_sent_report_is_refused_and_nothing_is_written(october, tmp_path):
    result = october("report", "package", "--unit", "HW", "--period", "2021-09", "--period", "2021-10",
                     "--out", tmp_path / "x", expect=1)

    assert "no sent report for 2021-10" in result.stderr and not (tmp_path / "x" / ZIP_NAME).exists()


@pytest.mark.parametrize("args, says", [
    (["--period", "2021-13"], "'--period'"),
    (["--due-in", "2021-Q3"], "'--due-in'"),
    (["--period", "2021-09", "--due-in", "2021-10"], "not both"),
    ([], "not both"),
])
def test_a_malformed_or_muddled_choice_is_refused_with_exit_2(october, tmp_path, args, says):
    result = october("report", "package", "--unit", "HW", *args, "--out", tmp_path / "y", expect=2)

    assert says in result.stderr and not (tmp_path / "y").exists()
