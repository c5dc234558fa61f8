"""`zs init`: create the ledger and its first admin."""

from __future__ import annotations

import click

from cli.context import Context, pass_context


@click.command()
@click.option("--admin", required=True, metavar="NAME", help="The first admin's name.")
@pass_context
def init(obj: Context, admin: str) -> None:
    """Create the ledger and its first admin; refused if the store already holds a ledger.

    \b
    Example:
      zs --store sqlite:///zhaoshang.db init --admin 张管理
    """
    obj.open(create=True).init(admin)
    click.echo(f"台账已建立 ledger created; admin: {admin.strip()}")
