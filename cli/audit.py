"""`zs audit`: every event with who, when, from which OS user, on what; as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.labels import event_code, role_label, with_detail_labels
from cli.output import EVENT_LABELS, backfill_marks, event_labels, json_option, render, to_json_value, visible
from cli.params import MOMENT, MOMENT_START
from projections.forms.safety import guard_csv

AUDIT_COLUMNS = [("recorded_at", "记录时间"), ("effective_at", "生效时间"), ("done_by", "操作人"), ("actor", "录入人"),
                 ("actor_role", "角色"), ("os_user", "系统用户"), ("host", "主机"), ("unit", "单位"), ("action", "事件"),
                 ("subject", "对象"), ("details", "内容"), ("backfill", "补录")]
AUDIT_CSV = [label for key, _ in AUDIT_COLUMNS for label in ((key, "操作") if key == "action" else (key,))]


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
    rows = obj.queries.audit(actor=actor, unit=unit.strip().upper() if unit else None, project=project,
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
