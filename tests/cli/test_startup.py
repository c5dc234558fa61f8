"""A fast start (docs/performance.md, start-up): `zs --help` lists the commands from cli.main's table,
without importing them, and the table says exactly what each command's own help says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from cli.main import COMMANDS, cli

HEAVY = ("openpyxl", "projections.forms", "domain.project", "domain.report", "domain.unit", "domain.person",
         "domain.problem", "domain.application", "eventsourcing", "psycopg", "pydantic", "cryptography",
         "integrity")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_command_table_says_what_the_command_itself_says(name):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.name == name
    assert command.callback.__module__ == COMMANDS[name][0]
    first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
    assert COMMANDS[name][1] == first_paragraph


def test_an_unknown_command_is_refused_with_exit_2():
    result = subprocess.run([sys.executable, "-m", "cli.main", "no-such-command"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "No such command 'no-such-command'" in result.stderr


def test_help_imports_neither_the_forms_nor_the_events_nor_the_store():
    probe = (
        "import json, sys\n"
        "from cli.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='zs')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "Commands:" in result.stdout and "board" in result.stdout
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    heavy = [name for name in loaded if name.startswith(HEAVY)]
    assert heavy == []


WRITE_MODEL = ("openpyxl", "domain.application", "eventsourcing.application", "domain.mapper", "domain.topics",
               "domain.project", "domain.report", "domain.unit", "domain.person", "domain.problem", "domain.policies",
               "domain.supervision", "domain.signing", "domain.logins", "domain.reminder", "cryptography")
READS = [["board", "--json"], ["board", "--unit", "HW", "--json"], ["overdue"], ["obligations", "--unit", "HW"],
         ["progress", "--unit", "HW", "--json"], ["lamps"], ["unit", "list"], ["problem", "list"]]


def modules_loaded_by(args: list[str]) -> list[str]:
    probe = (
        "import json, sys\n"
        "from cli.main import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='zs')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZS_")}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_on_a_current_store_builds_no_write_model(commission_cli, store_url, args):
    """A read that finds the views current opens the store for reading only (projections/readstore.py):
    no Ledger, no eventsourcing application, no event classes, no openpyxl."""
    commission_cli("views", "status")  # the views catch up (and so read the events) once
    loaded = modules_loaded_by(["--store", store_url, "--as", "许办公", *args])
    assert "projections.readstore" in loaded
    assert [name for name in loaded if name.startswith(WRITE_MODEL)] == []


# What the board and the other "now" reads on a current store do without (docs/performance.md): the
# policies' pydantic models (the calendar's rules read the stored policies as plain Terms,
# domain/timetable.py; the lamps their thresholds, domain.lamps.Thresholds) and the forms.
# On SQLite also eventsourcing itself: the file is read through one sqlite3 connection
# (domain/sqlite_reader.py); PostgreSQL's connection comes from eventsourcing.postgres.
NOT_FOR_THE_BOARD = ("pydantic", "domain.policy", "domain.immutable", "projections.forms")
NOT_ON_SQLITE = ("eventsourcing",)


@pytest.mark.parametrize("args", [["board", "--json"], ["board", "--unit", "HW", "--json"], ["board"], ["overdue"],
                                  ["overdue", "--json"], ["obligations", "--unit", "HW"],
                                  ["progress", "--unit", "HW", "--json"], ["progress"], ["lamps"], ["lamps", "--json"]],
                         ids=" ".join)
def test_the_board_and_the_now_reads_on_a_current_store_build_no_pydantic_model(commission_cli, store_url, args):
    commission_cli("views", "status")
    loaded = modules_loaded_by(["--store", store_url, *args])
    assert "projections.readstore" in loaded
    assert [name for name in loaded if name.startswith(NOT_FOR_THE_BOARD)] == []
    if store_url.startswith("sqlite"):
        assert "domain.sqlite_reader" in loaded
        assert [name for name in loaded if name.startswith(NOT_ON_SQLITE)] == []


def test_a_read_that_finds_the_views_behind_catches_them_up_and_answers(commission_cli, store_url):
    """The views behind the log (a write since): the read decodes the new events and answers them."""
    commission_cli("views", "status")
    commission_cli("project", "update", "HW-2021-001", "--investor", "新投资方", actor="孙联络")
    loaded = modules_loaded_by(["--store", store_url, "board", "--json"])
    assert "domain.topics" in loaded  # the runner resolved the new event's topic
    board = json.loads(commission_cli("board", "--json").stdout)
    assert [row["investor"] for row in board] == ["新投资方"]
