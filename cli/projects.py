"""`zs project ...`: register projects and move them through their stages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import click

from cli.context import Context, pass_context
from cli.forms import import_projects
from cli.labels import with_detail_labels
from cli.output import HISTORY_COLUMNS, backfill_marks, event_labels, json_option, labelled, render, render_record
from cli.params import AS_KNOWN_AT, AS_OF, DATE, WAN, CodeType
from domain.errors import InvalidValue
from domain.lamps import Colour
from domain.values import Level, Library, ProjectStatus, Rating, Sector, Stage
from projections.queries import Moment
from projections.records import history_records

PROJECT_COLUMNS = [
    ("number", "项目编号"), ("name", "项目名称"), ("unit", "单位"), ("sector", "所属行业"), ("level", "项目级别"),
    ("library", "库别"), ("stage", "当前环节"), ("status", "状态"), ("investor", "投资方"),
    ("investment_wan", "计划总投资（万元）"), ("responsible_person", "责任人"),
    ("responsible_department", "责任部门"), ("liaison", "联络员"), ("open_problems", "未销号问题"),
    ("updated_at", "更新时间"), ("lamp", "预警"),
]
LIST_COLUMNS = [c for c in PROJECT_COLUMNS if c[0] not in ("responsible_department", "liaison", "updated_at")]
PROJECT_CODES = {"sector": Sector, "level": Level, "library": Library, "stage": Stage, "status": ProjectStatus,
                 "lamp": Colour}
STAGE = CodeType(Stage, "stage")
SECTOR = CodeType(Sector, "sector")
LEVEL = CodeType(Level, "level")


@click.group()
def project() -> None:
    """Projects (项目): register, update, advance, plan, note, suspend, promote, evaluate, show, list."""


@project.command("add")
@click.argument("number")
@click.option("--unit", required=True, help="The unit code.")
@click.option("--name", required=True, help="项目名称.")
@click.option("--sector", required=True, type=SECTOR, help="所属行业.")
@click.option("--level", required=True, type=LEVEL, help="city, commission or unit.")
@click.option("--investor", required=True, help="投资方.")
@click.option("--investment", required=True, type=WAN, help="Planned investment in 万元, at most two decimals.")
@click.option("--responsible-person", help="责任人.")
@click.option("--responsible-department", help="责任部门.")
@click.option("--liaison", help="The project's liaison (联络员).")
@pass_context
def add(obj: Context, number: str, unit: str, name: str, sector: Sector, level: Level, investor: str,
        investment: Decimal, responsible_person: str | None, responsible_department: str | None,
        liaison: str | None) -> None:
    """Register a project in its unit's reserve library, at the stage `lead`.

    \b
    Example:
      zs --as 王芳 project add HW-2021-001 --unit HW --name 环卫一体化PPP项目 \\
         --sector sanitation --level city --investor 天津某环境服务有限公司 --investment 12000
    """
    obj.ledger.add_project(obj.require_actor(), number, unit, name, sector, level, investor, investment,
                           responsible_person, responsible_department, liaison)
    click.echo(f"已登记项目 {number.strip()} {name}")


@project.command("update")
@click.argument("number")
@click.option("--name")
@click.option("--investor")
@click.option("--investment", type=WAN, help="万元.")
@click.option("--level", type=LEVEL)
@click.option("--responsible-person")
@click.option("--responsible-department")
@click.option("--liaison")
@pass_context
def update(obj: Context, number: str, **changes: object) -> None:
    """Change a project's fields; each change is an event.

    \b
    Example:
      zs --as 王芳 project update HW-2021-001 --investment 13500.50
    """
    obj.ledger.update_project(obj.require_actor(), number, **changes)
    click.echo(f"已更新项目 {number.strip()}")


@project.command("advance")
@click.argument("number")
@click.option("--to", "to", required=True, type=STAGE, help="The next stage (forward only, may skip).")
@click.option("--on", "on", type=DATE, help="The business date (default today); not in the future.")
@click.option("--note", help="What happened.")
@pass_context
def advance(obj: Context, number: str, to: Stage, on: date | None, note: str | None) -> None:
    """Move a project forward to a later stage.

    \b
    Example:
      zs --as 王芳 project advance HW-2021-001 --to signed --on 2021-10-12 --note 签订投资协议
    """
    obj.ledger.advance_project(obj.require_actor(), number, to, on, note)
    click.echo(f"{number.strip()} → {to.label}（{to.value}）")


@project.command("plan")
@click.argument("number")
@click.option("--stage", required=True, type=STAGE, help="A later stage than the project's present one.")
@click.option("--by", "by", required=True, type=DATE, help="The date it should be reached by (Shanghai).")
@pass_context
def plan(obj: Context, number: str, stage: Stage, by: date) -> None:
    """Plan the date by which a project reaches a later stage (unit or office); past it, its lamp is red.

    \b
    Example:
      zs --as 王芳 project plan HW-2021-001 --stage started --by 2022-03-31
    """
    obj.ledger.plan_project(obj.require_actor(), number, stage, by)
    click.echo(f"{number.strip()} 计划于 {by} 前{stage.label}（{stage.value}）")


@project.command("correct")
@click.argument("number")
@click.option("--stage", required=True, type=STAGE, help="The right stage, in either direction.")
@click.option("--reason", required=True, help="Why the recorded stage was wrong.")
@click.option("--on", "on", type=DATE, help="The date the right stage was reached (default today).")
@pass_context
def correct(obj: Context, number: str, stage: Stage, reason: str, on: date | None) -> None:
    """Correct a project's stage (office), in either direction, with a reason.

    \b
    Example:
      zs --as 许办公 project correct HW-2021-001 --stage negotiating --reason 协议尚未签署
    """
    obj.ledger.correct_stage(obj.require_actor(), number, stage, reason, on)
    click.echo(f"{number.strip()} 环节更正为 {stage.label}（{stage.value}）")


@project.command("note")
@click.argument("number")
@click.option("--text", required=True, help="本月进展情况.")
@click.option("--on", "on", type=DATE, help="The date of the progress (default today).")
@pass_context
def note(obj: Context, number: str, text: str, on: date | None) -> None:
    """Record a progress note (本月进展情况), the raw material of form 1.

    \b
    Example:
      zs --as 王芳 project note HW-2021-001 --text 完成可研报告编制 --on 2021-09-28
    """
    obj.ledger.note_progress(obj.require_actor(), number, text, on)
    click.echo(f"已记录 {number.strip()} 进展")


def _status_command(name: str, method: str, done: str, doc: str) -> click.Command:
    @click.option("--reason", required=True, help="Why.")
    @click.argument("number")
    @pass_context
    def command(obj: Context, number: str, reason: str) -> None:
        getattr(obj.ledger, method)(obj.require_actor(), number, reason)
        click.echo(f"{number.strip()} {done}")

    command.__doc__ = doc
    return project.command(name)(command)


_status_command("suspend", "suspend_project", "已暂停", """Suspend a project (暂停); it can be resumed.

    \b
    Example:
      zs --as 王芳 project suspend HW-2021-001 --reason 投资方资金调整""")
_status_command("resume", "resume_project", "已恢复", """Resume a suspended project.

    \b
    Example:
      zs --as 王芳 project resume HW-2021-001 --reason 资金到位""")
_status_command("terminate", "terminate_project", "已终止", """Terminate a project (终止); final.

    \b
    Example:
      zs --as 王芳 project terminate HW-2021-001 --reason 投资方退出""")
_status_command("promote", "promote_project", "已纳入重点招商项目库", """Promote a project to the key library (office).

    \b
    Example:
      zs --as 许办公 project promote HW-2021-001 --reason 投资规模大、带动性强""")
_status_command("demote", "demote_project", "已调出重点招商项目库", """Take a project out of the key library (office).

    \b
    Example:
      zs --as 许办公 project demote HW-2021-001 --reason 推进缓慢，动态调整""")


@project.command("evaluate")
@click.argument("number")
@click.option("--period", required=True, help="The period evaluated: 2021-Q4, 2021-12 or 2021.")
@click.option("--rating", required=True, type=CodeType(Rating, "rating"), help="A, B, C or D.")
@click.option("--comment", help="The office's comment.")
@pass_context
def evaluate(obj: Context, number: str, period: str, rating: Rating, comment: str | None) -> None:
    """Rate a key project for a period (office): 定期评价.

    \b
    Example:
      zs --as 许办公 project evaluate HW-2021-001 --period 2021-Q4 --rating A --comment 推进有力
    """
    try:
        obj.ledger.evaluate_project(obj.require_actor(), number, period, rating, comment)
    except InvalidValue as error:
        if error.field:
            raise
        raise click.BadParameter(str(error), param_hint="'--period'") from None
    click.echo(f"{number.strip()} {period.strip()} 评价 {rating.value}")


@project.command("show")
@click.argument("number")
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def show(obj: Context, number: str, as_of: datetime | None, known_at: datetime | None, as_json: bool) -> None:
    """Show one project's state, now or as it stood at a moment.

    \b
    Example:
      zs project show HW-2021-001 --json
      zs project show HW-2021-001 --as-of 2021-12-31 --as-known-at 2022-01-05
    """
    record = obj.views.project(number, Moment(as_of, known_at))
    render_record(record if as_json else labelled([record], PROJECT_CODES)[0], PROJECT_COLUMNS, as_json)


@project.command("list")
@click.option("--unit", help="Only this unit's projects.")
@click.option("--library", type=CodeType(Library, "library"), help="reserve or key.")
@click.option("--stage", type=STAGE)
@click.option("--sector", type=SECTOR)
@click.option("--status", type=CodeType(ProjectStatus, "status"), help="active, suspended or terminated.")
@json_option
@pass_context
def list_projects(obj: Context, unit: str | None, library: Library | None, stage: Stage | None,
                  sector: Sector | None, status: ProjectStatus | None, as_json: bool) -> None:
    """List projects, filtered.

    \b
    Example:
      zs project list --unit HW --library key
    """
    rows = obj.views.board(unit=unit.strip().upper() if unit else None, library=library, stage=stage,
                           sector=sector, status=status)
    render(rows if as_json else labelled(rows, PROJECT_CODES), LIST_COLUMNS, as_json)


@project.command("history")
@click.argument("number")
@json_option
@pass_context
def history(obj: Context, number: str, as_json: bool) -> None:
    """Every event of a project, oldest first: who, when, what.

    \b
    Example:
      zs project history HW-2021-001
    """
    ledger = obj.ledger
    rows = history_records(ledger, ledger.project(number).id)
    render(rows if as_json else backfill_marks(event_labels(with_detail_labels(ledger, rows, "event", "Project"),
                                                            "event")), HISTORY_COLUMNS, as_json)


project.add_command(import_projects, "import")
