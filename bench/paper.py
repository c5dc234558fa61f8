"""The paper-ledger import's benchmark (issue 12, item 4): a filled paper ledger of N rows (default
100,000) — fifty units and their people, projects with their stage moves and notes, problems and
their loop, services, and every unit's monthly 情况表 drafted, approved and sent — imported into a
new SQLite store by `zs backfill import`'s own function, in one transaction.

    python -m bench.paper --rows 100000

Reported apart: the spreadsheet's parse (the workbook's XML streamed, every cell read and the rows
made into commands), beside its floor (the same XML streamed and nothing more) and, for comparison,
openpyxl's read-only mode reading the same cells; then the recording through the Ledger; the total in
wall-clock and in CPU seconds (the machine may be shared). Target: the whole import under 30 s."""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from domain.application import Ledger, Machine
from domain.policy import Calendar, default_policy
from domain.values import Role
from projections.paper.importer import import_paper
from projections.paper.layout import SHEETS
from projections.paper.reading import read_rows
from projections.paper.rows import entries

ADMIN, OFFICE = "管理员", "许办公"
UNITS = 50
ENROLLED = date(2021, 8, 31)
REPORTS_UNTIL = date(2022, 8, 31)
STAGES = ("在谈", "签约", "落地", "开工", "投产运营")


def rows(total: int, seed: int = 12) -> dict[str, list[dict[str, Any]]]:
    """A paper ledger of about `total` rows, every one valid, each aggregate's rows in time order."""
    rng = random.Random(seed)
    sheets: dict[str, list[dict[str, Any]]] = {s.name: [] for s in SHEETS}
    at0 = f"{ENROLLED} 09:00"
    for u in range(1, UNITS + 1):
        code = f"U{u:02d}"
        sheets["单位"].append({"生效时间": at0, "单位代码": code, "单位名称": f"第{u}处", "单位类别": "机关处室",
                              "行业领域": "环卫作业", "纳入日期": str(ENROLLED)})
        for role, name in (("主要负责人", f"负责{u:02d}"), ("联络员", f"联络{u:02d}")):
            sheets["人员"].append({"生效时间": at0, "事项": "登记", "姓名": name, "角色": role, "单位代码": code})
    sheets["人员"].append({"生效时间": at0, "事项": "登记", "姓名": "纸办公", "角色": "领导小组办公室"})
    for obligation in Calendar([default_policy()]).obligations(ENROLLED, REPORTS_UNTIL):
        if obligation.kind != "project_status":
            continue
        for u in range(1, UNITS + 1):
            for step, day, who in (("起草", obligation.due_on - timedelta(2), f"联络{u:02d}"),
                                   ("批准", obligation.due_on - timedelta(1), f"负责{u:02d}"),
                                   ("报送", obligation.due_on, f"联络{u:02d}")):
                sheets["报告"].append({"生效时间": f"{day} 10:00", "经办人": who, "单位代码": f"U{u:02d}",
                                      "报告类别": "project_status", "期间": str(obligation.period), "事项": step})
    left = total - sum(len(v) for v in sheets.values())
    per_project = 20
    for n in range(left // per_project):
        u = n % UNITS + 1
        number, liaison = f"U{u:02d}-{n:05d}", f"联络{u:02d}"
        day = date(2021, 9, 1) + timedelta(rng.randint(0, 400))
        sheets["项目"].append({"生效时间": f"{day} 09:00", "经办人": liaison, "项目编号": number, "单位代码": f"U{u:02d}",
                              "项目名称": f"项目{n}", "行业领域": "环卫作业", "项目级别": "单位级", "投资方": "某公司",
                              "计划总投资（万元）": "1200.50"})
        events = _project_history(rng, number, liaison, day, per_project - 1)
        for sheet, row in events:
            sheets[sheet].append(row)
    return sheets


def _project_history(rng: random.Random, number: str, liaison: str, day: date, count: int) -> Iterator[tuple[str, dict]]:
    stage = 0
    problem = 0
    open_problem: str | None = None
    for _ in range(count):
        day += timedelta(rng.randint(1, 20))
        base = {"生效时间": f"{day} 10:00", "经办人": liaison, "项目编号": number}
        pick = rng.random()
        if pick < 0.15 and stage < len(STAGES):
            yield "项目进展", base | {"事项": "推进环节", "环节": STAGES[stage], "说明": "按计划推进"}
            stage += 1
        elif pick < 0.3:
            if open_problem is None:
                problem += 1
                open_problem = f"P{problem}"
                yield "问题", base | {"问题标识": open_problem, "事项": "提出", "问题标题": "用地手续", "问题类别": "用地"}
            else:
                yield "问题", base | {"问题标识": open_problem, "事项": "答复", "说明": "已协调"}
                open_problem = None
        elif pick < 0.5:
            yield "服务", base | {"服务类别": "审批协调", "服务内容": "协调办理审批"}
        else:
            yield "项目进展", base | {"事项": "进展情况", "说明": "本月按计划推进，完成前期手续"}


def workbook(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        labels = [c.label for c in sheet.columns]
        ws.append(labels)
        for row in sheets[sheet.name]:
            ws.append([row.get(label) for label in labels])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse_floor(content: bytes) -> float:
    """The floor: the standard library's XML parser streaming every sheet of the same workbook, and
    nothing more (no cell read, no row made)."""
    started = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                with book.open(name) as xml:
                    for _, element in ElementTree.iterparse(xml):
                        if element.tag.endswith("}row"):
                            element.clear()
    return time.perf_counter() - started


def openpyxl_read(content: bytes) -> float:
    """For comparison: openpyxl's read-only mode reading every cell of the same workbook."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cell.value
    book.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", dest="out", help="also write the figures to this file")
    args = parser.parse_args()
    sheets = rows(args.rows)
    content = workbook(sheets)
    total = sum(len(v) for v in sheets.values())
    floor = parse_floor(content)
    openpyxl_s = openpyxl_read(content)
    cpu = time.process_time()
    parsed = entries(read_rows("paper.xlsx", content, []), None, "bench", [])
    parse_cpu = time.process_time() - cpu
    del parsed
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(f"sqlite:///{Path(folder) / 'paper.db'}", machine=Machine(os_user="bench", host="bench"))
        ledger.init(ADMIN)
        ledger.add_person(ADMIN, OFFICE, Role.OFFICE)
        started, cpu = time.perf_counter(), time.process_time()
        outcome = import_paper(ledger, OFFICE, "paper.xlsx", content, admin=ADMIN)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        ledger.close()
    figures = {"rows": total, "by_sheet": outcome.rows, "events": outcome.events, "workbook_mb": round(len(content) / 1e6, 1),
               "parse_s": round(outcome.parse_seconds, 2), "parse_cpu_s": round(parse_cpu, 2), "parse_floor_s": round(floor, 2),
               "openpyxl_read_only_s": round(openpyxl_s, 2), "record_s": round(outcome.record_seconds, 2),
               "total_s": round(elapsed, 2), "total_cpu_s": round(cpu, 2),
               "target_s": 30, "met": elapsed < 30, "python": platform.python_version()}
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
