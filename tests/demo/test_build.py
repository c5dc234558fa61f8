"""The demo package (issue 11, item 4): its year is deterministic, and building it plays every step
through the Ledger, so the store ends as the timeline says (no rule is re-checked here: a step the
rules refused would have stopped the build)."""

from __future__ import annotations

from collections import Counter

import pytest

from demo import ADOPTED, ENROLLED, build
from demo.build import PAPER_REASON
from demo import data
from demo.reports import reporting_steps
from domain.errors import AlreadyExists
from domain.values import ProjectStatus, Stage
from projections.queries import Queries


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ledger = build(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    yield ledger
    ledger.close()


def test_the_timeline_is_deterministic_and_seeded():
    assert data.timeline() == data.timeline(116)
    assert data.timeline(7) != data.timeline()
    assert reporting_steps(ENROLLED, data.END) == reporting_steps(ENROLLED, data.END)


def test_every_project_ends_at_the_stage_and_status_its_last_steps_give(built):
    steps = data.timeline()
    for p in data.PROJECTS:
        mine = [s for s in steps if s.args.get("number") == p.number]
        moves = [s.args["to"] for s in mine if s.action == "advance"]
        project = built.project(p.number)
        assert project.stage == (moves[-1] if moves else Stage.LEAD), p.number
        ended = "terminate" in {s.action for s in mine}
        assert (project.status == ProjectStatus.TERMINATED) == ended, p.number
    assert sum(built.project(p.number).status == ProjectStatus.TERMINATED for p in data.PROJECTS) == 2


def test_the_problems_end_in_the_loop_the_timeline_plans(built):
    statuses = Counter(row["status"] for row in Queries(built).problems())
    assert statuses == {"closed": 17, "answered": 3, "escalated": 3, "open": 2}


def test_the_demo_refuses_a_store_that_already_holds_a_ledger(built, tmp_path):
    store = f"sqlite:///{tmp_path / 'twice.db'}"
    build(store).close()
    with pytest.raises(AlreadyExists, match="only into an empty store"):
        build(store)


def test_the_months_before_the_ledger_was_adopted_are_entered_from_paper(built):
    """docs/domain.md rule 11: the autumn of 2021 took effect then, was recorded on the adoption day by
    the office's clerk, names who did it on paper, and is hidden as known before that day."""
    from datetime import datetime, time

    from domain.values import SHANGHAI, UTC
    from projections.queries import Moment

    clerk = next(p.name for p in data.OFFICE_PEOPLE if p.role == "office")
    adopted = datetime.combine(ADOPTED, time(0), tzinfo=SHANGHAI).astimezone(UTC)
    first = next(p for p in data.PROJECTS if p.number == "HW-2021-001")
    history = built.history(built.project(first.number).id)
    paper = [e for e in history if e.effective_at < adopted]
    live = [e for e in history if e.effective_at >= adopted]
    assert paper and live
    assert all(e.backfill_reason == PAPER_REASON and e.actor == clerk and e.timestamp >= adopted for e in paper)
    assert {e.done_by for e in paper} <= {p.name for p in data.UNIT_PEOPLE + data.OFFICE_PEOPLE}
    assert all(e.backfill_reason is None and e.done_by == e.actor for e in live)
    views = Queries(built)
    end_of_2021 = datetime(2021, 12, 31, 23, 59, tzinfo=SHANGHAI).astimezone(UTC)
    assert len(views.board(Moment(end_of_2021))) > 10
    assert views.board(Moment(end_of_2021, adopted)) == []
