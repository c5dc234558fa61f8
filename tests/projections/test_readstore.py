"""A read that needs no write model (projections/readstore.py) answers as the Ledger does: the calendar
at any moment as known at any time, on SQLite and PostgreSQL; and a store that needs the Ledger first
(schema work, or memory) is left to it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.base import aggregate_id
from domain.lamps import Thresholds
from domain.policies import LoadedPolicies
from domain.policy import default_policy_text
from domain.project import Project
from domain.timetable import Terms
from domain.values import SHANGHAI
from projections.queries import Queries
from projections.readstore import POLICIES_KEY, POLICIES_KIND, ReadStore
from projections.views.board import PROJECT_KIND


def shanghai(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def test_the_ids_a_read_finds_without_their_classes_are_the_aggregates_own():
    assert aggregate_id(POLICIES_KIND, POLICIES_KEY) == LoadedPolicies.id_for(LoadedPolicies.KEY)
    assert aggregate_id(PROJECT_KIND, "HW-2021-001") == Project.id_for("HW-2021-001")


def test_the_calendar_read_from_the_store_is_the_ledgers_at_every_moment(commission, clock, store):
    first = clock()
    commission.load_policy("管理员", default_policy_text().replace("due_day = 5", "due_day = 10"),
                           date(2021, 11, 1), "新时限.toml")
    clock.now += timedelta(days=30)
    commission.load_policy("管理员", default_policy_text().replace("due_day = 5", "due_day = 20"),
                           date(2022, 1, 1), "再改.toml")
    reader = ReadStore.open(store)
    assert reader is not None
    try:
        moments = [None, first, first + timedelta(days=1), shanghai(2021, 10, 15), shanghai(2022, 2, 1)]
        for as_of in moments:
            for known_at in moments:
                mine, theirs = reader.calendar(as_of, known_at), commission.calendar(as_of, known_at)
                assert mine.policies == tuple(Terms.stored(p.model_dump(mode="json")) for p in theirs.policies)
                assert mine.obligations(date(2021, 8, 1), date(2023, 1, 1)) == theirs.obligations(
                    date(2021, 8, 1), date(2023, 1, 1)), (as_of, known_at)
        commission.load_policy("管理员", default_policy_text().replace("red_after_months = 3", "red_after_months = 6"),
                               date(2022, 3, 1), "灯.toml")
        days = [date(2021, 8, 30), date(2021, 8, 31), date(2021, 11, 1), date(2022, 2, 28), date(2022, 3, 1)]
        for as_of in [*moments, None]:
            for known_at in [*moments, None]:
                mine, theirs = reader.calendar(as_of, known_at), commission.calendar(as_of, known_at)
                for day in days:  # the thresholds read without pydantic are the policies' own
                    assert mine.lamps_on(day) == Thresholds(**theirs.lamps_on(day).model_dump()), (as_of, day)
        assert reader.calendar().lamps_on(date(2022, 3, 1)).red_after_months == 6
        assert len(reader.calendar().policies) == 4
        assert Queries(reader).obligations(shanghai(2022, 2, 1)) == Queries(commission).obligations(shanghai(2022, 2, 1))
    finally:
        reader.close()


def test_a_store_in_memory_is_left_to_the_ledger():
    assert ReadStore.open("sqlite://") is None


def test_the_leaf_checks_read_the_log_through_the_reader_as_through_the_ledger(commission, store):
    """On SQLite the reader opens one sqlite3 connection (domain/sqlite_reader.py); what else the integrity
    checks ask of the recorder (its Merkle leaves) comes from the store's own recorder, opened then."""
    from integrity.guard import first_problem

    reader = ReadStore.open(store)
    assert reader is not None
    try:
        assert reader.recorder.max_notification_id() == commission.recorder.max_notification_id() > 0
        assert hasattr(reader.recorder, "snapshot")
        assert first_problem(reader.recorder) is None
        with reader.recorder.snapshot() as snap:
            leaves, _, _, events = snap.counts()
            assert leaves == events > 0
    finally:
        reader.close()
