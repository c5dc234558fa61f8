"""A rebuild never leaves the views worse than it found them (issue 9, item 8), on SQLite and
PostgreSQL: new tables are built beside the old and swapped in only when complete."""

from __future__ import annotations

import pytest

from domain.errors import RuleViolated
from integrity.leaves import Tampered
from projections.queries import Queries
from projections.beside import APART_FROM, CheckBeside, guard_for
from projections.rebuild import Rebuild, rebuild_views
from tests.integrity.support import Raw
from tests.projections.support import dump, view_tables


def test_a_rebuild_stopped_by_its_batch_check_leaves_the_views_and_no_new_tables(commission, monkeypatch):
    queries = Queries(commission)
    before = dump(commission)
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 4)
    seen: list[int] = []

    def check(self, batch):
        seen.append(batch[0][0])
        if len(seen) == 3:
            raise RuleViolated(f"batch from position {batch[0][0]} failed its check")

    monkeypatch.setattr(Rebuild, "check", check)
    with pytest.raises(RuleViolated, match="failed its check"):
        rebuild_views(queries.runner)
    assert seen == [1, 5, 9]  # every batch passes the check before it is applied
    assert dump(commission) == before
    assert not [name for name in view_tables(queries.db) if name.endswith("_rebuild")]


def test_of_two_rebuilds_at_once_the_later_one_wins_and_the_earlier_stops(commission):
    queries = Queries(commission)
    before = dump(commission)
    chosen = list(queries.runner.views.values())
    earlier, later = Rebuild(queries.runner, chosen), Rebuild(queries.runner, chosen)
    earlier._begin()
    later._begin()  # drops the earlier one's new tables and makes its own
    with pytest.raises(RuleViolated, match="another `zs views rebuild` started meanwhile"):
        earlier._replay(None)
    earlier._abandon()  # what `run` does on the way out: it must not drop the later one's tables
    later._swap(later._replay(None))
    assert dump(commission) == before


def test_views_keep_answering_from_the_old_tables_while_the_new_ones_fill(commission, monkeypatch):
    queries = Queries(commission)
    board = queries.board()
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 3)
    answers = []

    def check(self, batch):
        answers.append(Queries(commission).board())  # another command, mid-rebuild

    monkeypatch.setattr(Rebuild, "check", check)
    rebuild_views(queries.runner)
    assert answers and all(answer == board for answer in answers)
    assert Queries(commission).board() == board


@pytest.mark.parametrize("change", ["a byte", "a deleted event", "the last event deleted"])
def test_a_log_changed_mid_way_is_refused_by_the_replay_itself_and_no_view_changes(commission, store, monkeypatch,
                                                                                    change):
    queries = Queries(commission)
    before = dump(commission)
    raw = Raw(commission, store)
    middle = commission.recorder.max_notification_id() // 2
    if change == "a byte":  # one digit of a stored amount, past the first batches
        position = next(p for p in range(middle, 0, -1) if b"0" in raw.event(p)[4])
        state = raw.event(position)[4]
        raw.set_state(position, state.replace(b"0", b"1", 1))
    else:
        position = middle if change == "a deleted event" else raw.execute("SELECT MAX(position) FROM {leaves}")[0][0]
        raw.delete(position)
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 4)
    seen: list[int] = []
    original = Rebuild.check

    def check(self, batch):
        seen.append(batch[0][0])
        original(self, batch)

    monkeypatch.setattr(Rebuild, "check", check)
    with pytest.raises(Tampered, match=f"nothing was rebuilt: .*position {position}"):
        rebuild_views(queries.runner)
    assert len(seen) >= 2 and seen[-1] <= position  # refused as the replay reached it: earlier batches were applied
    assert dump(commission) == before
    assert not [name for name in view_tables(queries.db) if name.endswith("_rebuild")]


def test_on_a_long_log_the_leaf_check_runs_in_another_process_and_the_rebuild_equals_the_views(commission,
                                                                                               monkeypatch):
    """Both stores: the other process opens the store from its URL, as the replay reads it."""
    queries = Queries(commission)
    before = dump(commission)
    monkeypatch.setattr("projections.beside.APART_FROM", 0)  # every log counts as long
    monkeypatch.setattr("projections.beside.pays", lambda store: True)  # on either store, however busy
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 4)
    started = []
    original = CheckBeside.start

    def start(self, head, size):
        started.append((head, size))
        original(self, head, size)

    monkeypatch.setattr(CheckBeside, "start", start)
    assert rebuild_views(queries.runner) == commission.recorder.max_notification_id()
    assert started == [(commission.recorder.max_notification_id(), 4)]
    assert dump(commission) == before


@pytest.mark.parametrize("change", ["a byte", "a deleted event", "the last event deleted"])
def test_a_log_changed_before_a_long_rebuild_is_refused_by_the_check_beside_it_and_no_view_changes(
        commission, store, monkeypatch, change):
    queries = Queries(commission)
    before = dump(commission)
    raw = Raw(commission, store)
    middle = commission.recorder.max_notification_id() // 2
    if change == "a byte":
        position = next(p for p in range(middle, 0, -1) if b"0" in raw.event(p)[4])
        raw.set_state(position, raw.event(position)[4].replace(b"0", b"1", 1))
    else:
        position = middle if change == "a deleted event" else raw.execute("SELECT MAX(position) FROM {leaves}")[0][0]
        raw.delete(position)
    monkeypatch.setattr("projections.beside.APART_FROM", 0)
    monkeypatch.setattr("projections.beside.pays", lambda store: True)
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 4)
    with pytest.raises(Tampered, match=f"nothing was rebuilt: .*position {position}"):
        rebuild_views(queries.runner)
    assert dump(commission) == before
    assert not [name for name in view_tables(queries.db) if name.endswith("_rebuild")]


def test_rows_that_change_between_the_two_reads_stop_the_rebuild_before_the_swap(commission, monkeypatch):
    queries = Queries(commission)
    before = dump(commission)
    monkeypatch.setattr("projections.beside.APART_FROM", 0)
    monkeypatch.setattr("projections.beside.pays", lambda store: True)
    monkeypatch.setattr(CheckBeside, "__call__", lambda self, rows: self.sums.append(0))  # as if read otherwise
    with pytest.raises(Tampered, match="the log changed while the rebuild read it"):
        rebuild_views(queries.runner)
    assert dump(commission) == before
    assert not [name for name in view_tables(queries.db) if name.endswith("_rebuild")]


def test_a_short_log_a_busy_machine_postgresql_or_a_store_in_memory_is_checked_in_the_replay(tmp_path, monkeypatch):
    from integrity.guard import ReplayGuard

    file = f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert isinstance(guard_for(None, file, APART_FROM), CheckBeside)
    assert isinstance(guard_for(None, file, APART_FROM - 1), ReplayGuard)
    assert isinstance(guard_for(None, "sqlite://", APART_FROM), ReplayGuard)
    assert isinstance(guard_for(None, None, APART_FROM), ReplayGuard)
    assert isinstance(guard_for(None, "postgresql://postgres@127.0.0.1:5432/test", APART_FROM), ReplayGuard)
    monkeypatch.setattr("os.getloadavg", lambda: (1.0, 0.0, 0.0))  # the other core is taken
    assert isinstance(guard_for(None, file, APART_FROM), ReplayGuard)


def test_a_view_an_upgrade_changed_is_replayed_as_a_rebuild_on_the_first_open_and_equals_the_views(
        commission, monkeypatch):
    """An upgrade that changes a view's tables (its fingerprint) makes that view afresh on the first
    open; it is then replayed as `zs views rebuild` replays (rows held, indexes made once), not caught up
    in place, and the views equal those kept up along the way. Here the lamps view stands for it: its
    stored fingerprint is an older version's, and its rows are gone."""
    queries = Queries(commission)
    before = dump(commission)
    with queries.db.transaction() as cursor:
        cursor.execute("UPDATE zs_tracking SET fingerprint = 'an older version' WHERE view = 'lamps'")
        cursor.execute("DELETE FROM zs_lamp_project_versions")
    replayed: list[list[str]] = []
    run = Rebuild.run

    def spy(self, progress=None):
        replayed.append([view.name for view in self.views])
        return run(self, progress)

    monkeypatch.setattr(Rebuild, "run", spy)
    reopened = Queries(commission)
    assert replayed == [["lamps"]] and reopened.runner.changed == []
    assert dump(commission) == before
    Queries(commission)  # now current: nothing made afresh, nothing replayed
    assert replayed == [["lamps"]]
