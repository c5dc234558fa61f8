"""The root group: `zs [--store URL] [--as NAME] COMMAND`, and the one place errors become exits."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from cli.context import Backfilling, Context, InputError
from cli.output import visible
from cli.params import MOMENT
from domain.errors import DomainError, InvalidValue
from domain.store import DEFAULT_STORE

# Each command's module and the first paragraph of its help, so that `zs --help` imports none of them
# (click's lazy group pattern); a command's module is imported only when it runs.
# tests/cli/test_startup.py checks every line here against the command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("cli.integrity", "Recompute every leaf from the stored events and the tree from the leaves; check the "
                                "checkpoints on record and those given. Exit 0 when all is intact, 1 otherwise."),
    "key": ("cli.integrity", "The ledger's signing key (Ed25519): it signs checkpoints and receipts."),
    "checkpoint": ("cli.integrity", "Sign the current tree head (size, root, time) as a C2SP checkpoint, record it and "
                                    "print it (office)."),
    "init": ("cli.init", "Create the ledger and its first admin; refused if the store already holds a ledger."),
    "unit": ("cli.units", "Member units (成员单位): enrol, update, withdraw, list, show."),
    "person": ("cli.people", "People (人员): add, update, remove, list, password."),
    "project": ("cli.projects", "Projects (项目): register, update, advance, plan, note, suspend, promote, evaluate, show, "
                                "list."),
    "problem": ("cli.problems", "Problems (政策障碍、落地难点): raise, escalate, answer, close, reopen, list, show."),
    "service": ("cli.services", "Services given to projects (服务清单): add, void, list."),
    "policy": ("cli.policies", "The reporting calendar (报送时限): show, load."),
    "report": ("cli.reports", "Reports (报告): draft, approve, send, accept, return, revise, show, list, attachment, package."),
    "obligations": ("cli.obligations", "Every report owed at a moment, with its status (upcoming, on_time, late, overdue)."),
    "overdue": ("cli.obligations", "The overdue reports, oldest first."),
    "remind": ("cli.obligations", "Per unit, what falls due soon and what is overdue, with the liaison's name and phone."),
    "board": ("cli.board", "The project board: every project's state (the keys of `project show --json`), filtered."),
    "progress": ("cli.board", "The closed loop per unit (月有报告，季有统计，年有成效): projects, problems, reports, at a moment."),
    "audit": ("cli.audit", "The audit trail: every event with who, when, from which OS user, on what; oldest first."),
    "views": ("cli.views", "The durable views: their positions, and rebuilding them by replaying the log."),
    "lamps": ("cli.lamps", "The warning lamps (三色预警): red and yellow first, each with its rule, since when, why, and what turns it green."),
    "supervise": ("cli.supervise", "督办 (supervision notices): open, answer, close, reopen, list, show."),
    "summary": ("cli.summary", "The summary of a year or a quarter, per unit and in total, replayed from the log."),
    "form": ("cli.forms", "The notice's forms (附件1–4): fill, consolidate, import."),
    "token": ("cli.tokens", "API tokens (接口令牌) for /api/: create."),
    "serve": ("cli.serve", "The web office (网上办公): serve the ledger's pages and JSON API over HTTP with uvicorn."),
    "backfill": ("cli.backfill", "The paper ledger (纸质台账补录): write its template, import it as backfilled history."),
    "demo": ("cli.demo", "Build a realistic year of the commission's ledger and print the board, the per-unit counts "
                         "and the overdue reports, all as of one stated moment (the end of 2022-08-10, Shanghai time)."),
}


class Group(click.Group):
    """Loads a command's module when the command runs, and turns the domain's refusals into one line
    on stderr: exit 1, or 2 for malformed input."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        command: click.Command = getattr(module, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click formats them, from the table above instead of the loaded commands."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        with formatter.section("Commands"):
            formatter.write_dl([(name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
                               for name in self.list_commands(ctx)])

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
            from integrity.guard import explain  # a changed log explains many an unexpected error

            raise click.ClickException(visible(explain(ctx.obj) or _unexpected(error))) from None


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
@click.option("--backfill", "backfill_at", type=MOMENT, metavar="T",
              help="Record paper history that took effect at T (a date: the end of that Shanghai day; a datetime "
                   "without offset: Shanghai time); office only, the admin for set-up. Needs --because.")
@click.option("--by", "backfill_by", metavar="NAME",
              help="With --backfill: the person who did it on paper (default: the person given with --as), "
                   "checked with the posts they held at T.")
@click.option("--because", "backfill_because", metavar="TEXT",
              help="With --backfill: why this is entered now (e.g. 补录纸质台账); required.")
@click.version_option(package_name="zhaoshang", prog_name="zs")
@click.pass_context
def cli(ctx: click.Context, store: str, actor: str | None, backfill_at: Any, backfill_by: str | None,
        backfill_because: str | None) -> None:
    """招商引资台账 — the investment-promotion ledger of a city management commission.

    Every change is an immutable event naming who made it and when. With --backfill, a write command
    records paper history: it takes effect at T, is recorded now, names who did it (--by) and why
    (--because); see docs/history.md.

    \b
    Example:
      zs --store sqlite:///zhaoshang.db init --admin 张管理
      zs --as 张管理 unit add HW --name 环境卫生管理处 --kind department --enrolled 2021-08-31
      zs --as 许办公 --backfill 2021-09-04 --by 孙联络 --because 补录纸质台账 report send HW/project_status/2021-08 --sealed
    """
    context = Context(store, actor, Backfilling.of(backfill_at, backfill_by, backfill_because))
    ctx.obj = context
    ctx.call_on_close(context.close)


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
