"""The read side through the command line (issue 4, items 1-4): `board`, `progress`, `project show` and
`obligations` now or at a moment, `audit` with its filters and CSV, `views status|rebuild`, `summary`.

`activity` builds on `commission_cli` with the clock frozen: on 2021-09-02 HW-2021-001 moves to
negotiating; 09-03 GY registers GY-2021-001; 09-04 the office promotes HW-2021-001 and HW raises a
problem due 09-08; 09-06 HW sends its August project_status (late); 09-08 HW-2021-001 is signed.
The clock then stands at 2021-09-10 10:00 Shanghai."""

from __future__ import annotations

import csv
import io
import json
import socket
from typing import Any

import pytest

ADMIN, OFFICE, PRINCIPAL, LIAISON, GY_LIAISON = "管理员", "许办公", "赵处长", "孙联络", "周联络"
P, G = "HW-2021-001", "GY-2021-001"
AUGUST = "HW/project_status/2021-08"
PROJECT_KEYS = {"number", "name", "unit", "sector", "level", "library", "stage", "status", "investor",
                "investment_wan", "responsible_person", "responsible_department", "liaison", "open_problems",
                "updated_at", "lamp"}
PROGRESS_KEYS = ["unit", "projects_by_stage", "terminated", "key_projects", "landed_or_beyond",
                 "landed_investment_wan", "problems_raised", "problems_open", "problems_answered", "problems_closed",
                 "problems_past_due", "reports_owed", "reports_on_time", "reports_late", "reports_overdue",
                 "reports_upcoming", "lamps"]
AUDIT_KEYS = ["recorded_at", "effective_at", "actor", "actor_role", "done_by", "backfill_reason", "os_user", "host",
              "unit", "action", "subject", "details"]
AUDIT_CSV = ["recorded_at", "effective_at", "done_by", "actor", "actor_role", "os_user", "host", "unit", "action", "操作",
             "subject", "details", "backfill"]
STAGES = {"lead", "negotiating", "signed", "landed", "started", "operating"}


def read(zs, *args: str, **kwargs: Any) -> Any:
    return json.loads(zs(*args, "--json", **kwargs).stdout)


@pytest.fixture
def activity(commission_cli, freezer):
    zs = commission_cli
    freezer.move_to("2021-09-02T10:00:00+08:00")
    zs("project", "advance", P, "--to", "negotiating", "--on", "2021-09-02", actor=LIAISON)
    freezer.move_to("2021-09-03T10:00:00+08:00")
    zs("project", "add", G, "--unit", "GY", "--name", "燃气管网改造", "--sector", "gas_heating", "--level",
       "commission", "--investor", "某燃气公司", "--investment", "800.50", actor=GY_LIAISON)
    freezer.move_to("2021-09-04T10:00:00+08:00")
    zs("project", "promote", P, "--reason", "投资规模大", actor=OFFICE)
    zs("problem", "raise", P, "--title", "用地指标不足", "--category", "land", "--due", "2021-09-08", actor=LIAISON)
    freezer.move_to("2021-09-06T10:00:00+08:00")
    zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-08", actor=LIAISON)
    zs("report", "approve", AUGUST, actor=PRINCIPAL)
    zs("report", "send", AUGUST, "--sealed", actor=LIAISON)
    freezer.move_to("2021-09-08T10:00:00+08:00")
    zs("project", "advance", P, "--to", "signed", "--on", "2021-09-08", actor=LIAISON)
    freezer.move_to("2021-09-10T10:00:00+08:00")
    return zs


def numbers(rows: list[dict[str, Any]]) -> list[str]:
    return [row["number"] for row in rows]


# -- board and project show ------------------------------------------------------------------------------


def test_board_json_rows_have_the_keys_of_project_show_json(activity):
    board = read(activity, "board")
    shown = read(activity, "project", "show", P)
    assert numbers(board) == [G, P]
    assert set(board[0]) == set(board[1]) == set(shown) == PROJECT_KEYS
    assert next(row for row in board if row["number"] == P) == shown


@pytest.mark.parametrize("args, expected", [
    (("--unit", "HW"), [P]), (("--unit", "gy"), [G]), (("--sector", "gas_heating"), [G]),
    (("--level", "city"), [P]), (("--library", "key"), [P]), (("--library", "reserve"), [G]),
    (("--stage", "signed"), [P]), (("--status", "active"), [G, P]), (("--unit", "HW", "--library", "reserve"), []),
])
def test_board_filters(activity, args, expected):
    assert numbers(read(activity, "board", *args)) == expected


def test_board_refuses_an_unknown_stage(activity):
    result = activity("board", "--stage", "finished", "--json", expect=2)
    assert "finished" in result.stderr


def test_board_as_of_a_date_shows_the_board_at_the_end_of_that_day(activity):
    assert [(r["number"], r["stage"]) for r in read(activity, "board", "--as-of", "2021-09-02")] == \
        [(P, "negotiating")]
    rows = read(activity, "board", "--as-of", "2021-09-04")
    assert [(r["number"], r["stage"], r["library"], r["open_problems"]) for r in rows] == \
        [(G, "lead", "reserve", 0), (P, "negotiating", "key", 1)]
    assert numbers(read(activity, "board", "--as-of", "2021-09-03T09:59")) == [P]


def test_board_as_known_at_leaves_out_what_was_recorded_after(activity):
    rows = read(activity, "board", "--as-known-at", "2021-09-07", "--unit", "HW")
    assert [(r["stage"], r["library"]) for r in rows] == [("negotiating", "key")]
    assert read(activity, "board", "--unit", "HW")[0]["stage"] == "signed"


def test_project_show_as_of_and_as_known_at(activity):
    assert read(activity, "project", "show", P, "--as-of", "2021-09-01")["stage"] == "lead"
    assert read(activity, "project", "show", P, "--as-of", "2021-09-08")["stage"] == "signed"
    assert read(activity, "project", "show", P, "--as-of", "2021-09-09", "--as-known-at", "2021-09-05")["stage"] \
        == "negotiating"


def test_project_show_before_its_registration_says_it_was_not_yet_registered(activity):
    result = activity("project", "show", G, "--as-of", "2021-09-02", "--json", expect=1)
    assert "was not yet registered" in result.stderr
    result = activity("project", "show", G, "--as-known-at", "2021-09-03T09:00", expect=1)
    assert "was not yet registered" in result.stderr


def test_a_malformed_as_known_at_is_refused(activity):
    result = activity("board", "--as-known-at", "2021-13-01", "--json", expect=2)
    assert "--as-known-at" in result.stderr


# -- progress --------------------------------------------------------------------------------------------


def test_progress_json_has_exactly_the_closed_loop_keys_per_unit(activity):
    rows = read(activity, "progress")
    assert [row["unit"] for row in rows] == ["GY", "HW"]
    for row in rows:
        assert list(row) == PROGRESS_KEYS
        assert set(row["projects_by_stage"]) == STAGES


def test_progress_now_counts_projects_problems_and_reports(activity):
    [hw] = read(activity, "progress", "--unit", "hw")
    assert hw["projects_by_stage"] == {"lead": 0, "negotiating": 0, "signed": 1, "landed": 0, "started": 0,
                                       "operating": 0}
    assert (hw["key_projects"], hw["landed_or_beyond"], hw["landed_investment_wan"], hw["terminated"]) == \
        (1, 0, "0.00", 0)
    assert (hw["problems_raised"], hw["problems_open"], hw["problems_answered"], hw["problems_closed"],
            hw["problems_past_due"]) == (1, 1, 0, 0, 1)
    assert (hw["reports_owed"], hw["reports_on_time"], hw["reports_late"], hw["reports_overdue"],
            hw["reports_upcoming"]) == (3, 0, 1, 2, 1)


def test_progress_as_of_and_as_known_at(activity):
    [hw] = read(activity, "progress", "--unit", "HW", "--as-of", "2021-09-05")
    assert (hw["projects_by_stage"]["negotiating"], hw["key_projects"], hw["problems_past_due"]) == (1, 1, 0)
    assert (hw["reports_owed"], hw["reports_overdue"], hw["reports_upcoming"]) == (0, 0, 4)
    [hw] = read(activity, "progress", "--unit", "HW", "--as-known-at", "2021-09-03")
    assert (hw["key_projects"], hw["problems_raised"], hw["reports_late"], hw["reports_overdue"]) == (0, 0, 0, 3)


def test_progress_for_an_unknown_unit_is_refused(activity):
    activity("progress", "--unit", "ZZ", "--json", expect=1)


# -- obligations -----------------------------------------------------------------------------------------


def august(rows: list[dict[str, Any]]) -> tuple[str, Any, Any]:
    row = next(r for r in rows if (r["unit"], r["kind"], r["period"]) == ("HW", "project_status", "2021-08"))
    return row["status"], row["days_late"], row["days_overdue"]


def test_obligations_as_of_and_as_known_at(activity):
    assert august(read(activity, "obligations", "--as-of", "2021-09-05")) == ("upcoming", None, None)
    assert august(read(activity, "obligations", "--as-of", "2021-09-05T23:00")) == ("upcoming", None, None)
    assert august(read(activity, "obligations", "--unit", "HW", "--as-of", "2021-09-06T09:00")) == \
        ("overdue", None, 1)
    assert august(read(activity, "obligations")) == ("late", 1, None)
    assert august(read(activity, "obligations", "--as-known-at", "2021-09-05")) == ("overdue", None, 5)


# -- audit -----------------------------------------------------------------------------------------------


def test_audit_json_lists_every_event_oldest_first_with_its_who_and_when(activity, event_count):
    rows = read(activity, "audit")
    assert len(rows) == event_count()
    assert all(list(row) == AUDIT_KEYS for row in rows)
    assert [r["recorded_at"] for r in rows] == sorted(r["recorded_at"] for r in rows)
    assert (rows[0]["action"], rows[0]["actor"], rows[0]["actor_role"]) == ("Person.Registered", ADMIN, "admin")
    assert rows[-1]["action"] == "Project.StageAdvanced"
    assert rows[-1]["details"]["stage"] == "signed" and rows[-1]["details"]["on"] == "2021-09-08"
    assert rows[-1]["recorded_at"] == rows[-1]["effective_at"] == "2021-09-08T02:00:00+00:00"
    assert all(r["os_user"] for r in rows)


def test_audit_shows_the_host_every_event_records_in_json_table_and_csv(activity):
    host = socket.gethostname()

    rows = read(activity, "audit", "--report", AUGUST)
    table = activity("audit", "--report", AUGUST).stdout
    lines = list(csv.reader(io.StringIO(activity("audit", "--csv", "--report", AUGUST).stdout[1:])))

    assert [r["host"] for r in rows] == [host] * 3
    assert "主机" in table.splitlines()[0] and host in table.splitlines()[2]
    assert [line[AUDIT_CSV.index("host")] for line in lines[1:]] == [host] * 3


def test_the_audit_table_prints_actions_and_roles_in_chinese_and_json_keeps_the_codes(activity):
    table = activity("audit", "--report", AUGUST).stdout
    rows = read(activity, "audit", "--report", AUGUST)

    assert "报送（Report.Sent）" in table and "联络员" in table and "主要负责人" in table
    assert " liaison " not in table and "principal" not in table
    assert [(r["action"], r["actor_role"]) for r in rows][-1] == ("Report.Sent", "liaison")


def test_audit_filters_by_actor(activity):
    rows = read(activity, "audit", "--actor", GY_LIAISON)
    assert rows and {r["actor"] for r in rows} == {GY_LIAISON}
    assert [(r["action"], r["subject"]) for r in rows] == [("Project.Registered", G)]


def test_audit_filters_by_unit(activity):
    rows = read(activity, "audit", "--unit", "gy")
    assert rows and {r["unit"] for r in rows} == {"GY"}
    assert ("Project.Registered", G) in [(r["action"], r["subject"]) for r in rows]


def test_audit_filters_by_project_with_its_problems(activity):
    rows = read(activity, "audit", "--project", P)
    assert {r["subject"] for r in rows} == {P, f"{P}/P1"}
    assert [r["action"] for r in rows if r["subject"] == f"{P}/P1"] == ["Problem.Raised"]
    assert [r["action"] for r in rows].count("Project.StageAdvanced") == 2


def test_audit_filters_by_report(activity):
    rows = read(activity, "audit", "--report", AUGUST)
    assert [r["action"] for r in rows] == ["Report.Drafted", "Report.Approved", "Report.Sent"]
    assert [r["actor"] for r in rows] == [LIAISON, PRINCIPAL, LIAISON]


@pytest.mark.parametrize("action", ["StageAdvanced", "stageadvanced", "Project.StageAdvanced", "推进环节",
                                    "推进环节（Project.StageAdvanced）"])
def test_audit_filters_by_action_with_or_without_the_aggregate(activity, action):
    rows = read(activity, "audit", "--action", action)
    assert [(r["action"], r["details"]["stage"]) for r in rows] == \
        [("Project.StageAdvanced", "negotiating"), ("Project.StageAdvanced", "signed")]


def test_audit_since_and_until_take_whole_shanghai_days(activity):
    rows = read(activity, "audit", "--since", "2021-09-04", "--until", "2021-09-04")
    assert rows and {r["recorded_at"] for r in rows} == {"2021-09-04T02:00:00+00:00"}
    assert {"Project.Promoted", "Problem.Raised"} <= {r["action"] for r in rows}
    assert [r["action"] for r in read(activity, "audit", "--since", "2021-09-08")] == ["Project.StageAdvanced"]
    before = read(activity, "audit", "--until", "2021-09-01")
    assert before and {r["recorded_at"] for r in before} == {"2021-09-01T02:00:00+00:00"}


def test_audit_since_a_datetime_without_offset_is_shanghai_time(activity):
    assert read(activity, "audit", "--since", "2021-09-08T10:00:01") == []
    assert len(read(activity, "audit", "--since", "2021-09-08T10:00")) == 1


def test_audit_filters_combine(activity):
    rows = read(activity, "audit", "--unit", "HW", "--actor", LIAISON, "--since", "2021-09-06",
                "--until", "2021-09-06")
    assert [r["action"] for r in rows] == ["Report.Drafted", "Report.Sent"]


def test_audit_keeps_the_unit_a_person_belonged_to_when_they_acted_on(commission_cli, freezer):
    zs = commission_cli
    zs("person", "add", "王科员", "--role", "staff", "--unit", "HW", actor=ADMIN)
    freezer.move_to("2021-09-11T10:00:00+08:00")
    zs("person", "update", "王科员", "--unit", "GY", actor=ADMIN)
    rows = [r for r in read(zs, "audit", "--action", "Person.Registered") if r["subject"] == "王科员"]
    assert [r["unit"] for r in rows] == ["HW"]
    assert "王科员" in [r["subject"] for r in read(zs, "audit", "--unit", "HW")]


def test_audit_csv_starts_with_a_bom_and_a_header_and_has_a_row_per_event(activity):
    text = activity("audit", "--csv").stdout
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == AUDIT_CSV
    events = read(activity, "audit")
    assert len(rows) - 1 == len(events)
    assert rows[-1][AUDIT_CSV.index("action")] == "Project.StageAdvanced"
    assert rows[-1][AUDIT_CSV.index("操作")] == "推进环节"
    assert json.loads(rows[-1][AUDIT_CSV.index("details")]) == events[-1]["details"]
    report_rows = list(csv.reader(io.StringIO(activity("audit", "--csv", "--report", AUGUST).stdout[1:])))
    assert len(report_rows) == 4


# -- views -----------------------------------------------------------------------------------------------


def test_views_status_json_shows_each_view_at_the_logs_position(activity, event_count):
    rows = read(activity, "views", "status")
    head = event_count()
    assert {r["view"] for r in rows} == {"board", "reporting", "audit", "supervision", "lamps"}
    assert all(r == {"view": r["view"], "position": head, "log": head, "behind": 0} for r in rows)


def test_views_status_sees_a_write_made_just_before(activity, event_count):
    activity("project", "note", P, "--text", "完成尽职调查", actor=LIAISON)
    assert {r["position"] for r in read(activity, "views", "status")} == {event_count()}


def test_views_rebuild_replays_the_whole_log_and_answers_the_same(activity, event_count):
    board, audit = read(activity, "board"), read(activity, "audit")
    result = activity("views", "rebuild")
    assert result.stdout.strip() == f"rebuilt all views from {event_count()} events"
    assert read(activity, "board") == board and read(activity, "audit") == audit


def test_views_rebuild_of_one_view(activity, event_count):
    audit = read(activity, "audit")
    result = activity("views", "rebuild", "audit")
    assert result.stdout.strip() == f"rebuilt audit from {event_count()} events"
    assert read(activity, "audit") == audit
    assert {r["behind"] for r in read(activity, "views", "status")} == {0}


def test_views_rebuild_of_an_unknown_view_is_refused(activity):
    result = activity("views", "rebuild", "boards", expect=2)
    assert "unknown view 'boards'" in result.stderr


# -- summary ---------------------------------------------------------------------------------------------


def test_summary_of_a_year_as_json(activity):
    summary = read(activity, "summary", "--year", "2021")
    assert (summary["period"], summary["from"], summary["to"]) == ("2021", "2021-01-01", "2021-12-31")
    assert [u["unit"] for u in summary["units"]] == ["GY", "HW"]
    hw = next(u for u in summary["units"] if u["unit"] == "HW")
    assert (hw["projects_added"], hw["projects_promoted"], hw["stages_reached"]["signed"]) == (1, 1, 1)
    assert (hw["problems_raised"], hw["reports_late"]) == (1, 1)
    assert summary["total"]["projects_added"] == 2


def test_summary_of_a_quarter_as_json_for_one_unit_as_known_at(activity):
    summary = read(activity, "summary", "--quarter", "2021-Q3", "--unit", "hw")
    assert (summary["period"], summary["from"], summary["to"]) == ("2021-Q3", "2021-07-01", "2021-09-30")
    assert [u["unit"] for u in summary["units"]] == ["HW"]
    assert summary["units"][0]["stages_reached"]["signed"] == 1
    earlier = read(activity, "summary", "--quarter", "2021-Q3", "--unit", "HW", "--as-known-at", "2021-09-07")
    assert earlier["units"][0]["stages_reached"]["signed"] == 0
    assert earlier["known_at"] == "2021-09-07T15:59:59.999999+00:00"


def test_summary_as_markdown_has_a_chinese_title_and_a_column_per_unit(activity):
    year = activity("summary", "--year", "2021", "--markdown").stdout
    assert year.startswith("# 2021年度招商引资工作成效\n")
    assert "| 指标 | 市公用事业管理局 | 环境卫生管理处 | 合计 |" in year
    assert "| 新增项目（个） | 1 | 1 | 2 |" in year
    quarter = activity("summary", "--quarter", "2021-Q3", "--markdown").stdout
    assert quarter.startswith("# 2021年第3季度招商引资情况统计\n")


@pytest.mark.parametrize("args", [(), ("--year", "2021", "--quarter", "2021-Q3"), ("--quarter", "2021-Q5"),
                                  ("--quarter", "2021Q3"), ("--quarter", "2021-09"), ("--year", "21")])
def test_summary_needs_exactly_one_well_formed_period(activity, args):
    result = activity("summary", *args, "--json", expect=2)
    assert result.stdout == ""


def test_a_summary_of_a_ledger_without_units_is_all_zeros(zs):
    zs("init", "--admin", "管理员")
    data = json.loads(zs("summary", "--year", "2021", "--json").stdout)
    assert data["units"] == [] and data["total"]["projects_added"] == 0 and data["total"]["reports_owed"] == 0
    markdown = zs("summary", "--year", "2021", "--markdown").stdout
    assert "| 指标 | 合计 |" in markdown and "| 新增项目（个） | 0 |" in markdown
