"""The three-colour lamps (三色预警, docs/domain.md rule 17): pure functions from what the ledger knew of a
project, a problem, a report obligation or a 督办 at T, and the lamp rules in force on T's Shanghai
date, to its lamp: colour, the rule that lit it, since when, why (in Chinese) and what would turn it
green. Where the rule of a report's deadline is needed, domain/deadlines.py answers it."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from domain.deadlines import LATE, ON_TIME, Standing, deadline
from domain.values import Labelled, Stage, shanghai_date
from domain.values import start_of_day as _start_of_day


class Colour(Labelled):
    RED = "red", "红灯"
    YELLOW = "yellow", "黄灯"
    GREEN = "green", "绿灯"


RED, YELLOW, GREEN = "red", "yellow", "green"
COLOURS = (RED, YELLOW, GREEN)
RANK = {RED: 0, YELLOW: 1, GREEN: 2}
LABELS = {c.value: c.label for c in Colour}
RANK_OF_STAGE = {stage.value: index for index, stage in enumerate(Stage)}  # Stage.rank, without the enum's cost
RULES = {
    "no_progress": "无进展", "plan_overdue": "超计划", "after_red": "红灯消除后观察期", "on_track": "正常",
    "due_soon": "临近期限", "overdue": "逾期",
}


@dataclass(frozen=True)
class Thresholds:
    """A policy's lamp rules (`domain.policy.LampRules`) as plain values, read back from the store where
    they were checked when the policy was loaded: a read that needs only the lamps' thresholds builds no
    pydantic model (docs/performance.md). The defaults are LampRules' (tests/unit/test_lamps.py checks).
    The lamp functions below take either: a `rules: Thresholds` may be the policy's LampRules, same fields."""

    libraries: tuple[str, ...] = ("key",)
    until_stage: str = "operating"
    yellow_after_months: int = 2
    red_after_months: int = 3
    due_soon_days: int = 3
    yellow_after_red_days: int = 30

    @classmethod
    def stored(cls, data: Mapping[str, Any] | None) -> Thresholds:
        """From a stored policy's `lamps` table (absent in a policy stored before lamps were rules)."""
        values = dict(data or {})
        if "libraries" in values:
            values["libraries"] = tuple(values["libraries"])
        return cls(**values)


@dataclass(frozen=True)
class Lamp:
    colour: str
    rule: str
    since: datetime
    reason: str
    turns_green: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"colour": self.colour, "rule": self.rule, "since": self.since, "reason": self.reason,
                "turns_green": self.turns_green}


def worst(lamps: list[Lamp]) -> Lamp:
    """The lamp to show: the worst colour; of equals, the one lit longest."""
    return min(lamps, key=lambda lamp: (RANK[lamp.colour], lamp.since))


@lru_cache(maxsize=16384)
def start_of_day(day: date) -> datetime:
    return _start_of_day(day)


@lru_cache(maxsize=16384)
def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _after_red(cleared: datetime, rules: Thresholds, at: datetime, what: str) -> Lamp | None:
    """Rule 17: a lamp that was red stays yellow for `yellow_after_red_days` after it clears."""
    until = shanghai_date(cleared) + timedelta(days=rules.yellow_after_red_days)
    if cleared <= at and shanghai_date(at) < until:
        return Lamp(YELLOW, "after_red", cleared, f"{what}，{shanghai_date(cleared)} 红灯消除，观察至 {until}",
                    f"{until} 起转为绿灯")
    return None


# -- projects ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectFacts:
    """A project as the ledger held it at T: what the lamp rules read."""

    number: str
    library: str
    stage: str
    status: str
    registered_on: date
    last_progress_on: date | None = None
    prev_progress_on: date | None = None
    stage_on: date | None = None
    plans: Mapping[str, date] = field(default_factory=dict)

    @property
    def baseline(self) -> date:
        """The business date progress is counted from: the last progress, or registration if later."""
        return max(self.last_progress_on or self.registered_on, self.registered_on)


def is_lit(facts: ProjectFacts, rules: Thresholds) -> bool:
    """Lit: active, in a library the rules name, and short of the stage where lamps stop."""
    return (facts.status == "active" and facts.library in rules.libraries
            and RANK_OF_STAGE[facts.stage] < RANK_OF_STAGE[rules.until_stage])


def project_lamp(facts: ProjectFacts, rules: Thresholds, at: datetime) -> Lamp | None:
    if not is_lit(facts, rules):
        return None
    today = shanghai_date(at)
    base = facts.baseline
    progressed = facts.last_progress_on is not None and facts.last_progress_on >= facts.registered_on
    last = f"最近一次进展 {base}" if progressed else f"登记于 {base}，此后未记录进展"
    lamps = []
    for months, colour in ((rules.red_after_months, RED), (rules.yellow_after_months, YELLOW)):
        turns = add_months(base, months)
        if today >= turns:
            lamps.append(Lamp(colour, "no_progress", start_of_day(turns), f"连续{months}个月无进展，{last}",
                              "记录一次进展（推进环节、进展情况或服务）"))
            break
    rank = RANK_OF_STAGE[facts.stage]
    for stage, by in sorted(facts.plans.items(), key=lambda item: item[1]):
        target = Stage(stage)
        if RANK_OF_STAGE[stage] > rank and today > by:
            lamps.append(Lamp(RED, "plan_overdue", deadline(by) + timedelta(microseconds=1),
                              f"计划于 {by} 前{target.label}，已超期{(today - by).days}天，现处于{Stage(facts.stage).label}",
                              f"推进到{target.label}，或调整计划日期"))
        elif RANK_OF_STAGE[stage] <= rank and facts.stage_on is not None and facts.stage_on > by:
            glow = _after_red(start_of_day(facts.stage_on), rules, at, f"计划于 {by} 前{target.label}，{facts.stage_on} 才达到")
            if glow:
                lamps.append(glow)
    prev = facts.prev_progress_on
    if prev is not None and add_months(prev, rules.red_after_months) <= base:
        glow = _after_red(start_of_day(base), rules, at, f"{prev} 至 {base} 连续{rules.red_after_months}个月以上无进展")
        if glow:
            lamps.append(glow)
    if lamps:
        return worst(lamps)
    return Lamp(GREEN, "on_track", start_of_day(base), f"正常推进，{last}")


def project_lamp_colour(facts: ProjectFacts, rules: Thresholds, at: datetime) -> str | None:
    """`project_lamp(facts, rules, at).colour` (None when unlit), without making a lamp: for counting
    many projects, where only the worst colour matters (a red ends the judgement). A glow after a red
    that cleared on day d shows while d <= T's Shanghai date < d + `yellow_after_red_days`."""
    if not is_lit(facts, rules):
        return None
    today = shanghai_date(at)
    base = facts.baseline
    if today >= add_months(base, rules.red_after_months):
        return RED
    yellow = today >= add_months(base, rules.yellow_after_months)
    glow = timedelta(days=rules.yellow_after_red_days)
    rank = RANK_OF_STAGE[facts.stage]
    reached = facts.stage_on
    for stage, by in facts.plans.items():
        if RANK_OF_STAGE[stage] > rank:
            if today > by:
                return RED
        elif reached is not None and reached > by and reached <= today < reached + glow:
            yellow = True
    prev = facts.prev_progress_on
    if prev is not None and add_months(prev, rules.red_after_months) <= base and base <= today < base + glow:
        yellow = True
    return YELLOW if yellow else GREEN


@dataclass(frozen=True)
class Cutoffs:
    """For counting many projects at once: a project without plans whose baseline is on or before
    `settled_by` can no longer glow yellow after a red, so its colour follows its baseline alone —
    red on or before `red_by`, yellow on or before `yellow_by`, else green (what project_lamp says)."""

    red_by: date
    yellow_by: date
    settled_by: date
    stages: tuple[str, ...]  # the stages that are lit


def cutoffs(rules: Thresholds, at: datetime) -> Cutoffs:
    today = shanghai_date(at)

    def latest(months: int) -> date:
        """The last baseline that has gone `months` calendar months without progress by today."""
        day = add_months(today, -months)
        while add_months(day + timedelta(days=1), months) <= today:
            day += timedelta(days=1)
        return day

    stages = tuple(s for s, rank in RANK_OF_STAGE.items() if rank < RANK_OF_STAGE[rules.until_stage])
    return Cutoffs(latest(rules.red_after_months), latest(rules.yellow_after_months),
                   today - timedelta(days=rules.yellow_after_red_days), stages)


# -- things with a due date: problems, reports, 督办 ------------------------------------------------

def _due_lamp(what: str, due_on: date, rules: Thresholds, at: datetime, act: str, since: datetime) -> Lamp:
    today = shanghai_date(at)
    if at > deadline(due_on):
        return Lamp(RED, "overdue", deadline(due_on) + timedelta(microseconds=1),
                    f"{what}限期 {due_on}，已逾期{(today - due_on).days}天", act)
    soon = due_on - timedelta(days=rules.due_soon_days)
    if today >= soon:
        left = (due_on - today).days
        return Lamp(YELLOW, "due_soon", max(start_of_day(soon), since),
                    f"{what}限期 {due_on}，" + ("今天到期" if left == 0 else f"还剩{left}天"), f"在 {due_on} 前{act}")
    return Lamp(GREEN, "on_track", since, f"{what}限期 {due_on}，尚未临近", None)


def problem_lamp(due_on: date | None, status: str, raised_at: datetime, closed_at: datetime | None,
                 rules: Thresholds, at: datetime) -> Lamp | None:
    """An open problem by its due date; a closed one only while the yellow after a red still shows."""
    if status == "closed":
        if due_on is not None and closed_at is not None and closed_at > deadline(due_on):
            return _after_red(closed_at, rules, at, f"问题限期 {due_on}，逾期后销号")
        return None
    if due_on is None:
        return Lamp(GREEN, "on_track", raised_at, "问题未设限期", None)
    return _due_lamp("问题", due_on, rules, at, "解决并销号", raised_at)


def problem_lamp_colour(due_on: date | None, status: str, closed_at: datetime | None, rules: Thresholds,
                   at: datetime) -> str | None:
    """`problem_lamp(...).colour` (None when unlit), without making a lamp: for counting many problems."""
    if status == "closed":
        if (due_on is not None and closed_at is not None and closed_at > deadline(due_on) and closed_at <= at
                and shanghai_date(at) < shanghai_date(closed_at) + timedelta(days=rules.yellow_after_red_days)):
            return YELLOW
        return None
    if due_on is None:
        return GREEN
    if at > deadline(due_on):
        return RED
    return YELLOW if shanghai_date(at) >= due_on - timedelta(days=rules.due_soon_days) else GREEN


def report_lamp(title: str, due_on: date, opens_on: date, standing: Standing, rules: Thresholds,
                at: datetime) -> Lamp | None:
    """An obligation open at T by its standing (domain/deadlines.py); sent ones only while they still
    tell something: late ones during the yellow after red, on-time ones within that many days of their due date."""
    if standing.status == LATE:
        assert standing.sent_at is not None
        return _after_red(standing.sent_at, rules, at, f"{title}应于 {due_on} 报送，逾期后报送")
    if standing.status == ON_TIME:
        if (shanghai_date(at) - due_on).days >= rules.yellow_after_red_days:
            return None
        return Lamp(GREEN, "on_track", standing.sent_at or start_of_day(opens_on), f"{title}已按时报送", None)
    return _due_lamp(title, due_on, rules, at, f"报送{title}", start_of_day(opens_on))


def supervision_lamp(due_on: date, status: str, opened_at: datetime, answered_at: datetime | None,
                     rules: Thresholds, at: datetime) -> Lamp | None:
    """An open 督办 by its due date (past due: red); an answered one is green, or yellow for a while
    when it was answered late; a closed one has no lamp unless that yellow still shows."""
    if status == "open":
        return _due_lamp("督办", due_on, rules, at, "答复督办", opened_at)
    late = answered_at is not None and answered_at > deadline(due_on)
    glow = _after_red(answered_at, rules, at, f"督办限期 {due_on}，逾期后答复") if late and answered_at else None
    if glow or status == "closed":
        return glow
    return Lamp(GREEN, "on_track", answered_at or opened_at, "督办已答复，待办公室办结", None)
