"""Annual and quarterly summaries (年有成效，季有统计), built by replaying the log (DOMAIN rule 7):
facts count in the period of their business date (or, without one, their effective time), from
what had been recorded by K; reports are those due in the period, with their status at its end."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.application import Ledger
from domain.period import Period
from domain.values import Stage, end_of_day, shanghai_date
from projections.db import Db, ts
from projections.obligations import LATE, ON_TIME, OVERDUE, Enrolment, Sending, obligations_at
from projections.runner import Record, decode

ZERO = Decimal("0.00")
COUNTS = ("projects_added", "projects_promoted", "projects_terminated", "problems_raised", "problems_closed",
          "services")


@dataclass
class ProjectFacts:
    number: str
    unit: str
    investment: Decimal
    reached: dict[str, date] = field(default_factory=dict)


@dataclass
class Replay:
    """Everything the summary needs, gathered in one pass over the log."""

    period: Period
    end: str
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    projects: dict[str, ProjectFacts] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    problem_units: dict[str, str] = field(default_factory=dict)

    def in_period(self, day: date | str) -> bool:
        return self.period.contains(date.fromisoformat(day) if isinstance(day, str) else day)

    def effective_in_period(self, effective_at: str) -> bool:
        return self.in_period(shanghai_date(datetime.fromisoformat(effective_at)))


def summarize(ledger: Ledger, period: Period, unit: str | None = None,
              known_at: datetime | None = None) -> dict[str, Any]:
    known = ts(known_at or ledger.clock())
    end_moment = end_of_day(period.last_day)
    replay = Replay(period, ts(end_moment))
    db, position, head = Db(ledger.recorder), 0, ledger.recorder.max_notification_id() or 0
    from integrity.guard import LeafCheck

    check = LeafCheck(ledger.recorder)  # a changed event is refused, naming its position (docs/integrity.md)
    while position < head:
        batch = db.read_log(position, head, 5000)
        if not batch:
            break
        check(batch)
        for row in batch:
            record = decode(row)
            if record.recorded_at <= known:
                _take(replay, record)
        position = batch[-1][0]
    calendar = ledger.calendar(end_moment, known_at)
    enrolments = [Enrolment(u["code"], date.fromisoformat(u["enrolled_on"]),
                            date.fromisoformat(u["withdrawn_on"]) if u["withdrawn_on"] else None)
                  for u in replay.units.values()]
    sendings = {r["report_id"]: Sending(r["status"] in ("sent", "accepted"),
                                        datetime.fromisoformat(r["last_sent"]) if r["last_sent"] else None)
                for r in replay.reports.values()}
    due = [o for o in obligations_at(calendar, enrolments, sendings, end_moment) if period.contains(o["due_on"])]
    codes = sorted(u["code"] for u in replay.units.values()) if unit is None else [unit]
    rows = [_unit_row(replay, code, [o for o in due if o["unit"] == code]) for code in codes]
    return {"period": str(period), "from": period.first_day, "to": period.last_day,
            "known_at": datetime.fromisoformat(known), "units": rows,
            "total": _total([_unit_row(replay, "", [])] + rows)}  # from zero, even with no unit


def _take(replay: Replay, r: Record) -> None:
    kind, event = r.kind, r.event
    s = r.state
    effective_by_end = r.effective_at <= replay.end
    if kind == "Unit" and effective_by_end:
        u = replay.units.setdefault(r.aggregate_id, {})
        if event == "Enrolled":
            u.update(code=s["code"], name=s["name"], enrolled_on=s["enrolled_on"], withdrawn_on=None)
        elif event == "Withdrawn":
            u["withdrawn_on"] = s["on"]
        elif event == "Updated":
            u["name"] = s["name"]
    elif kind == "Project":
        _project(replay, r, event, effective_by_end)
    elif kind == "Problem":
        if event == "Raised":
            replay.problem_units[r.aggregate_id] = s["unit"]
        if event in ("Raised", "Closed") and replay.effective_in_period(r.effective_at):
            replay.counts[replay.problem_units[r.aggregate_id]][f"problems_{event.lower()}"] += 1
    elif kind == "Report" and effective_by_end:
        x = replay.reports.setdefault(r.aggregate_id, {"last_sent": None})
        if event == "Drafted":
            x["report_id"] = s["report_id"]
        x["status"] = {"Drafted": "draft", "Revised": "draft", "Approved": "approved", "Sent": "sent",
                       "Accepted": "accepted", "Returned": "returned"}[event]
        if event == "Sent":
            x["last_sent"] = r.effective_at


def _project(replay: Replay, r: Record, event: str, effective_by_end: bool) -> None:
    s = r.state
    if event == "Registered":
        replay.projects[r.aggregate_id] = ProjectFacts(s["number"], s["unit"], Decimal(s["investment"]))
    p = replay.projects[r.aggregate_id]
    counts = replay.counts[p.unit]
    if event in ("Registered", "Promoted", "Terminated") and replay.effective_in_period(r.effective_at):
        counts[{"Registered": "projects_added", "Promoted": "projects_promoted",
                "Terminated": "projects_terminated"}[event]] += 1
    elif event == "Updated" and s.get("investment") is not None and effective_by_end:
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


def _unit_row(replay: Replay, code: str, due: list[dict[str, Any]]) -> dict[str, Any]:
    name = next((u["name"] for u in replay.units.values() if u["code"] == code), code)
    projects = [p for p in replay.projects.values() if p.unit == code]
    reached = {stage.value: sum(1 for p in projects if replay.in_period(p.reached.get(stage.value, date.min)))
               for stage in Stage if stage is not Stage.LEAD}

    def invested(stage: Stage) -> Decimal:
        return sum((p.investment for p in projects if replay.in_period(p.reached.get(stage.value, date.min))), ZERO)

    services = [s for s in replay.services.values() if s["unit"] == code]
    ratings = Counter(e["rating"] for e in replay.evaluations if e["unit"] == code)
    statuses = Counter(o["status"] for o in due)
    return {
        "unit": code, "name": name, **{k: replay.counts[code][k] for k in COUNTS[:3]},
        "stages_reached": reached, "signed_investment_wan": invested(Stage.SIGNED),
        "landed_investment_wan": invested(Stage.LANDED),
        **{k: replay.counts[code][k] for k in COUNTS[3:5]},
        "services": len(services), "services_amount_wan": sum((s["amount"] for s in services), ZERO),
        "ratings": {rating: ratings.get(rating, 0) for rating in "ABCD"},
        "reports_owed": len(due), "reports_on_time": statuses[ON_TIME], "reports_late": statuses[LATE],
        "reports_missing": statuses[OVERDUE],
        "evaluations": [{k: e[k] for k in ("project", "period", "rating", "comment")}
                        for e in replay.evaluations if e["unit"] == code],
    }


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for row in rows:
        for key, value in row.items():
            if key in ("unit", "name"):
                continue
            if isinstance(value, list):
                total.setdefault(key, []).extend(value)
                continue
            if isinstance(value, dict):
                inner = total.setdefault(key, {})
                for k, v in value.items():
                    inner[k] = inner.get(k, 0) + v
            else:
                total[key] = total.get(key, ZERO if isinstance(value, Decimal) else 0) + value
    return total

