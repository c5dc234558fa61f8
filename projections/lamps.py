"""`zs lamps`: every lamp at T as known at K, read from the views (no replay) and judged by the domain's
lamp rules (domain/lamps.py) in force on T's Shanghai date (docs/domain.md rule 17)."""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from domain.deadlines import COUNTED, Sending, standing
from domain.lamps import (
    RANK, Lamp, cutoffs, problem_lamp, problem_lamp_colour, project_lamp, project_lamp_colour, report_lamp, supervision_lamp,
)
from domain.values import shanghai_date, start_of_day
from projections.db import from_ts, ts
from projections.moment import rows_at
from projections.obligations import Schedule, report_states, tally_reports
from projections.views.board import project_key
from projections.views.lamps import facts

KINDS = ("project", "problem", "report", "supervision")
FACTS = ("number", "library", "stage", "status", "registered_on", "last_progress_on", "prev_progress_on", "stage_on",
         "plans")  # what `facts` reads of a lamp row
PROBLEM = ("problem_id", "unit", "due_on", "status", "raised_at", "closed_at")  # what a problem's lamp reads
MAY_GLOW = "(status <> 'closed' OR closed_at >= ?)"  # a problem whose lamp may show, given `glowing_since`


def lamps_at(queries: Any, at: Any, unit: str | None = None, kind: str | None = None,
             colour: str | None = None) -> list[dict[str, Any]]:
    """One row per lit item: kind, subject, unit, colour, rule, since, reason, turns_green; worst first."""
    when = at.as_of or queries.clock()
    calendar = queries.calendar(at.as_of, at.known_at)
    rules = calendar.lamps_on(shanghai_date(when))
    rows: list[dict[str, Any]] = []

    def add(kind_: str, subject: str, unit_: str, lamp: Lamp | None) -> None:
        if lamp is not None and (colour is None or lamp.colour == colour):
            rows.append({"kind": kind_, "subject": subject, "unit": unit_, **lamp.as_dict()})

    if kind in (None, "project"):
        source, params = rows_at("lamps", at, unit)
        libraries = ", ".join("?" for _ in rules.libraries) or "NULL"
        for row in queries.db.fetchall(f"SELECT * FROM {source} WHERE status = 'active' AND library IN ({libraries})",
                                     params + tuple(rules.libraries)):
            add("project", row["number"], row["unit"], project_lamp(facts(row), rules, when))
    if kind in (None, "problem"):
        source, params = rows_at("problems", at, unit, PROBLEM)
        lit = queries.db.values(f"SELECT {', '.join(PROBLEM)} FROM {source} WHERE {MAY_GLOW}",
                                params + (glowing_since(rules, when),))
        for subject, unit_, lamp in problem_lamps(lit, rules, when):
            add("problem", subject, unit_, lamp)
    if kind in (None, "report"):
        reports = report_states(queries.db, at, unit)
        titles: dict[str, str] = {}
        for code, obligation, report_id, found in _unsettled(calendar, queries.enrolments(at), reports, rules, when,
                                                             unit):
            add("report", report_id, code, _report_lamp(calendar, titles, obligation, found, rules, when))
    if kind in (None, "supervision"):
        source, params = rows_at("supervisions", at, unit)
        for row in queries.db.fetchall(f"SELECT * FROM {source}", params):
            add("supervision", row["supervision_id"], row["unit"],
                supervision_lamp(date.fromisoformat(row["due_on"]), row["status"], from_ts(row["opened_at"]),
                                 from_ts(row["answered_at"]), rules, when))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (RANK[r["colour"]], r["unit"], order[r["kind"]], r["subject"]))


def glowing_since(rules: Any, when: datetime) -> str:
    """A problem closed since this instant may still show its lamp (the yellow after a red); one closed
    before cannot, and an open one always may."""
    return ts(start_of_day(shanghai_date(when) - timedelta(days=rules.yellow_after_red_days + 1)))


def problem_lamps(rows: Iterable[tuple[Any, ...]], rules: Any,
                  when: datetime) -> Iterator[tuple[str, str, Lamp]]:
    """(problem id, unit, lamp) of each lit one of these problems, given as tuples of PROBLEM's columns."""
    for problem_id, unit, due_on, status, raised_at, closed_at in rows:
        lamp = problem_lamp(date.fromisoformat(due_on) if due_on else None, status, from_ts(raised_at),
                            from_ts(closed_at), rules, when)
        if lamp is not None:
            yield problem_id, unit, lamp


def problem_colours(rows: Iterable[tuple[Any, ...]], rules: Any, when: datetime) -> Iterator[tuple[str, str]]:
    """(unit, colour) of each lit one of these problems (tuples of PROBLEM's columns): the colours of
    `problem_lamps`, without making the lamps."""
    for _, unit, due_on, status, _, closed_at in rows:
        colour = problem_lamp_colour(date.fromisoformat(due_on) if due_on else None, status, from_ts(closed_at), rules, when)
        if colour is not None:
            yield unit, colour


def _unsettled(calendar: Any, units: list[Any], reports: dict[str, tuple[str | None, str | None]], rules: Any,
               when: datetime, unit: str | None) -> Iterator[tuple[str, Any, str, tuple[str | None, str | None] | None]]:
    """(unit, obligation, report id, its report's state) for the obligations open at T or due within
    `due_soon_days` whose lamp may show: not those sent and due long enough ago that neither a green nor
    the yellow after red still shows."""
    today = shanghai_date(when)
    due_by = today + timedelta(days=rules.due_soon_days)
    cutoff = today - timedelta(days=rules.yellow_after_red_days)
    settled = ts(start_of_day(cutoff))  # due and sent before it: no lamp
    schedule = Schedule(calendar, [u for u in units if unit is None or u.code == unit], when, due_by)
    every = schedule.every
    suffixes = [f"/{o.kind}/{o.period}" for o in every]  # a report id is unit/kind/period (report_key)
    old = bisect_left(schedule.dues, cutoff)  # the obligations due before the cut-off: a prefix
    for enrolment in schedule.units:
        code = enrolment.code
        for index in schedule.run(enrolment):
            report_id = code + suffixes[index]
            found = reports.get(report_id)
            if (index < old and found is not None and found[1] is not None and found[1] < settled
                    and found[0] in COUNTED):
                continue
            yield code, every[index], report_id, found


def _report_lamp(calendar: Any, titles: dict[str, str], obligation: Any, found: tuple[str | None, str | None] | None,
                 rules: Any, when: datetime) -> Lamp | None:
    sending = None if found is None else Sending.of(found[0], from_ts(found[1]))
    title = titles.get(obligation.kind) or titles.setdefault(obligation.kind, calendar.rule(obligation.kind).title)
    return report_lamp(title, obligation.due_on, obligation.opens_on, standing(obligation.due_on, sending, when),
                       rules, when)


class ReportLamps:
    """The report lamps' rules at T for `tally_reports`' walk (projections/obligations.py): which
    obligations may show a lamp (`due_by`, `cutoff`, `settled`: those of `_unsettled`) and the colour of one."""

    def __init__(self, calendar: Any, rules: Any, when: datetime) -> None:
        today = shanghai_date(when)
        self.calendar, self.rules, self.when = calendar, rules, when
        self.due_by = today + timedelta(days=rules.due_soon_days)
        self.cutoff = today - timedelta(days=rules.yellow_after_red_days)
        self.settled = ts(start_of_day(self.cutoff))  # due and sent before it: no lamp
        self.titles: dict[str, str] = {}

    def colour(self, obligation: Any, found: tuple[str | None, str | None] | None) -> str | None:
        lamp = _report_lamp(self.calendar, self.titles, obligation, found, self.rules, self.when)
        return None if lamp is None else lamp.colour


def report_colours(queries: Any, at: Any, calendar: Any, rules: Any, when: datetime, unit: str | None = None,
                   reports: dict[str, tuple[str | None, str | None]] | None = None) -> dict[str, Counter[str]]:
    """Per unit, how many report lamps of each colour: what counting `lamps_at`'s report rows gives,
    without judging an obligation unsent past its deadline — overdue, so red (domain.lamps.report_lamp)."""
    if reports is None:
        reports = report_states(queries.db, at, unit)
    return tally_reports(calendar, queries.enrolments(at), reports, when, unit, ReportLamps(calendar, rules, when))[1]


def project_colour(queries: Any, at: Any, number: str) -> str | None:
    """One project's lamp colour at T as known at K (None when it is not lit): one indexed lookup."""
    key = project_key(number)
    if at.now:
        row = queries.db.fetchone("SELECT * FROM zs_lamp_projects WHERE id = ?", (key,))
    else:
        row = queries.db.fetchone("SELECT * FROM zs_lamp_project_versions WHERE id = ? AND effective_at <= ? "
                                "AND recorded_at <= ? ORDER BY version DESC LIMIT 1", (key,) + at.params())
    if row is None:
        return None
    when = at.as_of or queries.clock()
    rules = queries.calendar(at.as_of, at.known_at).lamps_on(shanghai_date(when))
    lamp = project_lamp(facts(row), rules, when)
    return lamp.colour if lamp else None


def project_colours(views: Any, at: Any, numbers: list[str]) -> dict[str, str]:
    """The lamp colours of a few projects at T as known at K (those lit): one query and one calendar for
    all of them, as `project_colour` gives for each."""
    if not numbers:
        return {}
    keys = [project_key(n) for n in numbers]
    marks = ", ".join("?" for _ in keys)
    if at.now:
        rows = views.db.fetchall(f"SELECT * FROM zs_lamp_projects WHERE id IN ({marks})", keys)
    else:
        rows = views.db.fetchall(
            f"SELECT v.* FROM zs_lamp_project_versions v JOIN (SELECT id, MAX(version) AS version "
            f"FROM zs_lamp_project_versions WHERE id IN ({marks}) AND effective_at <= ? AND recorded_at <= ? "
            f"GROUP BY id) m ON v.id = m.id AND v.version = m.version", tuple(keys) + at.params())
    when = at.as_of or views.ledger.clock()
    rules = views.calendar(at.as_of, at.known_at).lamps_on(shanghai_date(when))
    colours = {}
    for row in rows:
        lamp = project_lamp(facts(row), rules, when)
        if lamp is not None:
            colours[row["number"]] = lamp.colour
    return colours




def lamp_counts_at(queries: Any, at: Any, unit: str | None = None,
                   reports: dict[str, tuple[str | None, str | None]] | None = None,
                   problems: list[tuple[Any, ...]] | None = None,
                   reported: dict[str, Counter[str]] | None = None) -> dict[str, dict[str, int]]:
    """Per unit, how many lamps of each colour at T — what `lamp_counts(lamps_at(...))` gives, with the
    projects whose colour follows their baseline date alone counted in SQL (domain.lamps.cutoffs) and
    the reports by `report_colours` (from `reports`, the `report_states` at `at`, when the caller has them;
    likewise `problems`, the problems whose lamp may show, as PROBLEM's columns: see progress.problems_at;
    and `reported`, the report lamps' colours per unit, when `tally_reports` has counted them)."""
    when = at.as_of or queries.clock()
    calendar = queries.calendar(at.as_of, at.known_at)
    rules = calendar.lamps_on(shanghai_date(when))
    cut = cutoffs(rules, when)
    source, params = rows_at("lamps", at, unit, ("unit", *FACTS))
    libraries = ", ".join("?" for _ in rules.libraries) or "NULL"
    stages = ", ".join("?" for _ in cut.stages) or "NULL"
    lit = (f"SELECT unit, {', '.join(FACTS)}, CASE WHEN last_progress_on > registered_on THEN last_progress_on ELSE registered_on END "
           f"AS base FROM {source} WHERE status = 'active' AND library IN ({libraries}) AND stage IN ({stages})")
    lit_params = params + tuple(rules.libraries) + cut.stages
    settled_by, red_by, yellow_by = cut.settled_by.isoformat(), cut.red_by.isoformat(), cut.yellow_by.isoformat()
    settled = "(base <= ? OR prev_progress_on IS NULL OR prev_progress_on > ?)"
    judge = f"(plans <> '{{}}' OR NOT {settled})"
    # One pass over the lit rows (as of T, one scan of the lamps' versions), as plain tuples. A project
    # without plans that cannot be glowing yellow after a red (its baseline on or before `settled_by`, or
    # no progress before its last, or the progress before it too recent for the gap to have been red) is
    # counted by its baseline alone, its colour given by SQL; the others ('judge', their facts returned)
    # are judged by project_lamp. A CASE takes NULL as false: SQL's three-valued logic, as the tests keep it.
    colour = (f"CASE WHEN plans = '{{}}' AND {settled} THEN CASE WHEN base <= ? THEN 'red' "
              f"WHEN base > ? AND base <= ? THEN 'yellow' ELSE 'green' END WHEN {judge} THEN 'judge' END")
    # A judged row's facts come as one JSON array: SQL then tests `judge` once per row, not once per fact.
    array = "json_build_array" if queries.db.postgres else "json_array"
    judged = f"CASE WHEN {judge} THEN {array}({', '.join(FACTS)}) END"
    rows = queries.db.values(f"SELECT unit, {colour} AS colour, {judged} AS facts FROM ({lit}) AS q",
                             (settled_by, red_by, red_by, red_by, yellow_by, settled_by, red_by, settled_by, red_by)
                             + lit_params)
    tally: defaultdict[str, Counter[str]] = defaultdict(Counter)  # not a Counter made per item
    for (code, colour_), n in Counter(map(itemgetter(0, 1), rows)).items():
        if colour_ not in (None, "judge"):
            tally[code][colour_] += n
    for code, colour_, values in rows:
        if colour_ == "judge":
            row = dict(zip(FACTS, json.loads(values) if isinstance(values, str) else values))
            judged = project_lamp_colour(facts(row), rules, when)  # the colour alone: no lamp made
            if judged is not None:
                tally[code][judged] += 1
    if reported is None:
        reported = report_colours(queries, at, calendar, rules, when, unit, reports)
    for code, colours in reported.items():
        tally[code].update(colours)
    for kind in ("supervision",) if problems is not None else ("problem", "supervision"):
        for row in lamps_at(queries, at, unit, kind):
            tally[row["unit"]][row["colour"]] += 1
    for code, colour_ in problem_colours(problems or (), rules, when):
        tally[code][colour_] += 1
    return {code: {"red": c["red"], "yellow": c["yellow"], "green": c["green"]} for code, c in tally.items()}


def lamp_counts(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per unit, how many lamps of each colour: `{unit: {red, yellow, green}}`."""
    tally: dict[str, Counter[str]] = {}
    for row in rows:
        tally.setdefault(row["unit"], Counter())[row["colour"]] += 1
    return {code: {"red": c["red"], "yellow": c["yellow"], "green": c["green"]} for code, c in tally.items()}
