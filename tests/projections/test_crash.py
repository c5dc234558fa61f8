"""A catch-up killed with SIGKILL mid-way resumes with no duplicate and no gap (issue 4, item 5).

A child process catches the views up (or rebuilds them) over the demo ledger (~2,250 events) in
batches of 7, each batch slowed a little; the test kills it once the views stand past a third of the
log and short of its head. What the child committed must be whole batches (each view's rows agree
with its tracking position);
catching up again in-process must give exactly what a clean rebuild gives, with one version row per
event where a view keeps one, one audit entry per event from 1 to the head, and the views' indexes
all there (a rebuild makes them only at its end)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import OperationalError, ProgrammingError

from demo import build
from domain.application import Ledger
from projections.db import Db
from projections.queries import Queries
from projections.rebuild import rebuild_views
from projections.views import all_views
from tests.projections.support import assert_a_version_row_per_event, dump, log_actions

CHILD = """
import sys, time
from projections import runner
from projections.views.board import BoardView
from projections.rebuild import rebuild_views
from projections.views import runner_for
from domain.application import Ledger

runner.BATCH = runner.REBUILD_BATCH = 7
apply = BoardView.apply

def slow(self, cursor, records):
    time.sleep(0.01)
    apply(self, cursor, records)

BoardView.apply = slow
ledger = Ledger(sys.argv[1])
step = runner_for(ledger)
if sys.argv[2] == "rebuild":
    rebuild_views(step)
else:
    step.catch_up()
print("finished", flush=True)
"""
VIEW_NAMES = [view.name for view in all_views()]


def positions(ledger: Ledger, suffix: str = "") -> dict[str, int] | None:
    """The views' tracking positions as another process committed them (no catch-up); None before
    the child has created them. With `suffix="_rebuild"`: how far a rebuild has filled its new tables."""
    try:
        rows = Db(ledger.recorder).fetchall("SELECT view, position FROM zs_tracking")
    except (OperationalError, ProgrammingError):  # the child has not created zs_tracking yet
        return None
    found = {row["view"].removesuffix(suffix): int(row["position"]) for row in rows
             if row["view"].endswith(suffix) and (suffix or not row["view"].endswith("_rebuild"))}
    return found if set(found) == set(VIEW_NAMES) else None


def kill_mid_way(ledger: Ledger, store: str, folder: Path, mode: str = "catch_up") -> dict[str, int]:
    """Run the slowed catch-up in a child process and SIGKILL it mid-way (past a third of the log, so
    every kind of event has been seen); returns the positions it left."""
    head = ledger.recorder.max_notification_id()
    log = folder / "child.log"
    with open(log, "w") as out:
        child = subprocess.Popen([sys.executable, "-c", CHILD, store, mode], stdout=out, stderr=subprocess.STDOUT,
                                 cwd=folder)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = positions(ledger, "_rebuild" if mode == "rebuild" else "")
            if found and min(found.values()) > head // 3 and max(found.values()) < head:
                child.send_signal(signal.SIGKILL)
                break
            assert child.poll() is None, f"the child ended before it could be killed:\n{log.read_text()}"
            time.sleep(0.005)
        else:
            pytest.fail(f"the child never got mid-way in 30 s:\n{log.read_text()}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    left = positions(ledger, "_rebuild" if mode == "rebuild" else "")
    assert left is not None and all(0 < p < head for p in left.values()), left
    return left


def assert_committed_whole_batches(ledger: Ledger, left: dict[str, int]) -> None:
    """Every view's rows are exactly the events up to its position: nothing half-applied, nothing beyond."""
    assert len(set(left.values())) == 1, left  # one transaction moves every view
    assert_a_version_row_per_event(ledger, left["board"])
    board = [int(r["position"]) for r in Db(ledger.recorder).fetchall("SELECT position FROM zs_project_versions")]
    assert board and max(board) <= left["board"]


def assert_resumes_without_duplicate_or_gap(ledger: Ledger) -> None:
    queries = Queries(ledger)  # catches up from where the killed child left off
    head = ledger.recorder.max_notification_id()
    assert queries.runner.positions() == {name: head for name in queries.runner.views}
    assert_a_version_row_per_event(ledger, head)
    assert [row["action"] for row in queries.audit()] == log_actions(ledger)
    resumed = dump(ledger)
    rebuild_views(queries.runner)
    assert dump(ledger) == resumed


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The demo ledger built once on SQLite; each test works on a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def demo_sqlite(demo_file: Path, tmp_path: Path) -> Iterator[tuple[Ledger, str]]:
    target = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        source = demo_file.with_name(demo_file.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    store = f"sqlite:///{target}"
    ledger = Ledger(store)
    yield ledger, store
    ledger.close()


def test_a_catch_up_killed_mid_way_on_sqlite_resumes_with_no_duplicate_and_no_gap(demo_sqlite, tmp_path):
    ledger, store = demo_sqlite
    left = kill_mid_way(ledger, store, tmp_path)
    assert_committed_whole_batches(ledger, left)
    assert_resumes_without_duplicate_or_gap(ledger)


def test_a_rebuild_killed_mid_way_on_sqlite_leaves_the_old_views_whole_and_the_next_rebuild_completes(
        demo_sqlite, tmp_path):
    ledger, store = demo_sqlite
    Queries(ledger)  # the views were complete before the rebuild began
    complete = dump(ledger)
    head = ledger.recorder.max_notification_id()
    kill_mid_way(ledger, store, tmp_path, mode="rebuild")  # its new tables were part-filled
    assert positions(ledger) == {name: head for name in VIEW_NAMES}
    untouched = {name: rows for name, rows in dump(ledger).items() if not name.endswith("_rebuild")}
    assert untouched.pop("zs_tracking") != complete["zs_tracking"]  # only the new tables' rows are added
    assert untouched == {name: rows for name, rows in complete.items() if name != "zs_tracking"}
    rebuild_views(Queries(ledger).runner)  # the next rebuild drops what the killed one left
    assert positions(ledger, "_rebuild") is None
    assert dump(ledger) == complete  # tables and indexes


@pytest.mark.postgres
def test_a_catch_up_killed_mid_way_on_postgres_resumes_with_no_duplicate_and_no_gap(pg_store, tmp_path):
    ledger = build(pg_store)
    try:
        left = kill_mid_way(ledger, pg_store, tmp_path)
        assert_committed_whole_batches(ledger, left)
        assert_resumes_without_duplicate_or_gap(ledger)
    finally:
        ledger.close()
