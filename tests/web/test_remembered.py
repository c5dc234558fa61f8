"""A worker's remembered answers (the dashboard's figures): the first computed while its request waits;
after the log moves or ten minutes pass, the last answer is given while a thread computes the new one."""

from __future__ import annotations

import threading
import time

from domain.application import Ledger


def _settled(office, key, expected, compute):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if office.remembered(key, compute) == expected:
            return True
        time.sleep(0.02)
    return False


def test_an_answer_is_kept_until_the_log_or_ten_minutes_move(app, web_store, web_clock):
    office = app.state.office
    office.read()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert office.remembered("k", compute) == 1
    assert office.remembered("k", compute) == 1 and len(calls) == 1
    web_clock.advance(minutes=10)
    assert _settled(office, "k", 2, compute)
    ledger = Ledger(web_store, clock=web_clock)
    ledger.note_progress("孙联络", "HW-2021-001", "完成选址踏勘", None)
    ledger.close()
    office.read()
    assert _settled(office, "k", 3, compute)
    assert office.remembered("other", compute) == 4


def test_while_a_new_answer_is_computed_the_last_one_is_given(app, web_clock):
    office = app.state.office
    office.read()
    assert office.remembered("k", lambda: "old") == "old"
    web_clock.advance(minutes=10)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return "new"

    assert office.remembered("k", slow) == "old"  # not kept waiting
    assert started.wait(10)
    assert office.remembered("k", lambda: "computed twice") == "old"
    release.set()
    assert _settled(office, "k", "new", lambda: "computed twice")


def test_the_first_answer_is_computed_once_while_others_wait_for_it(app):
    office = app.state.office
    office.read()
    release = threading.Event()
    calls = []

    def slow():
        calls.append(1)
        release.wait(10)
        return "first"

    results = []
    threads = [threading.Thread(target=lambda: results.append(office.remembered("k", slow))) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == ["first"] * 3 and len(calls) == 1
