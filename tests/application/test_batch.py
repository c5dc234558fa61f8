"""The unit of work (`with ledger.batch():`): commands see each other's changes, their events are saved
together at the end in one transaction, or not at all."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from domain.application import Ledger
from domain.batch import Batch
from domain.errors import AlreadyExists, RuleViolated
from domain.values import Level, ProblemCategory, Sector, Stage
from integrity.verify import scan
from projections.queries import Queries
from projections.rebuild import rebuild_views
from tests.conftest import MACHINE
from tests.projections.support import dump

RACE = "someone else changed this at the same moment; nothing was recorded"


def head(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def add_project(ledger: Ledger, number: str) -> None:
    ledger.add_project("孙联络", number, "HW", f"项目{number}", Sector.SANITATION, Level.CITY, "某公司",
                       Decimal("100.00"))


def test_commands_in_a_batch_see_each_other_and_are_stored_together_at_its_end(commission):
    before = head(commission)
    with commission.batch():
        add_project(commission, "HW-2021-002")
        commission.advance_project("孙联络", "HW-2021-002", Stage.NEGOTIATING, date(2021, 9, 1))
        commission.note_progress("孙联络", "HW-2021-002", "签约后进场准备")
        problem = commission.raise_problem("孙联络", "HW-2021-002", "用地手续", ProblemCategory.LAND)
        commission.answer_problem("孙联络", problem, "已协调")
        assert commission.project("HW-2021-002").stage is Stage.NEGOTIATING
        assert "HW-2021-002" in [p.number for p in commission.projects()]
        assert head(commission) == before  # nothing stored yet
    assert head(commission) == before + 6
    project = commission.project("HW-2021-002")
    assert (project.stage, project.version) == (Stage.NEGOTIATING, 4)
    assert commission.problem(problem).status == "answered"


def test_an_exception_inside_a_batch_records_nothing(commission):
    before = head(commission)
    with pytest.raises(AlreadyExists, match="already registered"):
        with commission.batch():
            add_project(commission, "HW-2021-002")
            commission.note_progress("孙联络", "HW-2021-001", "进展")
            add_project(commission, "HW-2021-002")
    assert head(commission) == before
    assert "HW-2021-002" not in [p.number for p in commission.projects()]
    assert commission.project("HW-2021-001").version == 1


def test_a_command_refused_inside_a_batch_and_caught_leaves_no_trace(commission):
    with commission.batch():
        commission.note_progress("孙联络", "HW-2021-001", "第一条")
        project = commission.project("HW-2021-001")
        project.note(commission._stamp_for("孙联络", project_role(commission)), "未保存", None)  # changed, never saved
        commission.note_progress("孙联络", "HW-2021-001", "第二条")
    notes = [e.text for e in commission.history(commission.project("HW-2021-001").id) if hasattr(e, "text")]
    assert notes == ["第一条", "第二条"]


def project_role(ledger: Ledger):
    return ledger.person("孙联络").role


def test_a_copy_of_the_ledger_made_inside_a_batch_records_into_it(commission):
    before = head(commission)
    with commission.batch():
        other = copy.copy(commission)
        other.note_progress("孙联络", "HW-2021-001", "副本记录")
        commission.note_progress("孙联络", "HW-2021-001", "原本记录")
        assert head(commission) == before
    assert head(commission) == before + 2
    assert commission.project("HW-2021-001").version == 3


@pytest.mark.parametrize("projects", [40, 600], ids=["small", "bulk"])  # 1,200 events take the bulk insert
def test_the_leaves_of_a_batched_write_verify(commission, projects):
    with commission.batch():
        for i in range(2, projects + 2):
            add_project(commission, f"HW-2021-{i:03d}")
            commission.note_progress("孙联络", f"HW-2021-{i:03d}", f"第{i}条")
    result = scan(commission.recorder)
    assert result.intact and not result.problems
    assert result.tree_size == head(commission) == result.events


@pytest.mark.parametrize("notes", [1, 1200], ids=["small", "bulk"])
def test_a_batch_racing_a_single_command_on_one_aggregate_records_nothing(commission, store, clock, notes):
    before = head(commission)
    other = Ledger(store, clock=clock, machine=MACHINE, create=False)
    try:
        with pytest.raises(RuleViolated, match=RACE):
            with commission.batch():
                add_project(commission, "HW-2021-002")
                for i in range(notes):
                    commission.note_progress("孙联络", "HW-2021-002", f"批量中的第{i}条")
                commission.note_progress("孙联络", "HW-2021-001", "批量中的记录")
                other.note_progress("孙联络", "HW-2021-001", "抢先的记录")  # wins: stored first
    finally:
        other.close()
    assert head(commission) == before + 1
    assert "HW-2021-002" not in [p.number for p in commission.projects()]
    assert [e.text for e in commission.history(commission.project("HW-2021-001").id) if hasattr(e, "text")] == \
        ["抢先的记录"]
    assert scan(commission.recorder).intact


def test_views_replayed_after_a_batch_equal_the_views_kept_up_along_the_way(commission):
    queries = Queries(commission)
    with commission.batch():
        for i in range(2, 12):
            add_project(commission, f"HW-2021-{i:03d}")
            commission.advance_project("孙联络", f"HW-2021-{i:03d}", Stage.NEGOTIATING, date(2021, 9, 1))
            commission.raise_problem("孙联络", f"HW-2021-{i:03d}", "用地", ProblemCategory.LAND)
    queries.runner.catch_up()
    assert len(queries.board()) == 11
    incremental = dump(commission)
    rebuild_views(queries.runner)
    assert dump(commission) == incremental


def test_state_at_inside_a_batch_answers_as_outside_it_for_moments_in_any_order(ledger, clock):
    """Ledger.state_at continues its fold inside a batch (rule 11: effective times grow along an
    aggregate); asked for later, earlier and equal moments it answers as the plain fold does."""
    from datetime import date, timedelta

    from domain.unit import Unit
    from domain.values import Role, UnitKind

    def seen(state):
        return None if state is None else (state.version, state.officer(Role.PRINCIPAL), state.officer(Role.LIAISON))

    ledger.init("管理员")
    ledger.add_unit("管理员", "HW", "环境卫生管理处", UnitKind.DEPARTMENT, date(2021, 8, 31))
    for name, role in (("赵处长", Role.PRINCIPAL), ("孙联络", Role.LIAISON), ("钱联络", Role.LIAISON)):
        clock.advance(days=1)
        if name == "钱联络":
            ledger.update_person("管理员", "孙联络", role=Role.STAFF)
        ledger.add_person("管理员", name, role, "HW")
    unit = Unit.id_for("HW")
    history = ledger.history(unit)
    moments = [e.effective_at for e in history] + [history[0].effective_at - timedelta(seconds=1)]
    moments += [history[-1].effective_at + timedelta(days=1)]
    order = moments[2:] + moments[:2] + moments[::-1]
    plain = [seen(ledger.state_at(unit, at)) for at in order]
    with ledger.batch():
        batched = [seen(ledger.state_at(unit, at)) for at in order]
    assert batched == plain and len(set(plain)) >= 4


class _Event:
    def __init__(self, originator_id, originator_version: int) -> None:
        self.originator_id, self.originator_version = originator_id, originator_version


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.lists(st.integers(min_value=0, max_value=4), max_size=6), st.none()), max_size=12))
def test_a_batch_indexes_its_events_when_asked_as_it_would_have_on_each_collect(steps):
    """`by_aggregate` and `created` are filled in only when asked; asked after any sequence of collects,
    they equal what indexing every event as it joined gives."""
    batch, collected, versions = Batch(), [], {}
    for step in steps:
        if step is None:  # ask
            by_aggregate: dict = {}
            for event in collected:
                by_aggregate.setdefault(event.originator_id, []).append(event)
            assert batch.by_aggregate == by_aggregate
            assert batch.created == [(_Event, e.originator_id) for e in collected if e.originator_version == 1]
            continue
        events = []
        for aggregate in step:
            versions[aggregate] = versions.get(aggregate, 0) + 1
            events.append(_Event(aggregate, versions[aggregate]))
        batch.collect(events)
        collected += events
    assert batch.events == collected


class _CountedList(list):
    """A list that counts the items handed out by iterating it."""

    def __init__(self) -> None:
        super().__init__()
        self.handed = 0

    def __iter__(self):
        for item in super().__iter__():
            self.handed += 1
            yield item


def test_a_batch_asked_after_every_command_steps_over_each_event_once():
    """A paper import asks the batch's index after every row: each ask must look only at the events that
    joined since the last (stepping over the earlier ones again made a 100,000-row import quadratic)."""
    batch = Batch()
    batch.events = _CountedList()
    for n in range(1, 501):
        batch.collect([_Event(n % 7, n)])
        batch.by_aggregate
    assert len(batch.events) == 500 and batch.events.handed <= 500
