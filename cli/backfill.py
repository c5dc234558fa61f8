"""`zs backfill ...`: the paper ledger (纸质台账) — an empty workbook to fill, and its import."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import Context, pass_context
from cli.forms import _refuse_existing, _suffix, write_new


@click.group()
def backfill() -> None:
    """The paper ledger (纸质台账补录): write its template, import it as backfilled history."""


@backfill.command("template")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def template(file: Path) -> None:
    """Write the paper ledger's empty workbook: a 说明 sheet, then one sheet per kind of history (单位,
    人员, 项目, 项目进展, 问题, 服务, 报告) with documented headers and drop-downs.

    \b
    Example:
      zs backfill template 纸质台账.xlsx
    """
    from projections.paper.layout import SHEETS
    from projections.paper.template import template_bytes

    _suffix(file, (".xlsx",), "FILE")
    _refuse_existing(file)
    write_new(file, template_bytes())
    click.echo(f"已生成模板 {file}（{len(SHEETS)} 张表：{'、'.join(s.name for s in SHEETS)}）")


@backfill.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--admin", metavar="NAME", help="The admin who enters the 单位 and 人员 sheets (default: --as).")
@click.option("--by", "by", metavar="NAME", help="Who did it on paper, for rows whose 经办人 is blank "
              "(default: the person entering it).")
@click.option("--because", metavar="TEXT", help="Why it is entered now, for rows whose 补录原因 is blank "
              "(default: 纸质台账补录（FILE）).")
@click.option("--dry-run", is_flag=True, help="Check every row against the ledger's rules; record nothing.")
@pass_context
def import_paper(obj: Context, file: Path, admin: str | None, by: str | None, because: str | None,
                 dry_run: bool) -> None:
    """Record a filled paper ledger as backfilled history, all rows or none.

    Every row is checked first (each bad one is listed with its sheet, row, column and reason; exit 2
    for a malformed value, 1 for a row the ledger's rules refuse), then all are recorded in one
    transaction, in 生效时间 order, by the office (--as) and, for the 单位 and 人员 sheets, by --admin.

    \b
    Example:
      zs --as 许办公 backfill import 纸质台账.xlsx --admin 张管理 --dry-run
      zs --as 许办公 backfill import 纸质台账.xlsx --admin 张管理
    """
    from projections.paper.importer import import_paper as record

    _suffix(file, (".xlsx",), "FILE")
    actor = obj.require_actor()
    outcome = record(obj.ledger, actor, file.name, file.read_bytes(), admin=admin, by=by, because=because,
                     dry_run=dry_run)
    counts = "、".join(f"{sheet} {n}" for sheet, n in outcome.rows.items())
    total = sum(outcome.rows.values())
    if outcome.recorded:
        click.echo(f"已补录 {total} 行（{counts}），{outcome.events} 个事件")
    else:
        click.echo(f"试运行：{total} 行（{counts}）均可补录，{outcome.events} 个事件，未记录（去掉 --dry-run 即导入）")
