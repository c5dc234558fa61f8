"""`zs views status` and `zs views rebuild`: the durable views' positions, and rebuilding them."""

from __future__ import annotations

import sys

import click

from cli.context import Context, pass_context
from cli.output import json_option, render
from projections.rebuild import rebuild_views

@click.group()
def views() -> None:
    """The durable views: their positions, and rebuilding them by replaying the log."""


@views.command("status")
@json_option
@pass_context
def status(obj: Context, as_json: bool) -> None:
    """Each view's position against the log's (after catching up).

    \b
    Example:
      zs views status
    """
    runner = obj.queries.runner
    head = runner.head()
    rows = [{"view": name, "position": position, "log": head, "behind": head - position}
            for name, position in runner.positions().items()]
    render(rows, [("view", "视图"), ("position", "已处理位置"), ("log", "日志位置"), ("behind", "落后")], as_json)


@views.command("rebuild")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@pass_context
def rebuild(obj: Context, names: tuple[str, ...]) -> None:
    """Build views (all by default) afresh from the whole log, beside the old ones, and switch to them
    only once complete; an unreadable event stops it, named, and the old views keep answering.

    \b
    Example:
      zs views rebuild
      zs views rebuild audit
    """
    runner = obj.queries.runner
    unknown = [n for n in names if n not in runner.views]
    if unknown:
        raise click.BadParameter(f"unknown view {unknown[0]!r}; choose from {', '.join(runner.views)}",
                                 param_hint="'NAME'")
    head = runner.head()
    if sys.stderr.isatty():
        with click.progressbar(length=head, label="重放事件 replaying", file=sys.stderr) as bar:
            done = [0]

            def advance(position: int, _: int) -> None:
                bar.update(position - done[0])
                done[0] = position

            count = rebuild_views(runner, list(names) or None, advance)
    else:
        count = rebuild_views(runner, list(names) or None)
    click.echo(f"rebuilt {', '.join(names) or 'all views'} from {count} events")
