"""The root group: `zs [--store URL] [--as NAME] COMMAND`, and the one place errors become exits."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import click

from cli.context import Context, InputError
from cli.output import visible
from domain.errors import DomainError, InvalidValue
from domain.store import DEFAULT_STORE


class Group(click.Group):
    """Turns the domain's refusals into one line on stderr: exit 1, or 2 for malformed input."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            _refuse_unreadable(args)
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:  # the root's own options: --store, --as
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidValue as error:
            raise InputError(_text(error)) from None
        except DomainError as error:
            raise click.ClickException(_text(error)) from None
        except click.UsageError as error:
            raise _one_line(error) from None
        except click.ClickException as error:
            error.message = visible(error.message)
            raise
        except (click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `zs ... | head`: the reader left; say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except OSError as error:  # a folder missing, no permission, a disk full: name the file
            if os.environ.get("ZS_DEBUG"):
                raise
            if error.filename is None:
                raise click.ClickException(visible(_unexpected(error))) from None
            raise click.ClickException(visible(f"cannot use the file {error.filename}: {error.strerror}")) from None
        except Exception as error:  # a store that cannot be opened: no traceback
            if os.environ.get("ZS_DEBUG"):
                raise
            raise click.ClickException(visible(_unexpected(error))) from None


def _refuse_unreadable(args: list[str]) -> None:
    """Bytes that are not UTF-8 (surrogate-escaped by Python) and NULs are no text a person typed."""
    for i, arg in enumerate(args):
        nul = "\x00" in arg
        if nul or any("\ud800" <= char <= "\udfff" for char in arg):
            where = f"the value of {args[i - 1]}" if i and args[i - 1].startswith("-") else f"the argument {arg!r}"
            problem = "holds a NUL character" if nul else "is not valid UTF-8 text"
            raise click.UsageError(f"{where} {problem}; type it plainly (check the terminal's encoding)")


def _text(error: Exception) -> str:
    """A refusal's message as one escaped line; an import's list of bad rows keeps its lines."""
    message = visible(str(error))
    return message if getattr(error, "bad", None) else message.replace("\n", " ")


def _one_line(error: click.UsageError) -> click.UsageError:
    """Usage errors say what was wrong on one line, without the usage block around it."""
    error.message = visible(error.message).replace("\n", " ")
    error.ctx = None
    return error


def _unexpected(error: Exception) -> str:
    name = type(error).__name__
    if any(word in name for word in ("Operational", "Interface", "Connection", "Programming", "Database")):
        return f"cannot use the store: {error}".strip()
    return f"unexpected {name}: {error} (set ZS_DEBUG=1 for the details)"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", envvar="ZS_STORE", default=DEFAULT_STORE, show_default=True, metavar="URL",
              help="Where the ledger lives: sqlite:///file.db or postgresql://user@host:5432/db (env ZS_STORE).")
@click.option("--as", "actor", envvar="ZS_ACTOR", metavar="NAME",
              help="The registered person acting (env ZS_ACTOR); every write needs it.")
@click.version_option(package_name="zhaoshang", prog_name="zs")
@click.pass_context
def cli(ctx: click.Context, store: str, actor: str | None) -> None:
    """招商引资台账 — the investment-promotion ledger of a city management commission.

    Every change is an immutable event naming who made it and when.

    \b
    Example:
      zs --store sqlite:///zhaoshang.db init --admin 张管理
      zs --as 张管理 unit add HW --name 环境卫生管理处 --kind department --enrolled 2021-08-31
    """
    context = Context(store, actor)
    context.actor_typed = ctx.get_parameter_source("actor") is click.core.ParameterSource.COMMANDLINE
    ctx.obj = context
    ctx.call_on_close(context.close)


def register_commands() -> None:
    from cli import (
        demo, forms, ledger_commands, obligations, people, policies, problems, projects, readside, reports, services,
        summary, units,
    )

    for module in (ledger_commands, units, people, projects, problems, services, policies, reports, obligations,
                   readside, summary, forms, demo):
        module.register(cli)


register_commands()


def main() -> None:
    # A terminal that cannot show a character gets a replacement, never an error after a write.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    # What is loaded by now lives as long as the process: keep the collector from sweeping it again
    # and again while a query makes its many short-lived rows.
    gc.freeze()
    cli.main(prog_name="zs", windows_expand_args=False)


if __name__ == "__main__":
    sys.exit(main())
