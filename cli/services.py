"""`zs service ...`: services given to projects (服务清单), the raw material of form 3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from cli.context import Context, pass_context
from cli.output import json_option, labelled, render
from cli.params import DATE, WAN, CodeType
from domain.errors import InvalidValue
from domain.period import Cadence, Period
from domain.values import ServiceKind

SERVICE_COLUMNS = [
    ("id", "编号"), ("project", "项目编号"), ("unit", "单位"), ("kind", "服务类型"), ("on", "服务日期"),
    ("note", "服务内容"), ("amount_wan", "涉及金额（万元）"), ("voided", "已作废"), ("void_reason", "作废原因"),
]


@click.group()
def service() -> None:
    """Services given to projects (服务清单): add, void, list."""


@service.command("add")
@click.argument("number")
@click.option("--kind", required=True, type=CodeType(ServiceKind, "service kind"),
              help="policy, approval, site, financing, coordination or other.")
@click.option("--on", "on", required=True, type=DATE, help="The day the service was given.")
@click.option("--note", required=True, help="What was done (服务内容).")
@click.option("--amount", type=WAN, help="Amount involved, 万元.")
@pass_context
def add(obj: Context, number: str, kind: ServiceKind, on: date, note: str, amount: Decimal | None) -> None:
    """Record a service given to a project; prints the new service's id alone.

    \b
    Example:
      zs --as 王芳 service add HW-2021-001 --kind approval --on 2021-09-20 --note 协调办理环评批复
    """
    click.echo(obj.ledger.add_service(obj.require_actor(), number, kind, on, note, amount))


@service.command("void")
@click.argument("service_id", metavar="ID")
@click.option("--reason", required=True)
@pass_context
def void(obj: Context, service_id: str, reason: str) -> None:
    """Void a service recorded in error (it stays in the history).

    \b
    Example:
      zs --as 王芳 service void HW-2021-001/S2 --reason 重复登记
    """
    obj.ledger.void_service(obj.require_actor(), service_id.strip(), reason)
    click.echo(f"{service_id.strip()} 已作废")


@service.command("list")
@click.option("--unit")
@click.option("--project")
@click.option("--period", help="A month, YYYY-MM.")
@json_option
@pass_context
def list_services(obj: Context, unit: str | None, project: str | None, period: str | None, as_json: bool) -> None:
    """List services, voided ones included and marked.

    \b
    Example:
      zs service list --unit HW --period 2021-09
    """
    month = None
    if period is not None:
        try:
            month = Period.parse(period, Cadence.MONTHLY)
        except InvalidValue as error:
            raise click.BadParameter(str(error), param_hint="'--period'") from None
    if project:
        obj.ledger.project(project)
    rows = obj.queries.services(project=project.strip() if project else None,
                              unit=unit.strip().upper() if unit else None, month=month)
    render(rows if as_json else labelled(rows, {"kind": ServiceKind}), SERVICE_COLUMNS, as_json)
