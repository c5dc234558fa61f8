"""Hostile values for every option and argument of every command (issue 9, item 10).

The command tree is walked from `zs` itself, so a new command or option is fuzzed without a change
here. Each run: a hostile value in one place, the command's other arguments hostile too, as a random
person of the small commission. Whatever happens, nothing unexpected reaches the user: exit 0, 1 or 2;
on 1 or 2 one `Error:` line on stderr, no traceback, no "unexpected", and no event recorded. A value
for a typed option (a date, a moment, an amount, a code word, a number) is always refused with exit 2
naming its option. Bounded: a few examples per parameter, about a minute in all."""

from __future__ import annotations

import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from cli.main import cli
from cli.params import CodeType, DateType, MomentType, WanType
from tests.cli.conftest import ADMIN, PROJECT, invoke

EXAMPLES = int(os.environ.get("ZS_FUZZ_EXAMPLES", "3"))  # more for a longer hunt
RUN = int(os.environ.get("ZS_FUZZ_SEED", "0"))  # another seed, other values
ACTORS = [None, ADMIN, "许办公", "孙联络", "赵处长", "周联络"]
TYPED = (DateType, MomentType, WanType, CodeType, click.types.IntParamType, click.types.Choice)

SAMPLES = [
    "", " ", "9999-12-31", "0001-01-01", "2021-W01-1", "2021-13-01", "2021-02-30", "00000000",
    "\u0662\u0660\u0662\u0661-09-01", "\uff12\uff10\uff12\uff11-09-01", "0000-01", "2021-Q5", "once", "true",
    "-1", "1e400", "NaN", "Infinity", "1,5", "9" * 400, "\u0661\u0662", "0.001", "=HYPERLINK(\"x\")", "@SUM(A1)",
    "\x00", "\x1b[31m红", "\u200b", "\u202etxt.exe", "a\nError: injected", "\udcff\udcfe", "😀", "..", "/",
    "../escape.xlsx", "HW/../..", "长" * 3000, "sqlite:///%00.db", "postgresql://x@127.0.0.1:99999/x",
    PROJECT + "\u200b", "HW\x1b", "孙联络\u200b", "ｈｗ", "hw",
]
# Never a date, a moment, an amount, a code word or a count, whatever the option.
NOT_TYPED_VALUES = [v for v in SAMPLES if v not in ("\uff12\uff10\uff12\uff11-09-01", "once", "hw", "ｈｗ")]
NEVER_VALID = st.one_of(
    st.sampled_from(NOT_TYPED_VALUES),
    st.tuples(st.sampled_from(["2021-09-01", "A", "city", "10", "1200"]),
              st.sampled_from(["\x00", "\u200b", "\u202e", "\x1b[2J", "\udcff", "\u0663", "-W01"])).map("".join),
)
HOSTILE = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=12),
    st.tuples(st.sampled_from(["2021-09-01", "HW", PROJECT, "孙联络", "10"]),
              st.sampled_from(["\x00", "\u200b", "\u202e", "\x1b[2J", "\n", "\udcff", "\u0663"])).map("".join),
)


def sub(group: click.Group, name: str) -> click.Command:
    """A subcommand, loaded as the root group loads it (lazily)."""
    command = group.get_command(click.Context(group), name)
    assert command is not None, name
    return command


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name in group.list_commands(click.Context(group)):
        command = sub(group, name)
        if isinstance(command, click.Group):
            yield from leaves(command, (*path, name))
        else:
            yield (*path, name), command


# `zs serve` runs until it is stopped, so a value it accepts would never return here; its options
# are tried against a real server in tests/web.
LONG_RUNNING = {("serve",)}


def targets() -> list[tuple[tuple[str, ...], str]]:
    """(command path, parameter name) for every parameter a person types a value into."""
    found = [(("board",), "--store"), (("board",), "--as")]
    for path, command in leaves(cli):
        if path in LONG_RUNNING:
            continue
        for param in command.params:
            if getattr(param, "is_flag", False) or param.name in ("help", "version"):
                continue
            found.append((path, param.opts[0] if isinstance(param, click.Option) else param.name))
    return found


def typed(path: tuple[str, ...], name: str) -> bool:
    command = cli
    for part in path:
        command = sub(command, part)
    param = next((p for p in command.params if (p.opts[0] if isinstance(p, click.Option) else p.name) == name), None)
    return param is not None and isinstance(param.type, TYPED)


@pytest.fixture(scope="module")
def store(commission_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    target = folder / "ledger.db"
    for suffix in ("", "-wal", "-shm"):
        source = commission_file.with_name(commission_file.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return target


def events(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]


# What the other parameters get when `valid` is drawn: the hostile value then reaches the domain.
VALID = {
    "number": PROJECT, "code": "HW", "name": "孙联络", "problem_id": f"{PROJECT}/P1", "service_id": f"{PROJECT}/S1",
    "report_id": "HW/project_status/2021-08", "--unit": "HW", "--name": "某项目", "--sector": "sanitation",
    "--level": "unit", "--investor": "某公司", "--investment": "1", "--kind": "project_status", "--role": "staff",
    "--enrolled": "2021-08-31", "--on": "2021-09-08", "--to": "signed", "--reason": "原因", "--title": "标题",
    "--category": "land", "--note": "备注", "--text": "进展", "--period": "2021-08", "--rating": "B",
    "--stage": "signed", "--admin": "管理员", "--from": "2021-10-01", "--out": "out.xlsx", "--year": "2021",
}


def argv_for(path: tuple[str, ...], target: str, value: str, others: list[str], valid: bool) -> list[str]:
    """The command with the hostile value in the target; the other required parameters valid or
    hostile, as drawn."""
    if target in ("--store", "--as"):
        return [target, value, *path]
    command = cli
    for part in path:
        command = sub(command, part)
    argv = list(path)
    options = []
    for i, param in enumerate(command.params):
        key = param.opts[0] if isinstance(param, click.Option) else param.name
        if key == target:
            chosen = value
        elif param.required or isinstance(param, click.Argument):
            chosen = VALID.get(key, others[i % len(others)]) if valid else others[i % len(others)]
        else:
            continue
        if isinstance(param, click.Argument):
            argv.append(chosen)
        else:
            options += [key, chosen]
    return argv + options


@pytest.mark.parametrize("path, target", targets(), ids=lambda x: " ".join(x) if isinstance(x, tuple) else x)
def test_a_hostile_value_is_refused_cleanly_or_accepted_and_never_breaks(store, tmp_path, monkeypatch, path,
                                                                         target):
    monkeypatch.chdir(tmp_path)  # files a command writes land here
    must_refuse = typed(path, target)

    @seed(zlib.crc32(" ".join((*path, target)).encode()) + RUN)  # the same values in every run, per target
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(value=NEVER_VALID if must_refuse else HOSTILE, others=st.lists(HOSTILE, min_size=1, max_size=3),
           actor=st.sampled_from(ACTORS), valid=st.booleans())
    def attempt(value: str, others: list[str], actor: str | None, valid: bool) -> None:
        before = events(store)
        argv = argv_for(path, target, value, others, valid)
        store_url = None if target == "--store" else f"sqlite:///{store}"

        result = invoke(argv, store_url, actor if target != "--as" else None, expect=None)

        assert result.exit_code in (0, 1, 2), (argv, result.exit_code, result.stderr, result.exception)
        assert "Traceback" not in result.stdout + result.stderr
        assert "unexpected" not in result.stderr, (argv, result.stderr)
        if result.exit_code != 0:
            assert result.stderr.startswith("Error: "), (argv, result.stderr)
            assert result.stderr.strip().count("\n") == 0, (argv, result.stderr)
            assert events(store) == before, argv
        if must_refuse:
            assert result.exit_code == 2, (argv, result.stdout, result.stderr)

    attempt()
