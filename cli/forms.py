"""`zs form ...`: the notice's four forms — fill them from the ledger, consolidate them for the
office, read a unit's filled 情况表 back; and `zs project import`, `zs report draft --from-ledger`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.labels import form_kind
from cli.params import AS_KNOWN_AT
from cli.output import table
from domain.errors import AlreadyExists, NotFound
from projections.forms.definitions import FORMS, PROJECT_STATUS

# The forms' filling, reading and writing (openpyxl) are imported inside the commands that use them, so
# that `zs project list` or `zs report show`, whose groups hold a command of this module, stay light.

KINDS = ", ".join(FORMS)
KIND = click.option("--kind", required=True, metavar="KIND", help=f"The form: {KINDS} (or its title).")
PERIOD = click.option("--period", required=True, help="2021-09 for the monthly forms, once for liaison_form.")
DRY_RUN = click.option("--dry-run", is_flag=True, help="Check the file and show the changes; record nothing.")
CHANGE_COLUMNS = [("row", "行"), ("number", "项目编号"), ("what", "变更")]
FROM_LEDGER = click.option("--from-ledger", is_flag=True, help="Fill the unit's form for this kind and period "
                           "from the ledger (.xlsx) and attach it, so its SHA-256 is on record.")


def _suffix(path: Path, allowed: tuple[str, ...], option: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise click.BadParameter(f"{path.name}: the file must end in {' or '.join(allowed)}", param_hint=option)
    return suffix


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise AlreadyExists(f"{path} already exists; files are never overwritten (choose another name)")


def write_new(path: Path, content: bytes) -> None:
    """Write a file that does not exist yet, into a folder that does; nothing is overwritten or created."""
    if not path.parent.is_dir():
        raise NotFound(f"the folder {path.parent} does not exist; create it first or choose another --out")
    try:
        with path.open("xb") as handle:
            handle.write(content)
    except FileExistsError:
        _refuse_existing(path)
        raise


@click.group()
def form() -> None:
    """The notice's forms (附件1–4): fill, consolidate, import."""


@form.command("fill")
@click.option("--unit", required=True, help="The unit code.")
@KIND
@PERIOD
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx (every sheet) or FILE.csv (the first table, UTF-8 with BOM); never overwritten.")
@AS_KNOWN_AT
@pass_context
def fill_form(obj: Context, unit: str, kind: str, period: str, out: Path, known_at: datetime | None) -> None:
    """Fill a unit's form for a period from what the ledger knows now (or knew at K).

    The state at the period's end and the facts dated in it: key projects are those in the key
    library at the period's end. 附件1 and 附件2 have an overview sheet, then one sheet per project.
    With --as-known-at K, everything recorded after K is left out: the form as it could have been
    filled at K (e.g. when the unit sent it).

    \b
    Example:
      zs form fill --unit HW --kind project_status --period 2021-09 --out 情况表-2021-09.xlsx
      zs form fill --unit HW --kind service_list --period 2021-09 --out 服务清单.csv
      zs form fill --unit HW --kind project_status --period 2021-09 --as-known-at 2021-10-04T10:00 --out 报送时.xlsx
    """
    from projections.forms.csv import csv_bytes
    from projections.forms.fill import fill
    from projections.forms.xlsx import workbook_bytes

    suffix = _suffix(out, (".xlsx", ".csv"), "'--out'")
    _refuse_existing(out)
    filled = fill(obj.ledger, unit, form_kind(obj.ledger, kind), period, known_at)
    write_new(out, workbook_bytes(filled.sheets) if suffix == ".xlsx" else csv_bytes(filled.overview))
    rows = len(filled.overview.rows)
    click.echo(f"已生成 {out}（{filled.definition.title}，{filled.unit_name}，{filled.period}，{rows} 行）")


@form.command("consolidate")
@KIND
@PERIOD
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.xlsx; never overwritten.")
@click.option("--current", is_flag=True, help="Build today's view of every unit from the ledger instead of "
              "what the units sent (the sheet's title says so).")
@pass_context
def consolidate(obj: Context, kind: str, period: str, out: Path, current: bool) -> None:
    """Consolidate what every unit sent for a period into one workbook for the office.

    Sheet 汇总: each unit's rows as it sent them — the filled form attached to its sent (or
    accepted) report, read back, or else the ledger at the period's end as it was known when the
    report was last sent — unit first, with a 合计 row where money appears and a column 数据来源
    saying where each unit's rows came from and when they were sent. A unit that has not sent has
    no rows and no share of the totals. Sheet 缺报迟报退回: the units whose report for the period is
    missing, late or returned. Both state the log position they were read at.

    \b
    Example:
      zs form consolidate --kind project_status --period 2021-09 --out 汇总-情况表-2021-09.xlsx
      zs form consolidate --kind project_status --period 2021-10 --current --out 当前-2021-10.xlsx
    """
    from projections.forms.consolidate import consolidate as consolidate_forms
    from projections.forms.xlsx import workbook_bytes

    _suffix(out, (".xlsx",), "'--out'")
    _refuse_existing(out)
    made = consolidate_forms(obj.ledger, form_kind(obj.ledger, kind), period, current)
    write_new(out, workbook_bytes(made.sheets))
    units = len({row[0] for row in made.summary.rows})
    click.echo(f"已生成 {out}（{units} 个单位，{len(made.summary.rows)} 行，log_position {made.log_position}）")


@form.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", required=True, help="The unit whose projects the file reports.")
@click.option("--kind", required=True, metavar="KIND", help="project_status (附件1 情况表).")
@DRY_RUN
@pass_context
def import_form(obj: Context, file: Path, unit: str, kind: str, dry_run: bool) -> None:
    """Read a unit's filled 情况表 and record the changes it states.

    FILE is the .xlsx (its first sheet, the overview) or that sheet saved as CSV (UTF-8 or GBK).
    A stage moved forward (dated 填报日期), a new 计划总投资, a new 本月进展情况 become events by
    the acting person; what the ledger already holds records nothing. Every bad row is listed with
    its row number and column, and then nothing at all is recorded.

    \b
    Example:
      zs --as 孙联络 form import 情况表-2021-09.xlsx --unit HW --kind project_status --dry-run
      zs --as 孙联络 form import 情况表-2021-09.xlsx --unit HW --kind project_status
    """
    from projections.forms.importer import import_project_status

    if form_kind(obj.ledger, kind).strip() not in (PROJECT_STATUS.kind, PROJECT_STATUS.title):
        raise click.BadParameter(f"{kind.strip()!r}: only project_status (附件1 情况表) is read back; "
                                 f"the other forms are filled from the ledger", param_hint="'--kind'")
    actor = obj.require_actor()
    outcome = import_project_status(obj.ledger, actor, unit, file.name, file.read_bytes(), dry_run)
    changes = [{"row": c.row, "number": c.number, "what": c.what} for c in outcome.changes]
    if changes:
        click.echo(table(changes, CHANGE_COLUMNS))
    if not changes:
        click.echo(f"{file.name}：{outcome.rows} 行与台账一致，无需记录")
    elif outcome.recorded:
        click.echo(f"已记录 {len(changes)} 项变更（{outcome.rows} 行）")
    else:
        click.echo(f"试运行：{len(changes)} 项变更，未记录（去掉 --dry-run 即导入）")


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", help="The unit whose projects these are.")
@DRY_RUN
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an empty list to fill in (.xlsx with drop-downs, or .csv) instead.")
@pass_context
def import_projects(obj: Context, file: Path | None, unit: str | None, dry_run: bool, template: Path | None) -> None:
    """Register a unit's list of new projects from .xlsx or CSV, all or none.

    Columns (red in the template are required): 项目编号, 项目名称, 所属行业, 项目级别, 投资方,
    计划总投资（万元）, then 责任人, 责任部门, 联络员. 所属行业 and 项目级别 take the Chinese
    label or the code word. Every bad row is listed; then nothing is recorded.

    \b
    Example:
      zs project import --template 项目清单.xlsx
      zs --as 孙联络 project import 项目清单.xlsx --unit HW --dry-run
    """
    from projections.forms.project_list import LIST_COLUMNS, import_projects as register_list
    from projections.forms.template import template_csv, template_xlsx

    if template is not None:
        if file is not None or unit is not None:
            raise click.BadParameter("give either FILE --unit CODE, or --template FILE alone", param_hint="FILE")
        suffix = _suffix(template, (".xlsx", ".csv"), "'--template'")
        _refuse_existing(template)
        write_new(template, template_xlsx() if suffix == ".xlsx" else template_csv())
        click.echo(f"已生成模板 {template}（{len(LIST_COLUMNS)} 列）")
        return
    if file is None or unit is None:
        raise click.UsageError("give the FILE to import and --unit CODE (or --template FILE for an empty list)")
    if not file.is_file():
        raise click.BadParameter(f"{file} does not exist", param_hint="FILE")
    outcome = register_list(obj.ledger, obj.require_actor(), unit, file.name, file.read_bytes(), dry_run)
    rows = [{"row": row, "number": number, "what": f"登记 {name}"} for row, number, name in outcome.registered]
    click.echo(table(rows, CHANGE_COLUMNS))
    verb = "已登记" if outcome.recorded else "试运行：可登记（未记录）"
    click.echo(f"{verb} {len(rows)} 个项目")


def ledger_form(obj: Context, from_ledger: bool, unit: str, kind: str, period: str) -> list[tuple[str, bytes]]:
    """For `zs report draft --from-ledger`: the unit's form for the kind and period, as an attachment."""
    if not from_ledger:
        return []
    if kind.strip() not in FORMS:
        raise click.BadParameter(f"{kind.strip()!r} has no form to fill ({KINDS} do); attach the report "
                                 f"itself with --attach", param_hint="'--from-ledger'")
    from projections.forms.fill import fill
    from projections.forms.xlsx import workbook_bytes

    filled = fill(obj.ledger, unit, kind, period)
    return [(f"{filled.file_stem}.xlsx", workbook_bytes(filled.sheets))]
