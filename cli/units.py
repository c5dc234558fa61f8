"""`zs unit ...`: the member units, their sectors and officers."""

from __future__ import annotations

from datetime import date

import click

from cli.context import Context, pass_context
from cli.output import json_option, labelled, render, render_record
from cli.params import DATE, CodeType
from domain.values import Sector, UnitKind
from projections.records import term_records, unit_record

UNIT_COLUMNS = [
    ("code", "代码"), ("name", "单位名称"), ("kind", "类别"), ("sectors", "牵头行业"), ("department", "责任部门"),
    ("enrolled_on", "纳入日期"), ("withdrawn_on", "退出日期"), ("principal", "主要负责人"),
    ("leader", "主管领导"), ("liaison", "联络员"),
]
TERM_COLUMNS = [("role", "职责"), ("person", "姓名"), ("since", "起"), ("until", "止")]
SECTOR = CodeType(Sector, "sector")


@click.group()
def unit() -> None:
    """Member units (成员单位): enrol, update, withdraw, list, show."""


@unit.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The unit's full name, e.g. 环境卫生管理处.")
@click.option("--kind", required=True, type=CodeType(UnitKind, "unit kind"), help="department, bureau or affiliate.")
@click.option("--enrolled", required=True, type=DATE, help="The day the unit joined the work (YYYY-MM-DD).")
@click.option("--sector", "sectors", multiple=True, type=SECTOR, help="A sector whose library it leads; repeatable.")
@click.option("--department", help="The unit's responsible department (责任部门).")
@pass_context
def add(obj: Context, code: str, name: str, kind: UnitKind, enrolled: date, sectors: tuple[Sector, ...],
        department: str | None) -> None:
    """Enrol a member unit (admin).

    \b
    Example:
      zs --as 张管理 unit add HW --name 环境卫生管理处 --kind department \\
         --enrolled 2021-08-31 --sector sanitation --department 综合科
    """
    obj.ledger.add_unit(obj.require_actor(), code, name, kind, enrolled, sectors, department)
    click.echo(f"已纳入单位 {code.upper()} {name}")


@unit.command("update")
@click.argument("code")
@click.option("--name", help="A new name.")
@click.option("--department", help="A new responsible department.")
@click.option("--sector", "sectors", multiple=True, type=SECTOR, help="The full new list of sectors; repeatable.")
@pass_context
def update(obj: Context, code: str, name: str | None, department: str | None, sectors: tuple[Sector, ...]) -> None:
    """Change a unit's name, responsible department or sectors (admin).

    \b
    Example:
      zs --as 张管理 unit update HW --department 环境卫生管理处行业管理科
    """
    obj.ledger.update_unit(obj.require_actor(), code, name, department, sectors)
    click.echo(f"已更新单位 {code.upper()}")


@unit.command("withdraw")
@click.argument("code")
@click.option("--on", "on", required=True, type=DATE, help="The day it withdrew; it owes nothing due after it.")
@click.option("--reason", required=True, help="Why.")
@pass_context
def withdraw(obj: Context, code: str, on: date, reason: str) -> None:
    """Withdraw a unit from the work (admin); its history stays.

    \b
    Example:
      zs --as 张管理 unit withdraw XC --on 2022-06-30 --reason 机构改革撤并
    """
    obj.ledger.withdraw_unit(obj.require_actor(), code, on, reason)
    click.echo(f"单位 {code.upper()} 已于 {on} 退出")


@unit.command("list")
@json_option
@pass_context
def list_units(obj: Context, as_json: bool) -> None:
    """List the units with their current principal, leader and liaison.

    \b
    Example:
      zs unit list --json
    """
    rows = obj.queries.units()
    render(rows if as_json else labelled(rows, {"kind": UnitKind, "sectors": Sector}), UNIT_COLUMNS, as_json)


@unit.command("show")
@click.argument("code")
@json_option
@pass_context
def show(obj: Context, code: str, as_json: bool) -> None:
    """Show one unit and the terms of its officers, past and present.

    \b
    Example:
      zs unit show HW
    """
    found = obj.ledger.unit(code)
    record = unit_record(found) | {"terms": term_records(found)}
    if as_json:
        render_record(record, UNIT_COLUMNS, True)
        return
    render_record(record, UNIT_COLUMNS, False)
    click.echo("\n任职记录")
    render(record["terms"], TERM_COLUMNS, False)
