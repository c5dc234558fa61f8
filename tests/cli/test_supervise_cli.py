"""`zs supervise ...` through the command line: ids printed alone, the contract keys, refusals."""

from __future__ import annotations

import json

SUPERVISION_KEYS = {"id", "subject_kind", "subject", "unit", "due_on", "status", "past_due", "note", "opened_by",
                    "opened_at", "answer", "answered_by", "answered_at", "closed_by", "closed_at", "reopen_reason"}


def test_a_supervision_is_opened_answered_reopened_and_closed(commission_cli, event_count):
    zs = commission_cli
    opened = zs("supervise", "open", "HW-2021-001", "--due", "2021-09-20", "--note", "请说明推进计划", actor="许办公")
    assert opened.stdout == "DB-2021-001\n"
    zs("supervise", "answer", "db-2021-001", "--note", "已报送计划", actor="孙联络")
    zs("supervise", "reopen", "DB-2021-001", "--reason", "计划缺少开工时间", actor="许办公")
    zs("supervise", "answer", "DB-2021-001", "--note", "11月28日开工", actor="钱副处")
    zs("supervise", "close", "DB-2021-001", actor="许办公")
    rows = json.loads(zs("supervise", "list", "--json").stdout)
    assert set(rows[0]) == SUPERVISION_KEYS
    assert (rows[0]["status"], rows[0]["answer"], rows[0]["reopen_reason"]) == ("closed", "11月28日开工", "计划缺少开工时间")
    shown = json.loads(zs("supervise", "show", "DB-2021-001", "--json").stdout)
    assert [h["event"] for h in shown["history"]] == ["Opened", "Answered", "Reopened", "Answered", "Closed"]
    table = zs("supervise", "list", "--status", "closed").stdout
    assert "已办结" in table and "HW-2021-001" in table


def test_refusals_exit_1_and_malformed_input_exits_2_with_nothing_recorded(commission_cli, event_count):
    zs = commission_cli
    before = event_count()
    refused = zs("supervise", "open", "HW-2021-001", "--due", "2021-09-30", "--note", "x", actor="孙联络", expect=1)
    assert "only the office" in refused.stderr
    zs("supervise", "open", "HW-2021-001", "--due", "2021-09-01", "--note", "x", actor="许办公", expect=1)
    malformed = zs("supervise", "open", "HW-2021-001", "--due", "30/09/2021", "--note", "x", actor="许办公", expect=2)
    assert "--due" in malformed.stderr
    zs("supervise", "list", "--status", "pending", expect=2)
    zs("supervise", "show", "DB-2021-404", expect=1)
    assert event_count() == before
