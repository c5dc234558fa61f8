"""`zs report ...`: draft → principal's approval → sealed sending → the office accepts or returns."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.forms import FROM_LEDGER, ledger_form, write_new
from cli.integrity import receipt
from cli.labels import LabelledChoice, report_kind, with_kind_titles
from cli.output import HISTORY_COLUMNS, backfill_marks, event_labels, json_option, render, render_record
from domain.errors import InvalidValue, RuleViolated
from domain.period import Period
from domain.report import ReportStatus
from projections.package import manifest_of, parse_month, parse_period, write_package
from projections.records import history_records, report_record

REPORT_COLUMNS = [
    ("id", "报告编号"), ("unit", "单位"), ("kind", "类别"), ("period", "期间"), ("status", "状态"),
    ("version", "版本"), ("drafted_by", "起草人"), ("approved_by", "审定人"), ("approved_at", "审定时间"),
    ("sent_by", "报送人"), ("sent_at", "报送时间"), ("sealed", "已盖章"), ("reviewed_by", "审核人"),
    ("reviewed_at", "审核时间"), ("return_reason", "退回原因"), ("attachments", "附件"),
]
LIST_COLUMNS = [c for c in REPORT_COLUMNS if c[0] in
                ("id", "status", "version", "approved_by", "sent_by", "sent_at", "reviewed_by", "return_reason")]
STATUSES = LabelledChoice(ReportStatus.LABELS, "status")
ATTACH = click.option("--attach", "attach", multiple=True, type=click.Path(exists=True, dir_okay=False,
                      path_type=Path), help="A file to attach (the filled form, a scan); repeatable.")


def _read(paths: tuple[Path, ...]) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in paths]


@click.group()
def report() -> None:
    """Reports (报告): draft, approve, send, accept, return, revise, show, list, attachment, package."""


@report.command("draft")
@click.option("--unit", required=True, help="The unit code.")
@click.option("--kind", required=True, help="liaison_form, project_status, tracking_feedback, service_list, "
              "quarterly_report, annual_summary or annual_plan (or its title, e.g. 重点招商项目情况表).")
@click.option("--period", required=True, help="2021-09 (monthly), 2021-Q3 (quarterly), 2021 (annual), once.")
@ATTACH
@FROM_LEDGER
@click.option("--note", help="A note for the office.")
@pass_context
def draft(obj: Context, unit: str, kind: str, period: str, attach: tuple[Path, ...], from_ledger: bool,
          note: str | None) -> None:
    """Draft the unit's report for an obligation; prints the report's id alone.

    \b
    Example:
      zs --as 王芳 report draft --unit HW --kind project_status --period 2021-09 --attach 情况表.xlsx
      zs --as 王芳 report draft --unit HW --kind service_list --period 2021-09 --from-ledger
    """
    kind, period = _obligation(obj, kind, period)
    files = _read(attach) + ledger_form(obj, from_ledger, unit, kind, period)
    click.echo(obj.ledger.draft_report(obj.require_actor(), unit, kind.strip(), period, files, note))


def _obligation(obj: Context, kind: str, period: str) -> tuple[str, str]:
    """--kind and --period checked against the calendar, so a malformed one names its option."""
    try:
        rule = obj.ledger.calendar().rule(kind.strip())
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--kind'") from None
    try:
        return rule.kind, str(Period.parse(period, rule.cadence))
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--period'") from None


@report.command("approve")
@click.argument("report_id", metavar="ID")
@pass_context
def approve(obj: Context, report_id: str) -> None:
    """Approve a draft (审定同意): only the unit's current principal, acting as themself.

    \b
    Example:
      zs --as 赵处长 report approve HW/project_status/2021-09
    """
    obj.ledger.approve_report(obj.require_actor(), report_id)
    click.echo(f"{report_id} 已审定")


@report.command("send")
@click.argument("report_id", metavar="ID")
@click.option("--sealed", is_flag=True, help="Confirm the report carries the unit's seal (加盖公章); required.")
@click.option("--key", "key_file", envvar="ZS_KEY", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The ledger's key file: sign the tree holding this sending, for its receipt (env ZS_KEY).")
@pass_context
def send(obj: Context, report_id: str, sealed: bool, key_file: Path | None) -> None:
    """Send an approved report to the office, sealed (the unit's liaison, leader or principal).

    With --key (or ZS_KEY) the office system signs the tree that holds the sending, so the report
    has a receipt (回执): `zs report receipt ID`.

    \b
    Example:
      zs --as 王芳 report send HW/project_status/2021-09 --sealed --key /media/usb/zhaoshang.key
    """
    from cli.integrity import acknowledge, sending_key

    signing = sending_key(obj, key_file)
    obj.ledger.send_report(obj.require_actor(), report_id, sealed)
    click.echo(f"{report_id} 已报送")
    acknowledge(obj, obj.require_actor(), report_id.strip(), signing)


@report.command("accept")
@click.argument("report_id", metavar="ID")
@pass_context
def accept(obj: Context, report_id: str) -> None:
    """Accept a sent report (office).

    \b
    Example:
      zs --as 许办公 report accept HW/project_status/2021-09
    """
    obj.ledger.accept_report(obj.require_actor(), report_id)
    click.echo(f"{report_id} 已接收")


@report.command("return")
@click.argument("report_id", metavar="ID")
@click.option("--reason", required=True, help="What must be fixed.")
@pass_context
def return_(obj: Context, report_id: str, reason: str) -> None:
    """Return a sent or accepted report to its unit (office), with a reason.

    \b
    Example:
      zs --as 许办公 report return HW/project_status/2021-09 --reason 计划总投资与上月不一致
    """
    obj.ledger.return_report(obj.require_actor(), report_id, reason)
    click.echo(f"{report_id} 已退回")


@report.command("revise")
@click.argument("report_id", metavar="ID")
@ATTACH
@FROM_LEDGER
@click.option("--note", help="What changed.")
@pass_context
def revise(obj: Context, report_id: str, attach: tuple[Path, ...], from_ledger: bool, note: str | None) -> None:
    """Revise a returned report: a new version, back to draft; it needs approval again.

    With --attach or --from-ledger the new version carries those files instead of the old ones;
    without either it keeps the old files.

    \b
    Example:
      zs --as 王芳 report revise HW/project_status/2021-09 --attach 情况表-修改.xlsx
      zs --as 王芳 report revise HW/project_status/2021-09 --from-ledger
    """
    actor = obj.require_actor()
    files = _read(attach)
    if from_ledger:
        found = obj.ledger.report(report_id)
        found.check_revisable()
        files += ledger_form(obj, True, found.unit, found.kind, found.period)
    obj.ledger.revise_report(actor, report_id, files, note)
    click.echo(f"{report_id} 已修改，待重新审定")


@report.command("show")
@click.argument("report_id", metavar="ID")
@json_option
@pass_context
def show(obj: Context, report_id: str, as_json: bool) -> None:
    """Show one report: who drafted, approved, sent and reviewed it, its files, and its history.

    The history gives each step's recorded and effective time, who did it (操作人) and who entered it
    (录入人); a step backfilled from paper is marked 补录 with its reason.

    \b
    Example:
      zs report show HW/project_status/2021-09 --json
    """
    found = obj.ledger.report(report_id)
    record = report_record(found) | {"history": history_records(obj.ledger, found.id)}
    if as_json:
        render_record(record, REPORT_COLUMNS, True)
        return
    record["status"] = ReportStatus.LABELS[record["status"]]
    record = with_kind_titles(obj.ledger, [record])[0]
    record["attachments"] = [f"{a['name']}（{a['size']} 字节，SHA-256 {a['sha256'][:12]}…）"
                             for a in record["attachments"]]
    render_record(record, REPORT_COLUMNS, False)
    click.echo("\n办理经过")
    render(backfill_marks(event_labels(record["history"], "event")), HISTORY_COLUMNS, False)


@report.command("list")
@click.option("--unit")
@click.option("--kind", help="A report kind, or its title.")
@click.option("--period")
@click.option("--status", type=STATUSES)
@json_option
@pass_context
def list_reports(obj: Context, unit: str | None, kind: str | None, period: str | None, status: str | None,
                 as_json: bool) -> None:
    """List reports, filtered.

    \b
    Example:
      zs report list --unit HW --period 2021-09 --json
    """
    kind = report_kind(obj.ledger, kind) if kind else None
    rows = obj.views.reports(unit=unit.strip().upper() if unit else None, kind=kind, period=period, status=status)
    render(rows if as_json else [r | {"status": ReportStatus.LABELS[r["status"]]} for r in rows], LIST_COLUMNS,
           as_json)


@report.command("attachment")
@click.argument("report_id", metavar="ID")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the file; never overwritten.")
@click.option("--version", "version", type=click.IntRange(min=1), help="An earlier version's file (default: current).")
@pass_context
def attachment(obj: Context, report_id: str, name: str, out: Path, version: int | None) -> None:
    """Retrieve a file exactly as it was attached; its SHA-256 is checked.

    \b
    Example:
      zs report attachment HW/project_status/2021-09 情况表.xlsx --out 情况表.xlsx
      zs report attachment HW/project_status/2021-09 情况表.xlsx --version 1 --out 退回前.xlsx
    """
    found, content = obj.ledger.attachment_bytes(report_id, name, version)
    if hashlib.sha256(content).hexdigest() != found.sha256:
        raise RuleViolated(f"the stored bytes of {name} do not match the SHA-256 on record")
    write_new(out, content)
    click.echo(f"{out}  {found.size} 字节  SHA-256 {found.sha256}")


@report.command("package")
@click.option("--unit", required=True)
@click.option("--period", "periods", multiple=True, help="A period whose sent reports go in, e.g. 2021-09 or "
              "2021-Q3; repeatable.")
@click.option("--due-in", "due_in", metavar="YYYY-MM", help="Every sent report of the unit due in this month.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A directory (created if missing); the zip is never overwritten.")
@pass_context
def package(obj: Context, unit: str, periods: tuple[str, ...], due_in: str | None, out: Path) -> None:
    """Write what the unit sends at one time as one 单位名称招商引资工作.zip, with one manifest.

    Every sent (or accepted) report of each --period named, or of every report due in the month
    of --due-in: the September trio and the Q3 report, sent together, go in one zip. Times in the
    zip and its manifest are Shanghai time; the manifest names the log position it was read at.

    \b
    Example:
      zs report package --unit HW --period 2021-09 --period 2021-Q3 --out 报送/2021-10
      zs report package --unit HW --due-in 2021-10 --out 报送/2021-10
    """
    if bool(periods) == bool(due_in):
        raise click.UsageError("give --period (one or more) or --due-in, not both")
    try:
        chosen = [parse_period(p) for p in periods]
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--period'") from None
    try:
        month = parse_month(due_in) if due_in else None
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--due-in'") from None
    target = write_package(obj.ledger, unit, out, chosen, month)
    manifest = manifest_of(target)
    files = sum(len(r["files"]) for r in manifest["reports"])
    click.echo(target)
    click.echo(f"{len(manifest['reports'])} 份报告、{files} 个文件（log_position {manifest['log_position']}）："
               + "、".join(r["id"] for r in manifest["reports"]))

report.add_command(receipt)  # `zs report receipt` lives with the log's other commands in cli/integrity.py
