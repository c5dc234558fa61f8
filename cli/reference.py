"""Writes the CLI reference (docs/cli-reference.md) from the commands' own --help.

Run `python -m cli.reference > docs/cli-reference.md` (or `make docs`); a test fails when it is stale."""

from __future__ import annotations

from collections.abc import Iterator

import click

from cli.main import cli

HEADER = """# CLI reference

Generated from `zs --help` by `make docs`; do not edit by hand (a test compares it with the commands).
"""


def walk(command: click.Command, path: tuple[str, ...] = ("zs",)) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):  # the root group loads its commands lazily
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from walk(sub, path + (name,))


def help_text(path: tuple[str, ...], command: click.Command) -> str:
    ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100,
                        help_option_names=["-h", "--help"])
    return command.get_help(ctx)


def reference() -> str:
    parts = [HEADER]
    for path, command in walk(cli):
        parts.append(f"\n## `{' '.join(path)}`\n\n```text\n{help_text(path, command)}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    click.echo(reference(), nl=False)
