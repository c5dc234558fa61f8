"""`zs lamps` and `zs project plan` through the command line: the contract keys, filters, tables in
Shanghai time, and refusals (docs/domain.md rule 17)."""

from __future__ import annotations

import json

LAMP_KEYS = {"kind", "subject", "unit", "colour", "rule", "since", "reason", "turns_green"}


def test_a_planned_key_project_past_its_date_is_a_red_lamp_with_its_reason(commission_cli, freezer):
    zs = commission_cli
    zs("project", "promote", "HW-2021-001", "--reason", "投资规模大", actor="许办公")
    assert zs("project", "plan", "HW-2021-001", "--stage", "signed", "--by", "2021-09-20", actor="孙联络").stdout == (
        "HW-2021-001 计划于 2021-09-20 前签约（signed）\n")
    rows = json.loads(zs("lamps", "--kind", "project", "--as-of", "2021-09-21", "--json").stdout)
    assert [set(r) for r in rows] == [LAMP_KEYS]
    assert (rows[0]["colour"], rows[0]["rule"], rows[0]["since"]) == ("red", "plan_overdue", "2021-09-20T16:00:00+00:00")
    assert rows[0]["reason"] == "计划于 2021-09-20 前签约，已超期1天，现处于谋划储备"
    table = zs("lamps", "--unit", "hw", "--colour", "red", "--as-of", "2021-09-21").stdout
    assert "红灯" in table and "2021-09-21 00:00:00" in table and "超计划" in table
    assert zs("lamps", "--colour", "yellow", "--as-of", "2021-09-21", "--kind", "project").stdout == "（无预警）\n"
    assert json.loads(zs("lamps", "--kind", "project", "--json").stdout)[0]["colour"] == "green"


def test_an_open_supervision_past_due_is_red(commission_cli, freezer):
    zs = commission_cli
    zs("supervise", "open", "HW-2021-001", "--due", "2021-09-12", "--note", "请说明推进计划", actor="许办公")
    freezer.move_to("2021-09-13T02:00:00+00:00")
    rows = json.loads(zs("lamps", "--kind", "supervision", "--json").stdout)
    assert [(r["subject"], r["colour"], r["turns_green"]) for r in rows] == [("DB-2021-001", "red", "答复督办")]


def test_malformed_lamp_options_exit_2_and_an_unknown_unit_exits_1(commission_cli):
    zs = commission_cli
    assert "--colour" in zs("lamps", "--colour", "blue", expect=2).stderr
    assert "--kind" in zs("lamps", "--kind", "service", expect=2).stderr
    assert "--as-of" in zs("lamps", "--as-of", "yesterday", expect=2).stderr
    assert "no unit" in zs("lamps", "--unit", "XX", expect=1).stderr
    assert "no unit" in zs("lamps", "--unit", "", expect=1).stderr
    plan = zs("project", "plan", "HW-2021-001", "--stage", "launched", "--by", "2021-12-01", actor="孙联络", expect=2)
    assert "--stage" in plan.stderr
    zs("project", "plan", "HW-2021-001", "--stage", "signed", "--by", "2021-09-01", actor="孙联络", expect=1)


def test_progress_board_and_summary_show_the_lamps(commission_cli, freezer):
    zs = commission_cli
    zs("project", "promote", "HW-2021-001", "--reason", "投资规模大", actor="许办公")
    zs("supervise", "open", "HW-2021-001", "--due", "2021-09-12", "--note", "请说明推进计划", actor="许办公")
    progress = {r["unit"]: r for r in json.loads(zs("progress", "--as-of", "2021-12-02", "--json").stdout)}
    # HW: the project red (three months), the 督办 red, September's three forms and 2021-Q3 overdue; October's due 11-05 too
    lamps = json.loads(zs("lamps", "--as-of", "2021-12-02", "--unit", "HW", "--json").stdout)
    expected = {c: sum(1 for r in lamps if r["colour"] == c) for c in ("red", "yellow", "green")}
    assert progress["HW"]["lamps"] == expected and expected["red"] >= 2
    assert progress["GY"]["lamps"]["red"] == sum(1 for r in json.loads(
        zs("lamps", "--as-of", "2021-12-02", "--unit", "GY", "--json").stdout) if r["colour"] == "red")
    board = json.loads(zs("board", "--as-of", "2021-12-02", "--json").stdout)
    assert [(p["number"], p["lamp"]) for p in board] == [("HW-2021-001", "red")]
    assert "红灯" in zs("board", "--as-of", "2021-12-02").stdout
    shown = json.loads(zs("project", "show", "HW-2021-001", "--as-of", "2021-12-02", "--json").stdout)
    assert (shown["lamp"], json.loads(zs("project", "show", "HW-2021-001", "--as-of", "2021-10-02", "--json").stdout)[
        "lamp"]) == ("red", "green")
    freezer.move_to("2022-01-10T02:00:00+00:00")
    summary = json.loads(zs("summary", "--quarter", "2021-Q4", "--unit", "HW", "--json").stdout)
    at_end = json.loads(zs("lamps", "--as-of", "2021-12-31", "--unit", "HW", "--json").stdout)
    assert summary["units"][0]["lamps"] == {c: sum(1 for r in at_end if r["colour"] == c)
                                            for c in ("red", "yellow", "green")}
    assert summary["total"]["lamps"] == summary["units"][0]["lamps"]
    assert "期末红灯" in zs("summary", "--quarter", "2021-Q4").stdout
