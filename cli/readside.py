"""`zs board`, `zs progress`, `zs audit`, `zs views`: the read side, now or at any moment."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.labels import event_code, role_label, with_detail_labels
from cli.output import EVENT_LABELS, backfill_marks, emit_json, event_labels, json_option, labelled, render, to_json_value, visible
from cli.params import AS_KNOWN_AT, AS_OF, MOMENT, MOMENT_START, CodeType
from cli.projects import LIST_COLUMNS, PROJECT_CODES
from domain.values import Level, Library, ProjectStatus, Sector, Stage
from projections.forms.safety import guard_csv
from projections.queries import Moment

AUDIT_COLUMNS = [("recorded_at", "记录时间"), ("effective_at", "生效时间"), ("done_by", "操作人"), ("actor", "录入人"),
                 ("actor_role", "角色"), ("os_user", "系统用户"), ("host", "主机"), ("unit", "单位"), ("action", "事件"),
                 ("subject", "对象"), ("details", "内容"), ("backfill", "补录")]
AUDIT_CSV = [label for key, _ in AUDIT_COLUMNS for label in ((key, "操作") if key == "action" else (key,))]
PROGRESS_COLUMNS = [
    ("unit", "单位"), ("key_projects", "重点项目"), ("landed_or_beyond", "落地及以后"),
    ("landed_investment_wan", "落地投资（万元）"), ("terminated", "终止"), ("problems_open", "未销号问题"),
    ("problems_answered", "待销号"), ("problems_past_due", "超期问题"), ("reports_owed", "应报"),
    ("reports_on_time", "按时"), ("reports_late", "迟报"), ("reports_overdue", "逾期未报"), ("reports_upcoming", "未到期"),
    ("lamps_red", "红灯"), ("lamps_yellow", "黄灯"), ("lamps_green", "绿灯"),
]


@click.command()
@click.option("--unit")
@click.option("--sector", type=CodeType(Sector, "sector"))
@click.option("--level", type=CodeType(Level, "level"))
@click.option("--library", type=CodeType(Library, "library"))
@click.option("--stage", type=CodeType(Stage, "stage"))
@click.option("--status", type=CodeType(ProjectStatus, "status"))
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def board(obj: Context, unit: str | None, as_of: datetime | None, known_at: datetime | None, as_json: bool,
          **filters: Any) -> None:
    """The project board: every project's state (the keys of `project show --json`), filtered.

    \b
    Example:
      zs board --unit HW --library key
      zs board --as-of 2021-12-31 --json
    """
    rows = obj.views.board(Moment(as_of, known_at), unit=unit.strip().upper() if unit else None, **filters)
    render(rows if as_json else labelled(rows, PROJECT_CODES), LIST_COLUMNS, as_json)


@click.command()
@click.option("--unit")
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def progress(obj: Context, unit: str | None, as_of: datetime | None, known_at: datetime | None,
             as_json: bool) -> None:
    """The closed loop per unit (月有报告，季有统计，年有成效): projects, problems, reports, at a moment.

    \b
    Example:
      zs progress --unit HW --json
      zs progress --as-of 2022-03-31
    """
    code = None
    if unit:
        code = obj.ledger.unit(unit).code
    rows = obj.views.progress(as_of, code, known_at)
    if as_json:
        emit_json(rows)
        return
    stages = [(s.value, s.label) for s in Stage]
    flat = [r | r["projects_by_stage"] | {f"lamps_{c}": n for c, n in r["lamps"].items()} for r in rows]
    render(flat, PROGRESS_COLUMNS[:1] + stages + PROGRESS_COLUMNS[1:], False)


@click.command()
@click.option("--actor", help="Only the events this person did (for a backfill: the person named with --by).")
@click.option("--unit", help="Only this unit's events.")
@click.option("--project", help="A project's events and its problems'.")
@click.option("--report", "report_id", metavar="ID", help="A report's events.")
@click.option("--action", help="An event, e.g. StageAdvanced, Report.Sent or its label 报送.")
@click.option("--since", type=MOMENT_START, metavar="T", help="Recorded at or after T (a date: its start).")
@click.option("--until", type=MOMENT, metavar="T", help="Recorded at or before T (a date: its end).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (UTF-8 with BOM) for auditors.")
@pass_context
def audit(obj: Context, actor: str | None, unit: str | None, project: str | None, report_id: str | None,
          action: str | None, since: datetime | None, until: datetime | None, as_json: bool, as_csv: bool) -> None:
    """The audit trail: every event with who, when, from which OS user, on what; oldest first.

    \b
    Example:
      zs audit --unit HW --since 2021-09-01 --until 2021-09-30
      zs audit --report HW/project_status/2021-09 --csv > 审计.csv
    """
    rows = obj.views.audit(actor=actor, unit=unit.strip().upper() if unit else None, project=project,
                           report=report_id, action=event_code(action, EVENT_LABELS) if action else None,
                           since=since, until=until)
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(AUDIT_CSV)
        for row in backfill_marks(rows):
            short = row["action"].rpartition(".")[2]
            values = to_json_value(row) | {"操作": EVENT_LABELS.get(short, short)}
            writer.writerow([json.dumps(values[k], ensure_ascii=False) if k == "details" else guard_csv(values[k])
                             for k in AUDIT_CSV])
        click.echo("\ufeff" + visible(buffer.getvalue()), nl=False)
        return
    render(rows if as_json else _audit_table(obj.ledger, rows), AUDIT_COLUMNS, as_json)


def _audit_table(ledger: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit rows as the office reads them: the action and the role in Chinese."""
    rows = with_detail_labels(ledger, rows, "action")
    return [row | {"actor_role": role_label(row["actor_role"])} for row in backfill_marks(event_labels(rows, "action"))]


@click.group()
def views() -> None:
    """The durable views: their positions, and rebuilding them by replaying the log."""


@views.command("status")
@json_option
@pass_context
def status(obj: Context, as_json: bool) -> None:
    """Each view's position against the log's (after catching up).

    \b
    Example:
      zs views status
    """
    runner = obj.views.runner
    head = runner.head()
    rows = [{"view": name, "position": position, "log": head, "behind": head - position}
            for name, position in runner.positions().items()]
    render(rows, [("view", "视图"), ("position", "已处理位置"), ("log", "日志位置"), ("behind", "落后")], as_json)


@views.command("rebuild")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@pass_context
def rebuild(obj: Context, names: tuple[str, ...]) -> None:
    """Build views (all by default) afresh from the whole log, beside the old ones, and switch to them
    only once complete; an unreadable event stops it, named, and the old views keep answering.

    \b
    Example:
      zs views rebuild
      zs views rebuild audit
    """
    runner = obj.views.runner
    unknown = [n for n in names if n not in runner.views]
    if unknown:
        raise click.BadParameter(f"unknown view {unknown[0]!r}; choose from {', '.join(runner.views)}",
                                 param_hint="'NAME'")
    head = runner.head()
    if sys.stderr.isatty():
        with click.progressbar(length=head, label="重放事件 replaying", file=sys.stderr) as bar:
            done = [0]

            def advance(position: int, _: int) -> None:
                bar.update(position - done[0])
                done[0] = position

            count = runner.rebuild(list(names) or None, advance)
    else:
        count = runner.rebuild(list(names) or None)
    click.echo(f"rebuilt {', '.join(names) or 'all views'} from {count} events")
