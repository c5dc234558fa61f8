"""`zs token create NAME`: API tokens for other office systems that read the ledger's JSON API."""

from __future__ import annotations

import click

from cli.context import Context, pass_context


@click.group()
def token() -> None:
    """API tokens (接口令牌) for /api/: create."""


@token.command("create")
@click.argument("name")
@pass_context
def create(obj: Context, name: str) -> None:
    """Issue an API token that reads /api/ as NAME (admin); printed once, kept only as its SHA-256.

    Send it as `Authorization: Bearer TOKEN`. The log records that a token was issued, with the
    first 8 hex digits of its SHA-256.

    \b
    Example:
      zs --as 张管理 token create 赵处长
    """
    click.echo(obj.ledger.create_token(obj.require_actor(), name))
