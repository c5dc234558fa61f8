"""As known now, the as-of rows of every view come from each version's span (`spans_at`: the versions with
`effective_at <= T < valid_to`, found span class by span class) rather than from the general search
(`latest_at`: per aggregate the highest version effective by T and recorded by K). Over hypothesis-generated
ledgers — the commands of the rebuild property, some of them backfilled (paper history, effective days
before it is recorded) — with the views caught up in drawn batches and then rebuilt, both give the same
rows at every moment where an answer can change (each version's effective time, and just before it) and
at random ones."""

from __future__ import annotations

import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Ledger
from domain.values import UTC
from projections import runner
from projections.db import Db, from_ts, ts
from projections.moment import SOURCES, Moment, latest_at, spans_at
from projections.queries import Queries
from projections.rebuild import rebuild_views
from projections.tables import SPANS, span_class
from tests.conftest import MACHINE, Clock
from tests.projections.support import commission_like
from tests.projections.test_rebuild_property import COMMANDS, Step, play, steps

START = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)


def assert_spans_agree(ledger: Ledger, moments: list[datetime]) -> int:
    db, compared = Db(ledger.recorder), 0
    for _current, versions in SOURCES.values():
        times = {from_ts(t) for (t,) in db.values(f"SELECT effective_at FROM {versions}")}
        for t in sorted(times | set(moments)):
            for moment in (Moment(t), Moment(t - timedelta(microseconds=1))):
                rows = []
                for source, params in (spans_at(versions, moment), latest_at(versions, moment)):
                    rows.append(sorted((r["id"], r["version"]) for r in db.fetchall(f"SELECT * FROM {source}", params)))
                assert rows[0] == rows[1], (versions, t)
                compared += len(rows[0])
    return compared


def run(store: str, sequence: list, backfills: list[bool], batch: int, moments: list[datetime]) -> None:
    clock = Clock(START)
    ledger = Ledger(store, clock=clock, machine=MACHINE)
    try:
        commission_like(ledger)
        Queries(ledger)
        with mock.patch.object(runner, "BATCH", batch):
            play(ledger, clock, sequence, backfills)
            queries = Queries(ledger)
        assert assert_spans_agree(ledger, moments) > 0
        rebuild_views(queries.runner)
        assert_spans_agree(ledger, moments)
    finally:
        ledger.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=15, max_size=40), data=st.data(), batch=st.sampled_from([1, 2, 5, 2000]),
       hours=st.lists(st.integers(-24 * 60, 24 * 400), min_size=3, max_size=3))
def test_the_rows_of_each_span_are_the_latest_versions_as_known_now(sequence, data, batch, hours):
    backfills = data.draw(st.lists(st.booleans(), min_size=len(sequence), max_size=len(sequence)))
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'ledger.db'}", sequence, backfills, batch,
            [START + timedelta(hours=h) for h in hours])


def test_on_postgresql_the_spans_agree_too(pg_store):
    """One drawn ledger (a fixed seed), on PostgreSQL: the same SQL, rewritten for it."""
    rng = random.Random(5)
    names = sorted(COMMANDS) + ["register", "advance", "raise", "draft", "approve", "send"] * 2
    sequence = [Step(rng.choice(names), rng.randrange(12), rng.randrange(41), rng.randrange(1, 24 * 9),
                     rng.random() < 0.5) for _ in range(40)]
    run(pg_store, sequence, [rng.random() < 0.3 for _ in sequence], 5,
        [START + timedelta(hours=h) for h in (-10, 100, 2000)])


def test_the_fast_path_is_what_an_as_of_question_known_now_runs():
    """Guards the property above against comparing a path nobody takes: rows_at uses `spans_at` for all
    units as known now, and the general search with K or for one unit."""
    from projections.moment import rows_at
    t = START
    assert rows_at("board", Moment(t)) == spans_at("zs_project_versions", Moment(t))
    assert rows_at("board", Moment(t, t)) == latest_at("zs_project_versions", Moment(t, t))
    assert rows_at("board", Moment(t), "HW") == latest_at("zs_project_versions", Moment(t), "HW")


def _span_class_as_first_written(start: str, end: str) -> int:
    """projections.tables.span_class as it was first written (2026-12-04), the plain reference."""
    import math

    hours = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600
    return min(SPANS - 1, max(0, math.ceil(math.log2(hours)))) if hours > 1 else 0


@settings(max_examples=2000, deadline=None)
@given(start=st.integers(0, 10 ** 15), length=st.one_of(
    st.integers(0, 10 ** 14),  # microseconds: up to three years
    st.integers(0, SPANS + 1).flatmap(lambda c: st.integers(-2, 2).map(lambda d: 3600 * 2 ** c * 10 ** 6 + d))))
def test_a_span_class_is_the_one_its_first_formula_gave(start, length):
    """Held equal at and around every class's bound (2**c hours, to the microsecond)."""
    first = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(microseconds=start)
    a, b = ts(first), ts(first + timedelta(microseconds=max(0, length)))
    assert span_class(a, b) == _span_class_as_first_written(a, b)


@settings(max_examples=300, deadline=None)
@given(recorded=st.datetimes(timezones=st.just(UTC)),
       effective=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))), pydantic=st.booleans())
def test_an_events_two_view_times_are_made_from_its_text_as_ts_makes_them(recorded, effective, pydantic):
    """LoggedEvent makes both times once from the stored text (the mapper's `...Z`, with or without
    microseconds), and equal to `ts` of any other spelling (`+00:00`, as older rows may hold)."""
    import json

    from projections.runner import LoggedEvent

    def spelt(moment: datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z") if pydantic else moment.isoformat()

    stamp = spelt(recorded)
    other = stamp if effective is None else spelt(effective)
    state = json.dumps({"timestamp": stamp, "effective_at": other}).encode()
    event = LoggedEvent(1, "domain.project:Project.ProgressNoted", "ab" * 16, 2, state)
    assert (event.recorded_at, event.effective_at, event.timestamp) == (ts(stamp), ts(other), stamp)
