"""A fast start (docs/performance.md, start-up): `zs --help` lists the commands from cli.main's table,
without importing them, and the table says exactly what each command's own help says."""

from __future__ import annotations

import json
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
