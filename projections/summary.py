"""Annual and quarterly summaries (年有成效，季有统计), built by replaying the log (docs/domain.md rules 7, 14).

Facts count in the period of their business date (a stage's --on, a service's date, an evaluation's
period) or, without one, their effective time (a project's registration, a problem's raising and
closing), whenever they were recorded, as long as they were recorded by K. Reports are the
obligations open at T — the period's end or K, whichever is earlier — and due in the period, with
their status at T by the domain's rule, exactly as `zs obligations --as-of T --as-known-at K` lists
them. The summary names the log position it was read up to, so that it can be reproduced."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.application import Ledger
from domain.deadlines import LATE, ON_TIME, OVERDUE, UPCOMING, Sending
from domain.errors import RuleViolated
from domain.period import Period
from domain.policy import Calendar, Policy, default_policy
from domain.values import Stage, end_of_day, report_key, shanghai_date
from projections.db import Db, ts
from domain.lamps import COLOURS
from projections.lamps import lamp_counts_at
from projections.obligations import Enrolment, obligations_at
from projections.queries import Moment, Queries
from projections.runner import LoggedEvent, decode

ZERO = Decimal("0.00")
FACTS = ("projects_added", "projects_promoted", "projects_terminated", "problems_raised", "problems_closed",
         "services")
REPORTS = {ON_TIME: "reports_on_time", LATE: "reports_late", OVERDUE: "reports_missing", UPCOMING: "reports_upcoming"}
REPORT_STATUS = {"Drafted": "draft", "Revised": "draft", "Approved": "approved", "Sent": "sent",
                 "Accepted": "accepted", "Returned": "returned"}


@dataclass
class ProjectFacts:
    number: str
    unit: str
    investment: Decimal
    reached: dict[str, date] = field(default_factory=dict)


@dataclass
class ProblemFacts:
    problem_id: str
    unit: str
    closed_at: str | None = None  # the latest closing effective by T, while the problem stays closed


@dataclass
class Replay:
    """Everything the summary needs, gathered in one pass over the log up to K."""

    period: Period
    as_of: str  # T, in the views' UTC text
    ids: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # every unit known by K: code and name
    enrolled: dict[str, dict[str, Any]] = field(default_factory=dict)  # units as they stood at T
    projects: dict[str, ProjectFacts] = field(default_factory=dict)
    problems: dict[str, ProblemFacts] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: list[Policy] = field(default_factory=list)
    by_unit: dict[str, list[ProjectFacts]] = field(default_factory=lambda: defaultdict(list))
    position: int = 0

    def in_period(self, day: date | str) -> bool:
        return self.period.contains(date.fromisoformat(day) if isinstance(day, str) else day)

    def effective_in_period(self, effective_at: str) -> bool:
        return self.in_period(shanghai_date(datetime.fromisoformat(effective_at)))


def summarize(ledger: Ledger, period: Period, unit: str | None = None, known_at: datetime | None = None,
              log_position: int | None = None) -> dict[str, Any]:
    """The summary of `period` as known at K (default now), from the log up to `log_position` (default: all)."""
    known_moment = known_at or ledger.clock()
    end_moment = end_of_day(period.last_day)
    as_of = min(end_moment, known_moment)
    replay = _replay(ledger, period, as_of, ts(known_moment), log_position)
    calendar = Calendar((default_policy(), *replay.policies))
    enrolments = [Enrolment(u["code"], date.fromisoformat(u["enrolled_on"]),
                            date.fromisoformat(u["withdrawn_on"]) if u["withdrawn_on"] else None)
                  for u in replay.enrolled.values()]
    sendings = {r["report_id"]: Sending.of(r["status"], datetime.fromisoformat(r["last_sent"]) if r["last_sent"]
                                           else None)
                for r in replay.reports.values() if "report_id" in r}
    for o in obligations_at(calendar, enrolments, sendings, as_of):
        if period.contains(o["due_on"]):
            replay.ids[o["unit"]][REPORTS[o["status"]]].append(report_key(o["unit"], o["kind"], o["period"]))
    _file_by_unit(replay)
    codes = sorted(u["code"] for u in replay.names.values()) if unit is None else [unit]
    lamps = _lamps(ledger, as_of, known_moment, unit)
    rows = [_unit_row(replay, code) | {"lamps": lamps.get(code, dict.fromkeys(COLOURS, 0))} for code in codes]
    return {"period": str(period), "from": period.first_day, "to": period.last_day,
            "known_at": datetime.fromisoformat(ts(known_moment)), "as_of": datetime.fromisoformat(ts(as_of)),
            "complete": end_moment <= known_moment, "log_position": replay.position, "units": rows,
            "total": _total([_unit_row(replay, "") | {"lamps": dict.fromkeys(COLOURS, 0)}] + rows)}  # from zero


def _lamps(ledger: Ledger, as_of: datetime, known_at: datetime, unit: str | None) -> dict[str, dict[str, int]]:
    """The lamps lit at T (the period's end, or K if earlier) as known at K, per unit: read from the
    views, which answer for any moment (docs/domain.md rule 17), not replayed."""
    return lamp_counts_at(Queries(ledger), Moment(as_of, known_at), unit)


def _replay(ledger: Ledger, period: Period, as_of: datetime, known: str, log_position: int | None) -> Replay:
    replay = Replay(period, ts(as_of))
    head = ledger.recorder.max_notification_id() or 0
    if log_position is not None and log_position > head:
        raise RuleViolated(f"the log holds {head} events; position {log_position} is beyond its end")
    db, position, stop = Db(ledger.recorder), 0, head if log_position is None else log_position
    from integrity.guard import LeafCheck

    check = LeafCheck(ledger.recorder)  # a changed event is refused, naming its position (docs/integrity.md)
    while position < stop:
        batch = db.read_log(position, stop, 5000)
        if not batch:
            break
        check(batch)
        for row in batch:
            record = decode(row)
            if record.recorded_at <= known:
                _take(replay, record)
                replay.position = record.position
        position = batch[-1][0]
    return replay


def _take(replay: Replay, r: LoggedEvent) -> None:
    kind, event, s = r.kind, r.event, r.state
    by_t = r.effective_at <= replay.as_of
    if kind == "Unit":
        _unit(replay, r, by_t)
    elif kind == "Project":
        _project(replay, r, event, by_t)
    elif kind == "Problem":
        _problem(replay, r, by_t)
    elif kind == "Report" and by_t:
        x = replay.reports.setdefault(r.aggregate_id, {"last_sent": None})
        if event == "Drafted":
            x["report_id"] = s["report_id"]
        x["status"] = REPORT_STATUS[event]
        if event == "Sent":
            x["last_sent"] = r.effective_at
    elif kind == "ReportingPolicy" and event == "Loaded" and by_t:  # LoadedPolicies, by its stored name
        replay.policies.append(Policy.model_validate(s["policy"]))


def _unit(replay: Replay, r: LoggedEvent, by_t: bool) -> None:
    """A unit's row is shown once the unit is known; what it owes follows its enrolment as it stood at T."""
    s, event = r.state, r.event
    if event == "Enrolled":
        replay.names[r.aggregate_id] = {"code": s["code"], "name": s["name"]}
    elif event == "Updated":
        replay.names[r.aggregate_id]["name"] = s["name"]
    if not by_t:
        return
    if event == "Enrolled":
        replay.enrolled[r.aggregate_id] = {"code": s["code"], "enrolled_on": s["enrolled_on"], "withdrawn_on": None}
    elif event == "Withdrawn":
        replay.enrolled[r.aggregate_id]["withdrawn_on"] = s["on"]


def _problem(replay: Replay, r: LoggedEvent, by_t: bool) -> None:
    """Raised and closed count by their effective time; a problem closed more than once counts once,
    and only if it is still closed at T (rule 14)."""
    s, event = r.state, r.event
    if event == "Raised":
        replay.problems[r.aggregate_id] = ProblemFacts(s["problem_id"], s["unit"])
        if replay.effective_in_period(r.effective_at):
            replay.ids[s["unit"]]["problems_raised"].append(s["problem_id"])
    elif by_t and event in ("Closed", "Reopened"):
        replay.problems[r.aggregate_id].closed_at = r.effective_at if event == "Closed" else None


def _project(replay: Replay, r: LoggedEvent, event: str, by_t: bool) -> None:
    s = r.state
    if event == "Registered":
        replay.projects[r.aggregate_id] = ProjectFacts(s["number"], s["unit"], Decimal(s["investment"]))
    p = replay.projects[r.aggregate_id]
    if event in ("Registered", "Promoted", "Terminated") and replay.effective_in_period(r.effective_at):
        fact = {"Registered": "projects_added", "Promoted": "projects_promoted", "Terminated": "projects_terminated"}
        replay.ids[p.unit][fact[event]].append(p.number)
    elif event == "Updated" and s.get("investment") is not None and by_t:
        p.investment = Decimal(s["investment"])
    elif event == "StageAdvanced":
        p.reached[s["stage"]] = date.fromisoformat(s["on"])
    elif event == "StageCorrected":
        rank = Stage(s["stage"]).rank
        p.reached = {k: v for k, v in p.reached.items() if Stage(k).rank < rank}
        p.reached[s["stage"]] = date.fromisoformat(s["on"])
    elif event == "ServiceRecorded" and replay.in_period(s["on"]):
        replay.services[s["service_id"]] = {"unit": p.unit, "amount": Decimal(s["amount"] or "0")}
    elif event == "ServiceVoided":
        replay.services.pop(s["service_id"], None)
    elif event == "Evaluated" and _within(s["period"], replay.period):
        replay.evaluations.append({"unit": p.unit, "project": p.number, "period": s["period"],
                                   "rating": s["rating"], "comment": s["comment"]})


def _within(text: str, period: Period) -> bool:
    evaluated = Period.parse(text)
    return period.first_day <= evaluated.first_day and evaluated.last_day <= period.last_day


def _file_by_unit(replay: Replay) -> None:
    """The facts known only at the end (problems closed at T, services not voided), filed by unit once."""
    for p in replay.problems.values():
        if p.closed_at and replay.effective_in_period(p.closed_at):
            replay.ids[p.unit]["problems_closed"].append(p.problem_id)
    for sid, service in replay.services.items():
        replay.ids[service["unit"]]["services"].append(sid)
    for project in replay.projects.values():
        replay.by_unit[project.unit].append(project)


def _unit_row(replay: Replay, code: str) -> dict[str, Any]:
    name = next((u["name"] for u in replay.names.values() if u["code"] == code), code)
    ids = replay.ids[code]
    projects = replay.by_unit[code]
    reached = {stage.value: sorted(p.number for p in projects
                                   if replay.in_period(p.reached.get(stage.value, date.min)))
               for stage in Stage if stage is not Stage.LEAD}

    def invested(stage: Stage) -> Decimal:
        numbers = set(reached[stage.value])
        return sum((p.investment for p in projects if p.number in numbers), ZERO)

    services = [replay.services[sid] for sid in ids["services"]]
    ratings = Counter(e["rating"] for e in replay.evaluations if e["unit"] == code)
    reports = {key: sorted(ids[key]) for key in REPORTS.values()}
    return {
        "unit": code, "name": name, **{k: len(ids[k]) for k in FACTS[:3]},
        "stages_reached": {stage: len(numbers) for stage, numbers in reached.items()},
        "signed_investment_wan": invested(Stage.SIGNED), "landed_investment_wan": invested(Stage.LANDED),
        **{k: len(ids[k]) for k in FACTS[3:5]},
        "services": len(services), "services_amount_wan": sum((s["amount"] for s in services), ZERO),
        "ratings": {rating: ratings.get(rating, 0) for rating in "ABCD"},
        "reports_owed": sum(len(v) for v in reports.values()),
        **{key: len(reports[key]) for key in REPORTS.values()},
        "evaluations": [{k: e[k] for k in ("project", "period", "rating", "comment")}
                        for e in replay.evaluations if e["unit"] == code],
        "counted": {**{k: sorted(ids[k]) for k in FACTS}, "stages_reached": reached, **reports},
    }


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for row in rows:
        _add(total, {k: v for k, v in row.items() if k not in ("unit", "name")})
    return total


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    """Numbers add up, lists are joined, and mappings add up key by key."""
    for key, value in row.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, list):
            into.setdefault(key, []).extend(value)
        else:
            into[key] = into.get(key, ZERO if isinstance(value, Decimal) else 0) + value
