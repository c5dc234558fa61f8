"""The durable views agree with the aggregates, answer the CLI's own writes, track the log's head,
and a rebuild by replay gives exactly the tables incremental catch-up built — on SQLite and PostgreSQL.

`busy` drives a commission like the `commission` fixture's through most commands, the clock moving between them and the
views caught up every few steps, so the tables were built incrementally in many small batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from cli.main import cli
from domain.application import Ledger
from domain.errors import NotFound
from domain.values import Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind, shanghai_date
from projections.queries import NOW, Moment, Queries
from projections.rebuild import rebuild_views
from projections.views import all_views
from tests.conftest import Clock
from tests.projections.support import (
    STORES, assert_a_version_row_per_event, dump, log_actions, module_commission, shanghai,
)

P1, P2, G1 = "HW-2021-001", "HW-2021-002", "GY-2021-001"
VIEW_NAMES = [view.name for view in all_views()]
# the events that change a board row's fields; notes, services, evaluations and problems do not
BOARD_CHANGES = {"Registered", "Updated", "StageAdvanced", "StageCorrected", "Suspended", "Resumed", "Terminated",
                 "Promoted", "Demoted"}


def busy(ledger: Ledger, clock: Clock) -> Ledger:
    steps = [
        lambda: ledger.add_project("周联络", G1, "GY", "燃气管网改造", Sector.GAS_HEATING, Level.COMMISSION,
                                   "某燃气公司", Decimal("5000.50")),
        lambda: ledger.add_project("孙联络", P2, "HW", "垃圾分类驿站", Sector.SANITATION, Level.UNIT, "某回收公司",
                                   Decimal("800.00")),
        lambda: ledger.advance_project("孙联络", P1, Stage.NEGOTIATING, date(2021, 8, 20), "首次洽谈"),
        lambda: ledger.update_person("管理员", "李科员", unit="GY"),
        lambda: ledger.advance_project("孙联络", P1, Stage.SIGNED, date(2021, 9, 2)),
        lambda: ledger.promote_project("许办公", P1, "投资规模大"),
        lambda: ledger.note_progress("孙联络", P1, "完成尽职调查"),
        lambda: ledger.raise_problem("孙联络", P1, "用地指标不足", ProblemCategory.LAND, date(2021, 9, 30)),
        lambda: ledger.escalate_problem("孙联络", f"{P1}/P1", "规划计划处"),
        lambda: ledger.answer_problem("孙联络", f"{P1}/P1", "已协调，反馈投资方"),
        lambda: ledger.close_problem("许办公", f"{P1}/P1"),
        lambda: ledger.raise_problem("孙联络", P1, "环评待批", ProblemCategory.APPROVAL),
        lambda: ledger.raise_problem("周联络", G1, "管网迁改资金", ProblemCategory.FUNDING, date(2021, 9, 20)),
        lambda: ledger.add_service("孙联络", P1, ServiceKind.APPROVAL, date(2021, 9, 3), "协调环评", Decimal("12.50")),
        lambda: ledger.add_service("孙联络", P1, ServiceKind.SITE, date(2021, 9, 4), "踏勘选址"),
        lambda: ledger.void_service("孙联络", f"{P1}/S2", "重复登记"),
        lambda: ledger.update_project("孙联络", P1, investment=Decimal("12500.25")),
        lambda: ledger.advance_project("孙联络", P1, Stage.LANDED),
        lambda: ledger.suspend_project("孙联络", P2, "投资方资金调整"),
        lambda: ledger.promote_project("许办公", G1, "行业带动"),
        lambda: ledger.demote_project("许办公", G1, "推进缓慢"),
        lambda: ledger.evaluate_project("许办公", P1, "2021-09", Rating.A, "推进有力"),
        lambda: ledger.advance_project("周联络", G1, Stage.LANDED, date(2021, 9, 5)),
        lambda: ledger.terminate_project("周联络", G1, "投资方退出"),
        lambda: ledger.draft_report("孙联络", "HW", "project_status", "2021-08", [("表.xlsx", b"form")]),
        lambda: ledger.approve_report("赵处长", "HW/project_status/2021-08"),
        lambda: ledger.send_report("孙联络", "HW/project_status/2021-08", sealed=True),
        lambda: ledger.accept_report("许办公", "HW/project_status/2021-08"),
        lambda: ledger.draft_report("孙联络", "HW", "tracking_feedback", "2021-08"),
        lambda: ledger.approve_report("赵处长", "HW/tracking_feedback/2021-08"),
        lambda: ledger.send_report("孙联络", "HW/tracking_feedback/2021-08", sealed=True),
        lambda: ledger.return_report("许办公", "HW/tracking_feedback/2021-08", "数据不一致"),
        lambda: ledger.revise_report("孙联络", "HW/tracking_feedback/2021-08", [("反馈单.xlsx", b"v2")], "已更正"),
        lambda: ledger.draft_report("周联络", "GY", "liaison_form", "once"),
        lambda: ledger.add_unit("管理员", "ZX", "执法协调处", UnitKind.DEPARTMENT, date(2021, 8, 31)),
        lambda: ledger.withdraw_unit("管理员", "ZX", date(2021, 9, 6), "调整职能"),
        lambda: ledger.add_person("管理员", "吴联络", Role.LIAISON, "HW", "13800000104"),
        lambda: ledger.update_person("管理员", "李科员", phone="022-28350199"),
        lambda: ledger.remove_person("管理员", "钱副处", "调任"),
        lambda: ledger.update_unit("管理员", "GY", department="规划发展处（新）"),
        lambda: (clock.advance(days=2), ledger.remove_person("管理员", "李科员", "离职")),  # days after his moves
    ]
    for i, step in enumerate(steps):
        clock.advance(hours=5)
        step()
        if i % 4 == 3:
            Queries(ledger)  # incremental: each construction catches up
    return ledger


@pytest.fixture(scope="module", params=STORES)
def busy_ledger(request, tmp_path_factory) -> Iterator[Ledger]:
    """Built once per store for the module; the tests only read it (a rebuild leaves it as it was)."""
    with module_commission(request, tmp_path_factory) as (ledger, clock):
        yield busy(ledger, clock)


def test_the_board_shows_every_project_as_its_aggregate_stands(busy_ledger):
    board = Queries(busy_ledger).board()
    projects = busy_ledger.projects()
    assert [row["number"] for row in board] == [p.number for p in projects]
    problems = busy_ledger.problems()
    for row, p in zip(board, projects):
        expected = {
            "number": p.number, "name": p.name, "unit": p.unit, "sector": p.sector.value, "level": p.level.value,
            "library": p.library.value, "stage": p.stage.value, "status": p.status.value, "investor": p.investor,
            "investment_wan": p.investment, "responsible_person": p.responsible_person,
            "responsible_department": p.responsible_department, "liaison": p.liaison,
            "open_problems": sum(1 for q in problems if q.project == p.number and q.status.value != "closed"),
        }
        assert {k: row[k] for k in expected} == expected
        changes = [e for e in busy_ledger.history(p.id) if type(e).__name__ in BOARD_CHANGES]
        assert row["updated_at"] == changes[-1].recorded_at


def test_a_project_from_the_views_is_its_board_row(busy_ledger):
    queries = Queries(busy_ledger)
    for row in queries.board():
        assert queries.project(row["number"]) == row


def test_board_filters_select_the_same_projects_as_the_aggregates(busy_ledger):
    queries = Queries(busy_ledger)
    projects = busy_ledger.projects()
    for field, value in [("unit", "HW"), ("library", "key"), ("stage", "landed"), ("status", "terminated"),
                         ("sector", "gas_heating"), ("level", "unit")]:
        wanted = [p.number for p in projects if str(getattr(p, field)) == value]
        assert [r["number"] for r in queries.board(**{field: value})] == wanted, field
        assert wanted, f"the story leaves no project with {field}={value}"


def test_the_problem_list_matches_the_problem_aggregates(busy_ledger):
    listed = {row["id"]: row for row in Queries(busy_ledger).problems()}
    problems = busy_ledger.problems()
    assert set(listed) == {q.problem_id for q in problems}
    for q in problems:
        assert listed[q.problem_id] == {
            "id": q.problem_id, "project": q.project, "unit": q.unit, "title": q.title,
            "category": q.category.value, "status": q.status.value, "raised_at": q.raised_at,
            "due_on": q.due_on, "closed_at": q.closed_at,
        }


def test_the_service_list_matches_the_projects_services(busy_ledger):
    listed = {row["id"]: row for row in Queries(busy_ledger).services()}
    expected = {s.id: {"id": s.id, "project": p.number, "unit": p.unit, "kind": s.kind.value, "on": s.on,
                       "note": s.note, "amount_wan": s.amount, "voided": s.voided, "void_reason": s.void_reason}
                for p in busy_ledger.projects() for s in p.services}
    assert listed == expected
    assert [s for s in listed.values() if s["voided"]] == [expected[f"{P1}/S2"]]


def test_the_report_list_matches_the_report_aggregates(busy_ledger):
    listed = {row["id"]: row for row in Queries(busy_ledger).reports()}
    reports = busy_ledger.reports()
    assert set(listed) == {r.report_id for r in reports}
    for r in reports:
        assert listed[r.report_id] == {
            "id": r.report_id, "unit": r.unit, "kind": r.kind, "period": r.period, "status": r.status,
            "version": r.revision, "drafted_by": r.drafted_by, "approved_by": r.approved_by,
            "approved_at": r.approved_at, "sent_by": r.sent_by, "sent_at": r.sent_at, "sealed": r.sealed,
            "reviewed_by": r.reviewed_by, "reviewed_at": r.reviewed_at, "return_reason": r.return_reason,
            "attachments": [a.model_dump(mode="json") for a in r.attachments],
        }, r.report_id


def test_the_unit_list_matches_the_unit_aggregates_and_their_officers(busy_ledger):
    listed = Queries(busy_ledger).units()
    units = busy_ledger.units()
    assert [u["code"] for u in listed] == [u.code for u in units]
    for row, u in zip(listed, units):
        assert row == {
            "code": u.code, "name": u.name, "kind": u.kind.value, "sectors": [s.value for s in u.sectors],
            "department": u.department, "enrolled_on": u.enrolled_on, "withdrawn_on": u.withdrawn_on,
            "principal": u.officer(Role.PRINCIPAL), "leader": u.officer(Role.LEADER),
            "liaison": u.officer(Role.LIAISON),
        }
    hw = next(row for row in listed if row["code"] == "HW")
    assert (hw["leader"], hw["liaison"]) == (None, "吴联络")


def test_the_people_list_matches_the_person_aggregates(busy_ledger):
    listed = Queries(busy_ledger).people()
    people = busy_ledger.people()
    assert [p["name"] for p in listed] == [p.name for p in people]
    for row, p in zip(listed, people):
        assert row == {"name": p.name, "role": p.role.value, "unit": p.unit, "phone": p.phone, "title": p.title,
                       "email": p.email, "active": p.active}
    assert not next(p for p in listed if p["name"] == "钱副处")["active"]


def test_after_a_query_every_view_stands_at_the_logs_head(busy_ledger):
    queries = Queries(busy_ledger)
    head = busy_ledger.recorder.max_notification_id()
    assert queries.runner.head() == head
    assert queries.runner.positions() == {name: head for name in VIEW_NAMES}


def test_the_audit_trail_has_one_entry_per_event_in_log_order(busy_ledger):
    trail = Queries(busy_ledger).audit()
    assert [row["action"] for row in trail] == log_actions(busy_ledger)
    assert [row["recorded_at"] for row in trail] == sorted(row["recorded_at"] for row in trail)


@pytest.mark.parametrize("field, value", [
    ("actor", "周联络"), ("unit", "GY"), ("unit", "ZX"), ("action", "Report.Sent"), ("action", "Closed"),
    ("report", "HW/tracking_feedback/2021-08"),
])
def test_each_audit_filter_selects_what_filtering_the_whole_trail_selects(busy_ledger, field, value):
    queries = Queries(busy_ledger)
    trail = queries.audit()
    wanted = [r for r in trail if value in (r[field] if field != "report" else r["subject"],
                                            r["action"].partition(".")[2])]
    if field == "report":
        wanted = [r for r in wanted if r["action"].startswith("Report.")]
    assert wanted and queries.audit(**{field: value}) == wanted


def test_the_audit_project_filter_selects_the_project_and_its_problems(busy_ledger):
    queries = Queries(busy_ledger)
    rows = queries.audit(project=P1)
    assert rows == [r for r in queries.audit() if r["subject"] in (P1, f"{P1}/P1", f"{P1}/P2")]
    assert {r["subject"] for r in rows} == {P1, f"{P1}/P1", f"{P1}/P2"}


def test_the_audit_time_filters_select_by_recorded_time(busy_ledger):
    queries = Queries(busy_ledger)
    trail = queries.audit()
    since, until = trail[20]["recorded_at"], trail[40]["recorded_at"]
    assert queries.audit(since=since, until=until) == [r for r in trail if since <= r["recorded_at"] <= until]
    assert queries.audit(since=since, actor="许办公") == [r for r in trail if since <= r["recorded_at"]
                                                       and r["actor"] == "许办公"]


def moved_person(queries: Queries) -> list[dict]:
    return [r for r in queries.audit() if r["subject"] == "李科员"]


def test_an_audit_entry_keeps_the_unit_the_person_was_in(busy_ledger):
    queries = Queries(busy_ledger)
    trail = moved_person(queries)
    assert [(r["action"], r["unit"]) for r in trail] == [
        ("Person.Registered", "HW"), ("Person.Updated", "GY"), ("Person.Updated", "GY"), ("Person.Removed", "GY")]
    removed = trail[-1]
    assert removed in queries.audit(unit="GY") and removed not in queries.audit(unit="HW")
    assert trail[0] in queries.audit(unit="HW")


def test_an_audit_window_shows_a_person_event_under_the_same_unit_as_the_whole_trail(busy_ledger):
    queries = Queries(busy_ledger)
    removed = moved_person(queries)[-1]
    assert [r for r in queries.audit(since=removed["recorded_at"]) if r["subject"] == "李科员"] == [removed]


def test_an_answer_as_of_now_from_the_history_equals_the_current_views(busy_ledger):
    queries = Queries(busy_ledger)
    now = Moment(busy_ledger.clock())
    assert queries.board(now) == queries.board()
    assert queries.board(now, unit="HW") == queries.board(unit="HW")
    assert queries.project(P1, now) == queries.project(P1)
    assert queries.obligations(busy_ledger.clock(), known_at=busy_ledger.clock()) == \
        queries.obligations(busy_ledger.clock())


def expected_progress(queries: Queries, code: str, moment, at: Moment) -> dict:
    """A unit's closed loop counted from the board, the problem list and the obligations."""
    projects = queries.board(at, unit=code)
    live = [p for p in projects if p["status"] != "terminated"]
    landed = [p for p in live if Stage(p["stage"]).rank >= Stage.LANDED.rank]
    obligations = queries.obligations(moment, code, at.known_at)
    statuses = [o["status"] for o in obligations]
    return {
        "unit": code, "projects_by_stage": {s.value: sum(p["stage"] == s.value for p in live) for s in Stage},
        "terminated": len(projects) - len(live), "key_projects": sum(p["library"] == "key" for p in live),
        "landed_or_beyond": len(landed), "landed_investment_wan": sum((p["investment_wan"] for p in landed),
                                                                      Decimal("0.00")),
        "reports_owed": sum(o["due_on"] < shanghai_date(moment) for o in obligations),
        **{f"reports_{s}": statuses.count(s) for s in ("on_time", "late", "overdue", "upcoming")},
    }


def test_progress_agrees_with_the_board_the_problems_and_the_obligations(busy_ledger):
    queries = Queries(busy_ledger)
    now = busy_ledger.clock()
    for moment, at in [(now, NOW), (shanghai(2021, 9, 3, 12), Moment(shanghai(2021, 9, 3, 12)))]:
        for row in queries.progress(None if at.now else moment):
            assert {k: row[k] for k in expected_progress(queries, row["unit"], moment, at)} == \
                expected_progress(queries, row["unit"], moment, at), (row["unit"], moment)
    for row in queries.progress():
        problems = queries.problems(unit=row["unit"])
        assert (row["problems_raised"], row["problems_open"], row["problems_answered"], row["problems_closed"],
                row["problems_past_due"]) == (
            len(problems), sum(q["status"] != "closed" for q in problems),
            sum(q["status"] == "answered" for q in problems), sum(q["status"] == "closed" for q in problems),
            sum(q["status"] != "closed" and q["due_on"] is not None and q["due_on"] < shanghai_date(now)
                for q in problems))
    assert queries.progress() == queries.progress(now)
    assert next(r for r in queries.progress() if r["unit"] == "HW")["landed_investment_wan"] == Decimal("12500.25")


def test_the_version_tables_hold_a_row_per_event(busy_ledger):
    Queries(busy_ledger)
    assert_a_version_row_per_event(busy_ledger, busy_ledger.recorder.max_notification_id())


@pytest.mark.parametrize("names", [None] + [[name] for name in VIEW_NAMES], ids=["all"] + VIEW_NAMES)
def test_a_rebuild_gives_the_tables_incremental_catch_up_built(busy_ledger, names):
    queries = Queries(busy_ledger)
    incremental = dump(busy_ledger)
    assert incremental["zs_board"] and incremental["zs_report_versions"] and incremental["(indexes)"]
    read = rebuild_views(queries.runner, names)
    assert read == busy_ledger.recorder.max_notification_id()
    assert dump(busy_ledger) == incremental


def test_a_rebuild_in_small_batches_gives_the_same_tables(busy_ledger, monkeypatch):
    queries = Queries(busy_ledger)
    incremental = dump(busy_ledger)
    monkeypatch.setattr("projections.runner.BATCH", 3)
    monkeypatch.setattr("projections.runner.REBUILD_BATCH", 3, raising=False)
    rebuild_views(queries.runner)
    assert dump(busy_ledger) == incremental


def test_a_rebuild_of_one_view_repairs_its_damaged_table(busy_ledger):
    queries = Queries(busy_ledger)
    before = queries.board()
    with queries.db.transaction() as cursor:
        cursor.execute("DELETE FROM zs_board")
    assert queries.board() == []  # the views trust their tables; a rebuild is how to repair them
    rebuild_views(queries.runner, ["board"])
    assert queries.board() == before


# -- the CLI reads its own writes, on either store ---------------------------------------------------------


def zs(store: str, *args: str, actor: str | None = None) -> str:
    argv = ["--store", store] + (["--as", actor] if actor else []) + list(args)
    result = CliRunner().invoke(cli, argv, env={"ZS_STORE": None, "ZS_ACTOR": None}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_query_right_after_a_command_sees_it(commission, store):
    zs(store, "project", "advance", P1, "--to", "signed", "--on", "2021-08-30", actor="孙联络")
    assert json.loads(zs(store, "project", "show", P1, "--json"))["stage"] == "signed"
    zs(store, "project", "promote", P1, "--reason", "投资规模大", actor="许办公")
    assert [r["number"] for r in json.loads(zs(store, "board", "--library", "key", "--json"))] == [P1]
    problem = zs(store, "problem", "raise", P1, "--title", "用地", "--category", "land", actor="孙联络").strip()
    progress = json.loads(zs(store, "progress", "--unit", "HW", "--json"))
    assert (progress[0]["problems_open"], progress[0]["key_projects"]) == (1, 1)
    assert [a["subject"] for a in json.loads(zs(store, "audit", "--json"))][-1] == problem


def test_views_status_shows_every_view_at_the_logs_head(commission, store):
    zs(store, "project", "note", P1, "--text", "现场踏勘", actor="孙联络")
    head = commission.recorder.max_notification_id()
    status = json.loads(zs(store, "views", "status", "--json"))
    assert status == [{"view": name, "position": head, "log": head, "behind": 0} for name in VIEW_NAMES]


def test_a_project_the_views_have_never_seen_is_not_found(commission):
    with pytest.raises(NotFound, match="no project numbered 'HW-2099-001'"):
        Queries(commission).project("HW-2099-001")


def test_one_unit_is_read_from_the_view_by_its_code_in_any_case(commission):
    views = Queries(commission)

    assert views.unit(" hw ") == next(u for u in views.units() if u["code"] == "HW")
    with pytest.raises(NotFound, match="no unit 'XX' is enrolled"):
        views.unit("XX")
