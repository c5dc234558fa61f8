"""`zs supervise ...`: 督办, the office's notices that press a unit on a project, a problem or a report,
and their closed loop (opened → answered → closed, or reopened)."""

from __future__ import annotations

from datetime import date

import click

from cli.context import Context, pass_context
from cli.output import HISTORY_COLUMNS, backfill_marks, event_labels, json_option, labelled, render, render_record
from cli.params import DATE, CodeType
from domain.errors import NotFound
from domain.supervision import SubjectKind, SupervisionStatus
from projections.records import history_records

COLUMNS = [
    ("id", "督办编号"), ("subject_kind", "对象"), ("subject", "督办事项"), ("unit", "单位"), ("due_on", "限办日期"),
    ("status", "状态"), ("past_due", "逾期"), ("note", "督办要求"), ("opened_by", "督办人"), ("opened_at", "督办时间"),
    ("answer", "答复"), ("answered_by", "答复人"), ("answered_at", "答复时间"), ("closed_at", "办结时间"),
]
LIST_COLUMNS = [c for c in COLUMNS if c[0] in ("id", "subject", "unit", "due_on", "status", "past_due", "note")]
CODES = {"subject_kind": SubjectKind, "status": SupervisionStatus}


@click.group()
def supervise() -> None:
    """督办 (supervision notices): open, answer, close, reopen, list, show."""


@supervise.command("open")
@click.argument("subject")
@click.option("--due", required=True, type=DATE, help="The date the unit must answer by (Shanghai).")
@click.option("--note", required=True, help="What the unit must do (督办要求).")
@pass_context
def open_(obj: Context, subject: str, due: date, note: str) -> None:
    """Open a 督办 on a project number, a problem id or a report id (office); prints its id alone.

    \b
    Example:
      zs --as 许办公 supervise open HW-2021-001 --due 2021-11-15 --note 请说明签约后推进缓慢的原因
      zs --as 许办公 supervise open HW/project_status/2021-09 --due 2021-10-12 --note 请尽快报送
    """
    click.echo(obj.ledger.open_supervision(obj.require_actor(), subject, due, note))


@supervise.command("answer")
@click.argument("supervision_id", metavar="ID")
@click.option("--note", required=True, help="What the unit did (答复).")
@pass_context
def answer(obj: Context, supervision_id: str, note: str) -> None:
    """Answer a 督办 for its unit (the unit's principal, leader or liaison).

    \b
    Example:
      zs --as 王芳 supervise answer DB-2021-001 --note 已协调用地手续，预计11月底开工
    """
    obj.ledger.answer_supervision(obj.require_actor(), supervision_id, note)
    click.echo(f"{supervision_id.strip().upper()} 已答复")


@supervise.command("close")
@click.argument("supervision_id", metavar="ID")
@click.option("--note")
@pass_context
def close(obj: Context, supervision_id: str, note: str | None) -> None:
    """Close an answered 督办 (office): 办结.

    \b
    Example:
      zs --as 许办公 supervise close DB-2021-001
    """
    obj.ledger.close_supervision(obj.require_actor(), supervision_id, note)
    click.echo(f"{supervision_id.strip().upper()} 已办结")


@supervise.command("reopen")
@click.argument("supervision_id", metavar="ID")
@click.option("--reason", required=True)
@pass_context
def reopen(obj: Context, supervision_id: str, reason: str) -> None:
    """Reopen an answered or closed 督办 (office), with a reason; the unit answers again.

    \b
    Example:
      zs --as 许办公 supervise reopen DB-2021-001 --reason 答复未说明开工时间
    """
    obj.ledger.reopen_supervision(obj.require_actor(), supervision_id, reason)
    click.echo(f"{supervision_id.strip().upper()} 已重新打开")


@supervise.command("list")
@click.option("--unit", help="Only this unit's 督办.")
@click.option("--status", type=CodeType(SupervisionStatus, "status"), help="open, answered or closed.")
@json_option
@pass_context
def list_supervisions(obj: Context, unit: str | None, status: SupervisionStatus | None, as_json: bool) -> None:
    """List 督办, oldest first; `past_due` marks one still unanswered after its due day.

    \b
    Example:
      zs supervise list --unit HW --status open
    """
    rows = obj.views.supervisions(unit=unit.strip().upper() if unit else None,
                                  status=status.value if status else None)
    render(rows if as_json else labelled(rows, CODES), LIST_COLUMNS, as_json)


@supervise.command("show")
@click.argument("supervision_id", metavar="ID")
@json_option
@pass_context
def show(obj: Context, supervision_id: str, as_json: bool) -> None:
    """Show a 督办 and its history.

    \b
    Example:
      zs supervise show DB-2021-001
    """
    found = obj.ledger.supervision(supervision_id)
    rows = obj.views.supervisions(supervision_id=found.supervision_id)
    if not rows:
        raise NotFound(f"no 督办 {supervision_id.strip()!r}")
    record = rows[0] | {"history": history_records(obj.ledger, found.id)}
    if as_json:
        render_record(record, COLUMNS, True)
        return
    render_record(labelled([record], CODES)[0], COLUMNS, False)
    click.echo("\n办理经过")
    render(backfill_marks(event_labels(record["history"], "event")), HISTORY_COLUMNS, False)
