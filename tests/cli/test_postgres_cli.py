"""One round trip through the CLI on PostgreSQL: the same commands, the same JSON."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.postgres


def test_a_ledger_round_trips_through_the_cli_on_postgresql(zs, pg_store):
    def run(*args: str, actor: str | None = None):
        return zs(*args, actor=actor, store=pg_store)

    run("init", "--admin", "管理员")
    run("unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department", "--enrolled", "2021-08-31",
        "--sector", "sanitation", actor="管理员")
    run("person", "add", "孙联络", "--role", "liaison", "--unit", "HW", actor="管理员")
    run("project", "add", "HW-2021-001", "--unit", "HW", "--name", "环卫一体化PPP项目", "--sector", "sanitation",
        "--level", "city", "--investor", "天津某环境服务有限公司", "--investment", "12000.5", actor="孙联络")
    run("project", "advance", "HW-2021-001", "--to", "signed", "--on", "2021-10-12", actor="孙联络")

    shown = json.loads(run("project", "show", "HW-2021-001", "--json").stdout)
    assert (shown["unit"], shown["stage"], shown["investment_wan"], shown["open_problems"]) == (
        "HW", "signed", "12000.50", 0)
    assert shown["updated_at"].endswith("+00:00")
    assert json.loads(run("unit", "list", "--json").stdout)[0]["liaison"] == "孙联络"
    refused = zs("init", "--admin", "又一个", store=pg_store, expect=1)
    assert "already holds a ledger" in refused.stderr
