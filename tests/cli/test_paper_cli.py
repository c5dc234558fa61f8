"""`zs backfill template` and `zs backfill import` (issue 12, item 3): the file a clerk fills, the
import's one-line outcome, and its exits — 2 for a malformed cell, 1 for a row the rules refuse,
nothing recorded either way."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.paper.support import HISTORY, SET_UP, filled

ADMIN, OFFICE = "管理员", "许办公"


def adopt(zs) -> None:
    zs("init", "--admin", ADMIN)
    zs("person", "add", OFFICE, "--role", "office", actor=ADMIN)


def test_the_template_is_written_once_and_never_overwritten(zs, tmp_path):
    out = tmp_path / "纸质台账.xlsx"
    result = zs("backfill", "template", out)
    assert "7 张表" in result.stdout and load_workbook(out).sheetnames[0] == "说明"
    again = zs("backfill", "template", out, expect=1)
    assert "already exists" in again.stderr


def test_import_records_the_paper_history_and_a_dry_run_nothing(zs, tmp_path, event_count):
    adopt(zs)
    paper = tmp_path / "纸质台账.xlsx"
    paper.write_bytes(filled(SET_UP | HISTORY))
    before = event_count()
    dry = zs("backfill", "import", paper, "--admin", ADMIN, "--dry-run", actor=OFFICE)
    assert "试运行：16 行" in dry.stdout and event_count() == before
    done = zs("backfill", "import", paper, "--admin", ADMIN, actor=OFFICE)
    assert "已补录 16 行" in done.stdout and event_count() == before + 19
    shown = zs("project", "history", "HW-2021-001", "--json").stdout
    assert '"done_by": "孙联络"' in shown and '"actor": "许办公"' in shown


def test_a_malformed_cell_exits_2_and_a_refused_row_exits_1_recording_nothing(zs, tmp_path, event_count):
    adopt(zs)
    before = event_count()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled(SET_UP | HISTORY | {"单位": [SET_UP["单位"][0] | {"单位类别": "部门"}]}))
    malformed = zs("backfill", "import", bad, "--admin", ADMIN, actor=OFFICE, expect=2)
    assert "单位, row 2, 单位类别: unknown unit kind" in malformed.stderr
    refused = tmp_path / "refused.xlsx"
    refused.write_bytes(filled(SET_UP | HISTORY | {"服务": [HISTORY["服务"][0] | {"经办人": "无名氏"}]}))
    result = zs("backfill", "import", refused, "--admin", ADMIN, actor=OFFICE, expect=1)
    assert "服务, row 2, 经办人: no person named 无名氏 is in the ledger" in result.stderr
    assert "Traceback" not in result.stderr + malformed.stderr and event_count() == before
