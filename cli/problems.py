"""`zs problem ...`: the closed loop of a project's problems (raised → escalated → answered → closed)."""

from __future__ import annotations

from datetime import date

import click

from cli.context import Context, pass_context
from cli.labels import with_detail_labels
from cli.output import HISTORY_COLUMNS, backfill_marks, event_labels, json_option, labelled, render, render_record
from cli.params import DATE, CodeType
from domain.values import ProblemCategory, ProblemStatus
from projections.records import history_records, problem_record

PROBLEM_COLUMNS = [
    ("id", "编号"), ("project", "项目编号"), ("unit", "单位"), ("title", "跟踪事项"), ("category", "类别"),
    ("status", "办理状态"), ("raised_at", "提出时间"), ("due_on", "限办日期"), ("closed_at", "销号时间"),
]


@click.group()
def problem() -> None:
    """Problems (政策障碍、落地难点): raise, escalate, answer, close, reopen, list, show."""


@problem.command("raise")
@click.argument("number")
@click.option("--title", required=True, help="What stands in the way (跟踪事项).")
@click.option("--category", required=True, type=CodeType(ProblemCategory, "category"),
              help="policy, land, funding, approval or other.")
@click.option("--due", type=DATE, help="The date it should be solved by.")
@pass_context
def raise_(obj: Context, number: str, title: str, category: ProblemCategory, due: date | None) -> None:
    """Raise a problem on a project; prints the new problem's id alone.

    \b
    Example:
      zs --as 王芳 problem raise HW-2021-001 --title 项目用地规划调整 --category land --due 2021-12-31
    """
    click.echo(obj.ledger.raise_problem(obj.require_actor(), number, title, category, due))


@problem.command("escalate")
@click.argument("problem_id", metavar="ID")
@click.option("--to", "to", required=True, help="To whom it was reported, e.g. 市规划和自然资源局.")
@click.option("--note")
@pass_context
def escalate(obj: Context, problem_id: str, to: str, note: str | None) -> None:
    """Report a problem upward (上报).

    \b
    Example:
      zs --as 王芳 problem escalate HW-2021-001/P1 --to 市规划和自然资源局
    """
    obj.ledger.escalate_problem(obj.require_actor(), problem_id, to, note)
    click.echo(f"{problem_id} 已上报 {to}")


@problem.command("answer")
@click.argument("problem_id", metavar="ID")
@click.option("--note", required=True, help="The answer, as fed back to the investor (反馈情况).")
@pass_context
def answer(obj: Context, problem_id: str, note: str) -> None:
    """Record the answer and its feedback to the investor.

    \b
    Example:
      zs --as 王芳 problem answer HW-2021-001/P1 --note 规划调整已批复，已反馈投资方
    """
    obj.ledger.answer_problem(obj.require_actor(), problem_id, note)
    click.echo(f"{problem_id} 已答复")


@problem.command("close")
@click.argument("problem_id", metavar="ID")
@click.option("--note")
@pass_context
def close(obj: Context, problem_id: str, note: str | None) -> None:
    """Close an answered problem (office): 销号.

    \b
    Example:
      zs --as 许办公 problem close HW-2021-001/P1
    """
    obj.ledger.close_problem(obj.require_actor(), problem_id, note)
    click.echo(f"{problem_id} 已销号")


@problem.command("reopen")
@click.argument("problem_id", metavar="ID")
@click.option("--reason", required=True)
@pass_context
def reopen(obj: Context, problem_id: str, reason: str) -> None:
    """Reopen a closed problem (office), with a reason.

    \b
    Example:
      zs --as 许办公 problem reopen HW-2021-001/P1 --reason 投资方反映问题未解决
    """
    obj.ledger.reopen_problem(obj.require_actor(), problem_id, reason)
    click.echo(f"{problem_id} 已重新打开")


@problem.command("list")
@click.option("--unit")
@click.option("--project")
@click.option("--status", type=CodeType(ProblemStatus, "status"), help="open, escalated, answered or closed.")
@json_option
@pass_context
def list_problems(obj: Context, unit: str | None, project: str | None, status: ProblemStatus | None,
                  as_json: bool) -> None:
    """List problems, filtered.

    \b
    Example:
      zs problem list --unit HW --status open
    """
    rows = obj.views.problems(unit=unit.strip().upper() if unit else None,
                              project=project.strip() if project else None, status=status)
    render(rows if as_json else labelled(rows, {"category": ProblemCategory, "status": ProblemStatus}),
           PROBLEM_COLUMNS, as_json)


@problem.command("show")
@click.argument("problem_id", metavar="ID")
@json_option
@pass_context
def show(obj: Context, problem_id: str, as_json: bool) -> None:
    """Show a problem and its history.

    \b
    Example:
      zs problem show HW-2021-001/P1
    """
    ledger = obj.ledger
    found = ledger.problem(problem_id)
    record = problem_record(found) | {"history": history_records(ledger, found.id)}
    if as_json:
        render_record(record, PROBLEM_COLUMNS, True)
        return
    render_record(record, PROBLEM_COLUMNS, False)
    click.echo("\n办理经过")
    render(backfill_marks(event_labels(with_detail_labels(ledger, record["history"], "event", "Problem"), "event")),
           HISTORY_COLUMNS, False)
