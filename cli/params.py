"""Option types: malformed input is refused with exit 2, naming the option."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from domain.errors import InvalidValue
from domain.values import Labelled, parse_date, parse_moment, parse_wan


class CodeType(click.ParamType):
    """One of a Labelled enum's code words; the error lists the choices."""

    def __init__(self, enum: type[Labelled], what: str) -> None:
        self.enum = enum
        self.name = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Labelled:
        if isinstance(value, self.enum):
            return value
        try:
            return self.enum.parse(str(value).strip(), self.name)
        except InvalidValue as error:
            self.fail(str(error), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(m.value for m in self.enum) + "]"


class DateType(click.ParamType):
    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except InvalidValue as error:
            self.fail(str(error), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"


class WanType(click.ParamType):
    name = "wan"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            return parse_wan(value)
        except InvalidValue as error:
            self.fail(str(error), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "万元"


class MomentType(click.ParamType):
    """A date (the end of that Shanghai day, or its start for --since) or an ISO 8601 datetime."""

    name = "moment"

    def __init__(self, start: bool = False) -> None:
        self.start = start

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_moment(str(value), start=self.start)
        except InvalidValue as error:
            self.fail(str(error), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "T"


DATE = DateType()
WAN = WanType()
MOMENT = MomentType()
MOMENT_START = MomentType(start=True)

AS_OF = click.option("--as-of", "as_of", type=MOMENT, metavar="T",
                     help="Answer as the ledger stood at T (events effective by T): a date means the end of "
                          "that Shanghai day; a datetime without offset is Shanghai time.")
AS_KNOWN_AT = click.option("--as-known-at", "known_at", type=MOMENT, metavar="K",
                           help="Leave out everything recorded after K (default: now).")
