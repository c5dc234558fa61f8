"""A September 2021 of unit HW, for the forms: two key projects and a reserve one, notes, a stage
move, services (one voided, one in October), problems; unit GY with a key project of its own.
The clock then stands at 2021-10-03 10:00 in Shanghai, September over."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from domain.application import Ledger
from domain.values import UTC, Level, ProblemCategory, Sector, ServiceKind, Stage

OFFICE, LIAISON, GY_LIAISON = "许办公", "孙联络", "周联络"
NOW = datetime(2021, 10, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NOW_TEXT = "2021-10-03T02:00:00+00:00"


def shanghai(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


@pytest.fixture
def september(commission: Ledger, clock) -> Ledger:
    ledger = commission
    ledger.promote_project(OFFICE, "HW-2021-001", "投资规模大、带动性强")
    clock.set(shanghai(date(2021, 9, 2)))
    ledger.add_project(LIAISON, "HW-2021-002", "HW", "垃圾转运站智能化改造项目", Sector.SANITATION, Level.COMMISSION,
                       "天津某智能装备有限公司", Decimal("3500.50"), "钱副处", "环境卫生管理处设施科", LIAISON)
    ledger.promote_project(OFFICE, "HW-2021-002", "示范意义强")
    ledger.add_project(LIAISON, "HW-2021-003", "HW", "环卫车辆租赁项目", Sector.SANITATION, Level.UNIT,
                       "某租赁公司", Decimal("800"))
    ledger.add_project(GY_LIAISON, "GY-2021-001", "GY", "老旧燃气管网改造项目", Sector.GAS_HEATING, Level.CITY,
                       "天津某燃气有限公司", Decimal("86000"), None, "规划发展处", GY_LIAISON)
    ledger.promote_project(OFFICE, "GY-2021-001", "民生工程")
    clock.set(shanghai(date(2021, 9, 8)))
    ledger.note_progress(LIAISON, "HW-2021-001", "完成可研报告编制", date(2021, 9, 8))
    clock.set(shanghai(date(2021, 9, 15)))
    ledger.advance_project(LIAISON, "HW-2021-001", Stage.NEGOTIATING, date(2021, 9, 15), "首轮商务洽谈")
    ledger.note_progress(LIAISON, "HW-2021-001", "与投资方开展首轮商务洽谈", date(2021, 9, 15))
    ledger.add_service(LIAISON, "HW-2021-001", ServiceKind.POLICY, date(2021, 9, 14), "解读环卫市场化政策",
                       Decimal("5.50"))
    wrong = ledger.add_service(LIAISON, "HW-2021-001", ServiceKind.SITE, date(2021, 9, 15), "误录", Decimal("99"))
    ledger.void_service(LIAISON, wrong, "重复录入")
    clock.set(shanghai(date(2021, 9, 16)))
    first = ledger.raise_problem(LIAISON, "HW-2021-001", "项目用地规划调整", ProblemCategory.LAND)
    clock.set(shanghai(date(2021, 9, 18)))
    ledger.escalate_problem(LIAISON, first, "市规划和自然资源局", "请求调整用地性质")
    clock.set(shanghai(date(2021, 9, 20)))
    ledger.add_service(LIAISON, "HW-2021-002", ServiceKind.SITE, date(2021, 9, 20), "协助踏勘转运站选址", None)
    ledger.raise_problem(LIAISON, "HW-2021-002", "设备进口审批周期长", ProblemCategory.APPROVAL)
    ledger.add_service(GY_LIAISON, "GY-2021-001", ServiceKind.FINANCING, date(2021, 9, 20), "对接银行绿色信贷",
                       Decimal("1000"))
    clock.set(shanghai(date(2021, 9, 25)))
    ledger.answer_problem(LIAISON, first, "已同意调整，投资方已知悉")
    clock.set(shanghai(date(2021, 10, 2)))
    ledger.add_service(LIAISON, "HW-2021-001", ServiceKind.COORDINATION, date(2021, 10, 2), "十月的服务", Decimal("1"))
    clock.set(NOW)
    return ledger


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def events(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


Zs = Callable[..., Result]


@pytest.fixture
def zs(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Zs:
    """`zs(*args, actor=NAME, expect=CODE)` runs the CLI on the test's store (freeze the time for it)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: object, actor: str | None = None, expect: int | None = 0) -> Result:
        argv = ["--store", store] + (["--as", actor] if actor else []) + [str(a) for a in args]
        env = {"ZS_STORE": None, "ZS_ACTOR": None, "ZS_DEBUG": None}
        result = runner.invoke(cli, argv, env=env, catch_exceptions=True, prog_name="zs")
        if expect is not None:
            assert result.exit_code == expect, (
                f"zs {' '.join(argv)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
            )
        assert "Traceback" not in result.output
        return result

    return run
