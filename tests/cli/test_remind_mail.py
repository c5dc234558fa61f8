"""`zs remind --send` against an SMTP sink the test starts on 127.0.0.1: one Chinese message per person,
never the same item twice on the same Shanghai day, each mailing an event in the audit trail."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

OFFICE, LIAISON, PRINCIPAL = "许办公", "孙联络", "赵处长"


class Sink:
    """Keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sink() -> Iterator[tuple[Sink, dict[str, str]]]:
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, {"ZS_SMTP": f"smtp://127.0.0.1:{port}", "ZS_MAIL_FROM": "zsb@example.gov.cn"}
    finally:
        controller.stop()


@pytest.fixture
def pressed(commission_cli, freezer):
    """On 2021-10-03 (Shanghai): September's forms due in two days, HW's project_status drafted and
    waiting for its principal, a 督办 due tomorrow; the liaison and the principal have addresses."""
    zs = commission_cli
    zs("person", "update", LIAISON, "--email", "sun@example.gov.cn", actor="管理员")
    zs("person", "update", PRINCIPAL, "--email", "zhao@example.gov.cn", actor="管理员")
    freezer.move_to("2021-10-03T02:00:00+00:00")
    zs("report", "draft", "--unit", "HW", "--kind", "project_status", "--period", "2021-09", actor=LIAISON)
    zs("supervise", "open", "HW-2021-001", "--due", "2021-10-04", "--note", "请说明推进计划", actor=OFFICE)
    return zs


def by_recipient(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {m["To"].addresses[0].addr_spec: m for m in messages}


def test_remind_lists_reports_to_approve_and_open_supervisions(pressed):
    entries = {e["unit"]: e for e in json.loads(pressed("remind", "--json").stdout)}
    hw = entries["HW"]
    assert [r["report_id"] for r in hw["awaiting_approval"]] == ["HW/project_status/2021-09"]
    assert hw["approved_not_sent"] == []
    assert [(s["id"], s["past_due"]) for s in hw["supervisions"]] == [("DB-2021-001", False)]
    assert hw["principal"] == PRINCIPAL
    pressed("report", "approve", "HW/project_status/2021-09", actor=PRINCIPAL)
    hw = {e["unit"]: e for e in json.loads(pressed("remind", "--json").stdout)}["HW"]
    assert (hw["awaiting_approval"], [r["report_id"] for r in hw["approved_not_sent"]]) == (
        [], ["HW/project_status/2021-09"])
    assert "待审定" not in pressed("remind").stdout and "已审定待报送" in pressed("remind").stdout


def test_each_person_gets_one_chinese_message_and_never_the_same_item_twice_a_day(pressed, sink, freezer):
    handler, env = sink
    result = json.loads(pressed("remind", "--send", "--json", actor=OFFICE, env=env).stdout)
    assert {r["person"]: r["status"] for r in result} == {LIAISON: "sent", PRINCIPAL: "sent", "周联络": "no_email"}
    mail = by_recipient(handler.messages)
    assert set(mail) == {"sun@example.gov.cn", "zhao@example.gov.cn"}
    assert mail["zhao@example.gov.cn"]["Subject"] == "招商引资工作提醒（2021-10-03）"
    assert "【待审定】重点招商项目情况表（2021-09）已起草" in mail["zhao@example.gov.cn"].get_content()
    liaison = mail["sun@example.gov.cn"].get_content()
    assert "【即将到期】环境卫生管理处重点招商项目服务清单（2021-09）应于 2021-10-05 前报送" in liaison
    assert "【督办即将到期】DB-2021-001（HW-2021-001）限 2021-10-04 前答复" in liaison
    assert mail["sun@example.gov.cn"]["From"].addresses[0].addr_spec == "zsb@example.gov.cn"

    freezer.move_to("2021-10-03T15:59:00+00:00")  # 23:59 the same Shanghai day: nothing new to send
    again = json.loads(pressed("remind", "--send", "--json", actor=OFFICE, env=env).stdout)
    assert {r["person"]: r["status"] for r in again}[LIAISON] == "already_reminded"
    assert len(handler.messages) == 2

    freezer.move_to("2021-10-03T16:00:00+00:00")  # midnight in Shanghai: a new day, reminded again
    pressed("remind", "--send", actor=OFFICE, env=env)
    assert len(handler.messages) == 4
    audit = json.loads(pressed("audit", "--action", "Reminder.Mailed", "--json").stdout)
    assert len(audit) == 4 and {a["actor"] for a in audit} == {OFFICE}
    assert any(a["details"]["to"] == "zhao@example.gov.cn" and a["details"]["items"] == ["approve:HW/project_status/2021-09"]
               for a in audit)


def test_a_dry_run_prints_the_messages_and_sends_and_records_nothing(pressed, sink, event_count):
    handler, env = sink
    before = event_count()
    out = pressed("remind", "--dry-run", env=env).stdout
    assert "将发送" in out and "招商引资工作提醒（2021-10-03）" in out and "周联络 <->：未登记邮箱，未发送" in out
    assert handler.messages == [] and event_count() == before


def test_only_the_office_sends_and_a_missing_or_broken_server_records_nothing(pressed, sink, event_count):
    handler, env = sink
    before = event_count()
    assert "only the office" in pressed("remind", "--send", actor=LIAISON, env=env, expect=1).stderr
    assert "ZS_SMTP" in pressed("remind", "--send", actor=OFFICE, expect=2).stderr
    assert "ZS_SMTP" in pressed("remind", "--send", actor=OFFICE, env=env | {"ZS_SMTP": "http://x"}, expect=2).stderr
    assert "ZS_MAIL_FROM" in pressed("remind", "--send", actor=OFFICE, env=env | {"ZS_MAIL_FROM": "不是地址"},
                                     expect=2).stderr
    assert "--as-of" in pressed("remind", "--send", "--as-of", "2021-10-01", actor=OFFICE, env=env, expect=2).stderr
    down = env | {"ZS_SMTP": f"smtp://127.0.0.1:{free_port()}"}
    failed = pressed("remind", "--send", actor=OFFICE, env=down, expect=1)
    assert "could not be sent" in failed.stderr and "发送失败" in failed.stdout
    assert handler.messages == [] and event_count() == before


def test_an_email_address_is_checked_and_shown(commission_cli):
    zs = commission_cli
    assert "--email" in zs("person", "update", LIAISON, "--email", "sun at example", actor="管理员", expect=2).stderr
    zs("person", "add", "王科员", "--role", "staff", "--unit", "HW", "--email", "wang@example.gov.cn", actor="管理员")
    people = {p["name"]: p for p in json.loads(zs("person", "list", "--json").stdout)}
    assert (people["王科员"]["email"], people[LIAISON]["email"]) == ("wang@example.gov.cn", None)
