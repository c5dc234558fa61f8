"""A backfill of paper history (docs/domain.md rules 7 and 11): when it took effect, who did it on
paper, and why it is entered now. The Ledger stamps every command it runs under one of these."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime

from domain.base import Immutable
from domain.errors import InvalidValue, RuleViolated
from domain.text import NAME_LIMIT, clean_line, clean_prose
from domain.values import SHANGHAI, UTC, check_span


class Backfill(Immutable):
    """`at`: the moment the fact took effect on paper; `by`: the person who did it then (None: the
    person entering it); `because`: why it is entered now."""

    at: AwareDatetime
    by: str | None = None
    because: str

    @classmethod
    def of(cls, at: datetime, by: str | None, because: str | None, now: datetime) -> Backfill:
        """Checked and cleaned; refused when T is naive or in the future, or the reason is blank."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidValue(f"the backfill time {at.isoformat()} has no offset; give a Shanghai moment",
                               field="backfill_at")
        at = at.astimezone(UTC)
        check_span(at.astimezone(SHANGHAI), "the backfill time")
        if at > now:
            raise RuleViolated(f"the backfill time {at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S} (Shanghai) is in the "
                               f"future; a backfill records what already happened on paper")
        reason = clean_prose(because or "", "the backfill's reason", field="backfill_because")
        if not reason:
            raise InvalidValue("a backfill needs a reason: give --because TEXT (e.g. 补录纸质台账)",
                               field="backfill_because")
        name = clean_line(by, "the --by name", NAME_LIMIT, field="backfill_by") if by is not None else None
        if name == "":
            raise InvalidValue("--by needs the name of the person who did it on paper", field="backfill_by")
        return cls(at=at, by=name, because=reason)
