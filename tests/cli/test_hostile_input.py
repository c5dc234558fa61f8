"""What a hostile user tried (issue 9): every malformed value exits 2 naming its option on one line,
every file or store error exits 1 naming the file or store, typed text is clean before it is
recorded, and nothing shown on a terminal carries a raw control sequence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli.conftest import PROJECT

ADMIN, OFFICE, LIAISON = "管理员", "许办公", "孙联络"
ARABIC_1200 = "\u0661\u0662\u0660\u0660"  # ١٢٠٠
FULL_WIDTH_1200 = "\uff11\uff12\uff10\uff10"  # １２００


def add_project(number: str = "HW-2", name: str = "某项目", investment: str = "1", **more: str) -> tuple[str, ...]:
    extra = tuple(x for key, value in more.items() for x in (f"--{key.replace('_', '-')}", value))
    return ("project", "add", number, "--unit", "HW", "--name", name, "--sector", "sanitation", "--level", "unit",
            "--investor", "某公司", "--investment", investment, *extra)


def one_line(result) -> None:
    """One `Error: ...` line on stderr, nothing on stdout, no traceback."""
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


MALFORMED = {
    "as-of-year-9999": (None, ("board", "--as-of", "9999-12-31"), "--as-of"),
    "since-year-1": (None, ("audit", "--since", "0001-01-01"), "--since"),
    "as-known-at-year-1": (None, ("summary", "--year", "2021", "--as-known-at", "0001-01-01"), "--as-known-at"),
    "as-of-week-date": (None, ("board", "--as-of", "2021-W01-1"), "--as-of"),
    "as-of-datetime-year-1": (None, ("board", "--as-of", "0001-01-01T00:00"), "--as-of"),
    "service-on-year-1": (LIAISON, ("service", "add", PROJECT, "--kind", "policy", "--on", "0001-01-01",
                                    "--note", "宣讲"), "--on"),
    "enrolled-year-9999": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                                   "--enrolled", "9999-12-31"), "--enrolled"),
    "enrolled-week-date": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                                   "--enrolled", "2021-W01-1"), "--enrolled"),
    "enrolled-arabic-digits": (ADMIN, ("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                                       "--enrolled", "\u0662\u0660\u0662\u0661-08-31"), "--enrolled"),
    "investment-arabic-digits": (LIAISON, add_project(investment=ARABIC_1200), "--investment"),
    "evaluate-period-year-0": (OFFICE, ("project", "evaluate", PROJECT, "--period", "0000-01", "--rating", "B"),
                               "--period"),
    "evaluate-period-in-the-future": (OFFICE, ("project", "evaluate", PROJECT, "--period", "2021-Q4",
                                               "--rating", "B"), "--period"),
    "evaluate-period-arabic-digits": (OFFICE, ("project", "evaluate", PROJECT, "--period", "\u0662\u0660\u0662\u0661",
                                               "--rating", "B"), "--period"),
    "form-fill-period-year-0": (None, ("form", "fill", "--unit", "HW", "--kind", "project_status", "--period",
                                       "0000-01", "--out", "x.xlsx"), "--period"),
    "summary-year-0": (None, ("summary", "--year", "0"), "--year"),
    "invalid-utf-8-in-a-note": (LIAISON, ("project", "note", PROJECT, "--text", "进展\udcff"), "--text"),
    "zero-width-in-a-name": (LIAISON, add_project(name="环卫\u200b项目"), "--name"),
    "bidi-override-in-an-investor": (LIAISON, ("project", "update", PROJECT, "--investor", "\u202e司公某"),
                                     "--investor"),
    "escape-sequence-in-a-title": (LIAISON, ("problem", "raise", PROJECT, "--title", "\x1b[31m红", "--category",
                                             "land"), "--title"),
    "line-break-in-a-project-name": (LIAISON, add_project(name="第一行\n第二行"), "--name"),
    "control-character-in-a-reason": (LIAISON, ("project", "suspend", PROJECT, "--reason", "资金\x07"),
                                      "--reason"),
    "a-name-of-100-kb": (LIAISON, add_project(name="长" * 100_000), "--name"),
    "a-note-over-2000-characters": (LIAISON, ("project", "note", PROJECT, "--text", "进" * 2001), "--text"),
    "zero-width-in-a-person": (ADMIN, ("person", "add", "马晓彤\u200b", "--role", "staff", "--unit", "HW"),
                               "NAME"),
    "control-character-in-a-unit-code": (ADMIN, ("unit", "add", "S\x1bZ", "--name", "市政处", "--kind",
                                                 "department", "--enrolled", "2021-08-31"), "CODE"),
    "zero-width-in-a-project-number": (LIAISON, add_project(number="HW-\u200b3"), "NUMBER"),
    "store-port-out-of-range": (None, ("--store", "postgresql://postgres@127.0.0.1:99999/x", "board"), "--store"),
    "store-with-a-nul": (None, ("--store", "sqlite:///%00.db", "board"), "--store"),
}


@pytest.mark.parametrize("actor, args, option", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_value_exits_2_naming_its_option_on_one_line_and_records_nothing(
        commission_cli, event_count, tmp_path, actor, args, option):
    commission_cli("project", "promote", PROJECT, "--reason", "市级重点", actor=OFFICE)
    before = event_count()

    result = commission_cli(*args, actor=actor, expect=2)

    one_line(result)
    assert option in result.stderr
    assert event_count() == before
    assert not (tmp_path / "x.xlsx").exists()


def test_full_width_digits_are_read_as_the_digits_they_show(commission_cli):
    commission_cli(*add_project(investment=FULL_WIDTH_1200), actor=LIAISON)
    commission_cli("unit", "add", "SZ", "--name", "市政处", "--kind", "department",
                   "--enrolled", "\uff12\uff10\uff12\uff11-08-31", actor=ADMIN)

    assert json.loads(commission_cli("project", "show", "HW-2", "--json").stdout)["investment_wan"] == "1200.00"
    assert json.loads(commission_cli("unit", "show", "SZ", "--json").stdout)["enrolled_on"] == "2021-08-31"


def test_a_refused_evaluation_leaves_every_summary_working(commission_cli):
    commission_cli("project", "promote", PROJECT, "--reason", "市级重点", actor=OFFICE)
    commission_cli("project", "evaluate", PROJECT, "--period", "0000-01", "--rating", "B", actor=OFFICE, expect=2)
    commission_cli("project", "evaluate", PROJECT, "--period", "2021-09", "--rating", "B", actor=OFFICE)

    assert json.loads(commission_cli("summary", "--year", "2021", "--json").stdout)["period"] == "2021"
    assert json.loads(commission_cli("summary", "--quarter", "2021-Q3", "--json").stdout)["period"] == "2021-Q3"


def test_a_policy_with_true_for_a_day_hidden_characters_or_endless_nesting_is_refused_on_one_line(commission_cli, tmp_path,
                                                                                   event_count):
    boolean = tmp_path / "布尔.toml"
    boolean.write_text('[[report]]\nkind = "project_status"\ntitle = "情况表"\ncadence = "monthly"\n'
                       'due_day = true\n', encoding="utf-8")
    deep = tmp_path / "深.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    steering = tmp_path / "反向.toml"
    steering.write_text('[[report]]\nkind = "project_status"\ntitle = "情况表\\u202e"\ncadence = "monthly"\n'
                        'due_day = 5\n', encoding="utf-8")
    before = event_count()

    for path, says in ((boolean, "line 5: report.0.due_day: true/false"), (deep, "nest too deeply"),
                       (steering, "line 3: report.0.title holds an invisible or control character (U+202E")):
        result = commission_cli("policy", "load", path, "--from", "2021-10-01", actor=ADMIN, expect=2)
        one_line(result)
        assert says in result.stderr

    assert event_count() == before


# -- files and stores ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("form", "fill", "--unit", "HW", "--kind", "project_status", "--period", "2021-08", "--out", "无此目录/表.xlsx"),
    ("form", "consolidate", "--kind", "project_status", "--period", "2021-08", "--out", "无此目录/汇总.xlsx"),
    ("project", "import", "--template", "无此目录/模板.xlsx"),
])
def test_out_into_a_missing_folder_is_refused_and_the_folder_not_created(commission_cli, tmp_path, args):
    result = commission_cli(*args, expect=1)

    one_line(result)
    assert "无此目录" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "无此目录").exists()


def test_a_file_that_cannot_be_written_is_one_line_naming_it(commission_cli, tmp_path):
    locked = tmp_path / "只读"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = commission_cli("form", "fill", "--unit", "HW", "--kind", "project_status", "--period", "2021-08",
                                "--out", locked / "表.xlsx", expect=None)
    finally:
        locked.chmod(0o700)

    if os.geteuid() == 0:  # root writes anywhere; the refusal cannot be staged
        assert result.exit_code == 0
        return
    assert result.exit_code == 1
    one_line(result)
    assert "表.xlsx" in result.stderr and "Permission denied" in result.stderr


def test_a_file_that_is_no_database_is_a_store_error_on_one_line(zs, tmp_path):
    letter = tmp_path / "信.db"
    letter.write_text("这不是台账", encoding="utf-8")

    result = zs("board", store=f"sqlite:///{letter}", expect=1)

    one_line(result)
    assert "is not a ledger: file is not a database" in result.stderr
    assert letter.read_text(encoding="utf-8") == "这不是台账"


@pytest.mark.postgres
def test_an_unknown_postgresql_database_or_role_is_named_with_the_servers_reason_within_5_s(zs, pg_store):
    server = urlsplit(pg_store)
    for url, says in ((f"postgresql://{server.netloc}/zs_no_such_database",
                       'database "zs_no_such_database" does not exist'),
                      (f"postgresql://zs_no_such_role@{server.hostname}:{server.port or 5432}/test",
                       'role "zs_no_such_role" does not exist'),
                      ("postgresql://postgres@127.0.0.1:1/test", "Connection refused")):
        started = time.monotonic()

        result = zs("unit", "list", store=url, expect=1)

        assert time.monotonic() - started < 5
        one_line(result)
        assert says in result.stderr and "cannot use the store" in result.stderr


# -- what is typed, what is shown ------------------------------------------------------------------


def test_a_look_alike_person_is_refused_naming_the_registered_one(commission_cli, event_count):
    before = event_count()

    for look_alike in ("孙联络\u200b", "ｓｕｎ", "SUN"):
        if look_alike != "孙联络\u200b":
            commission_cli("person", "add", "sun", "--role", "staff", "--unit", "HW", actor=ADMIN,
                           expect=None)
        result = commission_cli("person", "add", look_alike, "--role", "staff", "--unit", "HW", actor=ADMIN,
                                expect=None)
        assert result.exit_code in (1, 2)
        one_line(result)

    assert "looks the same as the registered person 'sun'" in result.stderr
    assert event_count() == before + 1  # `sun` alone


def test_typed_text_is_stored_nfc_and_found_by_either_form(commission_cli):
    decomposed = "Jose\u0301"
    commission_cli("person", "add", decomposed, "--role", "staff", "--unit", "HW", actor=ADMIN)

    names = [p["name"] for p in json.loads(commission_cli("person", "list", "--json").stdout)]
    assert "Jos\u00e9" in names and decomposed not in names
    commission_cli("person", "update", "Jos\u00e9", "--phone", "1", actor=ADMIN)


def test_a_note_keeps_its_line_breaks(commission_cli):
    commission_cli("project", "note", PROJECT, "--text", "第一行\r\n第二行", actor=LIAISON)

    history = json.loads(commission_cli("project", "history", PROJECT, "--json").stdout)
    assert history[-1]["details"]["text"] == "第一行\n第二行"


def test_an_injected_error_line_in_as_stays_on_its_one_line(commission_cli):
    result = commission_cli("board", actor="a\nError: injected", expect=1)

    one_line(result)
    assert "\\nError: injected" in result.stderr


def test_text_stored_before_the_rules_is_shown_escaped_in_tables_and_json(commission_cli, store_url, monkeypatch):
    from domain.application import Ledger

    monkeypatch.setattr("domain.base.clean_fields", lambda fields: dict(fields))
    ledger = Ledger(store_url)
    try:
        ledger.note_progress(LIAISON, PROJECT, "\x1b[31m红色\u202e\x9b")
    finally:
        ledger.close()
    monkeypatch.undo()

    table = commission_cli("project", "history", PROJECT).stdout
    as_json = commission_cli("project", "history", PROJECT, "--json").stdout

    for shown in (table, as_json):
        assert not any(ch in shown for ch in "\x1b\u202e\x9b")
        assert "\\u001b[31m红色\\u202e\\u009b" in shown
    assert json.loads(as_json)[-1]["details"]["text"] == "\x1b[31m红色\u202e\x9b"


# -- a terminal that cannot show everything --------------------------------------------------------


def zs_process(store_url: str, *args: str, actor: str | None = None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-c", "from cli.main import main; main()", "--store", store_url]
    argv += ["--as", actor] if actor else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZS_")} | {"PYTHONIOENCODING": "gbk"}
    return subprocess.run(argv + list(args), capture_output=True, env=env, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])


def test_on_a_gbk_terminal_a_recorded_command_reports_success_and_reads_keep_working(commission_cli, store_url,
                                                                                    event_count):
    before = event_count()

    added = zs_process(store_url, *add_project(number="HW-😀-1", name="表情😀项目"), actor=LIAISON)

    assert added.returncode == 0, added.stderr.decode("gbk", "replace")
    assert event_count() == before + 1
    assert "HW-?-1".encode("gbk") in added.stdout
    for read in (("board",), ("audit", "--project", "HW-😀-1"), ("project", "history", "HW-😀-1"),
                 ("project", "show", "HW-😀-1")):
        shown = zs_process(store_url, *read)
        assert shown.returncode == 0, (read, shown.stderr.decode("gbk", "replace"))
        assert "表情?项目".encode("gbk") in shown.stdout or "HW-?-1".encode("gbk") in shown.stdout

    again = zs_process(store_url, *add_project(number="HW-😀-1"), actor=LIAISON)
    assert again.returncode == 1 and b"Traceback" not in again.stderr
    assert event_count() == before + 1
