"""`zs backfill import`: every row of the paper ledger checked, then all of them recorded as backfills
through the Ledger in one transaction, in effective-time order — or none (docs/domain.md rule 11)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from domain.application import Ledger
from domain.errors import DomainError, InvalidValue
from projections.paper.reading import read_rows
from projections.paper.refusal import BadCell, refuse
from projections.paper.rows import AT, Entry, Handles, entries

DEFAULT_REASON = "纸质台账补录"


@dataclass
class PaperOutcome:
    source: str
    rows: dict[str, int] = field(default_factory=dict)  # per sheet
    events: int = 0
    recorded: bool = False
    parse_seconds: float = 0.0
    record_seconds: float = 0.0


class _Discard(Exception):
    """Leaves the batch so that nothing it holds is saved (a dry run, or bad rows)."""


def import_paper(ledger: Ledger, actor: str, source: str, content: bytes, *, admin: str | None = None,
                 by: str | None = None, because: str | None = None, dry_run: bool = False) -> PaperOutcome:
    """`actor` (the office) enters the rows; `admin` the set-up sheets (units, people), default `actor`."""
    started = time.perf_counter()
    bad: list[BadCell] = []
    rows = read_rows(source, content, bad)
    made = entries(rows, by, because or f"{DEFAULT_REASON}（{source}）", bad)
    outcome = PaperOutcome(source, parse_seconds=time.perf_counter() - started)
    for row in rows:
        outcome.rows[row.sheet] = outcome.rows.get(row.sheet, 0) + 1
    if bad:
        refuse(source, bad)
    started = time.perf_counter()
    outcome.events = _record(ledger, actor, admin or actor, made, bad, dry_run)
    outcome.record_seconds = time.perf_counter() - started
    if bad:
        refuse(source, bad)
    outcome.recorded = not dry_run
    return outcome


def _record(ledger: Ledger, actor: str, admin: str, made: list[Entry], bad: list[BadCell], dry_run: bool) -> int:
    handles = Handles()
    events = 0
    try:
        with ledger.batch() as batch:
            for entry in sorted(made, key=lambda e: e.order):
                try:
                    paper = ledger.backfilling(at=entry.at, by=entry.by, because=entry.because)
                except DomainError as error:
                    bad.append(_bad(entry, AT, error))
                    continue
                try:
                    entry.command(paper, admin if entry.set_up else actor, handles)
                except DomainError as error:
                    column = "经办人" if entry.by and entry.by in str(error) and not entry.set_up else entry.blame
                    bad.append(_bad(entry, column, error))
            events = len(batch.events)
            if bad or dry_run:
                raise _Discard
    except _Discard:
        pass
    return events


def _bad(entry: Entry, column: str, error: DomainError) -> BadCell:
    return BadCell(entry.row, column, str(error), malformed=isinstance(error, InvalidValue), sheet=entry.sheet)
