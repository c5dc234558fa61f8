"""A worker's remembered answers (the dashboard's figures): computed again when the log moves or ten
minutes pass; meanwhile, others get the last answer instead of computing it too."""

from __future__ import annotations

import threading

from domain.application import Ledger


def test_an_answer_is_kept_until_the_log_or_the_minute_moves(app, web_store, web_clock):
    office = app.state.office
    office.read()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert office.remembered("k", compute) == 1
    assert office.remembered("k", compute) == 1
    web_clock.advance(minutes=10)
    assert office.remembered("k", compute) == 2
    ledger = Ledger(web_store, clock=web_clock)
    ledger.note_progress("孙联络", "HW-2021-001", "完成选址踏勘", None)
    ledger.close()
    office.read()
    assert office.remembered("k", compute) == 3
    assert office.remembered("other", compute) == 4


def test_while_one_request_computes_the_others_get_the_last_answer(app, web_clock):
    office = app.state.office
    office.read()
    assert office.remembered("k", lambda: "old") == "old"
    web_clock.advance(minutes=10)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return "new"

    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("first", office.remembered("k", slow)))
    worker.start()
    assert started.wait(10)
    assert office.remembered("k", lambda: "computed twice") == "old"
    release.set()
    worker.join(10)
    assert result["first"] == "new" and office.remembered("k", lambda: "again") == "new"
