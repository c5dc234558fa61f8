"""Rebuild equals incremental (issue 4, item 5): for hypothesis-generated command sequences, the views
caught up every few commands (in batches of a drawn size) hold exactly the tables a replay of the
whole log builds, and the current tables answer as the version history does. Commands the domain
refuses are skipped; anything else that goes wrong fails.

Each example gets a SQLite file of its own, holding a commission like the `commission` fixture's."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Ledger
from domain.errors import DomainError
from domain.values import UTC, Level, ProblemCategory, Rating, Sector, ServiceKind, Stage, shanghai_date
from projections import runner
from projections.queries import Moment, Queries
from projections.rebuild import rebuild_views
from tests.conftest import MACHINE, Clock
from tests.projections.support import assert_a_version_row_per_event, commission_like, dump

OFFICE = "许办公"
LIAISON = {"HW": "孙联络", "GY": "周联络"}
MONTHS = ["2021-08", "2021-09", "2021-10", "2021-11"]
MONTHLY = ["project_status", "tracking_feedback", "service_list"]


@dataclass
class Made:
    """What the sequence has created so far, for later commands to pick from."""

    projects: list[str] = field(default_factory=lambda: ["HW-2021-001"])
    problems: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    command: str
    pick: int  # which project, problem, service or report (modulo how many there are)
    days_back: int  # a business date this many days before today
    hours: int  # how far the clock moves first
    catch_up: bool  # whether the views catch up after this step


def _today(ledger: Ledger) -> date:
    return shanghai_date(ledger.clock())


def _pick(items: list[str], i: int) -> str:
    if not items:
        raise DomainError("nothing to pick yet")
    return items[i % len(items)]


def _register(ledger: Ledger, made: Made, s: Step) -> None:
    unit = "HW" if s.pick % 2 == 0 else "GY"
    number = f"{unit}-2021-{len(made.projects) + 1:03d}"
    sector = Sector.SANITATION if unit == "HW" else Sector.GAS_HEATING
    ledger.add_project(LIAISON[unit], number, unit, f"项目{number}", sector, Level.UNIT, "某投资方",
                       Decimal(s.pick * 100 + s.days_back) / 4)
    made.projects.append(number)


def _advance(ledger: Ledger, made: Made, s: Step) -> None:
    stage = list(Stage)[1 + s.pick % 5]
    ledger.advance_project(OFFICE, _pick(made.projects, s.pick), stage, _today(ledger) - timedelta(s.days_back))


def _raise(ledger: Ledger, made: Made, s: Step) -> None:
    due = _today(ledger) + timedelta(s.days_back) if s.pick % 3 else None
    made.problems.append(ledger.raise_problem(OFFICE, _pick(made.projects, s.pick), f"问题{s.pick}",
                                              list(ProblemCategory)[s.pick % 5], due))


def _service(ledger: Ledger, made: Made, s: Step) -> None:
    amount = Decimal(s.pick) + Decimal("0.25") if s.pick % 2 else None
    made.services.append(ledger.add_service(OFFICE, _pick(made.projects, s.pick), list(ServiceKind)[s.pick % 6],
                                            _today(ledger) - timedelta(s.days_back), f"服务{s.pick}", amount))


def _draft(ledger: Ledger, made: Made, s: Step) -> None:
    unit = "HW" if s.pick % 3 else "GY"
    report_id = ledger.draft_report(LIAISON[unit], unit, MONTHLY[s.pick % 3], MONTHS[s.days_back % 4],
                                    [(f"表{s.pick}.xlsx", f"form {s.pick}".encode())])
    made.reports.append(report_id)


def _liaison_of(report_id: str) -> str:
    return LIAISON[report_id.split("/")[0]]


Command = Callable[[Ledger, Made, Step], None]
COMMANDS: dict[str, Command] = {
    "register": _register,
    "advance": _advance,
    "note": lambda l, m, s: l.note_progress(OFFICE, _pick(m.projects, s.pick), f"进展{s.pick}",
                                            _today(l) - timedelta(s.days_back)),
    "update": lambda l, m, s: l.update_project(OFFICE, _pick(m.projects, s.pick), investment=Decimal(s.hours)),
    "suspend": lambda l, m, s: l.suspend_project(OFFICE, _pick(m.projects, s.pick), "资金调整"),
    "resume": lambda l, m, s: l.resume_project(OFFICE, _pick(m.projects, s.pick), "资金到位"),
    "terminate": lambda l, m, s: l.terminate_project(OFFICE, _pick(m.projects, s.pick), "投资方退出"),
    "promote": lambda l, m, s: l.promote_project(OFFICE, _pick(m.projects, s.pick), "带动性强"),
    "demote": lambda l, m, s: l.demote_project(OFFICE, _pick(m.projects, s.pick), "推进缓慢"),
    "evaluate": lambda l, m, s: l.evaluate_project(OFFICE, _pick(m.projects, s.pick), MONTHS[s.pick % 4],
                                                   list(Rating)[s.pick % 4], None),
    "raise": _raise,
    "escalate": lambda l, m, s: l.escalate_problem(OFFICE, _pick(m.problems, s.pick), "规划计划处"),
    "answer": lambda l, m, s: l.answer_problem(OFFICE, _pick(m.problems, s.pick), "已反馈投资方"),
    "close": lambda l, m, s: l.close_problem(OFFICE, _pick(m.problems, s.pick)),
    "reopen": lambda l, m, s: l.reopen_problem(OFFICE, _pick(m.problems, s.pick), "投资方再次反映"),
    "service": _service,
    "void": lambda l, m, s: l.void_service(OFFICE, _pick(m.services, s.pick), "重复登记"),
    "draft": _draft,
    "approve": lambda l, m, s: l.approve_report("赵处长", _pick(m.reports, s.pick)),
    "send": lambda l, m, s: l.send_report(_liaison_of(_pick(m.reports, s.pick)), _pick(m.reports, s.pick), True),
    "accept": lambda l, m, s: l.accept_report(OFFICE, _pick(m.reports, s.pick)),
    "return": lambda l, m, s: l.return_report(OFFICE, _pick(m.reports, s.pick), "数据不一致"),
    "revise": lambda l, m, s: l.revise_report(_liaison_of(_pick(m.reports, s.pick)), _pick(m.reports, s.pick),
                                              note="已更正"),
}

CREATING = ["register", "advance", "raise", "service", "draft", "approve", "send"]  # drawn more often
steps = st.builds(Step, st.sampled_from(sorted(COMMANDS) + CREATING * 2), st.integers(0, 11), st.integers(0, 40),
                  st.integers(1, 24 * 9), st.booleans())


def play(ledger: Ledger, clock: Clock, sequence: list[Step], backfills: list[bool] | None = None) -> int:
    """Apply the sequence, catching the views up where a step says so; returns how many were recorded.
    A step drawn as backfilled (`backfills`) is entered as done on paper `days_back` days earlier (refused
    by the domain when it would go before an aggregate's later history)."""
    made, done = Made(), 0
    for i, s in enumerate(sequence):
        clock.advance(hours=s.hours)
        target = ledger
        if backfills and backfills[i]:
            target = ledger.backfilling(at=clock() - timedelta(days=s.days_back, hours=s.pick), by=OFFICE,
                                        because="纸质台账补录")
        try:
            COMMANDS[s.command](target, made, s)
            done += 1
        except DomainError:
            pass
        if s.catch_up:
            Queries(ledger)
    return done


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=15, max_size=40), batch=st.sampled_from([1, 2, 5, 2000]))
def test_views_caught_up_along_the_way_equal_a_rebuild_from_the_whole_log(sequence, batch):
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(datetime(2021, 9, 1, 2, 0, tzinfo=UTC))
        ledger = Ledger(f"sqlite:///{Path(folder) / 'ledger.db'}", clock=clock, machine=MACHINE)
        try:
            commission_like(ledger)
            Queries(ledger)
            with mock.patch.object(runner, "BATCH", batch):  # incremental in drawn batches, the rebuild not
                play(ledger, clock, sequence)
                queries = Queries(ledger)
            head = ledger.recorder.max_notification_id()
            assert queries.runner.positions() == {name: head for name in queries.runner.views}
            incremental = dump(ledger)
            assert_a_version_row_per_event(ledger, head, some=False)
            rebuild_views(queries.runner)
            assert dump(ledger) == incremental
            now = ledger.clock()  # the current tables (and their tallies) answer as the history does
            assert queries.progress() == queries.progress(now)
            assert queries.board() == queries.board(Moment(now))
        finally:
            ledger.close()


def test_the_generated_commands_are_mostly_accepted_by_the_domain():
    """Guards the property above against testing only refusals: a plausible sequence records every step."""
    sequence = [Step(c, p, d, 30, p % 2 == 0) for c, p, d in [
        ("register", 1, 0), ("advance", 0, 3), ("advance", 2, 0), ("promote", 1, 0), ("raise", 1, 5),
        ("escalate", 0, 0), ("answer", 0, 0), ("close", 0, 0), ("reopen", 0, 0), ("service", 1, 1),
        ("service", 2, 0), ("void", 0, 0), ("draft", 1, 0), ("approve", 0, 0), ("send", 0, 0), ("return", 0, 0),
        ("revise", 0, 0), ("approve", 0, 0), ("send", 0, 0), ("accept", 0, 0), ("suspend", 1, 0),
        ("resume", 1, 0), ("evaluate", 1, 1), ("demote", 1, 0), ("note", 0, 2), ("update", 0, 0),
        ("terminate", 1, 0),
    ]]
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(datetime(2021, 9, 1, 2, 0, tzinfo=UTC))
        ledger = Ledger(f"sqlite:///{Path(folder) / 'ledger.db'}", clock=clock, machine=MACHINE)
        try:
            commission_like(ledger)
            assert play(ledger, clock, sequence) == len(sequence)
        finally:
            ledger.close()
