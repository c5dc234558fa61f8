"""A real spreadsheet program opens what the ledger writes: LibreOffice, headless, converts the filled
form and the office's consolidated workbook (skipped where LibreOffice is not installed)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from projections.forms.consolidate import consolidated_workbook
from projections.forms.fill import fill
from projections.forms.xlsx import workbook_bytes

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = [
    pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"),
    pytest.mark.parametrize("store", ["sqlite"], indirect=True),  # the file is the same on either store
]


def converted(tmp_path: Path, name: str, content: bytes) -> list[list[str]]:
    """The first sheet as LibreOffice shows it, exported to CSV (UTF-8)."""
    source = tmp_path / name
    source.write_bytes(content)
    result = subprocess.run(
        [str(OFFICE), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "out"), str(source)],
        check=False, capture_output=True, text=True, timeout=180,
    )
    target = tmp_path / "out" / (source.stem + ".csv")
    assert target.exists(), f"LibreOffice did not convert {name}: {result.stdout} {result.stderr}"
    return list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))


def test_libreoffice_opens_the_filled_form_and_shows_money_with_two_decimals(september, tmp_path):
    rows = converted(tmp_path, "情况表.xlsx", workbook_bytes(fill(september, "HW", "project_status", "2021-09").sheets))

    assert rows[0][0] == "附件1" and rows[1][0] == "重点招商项目情况表"
    assert rows[3][:2] == ["项目编号", "项目名称"]
    assert rows[4][0] == "HW-2021-001" and rows[4][6] == "12000.00" and rows[4][12] == "2021-09-30"
    assert rows[6][0] == "合计" and rows[6][6] == "15500.50"


def test_libreoffice_opens_the_consolidated_workbook(september, tmp_path):
    rows = converted(tmp_path, "汇总.xlsx", consolidated_workbook(september, "service_list", "2021-09", current=True))

    assert rows[1][0] == "重点招商项目服务清单（汇总·当前台账）"
    assert rows[-1][0] == "合计" and rows[-1][-2] == "1005.50"
