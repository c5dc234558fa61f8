"""`zs obligations`, `zs overdue`, `zs remind`: who owes what, as of any moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.labels import with_kind_titles
from cli.output import emit_json, json_option, render, table
from cli.params import AS_KNOWN_AT, AS_OF
from projections.obligations import LABELS
from projections.queries import Moment
from projections.reminders import unit_reminders

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
    if unit:
        obj.queries.unit(unit)["code"]
    rows = obj.queries.obligations(as_of, unit.strip().upper() if unit else None, known_at)
    render(rows if as_json else _labelled(with_kind_titles(obj.queries, rows)), COLUMNS, as_json)


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
    rows = obj.queries.overdue(as_of, known_at)
    render(rows if as_json else _labelled(with_kind_titles(obj.queries, rows)), COLUMNS, as_json, empty="（无逾期）")


@click.command()
@AS_OF
@AS_KNOWN_AT
@click.option("--within", default=5, show_default=True, type=click.IntRange(0, 366),
              help="Show what falls due in this many days.")
@click.option("--send", is_flag=True, help="Mail each person their reminders (office; ZS_SMTP, ZS_MAIL_FROM).")
@click.option("--dry-run", "dry_run", is_flag=True, help="Print what --send would mail, and send nothing.")
@json_option
@pass_context
def remind(obj: Context, as_of: datetime | None, known_at: datetime | None, within: int, send: bool, dry_run: bool,
           as_json: bool) -> None:
    """Per unit, what falls due soon and what is overdue, with the liaison's name and phone.

    Also the reports drafted and waiting for the principal's approval, those approved but not
    sent, and the open 督办 due within the same days or past due. With --send, each person gets
    one Chinese message by mail: the liaison of reports and 督办, the principal of reports to
    approve. An item is mailed to a person at most once a Shanghai day, and each mailing is
    recorded (it shows in `zs audit`). People without an email address (`person update --email`)
    are listed, not mailed.

    \b
    Example:
      zs remind --within 5
      ZS_SMTP=smtp://127.0.0.1:1025 ZS_MAIL_FROM=zsb@example.gov.cn zs --as 许办公 remind --send
    """
    if (send or dry_run) and (as_of or known_at):
        raise click.UsageError("--send and --dry-run mail what stands now: leave out --as-of and --as-known-at")
    if send and dry_run:
        raise click.UsageError("give at most one of --send and --dry-run")
    ledger = obj.ledger
    entries = unit_reminders(obj.queries, Moment(as_of, known_at), within)
    if send or dry_run:
        _mail(obj, entries, send, as_json)
        return
    if as_json:
        emit_json(entries)
        return
    if not entries:
        click.echo(f"（{within} 天内无到期、无逾期、无待办）")
    for entry in entries:
        click.echo(f"{entry['name']}（{entry['unit']}） 联络员：{entry['liaison'] or '未指定'} "
                   f"电话：{entry['phone'] or '未登记'}  主要负责人：{entry['principal'] or '未指定'}")
        items = ([i | {"state": "逾期"} for i in entry["overdue"]] + [i | {"state": "即将到期"} for i in entry["due_soon"]]
                 + [i | {"state": "待审定"} for i in entry["awaiting_approval"]]
                 + [i | {"state": "已审定待报送"} for i in entry["approved_not_sent"]])
        if items:
            click.echo(table(with_kind_titles(ledger, items), [("state", "提醒"), ("kind", "报告类别"), ("period", "期间"),
                                                                ("due_on", "截止日期"), ("days_overdue", "逾期天数")]))
        if entry["supervisions"]:
            click.echo(table([s | {"state": "督办已逾期" if s["past_due"] else "督办即将到期"} for s in entry["supervisions"]],
                             [("state", "提醒"), ("id", "督办编号"), ("subject", "督办事项"), ("due_on", "限办日期")]))
        click.echo("")


def _mail(obj: Context, entries: list[dict[str, Any]], send: bool, as_json: bool) -> None:
    """One message per person with their items not yet mailed today; each mailing recorded after it went."""
    from projections.mailing import Mailer, mail_reminders  # a write: not loaded by `zs overdue`

    ledger = obj.ledger
    actor = obj.require_actor() if send else None
    if actor:
        ledger.check_may_remind(actor)
    mailer = Mailer.from_env() if send else None
    results = mail_reminders(ledger, obj.queries, entries, mailer, actor)
    if as_json:
        emit_json(results)
    else:
        _print_mailing(results)
    failed = sum(1 for r in results if r["status"] == "failed")
    if failed:
        raise click.ClickException(f"{failed} message(s) could not be sent; nothing was recorded for them, "
                                   "run again to retry")


STATUS = {"sent": "已发送", "would_send": "将发送", "already_reminded": "今日已提醒", "no_email": "未登记邮箱，未发送",
          "failed": "发送失败"}


def _print_mailing(results: list[dict[str, Any]]) -> None:
    if not results:
        click.echo("（无需提醒）")
    for r in results:
        click.echo(f"{r['person']} <{r['to'] or '-'}>：{STATUS[r['status']]}，{len(r['items'])} 项"
                   + (f"（{r['error']}）" if r["status"] == "failed" else ""))
        if r["status"] == "would_send":
            click.echo(f"  主题：{r['subject']}")
            click.echo("\n".join("  " + line for line in r["body"].splitlines()))
