"""CLI fixtures: `zs` runs the command line against a SQLite file of its own, and `commission_cli`
builds a small ledger through the CLI itself, at fixed moments of September 2021."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from domain.application import Ledger

Zs = Callable[..., Result]

SET_UP_AT = "2021-09-01T02:00:00+00:00"  # 10:00 in Shanghai
NOW = "2021-09-10T02:00:00+00:00"  # the moment the commission's tests start from: 10:00 in Shanghai

PROJECT = "HW-2021-001"


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def zs(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Zs:
    """`zs(*args, actor=NAME)` runs `zs --store URL [--as NAME] args...` and returns the Result.

    `expect` is the exit code asserted (None: not checked); `store=None` leaves --store out;
    `env` sets (or, with None, unsets) environment variables for the run."""
    monkeypatch.chdir(tmp_path)  # a run without --store writes the default zhaoshang.db here
    runner = CliRunner()

    def run(*args: object, actor: str | None = None, store: str | None = store_url,
            env: dict[str, str | None] | None = None, expect: int | None = 0) -> Result:
        argv = (["--store", store] if store is not None else []) + (["--as", actor] if actor else [])
        argv += [str(a) for a in args]
        clean = {"ZS_STORE": None, "ZS_ACTOR": None, "ZS_DEBUG": None, **(env or {})}
        result = runner.invoke(cli, argv, env=clean, catch_exceptions=True, prog_name="zs")
        if expect is not None:
            assert result.exit_code == expect, (
                f"zs {' '.join(argv)} exited {result.exit_code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
            )
        return result

    return run


@pytest.fixture
def event_count(store_url: str) -> Callable[[], int]:
    """How many events the store holds (0 for an empty or missing one)."""

    def count() -> int:
        if not Path(store_url.removeprefix("sqlite:///")).exists():
            return 0
        ledger = Ledger(store_url)
        try:
            return ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()

    return count


@pytest.fixture
def commission_cli(zs: Zs, freezer) -> Iterator[Zs]:
    """Built through the CLI on 2021-09-01: admin 管理员, office clerk 许办公, unit HW (principal 赵处长,
    leader 钱副处, liaison 孙联络), unit GY (liaison 周联络) and project HW-2021-001 registered by
    孙联络. The clock then stands at 2021-09-10 10:00 Shanghai; move it with `freezer`."""
    freezer.move_to(SET_UP_AT)
    zs("init", "--admin", "管理员")
    admin = "管理员"
    zs("person", "add", "许办公", "--role", "office", "--phone", "022-28350001", "--title", "一级主任科员",
       actor=admin)
    zs("unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department", "--enrolled", "2021-08-31",
       "--sector", "sanitation", "--department", "环境卫生管理处综合科", actor=admin)
    zs("unit", "add", "GY", "--name", "市公用事业管理局", "--kind", "bureau", "--enrolled", "2021-08-31",
       "--sector", "gas_heating", "--sector", "road_bridge", "--department", "规划发展处", actor=admin)
    zs("person", "add", "赵处长", "--role", "principal", "--unit", "HW", "--phone", "022-28350101",
       "--title", "处长", actor=admin)
    zs("person", "add", "钱副处", "--role", "leader", "--unit", "HW", "--title", "副处长", actor=admin)
    zs("person", "add", "孙联络", "--role", "liaison", "--unit", "HW", "--phone", "13800000103",
       "--title", "科员", actor=admin)
    zs("person", "add", "周联络", "--role", "liaison", "--unit", "GY", "--phone", "13800000201", actor=admin)
    zs("project", "add", PROJECT, "--unit", "HW", "--name", "环卫一体化PPP项目", "--sector", "sanitation",
       "--level", "city", "--investor", "天津某环境服务有限公司", "--investment", "12000",
       "--responsible-person", "钱副处", "--responsible-department", "环境卫生管理处综合科",
       "--liaison", "孙联络", actor="孙联络")
    freezer.move_to(NOW)
    yield zs
