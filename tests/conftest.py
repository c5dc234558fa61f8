"""Shared fixtures: a ledger on SQLite (always) and on PostgreSQL (when a server is reachable),
a clock the test moves by hand, and a small commission to work with."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.application import Ledger, Machine
from domain.values import SHANGHAI, UTC, Level, Role, Sector, UnitKind

PG_URL = os.environ.get("ZS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MACHINE = Machine(os_user="tester", host="test-host")


class Clock:
    """A clock the test sets and moves; the ledger reads it for every event's recorded time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def _postgres_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(_libpq(PG_URL), connect_timeout=3):
            return None
    except Exception as error:  # any failure to connect means: skip, and say why
        return f"no PostgreSQL server reachable at {PG_URL}: {error}"


def _libpq(url: str) -> str:
    return url.split("?")[0]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test database for this run; dropped afterwards."""
    reason = _postgres_reason()
    if reason and os.environ.get("ZS_REQUIRE_POSTGRES"):
        pytest.fail(f"ZS_REQUIRE_POSTGRES is set but {reason}")
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"zs_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The store URL of a new PostgreSQL schema named after `prefix`, dropped afterwards."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{_libpq(PG_URL)}?schema={schema}"
    finally:
        with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL store URL of its own for one test: a new schema, dropped afterwards."""
    with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each application test runs once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_store")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2021, 9, 1, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai


@pytest.fixture
def ledger(store: str, clock: Clock) -> Iterator[Ledger]:
    app = Ledger(store, clock=clock, machine=MACHINE)
    yield app
    app.close()


@pytest.fixture
def commission(ledger: Ledger) -> Ledger:
    """An admin, an office clerk, and unit HW with its principal, leader, liaison and a staff member;
    unit GY with its liaison. One project HW-2021-001 registered by HW's liaison."""
    return set_up_commission(ledger)


def shanghai(*parts: int) -> datetime:
    """A Shanghai wall-clock time, as the UTC instant it is stored as."""
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


ADOPTED = shanghai(2026, 3, 2, 10)  # the day a commission adopts the ledger, after years on paper


def adopt(ledger: Ledger, clock: Clock, admin: str, office: str) -> Ledger:
    """A ledger started on ADOPTED: its admin and the office's clerk, nothing of the paper years yet."""
    clock.set(ADOPTED)
    ledger.init(admin)
    ledger.add_person(admin, office, Role.OFFICE)
    return ledger


def set_up_commission(ledger: Ledger) -> Ledger:
    """The `commission` fixture's ledger, for fixtures of any scope."""
    ledger.init("管理员")
    ledger.add_person("管理员", "许办公", Role.OFFICE, phone="022-28350001", title="一级主任科员")
    ledger.add_unit("管理员", "HW", "环境卫生管理处", UnitKind.DEPARTMENT, date(2021, 8, 31),
                    [Sector.SANITATION], "环境卫生管理处综合科")
    ledger.add_unit("管理员", "GY", "市公用事业管理局", UnitKind.BUREAU, date(2021, 8, 31),
                    [Sector.GAS_HEATING, Sector.ROAD_BRIDGE], "规划发展处")
    ledger.add_person("管理员", "赵处长", Role.PRINCIPAL, "HW", "022-28350101", "处长")
    ledger.add_person("管理员", "钱副处", Role.LEADER, "HW", "022-28350102", "副处长")
    ledger.add_person("管理员", "孙联络", Role.LIAISON, "HW", "13800000103", "科员")
    ledger.add_person("管理员", "李科员", Role.STAFF, "HW", None, "科员")
    ledger.add_person("管理员", "周联络", Role.LIAISON, "GY", "13800000201", "主任科员")
    ledger.add_project("孙联络", "HW-2021-001", "HW", "环卫一体化PPP项目", Sector.SANITATION, Level.CITY,
                       "天津某环境服务有限公司", Decimal("12000.00"), "钱副处", "环境卫生管理处综合科", "孙联络")
    return ledger
