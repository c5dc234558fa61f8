"""`zs obligations`, `zs overdue`, `zs remind`: who owes what, as of any moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from cli.context import Context, pass_context
from cli.labels import with_kind_titles
from cli.output import emit_json, json_option, render, table
from cli.params import AS_KNOWN_AT, AS_OF
from domain.values import shanghai_date
from projections.obligations import LABELS, OVERDUE, UPCOMING

COLUMNS = [
    ("unit", "单位"), ("kind", "报告类别"), ("period", "期间"), ("due_on", "截止日期"), ("status_label", "状态"),
    ("sent_at", "报送时间"), ("days_late", "迟报天数"), ("days_overdue", "逾期天数"), ("report_id", "报告编号"),
]


def _labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row | {"status_label": LABELS[row["status"]]} for row in rows]


@click.command()
@click.option("--unit", help="Only this unit.")
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def obligations(obj: Context, unit: str | None, as_of: datetime | None, known_at: datetime | None,
                as_json: bool) -> None:
    """Every report owed at a moment, with its status (upcoming, on_time, late, overdue).

    The answer for a past moment is what the ledger held then.

    \b
    Example:
      zs obligations --unit HW --as-of 2021-10-06 --json
    """
    ledger = obj.ledger
    if unit:
        ledger.unit(unit)
    rows = obj.views.obligations(as_of, unit.strip().upper() if unit else None, known_at)
    render(rows if as_json else _labelled(with_kind_titles(ledger, rows)), COLUMNS, as_json)


@click.command()
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def overdue(obj: Context, as_of: datetime | None, known_at: datetime | None, as_json: bool) -> None:
    """The overdue reports, oldest first.

    \b
    Example:
      zs overdue --as-of 2021-10-06
    """
    rows = obj.views.overdue(as_of, known_at)
    render(rows if as_json else _labelled(with_kind_titles(obj.ledger, rows)), COLUMNS, as_json, empty="（无逾期）")


@click.command()
@AS_OF
@AS_KNOWN_AT
@click.option("--within", default=5, show_default=True, type=click.IntRange(0, 366),
              help="Show what falls due in this many days.")
@json_option
@pass_context
def remind(obj: Context, as_of: datetime | None, known_at: datetime | None, within: int, as_json: bool) -> None:
    """Per unit, what falls due soon and what is overdue, with the liaison's name and phone.

    The list the office phones through.

    \b
    Example:
      zs remind --within 5
    """
    ledger = obj.ledger
    moment = as_of or ledger.clock()
    horizon = shanghai_date(moment) + timedelta(days=within)
    rows = obj.views.obligations(as_of, known_at=known_at, due_by=horizon)
    phones = {p["name"]: p["phone"] for p in obj.views.people()}
    result = []
    for unit in obj.views.units():
        due_soon = [r for r in rows if r["unit"] == unit["code"] and r["status"] == UPCOMING and r["due_on"] <= horizon]
        late = [r for r in rows if r["unit"] == unit["code"] and r["status"] == OVERDUE]
        if not due_soon and not late:
            continue
        liaison = unit["liaison"]
        result.append({"unit": unit["code"], "name": unit["name"], "liaison": liaison, "phone": phones.get(liaison),
                       "due_soon": [_item(r) for r in due_soon], "overdue": [_item(r) for r in late]})
    if as_json:
        emit_json(result)
        return
    if not result:
        click.echo(f"（{within} 天内无到期、无逾期）")
    for entry in result:
        click.echo(f"{entry['name']}（{entry['unit']}） 联络员：{entry['liaison'] or '未指定'} "
                   f"电话：{entry['phone'] or '未登记'}")
        items = [i | {"state": "逾期" if i in entry["overdue"] else "即将到期"} for i in entry["overdue"] + entry["due_soon"]]
        click.echo(table(with_kind_titles(ledger, items), [("state", "提醒"), ("kind", "报告类别"), ("period", "期间"), ("due_on", "截止日期"),
                                 ("days_overdue", "逾期天数")]))
        click.echo("")


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("kind", "period", "due_on", "days_overdue", "report_id")}
