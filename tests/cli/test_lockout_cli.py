"""No lock-out and no ghost units through the command line (issue 9, item 5)."""

from __future__ import annotations

from tests.cli.conftest import ADMIN, PROJECT
from tests.cli.test_bad_input import assert_refused


def test_the_only_admin_cannot_make_themself_staff(commission_cli, event_count):
    before = event_count()
    result = commission_cli("person", "update", ADMIN, "--role", "staff", "--unit", "HW", actor=ADMIN, expect=None)
    assert_refused(result)
    assert "管理员 is the last active admin; appoint another admin first" in result.stderr
    assert event_count() == before
    commission_cli("person", "add", "新管理", "--role", "admin", actor=ADMIN)
    commission_cli("person", "update", ADMIN, "--role", "office", actor=ADMIN)


def test_a_withdrawn_units_liaison_cannot_note_progress_the_day_after(commission_cli, event_count, freezer):
    commission_cli("unit", "withdraw", "HW", "--on", "2021-09-10", "--reason", "机构改革", actor=ADMIN)
    commission_cli("project", "note", PROJECT, "--text", "退出当天的进展", actor="孙联络")
    freezer.move_to("2021-09-11T02:00:00+00:00")
    before = event_count()
    for args in [("project", "note", PROJECT, "--text", "进展"),
                 ("problem", "raise", PROJECT, "--title", "资金", "--category", "funding"),
                 ("project", "advance", PROJECT, "--to", "negotiating")]:
        result = commission_cli(*args, actor="孙联络", expect=None)
        assert_refused(result)
        assert "unit HW withdrew on 2021-09-10, so its people no longer record anything for it" in result.stderr
    assert event_count() == before
    commission_cli("project", "note", PROJECT, "--text", "办公室接管", actor="许办公")
    assert PROJECT in commission_cli("board", actor="孙联络").stdout  # reading is unaffected
