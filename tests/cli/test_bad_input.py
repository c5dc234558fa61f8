"""Refusals exit 1 with one line on stderr and record nothing; malformed input exits 2 naming the
option; no traceback ever reaches the user; the store and the actor also come from the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import PROJECT

ADMIN, OFFICE, LIAISON, GY_LIAISON = "管理员", "许办公", "孙联络", "周联络"
PROBLEM = f"{PROJECT}/P1"
SERVICE = f"{PROJECT}/S1"

ADD_GY_PROJECT = ("project", "add", "GY-2021-001", "--unit", "GY", "--name", "供热管网改造", "--sector",
                  "gas_heating", "--level", "unit", "--investor", "某燃气公司", "--investment", "800")


def assert_clean(result) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream


def assert_refused(result) -> None:
    """Exit 1, one `Error: ...` line on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ")
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stdout == ""
    assert_clean(result)


@pytest.fixture
def busy(commission_cli):
    """The commission with one problem answered (P1) and one service (S1) on HW-2021-001."""
    zs = commission_cli
    zs("problem", "raise", PROJECT, "--title", "项目用地规划调整", "--category", "land", actor=LIAISON)
    zs("problem", "answer", PROBLEM, "--note", "已反馈投资方", actor=LIAISON)
    zs("service", "add", PROJECT, "--kind", "approval", "--on", "2021-09-08", "--note", "协调环评", actor=LIAISON)
    zs("project", "advance", PROJECT, "--to", "signed", "--on", "2021-09-05", actor=LIAISON)
    return zs


REFUSALS = {
    # rules
    "second-ledger": (ADMIN, ("init", "--admin", "又一个"), "already holds a ledger"),
    "duplicate-unit": (ADMIN, ("unit", "add", "hw", "--name", "重复", "--kind", "department",
                               "--enrolled", "2021-08-31"), "already enrolled"),
    "bad-unit-code": (ADMIN, ("unit", "add", "环卫", "--name", "环卫", "--kind", "department",
                              "--enrolled", "2021-08-31"), "unit code"),
    "withdraw-before-enrolment": (ADMIN, ("unit", "withdraw", "GY", "--on", "2021-08-01", "--reason", "撤并"),
                                  "cannot withdraw before"),
    "unit-update-changes-nothing": (ADMIN, ("unit", "update", "HW", "--name", "环境卫生管理处"), "nothing to change"),
    "duplicate-person": (ADMIN, ("person", "add", LIAISON, "--role", "staff", "--unit", "HW"), "already registered"),
    "officer-without-unit": (ADMIN, ("person", "add", "无单位", "--role", "liaison"), "must belong to a unit"),
    "remove-yourself": (ADMIN, ("person", "remove", ADMIN, "--reason", "退休"), "cannot remove yourself"),
    "duplicate-project": (LIAISON, ("project", "add", PROJECT, "--unit", "HW", "--name", "重复", "--sector",
                                    "sanitation", "--level", "city", "--investor", "某", "--investment", "1"),
                          "already registered"),
    "project-number-with-slash": (LIAISON, ("project", "add", "HW/1", "--unit", "HW", "--name", "某", "--sector",
                                            "sanitation", "--level", "city", "--investor", "某", "--investment", "1"),
                                  "project number"),
    "stage-backwards": (LIAISON, ("project", "advance", PROJECT, "--to", "negotiating"), "forward only"),
    "stage-date-in-future": (LIAISON, ("project", "advance", PROJECT, "--to", "landed", "--on", "2021-09-11"),
                             "in the future"),
    "stage-date-before-previous": (LIAISON, ("project", "advance", PROJECT, "--to", "landed", "--on",
                                             "2021-09-04"), "before the previous stage"),
    "correct-to-same-stage": (OFFICE, ("project", "correct", PROJECT, "--stage", "signed", "--on", "2021-09-05",
                                       "--reason", "核对"),
                              "already at"),
    "resume-active": (LIAISON, ("project", "resume", PROJECT, "--reason", "恢复"), "not suspended"),
    "blank-reason": (LIAISON, ("project", "suspend", PROJECT, "--reason", " "), "reason"),
    "demote-reserve": (OFFICE, ("project", "demote", PROJECT, "--reason", "调整"), "not in the key library"),
    "evaluate-reserve": (OFFICE, ("project", "evaluate", PROJECT, "--period", "2021-Q3", "--rating", "B"),
                         "not a key project"),
    "update-changes-nothing": (LIAISON, ("project", "update", PROJECT, "--investment", "12000.00"),
                               "nothing to change"),
    "due-date-past": (LIAISON, ("problem", "raise", PROJECT, "--title", "资金", "--category", "funding",
                                "--due", "2021-09-09"), "already past"),
    "blank-problem-title": (LIAISON, ("problem", "raise", PROJECT, "--title", " ", "--category", "funding"),
                            "needs a title"),
    "escalate-answered": (LIAISON, ("problem", "escalate", PROBLEM, "--to", "市规划和自然资源局"),
                          "only when"),
    "reopen-unclosed": (OFFICE, ("problem", "reopen", PROBLEM, "--reason", "未解决"), "only when closed"),
    "service-date-in-future": (LIAISON, ("service", "add", PROJECT, "--kind", "policy", "--on", "2021-09-11",
                                         "--note", "宣讲"), "in the future"),
    # permissions
    "office-sets-up-a-unit": (OFFICE, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                                       "--enrolled", "2021-08-31"), "only an admin"),
    "liaison-adds-a-person": (LIAISON, ("person", "add", "王芳", "--role", "staff", "--unit", "HW"),
                              "only an admin"),
    "admin-does-project-work": (ADMIN, ("project", "note", PROJECT, "--text", "进展"), "only the office"),
    "other-unit-notes-project": (GY_LIAISON, ("project", "note", PROJECT, "--text", "进展"), "own unit"),
    "other-unit-raises-problem": (GY_LIAISON, ("problem", "raise", PROJECT, "--title", "资金", "--category",
                                               "funding"), "own unit"),
    "other-unit-adds-service": (GY_LIAISON, ("service", "add", PROJECT, "--kind", "policy", "--on",
                                             "2021-09-08", "--note", "宣讲"), "own unit"),
    "other-unit-voids-service": (GY_LIAISON, ("service", "void", SERVICE, "--reason", "重复"), "own unit"),
    "liaison-promotes": (LIAISON, ("project", "promote", PROJECT, "--reason", "重点"), "only the office"),
    "principal-corrects-stage": ("赵处长", ("project", "correct", PROJECT, "--stage", "lead", "--reason", "错"),
                                 "only the office"),
    "liaison-closes-problem": (LIAISON, ("problem", "close", PROBLEM), "only the office"),
    "leader-evaluates": ("钱副处", ("project", "evaluate", PROJECT, "--period", "2021-09", "--rating", "A"),
                         "only the office"),
    # not found
    "unknown-unit-update": (ADMIN, ("unit", "update", "ZZ", "--name", "无"), "no unit"),
    "unknown-unit-for-person": (ADMIN, ("person", "add", "王芳", "--role", "staff", "--unit", "ZZ"), "no unit"),
    "unknown-person-update": (ADMIN, ("person", "update", "无名氏", "--phone", "1"), "no person"),
    "unknown-project-advance": (LIAISON, ("project", "advance", "HW-9", "--to", "signed"), "no project"),
    "unknown-unit-for-project": (OFFICE, ("project", "add", "ZZ-1", "--unit", "ZZ", "--name", "某", "--sector",
                                          "waste", "--level", "unit", "--investor", "某", "--investment", "1"),
                                 "no unit"),
    "unknown-problem": (LIAISON, ("problem", "answer", f"{PROJECT}/P9", "--note", "已答复"), "no problem"),
    "unknown-service": (LIAISON, ("service", "void", f"{PROJECT}/S9", "--reason", "重复"), "no service"),
    "malformed-service-id": (LIAISON, ("service", "void", "S1", "--reason", "重复"), "no service"),
    "project-show": (None, ("project", "show", "HW-9"), "no project"),
    "project-history": (None, ("project", "history", "HW-9"), "no project"),
    "unit-show": (None, ("unit", "show", "ZZ"), "no unit"),
    "problem-show": (None, ("problem", "show", "HW-9/P1"), "no problem"),
    "service-list-of-unknown-project": (None, ("service", "list", "--project", "HW-9"), "no project"),
    # who is acting
    "write-without-as": (None, ("project", "note", PROJECT, "--text", "进展"), "--as"),
    "unknown-as": ("冒名者", ("project", "note", PROJECT, "--text", "进展"), "not a registered person"),
}


@pytest.mark.parametrize("actor, args, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refusal_exits_1_with_one_line_on_stderr_and_records_nothing(busy, event_count, actor, args, message):
    before = event_count()

    result = busy(*args, actor=actor, expect=None)

    assert_refused(result)
    assert message in result.stderr
    assert event_count() == before


def test_a_removed_person_may_no_longer_act(commission_cli, event_count):
    commission_cli("person", "remove", LIAISON, "--reason", "调离", actor=ADMIN)
    before = event_count()

    result = commission_cli("project", "note", PROJECT, "--text", "进展", actor=LIAISON, expect=None)

    assert_refused(result)
    assert "removed" in result.stderr
    assert event_count() == before


def test_a_terminated_project_refuses_every_further_move(commission_cli, event_count):
    commission_cli("project", "terminate", PROJECT, "--reason", "投资方退出", actor=LIAISON)
    before = event_count()

    for args, actor in [
        (("project", "advance", PROJECT, "--to", "signed"), LIAISON),
        (("project", "resume", PROJECT, "--reason", "恢复"), LIAISON),
        (("project", "promote", PROJECT, "--reason", "重点"), OFFICE),
        (("problem", "raise", PROJECT, "--title", "资金", "--category", "funding"), LIAISON),
    ]:
        result = commission_cli(*args, actor=actor, expect=None)
        assert_refused(result)
        assert "terminated" in result.stderr

    assert event_count() == before


def test_a_withdrawn_unit_takes_no_new_projects_or_officers(commission_cli, event_count):
    commission_cli("unit", "withdraw", "GY", "--on", "2021-09-09", "--reason", "撤并", actor=ADMIN)
    before = event_count()

    assert_refused(commission_cli(*ADD_GY_PROJECT, actor=OFFICE, expect=None))
    assert_refused(commission_cli("person", "add", "新联络", "--role", "liaison", "--unit", "GY", actor=ADMIN,
                                  expect=None))
    assert event_count() == before


def test_a_refused_officer_move_leaves_both_units_untouched(commission_cli, event_count):
    commission_cli("unit", "withdraw", "GY", "--on", "2021-09-09", "--reason", "撤并", actor=ADMIN)
    before = event_count()

    assert_refused(commission_cli("person", "update", LIAISON, "--unit", "GY", actor=ADMIN, expect=None))

    assert event_count() == before
    units = {u["code"]: u for u in json.loads(commission_cli("unit", "list", "--json").stdout)}
    assert (units["HW"]["liaison"], units["GY"]["liaison"]) == (LIAISON, GY_LIAISON)


# -- malformed input ---------------------------------------------------------------------------------

MALFORMED = {
    "unit-enrolled-date": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                                   "--enrolled", "2021-13-01"), "--enrolled"),
    "unit-kind": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "ministry",
                          "--enrolled", "2021-08-31"), "--kind"),
    "unit-sector": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                            "--enrolled", "2021-08-31", "--sector", "mining"), "--sector"),
    "unit-update-sector": (ADMIN, ("unit", "update", "HW", "--sector", "mining"), "--sector"),
    "unit-withdraw-date": (ADMIN, ("unit", "withdraw", "GY", "--on", "yesterday", "--reason", "撤并"), "--on"),
    "person-role": (ADMIN, ("person", "add", "王芳", "--role", "boss"), "--role"),
    "person-update-role": (ADMIN, ("person", "update", LIAISON, "--role", "boss"), "--role"),
    "project-investment-3-decimals": (LIAISON, ("project", "add", "HW-2", "--unit", "HW", "--name", "某",
                                                "--sector", "sanitation", "--level", "city", "--investor", "某",
                                                "--investment", "1200.505"), "--investment"),
    "project-investment-text": (LIAISON, ("project", "add", "HW-2", "--unit", "HW", "--name", "某", "--sector",
                                          "sanitation", "--level", "city", "--investor", "某",
                                          "--investment", "一万二"), "--investment"),
    "project-investment-negative": (LIAISON, ("project", "add", "HW-2", "--unit", "HW", "--name", "某",
                                              "--sector", "sanitation", "--level", "city", "--investor", "某",
                                              "--investment", "-5"), "--investment"),
    "project-sector": (LIAISON, ("project", "add", "HW-2", "--unit", "HW", "--name", "某", "--sector", "mining",
                                 "--level", "city", "--investor", "某", "--investment", "1"), "--sector"),
    "project-level": (LIAISON, ("project", "add", "HW-2", "--unit", "HW", "--name", "某", "--sector",
                                "sanitation", "--level", "province", "--investor", "某", "--investment", "1"),
                      "--level"),
    "project-update-investment": (LIAISON, ("project", "update", PROJECT, "--investment", "0.001"),
                                  "--investment"),
    "advance-stage": (LIAISON, ("project", "advance", PROJECT, "--to", "built"), "--to"),
    "advance-date": (LIAISON, ("project", "advance", PROJECT, "--to", "landed", "--on", "2021/09/08"), "--on"),
    "correct-stage": (OFFICE, ("project", "correct", PROJECT, "--stage", "done", "--reason", "错"), "--stage"),
    "note-date": (LIAISON, ("project", "note", PROJECT, "--text", "进展", "--on", "2021-02-30"), "--on"),
    "evaluate-rating": (OFFICE, ("project", "evaluate", PROJECT, "--period", "2021-Q3", "--rating", "E"),
                        "--rating"),
    "evaluate-period": (OFFICE, ("project", "evaluate", PROJECT, "--period", "2021-13", "--rating", "A"),
                        "--period"),
    "evaluate-period-once": (OFFICE, ("project", "evaluate", PROJECT, "--period", "once", "--rating", "A"),
                             "--period"),
    "problem-category": (LIAISON, ("problem", "raise", PROJECT, "--title", "资金", "--category", "money"),
                         "--category"),
    "problem-due": (LIAISON, ("problem", "raise", PROJECT, "--title", "资金", "--category", "funding",
                              "--due", "2021-12"), "--due"),
    "service-kind": (LIAISON, ("service", "add", PROJECT, "--kind", "lunch", "--on", "2021-09-08", "--note", "x"),
                     "--kind"),
    "service-date": (LIAISON, ("service", "add", PROJECT, "--kind", "policy", "--on", "9月8日", "--note", "x"),
                     "--on"),
    "service-amount": (LIAISON, ("service", "add", PROJECT, "--kind", "policy", "--on", "2021-09-08", "--note",
                                 "x", "--amount", "1.234"), "--amount"),
    "service-list-period": (None, ("service", "list", "--period", "2021-9x"), "--period"),
    "service-list-period-not-a-month": (None, ("service", "list", "--period", "2021-Q3"), "--period"),
    "project-list-stage": (None, ("project", "list", "--stage", "built"), "--stage"),
    "project-list-library": (None, ("project", "list", "--library", "gold"), "--library"),
    "problem-list-status": (None, ("problem", "list", "--status", "pending"), "--status"),
    "missing-required-option": (LIAISON, ("project", "advance", PROJECT), "--to"),
}


@pytest.mark.parametrize("actor, args, option", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_exits_2_naming_the_option_and_records_nothing(commission_cli, event_count, actor,
                                                                       args, option):
    before = event_count()

    result = commission_cli(*args, actor=actor, expect=2)

    assert option in result.stderr
    assert result.stdout == ""
    assert_clean(result)
    assert event_count() == before


def test_a_malformed_store_url_exits_2_and_says_how_to_write_one(zs):
    result = zs("unit", "list", store="mysql://localhost/zs", expect=2)

    assert "sqlite:///" in result.stderr
    assert_clean(result)


# -- the store and the environment -----------------------------------------------------------------


@pytest.mark.parametrize("args", [("unit", "list"), ("project", "show", PROJECT),
                                  ("unit", "add", "HW", "--name", "环卫处", "--kind", "department",
                                   "--enrolled", "2021-08-31")])
def test_a_missing_sqlite_file_says_to_run_zs_init_and_creates_nothing(zs, tmp_path: Path, args):
    missing = tmp_path / "missing.db"

    result = zs(*args, actor=ADMIN, store=f"sqlite:///{missing}", expect=None)

    assert_refused(result)
    assert "zs init" in result.stderr
    assert not missing.exists()


def test_an_unreachable_postgresql_store_fails_with_a_clear_message(zs):
    result = zs("unit", "list", store="postgresql://x@127.0.0.1:1/db", expect=None)  # ~5 s: the connect timeout

    assert_refused(result)
    assert "cannot use the store" in result.stderr


def test_an_unexpected_error_becomes_one_line_without_a_traceback(commission_cli, monkeypatch):
    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("projections.queries.Queries.units", broken)

    result = commission_cli("unit", "list", expect=None)

    assert_refused(result)
    assert "RuntimeError" in result.stderr and "disk on fire" in result.stderr


def test_zs_store_and_zs_actor_from_the_environment_work_like_the_options(zs, store_url):
    zs("init", "--admin", ADMIN, store=None, env={"ZS_STORE": store_url})
    zs("unit", "add", "HW", "--name", "环境卫生管理处", "--kind", "department", "--enrolled", "2021-08-31",
       store=None, env={"ZS_STORE": store_url, "ZS_ACTOR": ADMIN})

    units = json.loads(zs("unit", "list", "--json").stdout)  # read back through --store
    assert [u["code"] for u in units] == ["HW"]


def test_the_as_option_wins_over_zs_actor(commission_cli, event_count):
    before = event_count()

    result = commission_cli("person", "add", "王芳", "--role", "staff", "--unit", "HW", actor=OFFICE,
                            env={"ZS_ACTOR": ADMIN}, expect=None)

    assert_refused(result)
    assert "only an admin" in result.stderr
    assert event_count() == before


def test_an_unknown_zs_actor_is_refused_like_an_unknown_as(commission_cli, event_count):
    before = event_count()

    result = commission_cli("project", "note", PROJECT, "--text", "进展", env={"ZS_ACTOR": "冒名者"}, expect=None)

    assert_refused(result)
    assert "冒名者" in result.stderr
    assert event_count() == before


def test_without_store_or_zs_store_the_ledger_is_zhaoshang_db_in_the_current_folder(zs, tmp_path: Path):
    zs("init", "--admin", ADMIN, store=None)

    assert (tmp_path / "zhaoshang.db").exists()
    assert json.loads(zs("person", "list", "--json", store=None).stdout)[0]["name"] == ADMIN


def test_help_is_shown_for_the_root_and_a_command(zs):
    assert "Usage: zs" in zs("--help", store=None).stdout
    assert "--investment" in zs("project", "add", "-h", store=None).stdout


@pytest.mark.parametrize("read", [("unit", "show", "HW"), ("summary", "--year", "2021"), ("policy", "show"),
                                  ("project", "history", "HW-2021-001"), ("unit", "list")])
def test_a_typed_as_naming_nobody_is_refused_on_every_read(commission_cli, read):
    result = commission_cli(*read, actor="无此人", expect=None)
    assert result.exit_code == 1 and "is not a registered person" in result.stderr
