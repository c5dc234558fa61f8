"""Who owes what at a moment T, and its status (docs/domain.md rule 5), from what the ledger held at T."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.deadlines import (  # re-exported: the views and the CLI read the rule from here too
    COUNTED, LABELS, LATE, ON_TIME, OVERDUE, UPCOMING, Sending, counts, deadline, standing,
)
from domain.values import report_key, shanghai_date
from projections.db import Db, from_ts, ts
from projections.moment import NOW, Moment, rows_at

if TYPE_CHECKING:
    from domain.timetable import Obligation, Timetable

__all__ = ["COUNTED", "LABELS", "LATE", "ON_TIME", "OVERDUE", "UPCOMING", "Enrolment", "Schedule", "Sending",
           "counted_sql", "counts", "enrolments", "listing", "obligations", "obligations_at", "open_obligations", "report_states",
           "sendings", "status_counts", "status_of", "tally_reports", "tally_statuses"]
HORIZON = timedelta(days=400)  # far enough ahead to see every obligation already open at T


@dataclass(frozen=True)
class Enrolment:
    code: str
    enrolled_on: date
    withdrawn_on: date | None


def status_of(obligation: Obligation, sending: Sending | None, as_of: datetime) -> dict[str, Any]:
    """The obligation's standing at T, by the domain's rule (domain/deadlines.py)."""
    return standing(obligation.due_on, sending, as_of).as_dict()


def counted_sql(negate: bool = False) -> tuple[str, tuple[str, ...]]:
    """The SQL condition on a report row's `status` that the domain's COUNTED means, and its parameters."""
    return f"status {'NOT ' if negate else ''}IN ({', '.join('?' for _ in COUNTED)})", COUNTED


class Schedule:
    """The obligations open at T — their period over, or a plan's year begun — and, with `due_by`,
    those falling due by that day though their period still runs. Every unit owes a contiguous run
    of them, in due order (rule 2: due strictly after enrolment, and not after withdrawal).
    With `due_in` (first, last day), only those of them falling due in those days (one month's, for
    the month page, without walking the years since enrolment; `fallen_due` then counts only those)."""

    def __init__(self, calendar: Timetable, units: Iterable[Enrolment], as_of: datetime,
                 due_by: date | None = None, due_in: tuple[date, date] | None = None) -> None:
        self.units = list(units)
        self.today = today = shanghai_date(as_of)
        after = min((u.enrolled_on for u in self.units), default=today)
        until = today + HORIZON
        if due_in is not None:
            after, until = max(after, due_in[0] - timedelta(days=1)), min(until, due_in[1])
        self.every = [o for o in (calendar.obligations(after, until) if after < until else ())
                      if o.opens_on <= today or (due_by is not None and o.due_on <= due_by)]
        self.dues = [o.due_on for o in self.every]

    def run(self, enrolment: Enrolment) -> range:
        low = bisect_right(self.dues, enrolment.enrolled_on)
        high = bisect_right(self.dues, enrolment.withdrawn_on) if enrolment.withdrawn_on else len(self.dues)
        return range(low, max(low, high))

    def fallen_due(self, enrolment: Enrolment) -> tuple[int, int]:
        """How many of the unit's obligations fell due before today, and how many are still ahead."""
        run = self.run(enrolment)
        split = min(max(bisect_left(self.dues, self.today), run.start), run.stop)
        return split - run.start, run.stop - split


def open_obligations(calendar: Timetable, units: Iterable[Enrolment], as_of: datetime, unit: str | None = None,
                     due_by: date | None = None,
                     due_in: tuple[date, date] | None = None) -> Iterator[tuple[str, Obligation, str]]:
    """(unit, obligation, report id) for every obligation in the Schedule at T."""
    schedule = Schedule(calendar, [u for u in units if unit is None or u.code == unit], as_of, due_by, due_in)
    periods = [str(o.period) for o in schedule.every]  # once, not once per unit
    for enrolment in schedule.units:
        for index in schedule.run(enrolment):
            obligation = schedule.every[index]
            yield enrolment.code, obligation, report_key(enrolment.code, obligation.kind, periods[index])


def obligations_at(calendar: Timetable, units: Iterable[Enrolment], reports: Mapping[str, Sending],
                   as_of: datetime, unit: str | None = None, due_by: date | None = None,
                   due_in: tuple[date, date] | None = None) -> list[dict[str, Any]]:
    """Every obligation open at T with its status (see open_obligations), ordered by due_on, unit, kind."""
    rows = []
    for code, obligation, report_id in open_obligations(calendar, units, as_of, unit, due_by, due_in):
        sending = reports.get(report_id)
        rows.append({
            "unit": code, "kind": obligation.kind, "period": str(obligation.period), "due_on": obligation.due_on,
            **status_of(obligation, sending, as_of), "report_id": report_id if sending is not None else None,
        })
    return sorted(rows, key=lambda r: (r["due_on"], r["unit"], r["kind"]))


def status_counts(calendar: Timetable, units: Iterable[Enrolment], reports: Mapping[str, Sending],
                  as_of: datetime, unit: str | None = None) -> dict[str, Counter[str]]:
    """Per unit, how many obligations are in each status at T, and how many fell due (`fallen_due`)."""
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for code, obligation, report_id in open_obligations(calendar, units, as_of, unit):
        tally = tallies[code]
        if deadline(obligation.due_on) < as_of:
            tally["fallen_due"] += 1
        tally[standing(obligation.due_on, reports.get(report_id), as_of).status] += 1
    return tallies


def tally_statuses(calendar: Timetable, units: Iterable[Enrolment], reports: Mapping[str, tuple[str | None, str | None]],
                   as_of: datetime, unit: str | None = None) -> dict[str, Counter[str]]:
    """What `status_counts` gives, from `report_states` (status, last sending as stored text): see
    `tally_reports`."""
    return tally_reports(calendar, units, reports, as_of, unit)[0]


def tally_reports(calendar: Timetable, units: Iterable[Enrolment], reports: Mapping[str, tuple[str | None, str | None]],
                  as_of: datetime, unit: str | None = None,
                  lamps: Any = None) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """Per unit, what `status_counts` gives, from `report_states` (status, last sending as stored text):
    each obligation's deadline written once as that text, and only the sent ones looked at one by one —
    an unsent obligation is overdue once its deadline has passed, upcoming before (rule 5). With `lamps`
    (projections.lamps.ReportLamps: the lamp rules at T), in the same walk, how many report lamps of each
    colour: the obligations open at T or due by `lamps.due_by`, less those sent and due before
    `lamps.cutoff` early enough that no lamp shows; one unsent past its deadline is red without judging it."""
    today = shanghai_date(as_of)
    schedule = Schedule(calendar, [u for u in units if unit is None or u.code == unit], as_of,
                        lamps.due_by if lamps else None)
    every = schedule.every
    suffixes = [f"/{o.kind}/{o.period}" for o in every]  # a report id is unit/kind/period (report_key)
    deadlines = [ts(deadline(o.due_on)) for o in every]
    owed = [o.opens_on <= today for o in every]  # open at T: the others are due soon, for their lamps only
    past = [deadline(o.due_on) < as_of for o in every]
    old, settled = (bisect_left(schedule.dues, lamps.cutoff), lamps.settled) if lamps else (0, "")
    counted = frozenset(COUNTED)
    tallies: dict[str, Counter[str]] = {}
    colours: dict[str, Counter[str]] = {}
    for enrolment in schedule.units:
        code, run = enrolment.code, schedule.run(enrolment)
        on_time = late = sent_fallen = fallen = open_ = 0
        lit: Counter[str] = Counter()
        for index, found in enumerate(map(reports.get, [code + suffix for suffix in suffixes[run.start:run.stop]]),
                                      run.start):
            sent = found is not None and found[1] is not None and found[0] in counted
            if owed[index]:
                open_ += 1
                fallen += past[index]
                if sent:
                    if found[1] > deadlines[index]:
                        late += 1
                    else:
                        on_time += 1
                    sent_fallen += past[index]
            if lamps is None or (index < old and sent and found[1] < settled):
                continue
            if not sent and past[index]:
                lit["red"] += 1
                continue
            colour = lamps.colour(every[index], found)
            if colour is not None:
                lit[colour] += 1
        if open_:
            tally = {"fallen_due": fallen, ON_TIME: on_time, LATE: late, OVERDUE: fallen - sent_fallen,
                     UPCOMING: open_ - fallen - (on_time + late - sent_fallen)}
            tallies[code] = Counter({status: n for status, n in tally.items() if n})
        if lit:
            colours[code] = lit
    return tallies, colours


def enrolments(db: Db, at: Moment = NOW) -> list[Enrolment]:
    """Every unit's enrolment as the units view held it at the moment."""
    source, params = rows_at("units", at, columns=("code", "enrolled_on", "withdrawn_on"))
    rows = db.fetchall(f"SELECT code, enrolled_on, withdrawn_on FROM {source}", params)
    return [Enrolment(r["code"], date.fromisoformat(r["enrolled_on"]),
                      date.fromisoformat(r["withdrawn_on"]) if r["withdrawn_on"] else None) for r in rows]


def sendings(db: Db, at: Moment = NOW, unit: str | None = None, counted_only: bool = False,
             ids: Collection[str] | None = None) -> dict[str, Sending]:
    """Each report's status and last sending as the reports view held them at the moment, by report id
    (only the reports `ids` names, if given)."""
    if ids is not None and not ids:
        return {}
    source, params = rows_at("reports", at, unit)
    conditions = []
    if counted_only:
        counted, values = counted_sql()
        conditions.append(counted)
        params += values
    if ids is not None:
        conditions.append(f"report_id IN ({', '.join('?' for _ in ids)})")
        params += tuple(ids)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = db.fetchall(f"SELECT report_id, status, last_sent_at FROM {source}{where}", params)
    return {r["report_id"]: Sending.of(r["status"], from_ts(r["last_sent_at"])) for r in rows}


def report_states(db: Db, at: Moment = NOW, unit: str | None = None,
                  ids: Collection[str] | None = None) -> dict[str, tuple[str | None, str | None]]:
    """Each report's status and last sending as stored (sortable UTC text) at the moment, by report id
    (only the reports `ids` names, if given): plain tuples, for the passes over many obligations
    (`tally_statuses`, `listing`, the report lamps)."""
    if ids is not None and not ids:
        return {}
    source, params = rows_at("reports", at, unit, ("report_id", "status", "last_sent_at"))
    where = "" if ids is None else f" WHERE report_id IN ({', '.join('?' for _ in ids)})"
    rows = db.values(f"SELECT report_id, status, last_sent_at FROM {source}{where}", params + tuple(ids or ()))
    return dict(zip(map(itemgetter(0), rows), map(itemgetter(1, 2), rows)))  # at C speed: no tuple made in Python


def listing(calendar: Timetable, units: Iterable[Enrolment], reports: Mapping[str, tuple[str | None, str | None]],
            as_of: datetime, unit: str | None = None, due_by: date | None = None,
            due_in: tuple[date, date] | None = None, overdue_only: bool = False) -> list[dict[str, Any]]:
    """What `obligations_at` lists (with `overdue_only`, only its overdue rows), from `report_states`:
    each obligation's deadline, due day and days overdue are worked out once per call, not once per
    unit, and a sending is judged by its stored text against the deadline's, as `tally_statuses` does."""
    schedule = Schedule(calendar, [u for u in units if unit is None or u.code == unit], as_of, due_by, due_in)
    every, today = schedule.every, shanghai_date(as_of)
    periods = [str(o.period) for o in every]
    suffixes = [f"/{o.kind}/{period}" for o, period in zip(every, periods)]
    deadlines = [ts(deadline(o.due_on)) for o in every]
    past = [deadline(o.due_on) < as_of for o in every]
    fallen = sum(past)  # due before T: a prefix of `every`, by due day
    rows = []
    for enrolment in schedule.units:
        code, run = enrolment.code, schedule.run(enrolment)
        for index in range(run.start, min(run.stop, fallen) if overdue_only else run.stop):
            report_id = code + suffixes[index]
            found = reports.get(report_id)
            obligation = every[index]
            if found is not None and found[1] is not None and found[0] in COUNTED:
                if overdue_only:
                    continue
                sent_at = from_ts(found[1])
                late = found[1] > deadlines[index]
                rows.append({"unit": code, "kind": obligation.kind, "period": periods[index],
                             "due_on": obligation.due_on, "status": LATE if late else ON_TIME, "sent_at": sent_at,
                             "days_late": (shanghai_date(sent_at) - obligation.due_on).days if late else None,
                             "days_overdue": None, "report_id": report_id})
                continue
            overdue = past[index]
            rows.append({"unit": code, "kind": obligation.kind, "period": periods[index], "due_on": obligation.due_on,
                         "status": OVERDUE if overdue else UPCOMING, "sent_at": None, "days_late": None,
                         "days_overdue": (today - obligation.due_on).days if overdue else None,
                         "report_id": report_id if found is not None else None})
    rows.sort(key=itemgetter("due_on", "unit", "kind"))
    return rows


def obligations(db: Db, calendar: Timetable, as_of: datetime, at: Moment, unit: str | None = None,
                due_by: date | None = None, due_in: tuple[date, date] | None = None) -> list[dict[str, Any]]:
    """`zs obligations`: every obligation open at T with its status, from the views as they stood at
    `at` (T, as known at K); with `due_in`, only those falling due in those days, and only their reports
    read. The rows `obligations_at` gives, by `listing`."""
    units = enrolments(db, at)
    ids = None if due_in is None else [key for _, _, key in open_obligations(calendar, units, as_of, unit, due_by,
                                                                            due_in)]
    return listing(calendar, units, report_states(db, at, unit, ids), as_of, unit, due_by, due_in)
