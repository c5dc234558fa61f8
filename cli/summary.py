"""`zs summary`: the annual or quarterly summary, replayed from the log, as a Chinese table, JSON or Markdown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import emit_json, table
from cli.params import AS_KNOWN_AT
from domain.errors import InvalidValue
from domain.period import Cadence, Period
from projections.summary import summarize
from projections.summary_text import ROWS, value_of, markdown, reproduce, scope, title


def _period(year: int | None, quarter: str | None) -> Period:
    if (year is None) == (quarter is None):
        raise click.UsageError("give exactly one of --year Y or --quarter YYYY-Qn")
    try:
        return Period.parse(str(year), Cadence.ANNUAL) if year is not None else Period.parse(quarter or "",
                                                                                            Cadence.QUARTERLY)
    except InvalidValue as error:
        raise click.BadParameter(str(error), param_hint="'--year' / '--quarter'") from None


@click.command()
@click.option("--year", type=click.IntRange(2000, 2100), help="A year, e.g. 2021 (年有成效).")
@click.option("--quarter", help="A quarter, e.g. 2021-Q3 (季有统计).")
@click.option("--unit", help="Only this unit.")
@AS_KNOWN_AT
@click.option("--log-position", "log_position", type=click.IntRange(0), metavar="N",
              help="Read the log only up to this position (a summary's log_position), to reproduce it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the ids counted in each figure).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a readable Chinese Markdown report.")
@pass_context
def summary(obj: Context, year: int | None, quarter: str | None, unit: str | None, known_at: datetime | None,
            log_position: int | None, as_json: bool, as_markdown: bool) -> None:
    """The summary of a year or a quarter, per unit and in total, replayed from the log.

    Facts count in the period of their business date (a stage's --on, a service's date, an
    evaluation's period) or, without one, their effective time (a project's registration, a
    problem's raising and closing), whenever recorded, if recorded by K. Reports are those due in
    the period and owed at T (the period's end, or K if earlier), with their status at T: a period
    still running is summarised up to T (截至), and what is not yet due is upcoming, never missing.
    A problem closed more than once counts once, if it is still closed at T. Every summary names
    its log position: --as-known-at K --log-position N reproduces it exactly.

    \b
    Example:
      zs summary --year 2021
      zs summary --year 2021 --markdown > 2021年度招商引资工作成效.md
      zs summary --quarter 2022-Q1 --unit HW --json
      zs summary --year 2021 --as-known-at 2022-02-01T09:30:00+08:00 --log-position 5120 --json
    """
    if as_json and as_markdown:
        raise click.UsageError("give at most one of --json and --markdown")
    period = _period(year, quarter)
    code = obj.ledger.unit(unit).code if unit else None
    result = summarize(obj.ledger, period, code, known_at, log_position)
    if as_json:
        emit_json(result)
    elif as_markdown:
        click.echo(markdown(result, period, code))
    else:
        click.echo(text_table(result, period, code))


def text_table(result: dict[str, Any], period: Period, unit: str | None = None) -> str:
    units = result["units"]
    columns = [("label", "指标"), *[(f"u{i}", u["unit"]) for i, u in enumerate(units)], ("total", "合计")]
    rows = [{"label": label, **{f"u{i}": value_of(u, key) for i, u in enumerate(units)}, "total": value_of(result["total"], key)}
            for key, label in ROWS]
    lines = [title(period), scope(result), "", table(rows, columns)]
    if units:
        lines += ["", "单位：" + "；".join(f"{u['unit']} {u['name']}" for u in units)]
    lines += ["", f"复现：{reproduce(result, period, unit)}；各项计入的编号见 --json 的 counted。"]
    return "\n".join(lines)
