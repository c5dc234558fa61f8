"""CLI fixtures: `zs` runs the command line against a SQLite file of its own, and `commission_cli`
gives it a small ledger built through the CLI itself, at fixed moments of September 2021."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from cli.main import cli
from domain.application import Ledger

Zs = Callable[..., Result]

SET_UP_AT = "2021-09-01T02:00:00+00:00"  # 10:00 in Shanghai
NOW = "2021-09-10T02:00:00+00:00"  # where the commission's clock stands when a test starts: 10:00 in Shanghai

PROJECT = "HW-2021-001"
ADMIN = "管理员"

# (actor, arguments) of the commands that build the commission, in order
SET_UP: Sequence[tuple[str | None, tuple[str, ...]]] = [
    (None, ("init", "--admin", ADMIN)),
    (ADMIN, ("person", "add", "许办公", "--role", "office", "--phone", "022-28350001", "--title", "一级主任科员")),
    (ADMIN, ("unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department", "--enrolled", "2021-08-31",
             "--sector", "sanitation", "--department", "环境卫生管理处综合科")),
    (ADMIN, ("unit", "add", "GY", "--name", "市公用事业管理局", "--kind", "bureau", "--enrolled", "2021-08-31",
             "--sector", "gas_heating", "--sector", "road_bridge", "--department", "规划发展处")),
    (ADMIN, ("person", "add", "赵处长", "--role", "principal", "--unit", "HW", "--phone", "022-28350101",
             "--title", "处长")),
    (ADMIN, ("person", "add", "钱副处", "--role", "leader", "--unit", "HW", "--title", "副处长")),
    (ADMIN, ("person", "add", "孙联络", "--role", "liaison", "--unit", "HW", "--phone", "13800000103",
             "--title", "科员")),
    (ADMIN, ("person", "add", "周联络", "--role", "liaison", "--unit", "GY", "--phone", "13800000201")),
    ("孙联络", ("project", "add", PROJECT, "--unit", "HW", "--name", "环卫一体化PPP项目", "--sector", "sanitation",
              "--level", "city", "--investor", "天津某环境服务有限公司", "--investment", "12000",
              "--responsible-person", "钱副处", "--responsible-department", "环境卫生管理处综合科",
              "--liaison", "孙联络")),
]


def invoke(args: Sequence[object], store: str | None = None, actor: str | None = None,
           env: dict[str, str | None] | None = None, expect: int | None = 0) -> Result:
    """`zs [--store URL] [--as NAME] args...` in-process, with ZS_* variables cleared unless given."""
    argv = (["--store", store] if store is not None else []) + (["--as", actor] if actor else [])
    argv += [str(a) for a in args]
    clean = {"ZS_STORE": None, "ZS_ACTOR": None, "ZS_DEBUG": None, **(env or {})}
    result = CliRunner().invoke(cli, argv, env=clean, catch_exceptions=True, prog_name="zs")
    if expect is not None:
        assert result.exit_code == expect, (
            f"zs {' '.join(argv)} exited {result.exit_code}, expected {expect}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
        )
    return result


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def zs(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Zs:
    """`zs(*args, actor=NAME)` runs `zs --store URL [--as NAME] args...` and returns the Result.

    `expect` is the exit code asserted (None: not checked); `store=None` leaves --store out;
    `env` sets (or, with None, unsets) environment variables for the run."""
    monkeypatch.chdir(tmp_path)  # a run without --store uses the default zhaoshang.db, here

    def run(*args: object, actor: str | None = None, store: str | None = store_url,
            env: dict[str, str | None] | None = None, expect: int | None = 0) -> Result:
        return invoke(args, store, actor, env, expect)

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


@pytest.fixture(scope="session")
def commission_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The commission built once through the CLI; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("commission") / "ledger.db"
    with freeze_time(SET_UP_AT):
        for actor, args in SET_UP:
            invoke(args, f"sqlite:///{path}", actor)
    return path


@pytest.fixture
def commission_cli(zs: Zs, store_url: str, commission_file: Path, freezer) -> Zs:
    """Built through the CLI on 2021-09-01: admin 管理员, office clerk 许办公, unit HW (principal 赵处长,
    leader 钱副处, liaison 孙联络), unit GY (liaison 周联络) and project HW-2021-001 registered by
    孙联络. The clock then stands at 2021-09-10 10:00 Shanghai; move it with `freezer`."""
    target = Path(store_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        source = commission_file.with_name(commission_file.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    freezer.move_to(NOW)
    return zs
