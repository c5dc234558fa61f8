"""`zs policy ...`: the reporting calendar, kept as data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.labels import CADENCES
from cli.output import emit_json, json_option, table
from cli.params import DATE
from domain.policy import ReportRule
from domain.values import shanghai_date


@click.group()
def policy() -> None:
    """The reporting calendar (报送时限): show, load."""


@policy.command("show")
@json_option
@click.option("--toml", "as_toml", is_flag=True, help="Print the policy in force as TOML (a template to edit).")
@pass_context
def show(obj: Context, as_json: bool, as_toml: bool) -> None:
    """Show the policies in force over time and the calendar of the current one.

    \b
    Example:
      zs policy show
      zs policy show --toml > 我委报送时限.toml
    """
    ledger = obj.ledger
    calendar = ledger.calendar()
    current = calendar.policy_on(shanghai_date(ledger.clock()))
    if as_toml:
        click.echo(current.to_toml_text(), nl=False)
    elif as_json:
        emit_json([p.model_dump(mode="json") for p in calendar.policies])
    else:
        for entry in calendar.policies:
            click.echo(f"{entry.name}  自 {entry.effective_from} 起施行")
        click.echo("")
        click.echo(table([_row(r) | {"cadence": CADENCES[r.cadence.value]} for r in current.reports],
                         [("kind", "报告类别"), ("title", "名称"), ("cadence", "频次"), ("due", "报送时限")]))


def _row(rule: ReportRule) -> dict[str, str]:
    if rule.cadence == "once":
        due = f"{rule.due} 前"
    elif rule.cadence == "monthly":
        due = f"每月 {rule.due_day} 日前报上月"
    elif rule.cadence == "quarterly":
        due = f"每季度第 {rule.due_month} 个月 {rule.due_day} 日前报上季度"
    else:
        which = "上年" if rule.covers == "previous" else "本年"
        due = f"每年 {rule.due_month} 月 {rule.due_day} 日前报{which}"
    return {"kind": rule.kind, "title": rule.title, "cadence": rule.cadence.value, "due": due}


@policy.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "effective_from", required=True, type=DATE,
              help="The day it takes effect: today or later; obligations due before it stay as they were.")
@pass_context
def load(obj: Context, file: Path, effective_from: date) -> None:
    """Load a new reporting policy from a TOML file (admin); schema in docs/calendar.md.

    \b
    Example:
      zs --as 张管理 policy load 2023报送时限.toml --from 2023-01-01
    """
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{file} is not UTF-8 text", param_hint="'FILE'") from None
    obj.ledger.load_policy(obj.require_actor(), text, effective_from, source=file.name)
    click.echo(f"已载入 {file.name}，自 {effective_from} 起施行")
