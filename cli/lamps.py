"""`zs lamps`: the three-colour lamps (三色预警) at any moment, with the rule that lit each and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import Context, pass_context
from cli.output import json_option, render
from cli.params import AS_KNOWN_AT, AS_OF
from domain.lamps import COLOURS, LABELS, RULES
from projections.lamps import KINDS
from projections.queries import Moment

COLUMNS = [("colour_label", "预警"), ("kind_label", "类别"), ("subject", "事项"), ("unit", "单位"),
           ("rule_label", "规则"), ("since", "起始时间"), ("reason", "原因"), ("turns_green", "转绿条件")]
JSON_COLUMNS = [(key, key) for key in ("kind", "subject", "unit", "colour", "rule", "since", "reason", "turns_green")]
KIND_LABELS = {"project": "项目", "problem": "问题", "report": "报告", "supervision": "督办"}


@click.command()
@click.option("--unit", help="Only this unit's lamps.")
@click.option("--kind", type=click.Choice(KINDS), help="Only lamps of projects, problems, reports or 督办.")
@click.option("--colour", type=click.Choice(COLOURS), help="Only lamps of this colour.")
@AS_OF
@AS_KNOWN_AT
@json_option
@pass_context
def lamps(obj: Context, unit: str | None, kind: str | None, colour: str | None, as_of: datetime | None,
          known_at: datetime | None, as_json: bool) -> None:
    """The warning lamps (三色预警): red and yellow first, each with its rule, since when, why, and what turns it green.

    Lit are the key library's projects short of operating (no progress for 2 months yellow, 3 months
    red; past a planned stage date red), open problems, reports and 督办 by their due dates (within 3
    days yellow, past due red), and anything that was red for 30 days after it cleared (yellow). The
    thresholds are part of the policy (`zs policy show`). The answer for a past moment is what the
    ledger held then.

    \b
    Example:
      zs lamps --unit HW --colour red
      zs lamps --as-of 2022-01-31 --kind project --json
    """
    if unit is not None:  # an empty --unit names no unit: refused, not read as "every unit"
        unit = obj.ledger.unit(unit).code
    rows = obj.queries.lamps(Moment(as_of, known_at), unit=unit, kind=kind, colour=colour)
    if as_json:
        render(rows, JSON_COLUMNS, True)
        return
    render([_labelled(row) for row in rows], COLUMNS, False, empty="（无预警）")


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"colour_label": LABELS[row["colour"]], "kind_label": KIND_LABELS[row["kind"]],
                  "rule_label": RULES[row["rule"]], "turns_green": row["turns_green"] or ""}
