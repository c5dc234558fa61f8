"""`zs serve`: the web office (web/), run by uvicorn over the same store as every other command."""

from __future__ import annotations

import os

import click

from cli.context import Context, pass_context
from domain.errors import NotFound


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; keep 127.0.0.1 behind a reverse proxy.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (on PostgreSQL; SQLite serves best with one).")
@click.option("--idle-minutes", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
              help="A session ends after this many minutes without a request.")
@click.option("--trusted-proxy", "trusted", multiple=True, metavar="ADDRESS",
              help="A reverse proxy whose X-Forwarded-For is believed (repeatable).")
@pass_context
def serve(obj: Context, host: str, port: int, workers: int, idle_minutes: int, trusted: tuple[str, ...]) -> None:
    """The web office (网上办公): serve the ledger's pages and JSON API over HTTP with uvicorn.

    People log in with the password an admin set (`zs person password NAME`); every write goes
    through the same ledger methods as the CLI, under the logged-in person's name, with `web` as the
    OS user and the client's address as the host. See docs/web.md.

    \b
    Example:
      zs --store sqlite:///demo.db serve
      zs --store postgresql://zs@127.0.0.1:5432/zhaoshang serve --workers 4 --trusted-proxy 127.0.0.1
    """
    if obj.open().is_empty():
        raise NotFound(f"no ledger at {obj.store}; create one with `zs init --admin NAME`")
    import uvicorn  # only this command needs it

    # Each worker process builds its own app from these (web.app:create_app reads them).
    os.environ.update({"ZS_WEB_STORE": obj.store, "ZS_WEB_IDLE_MINUTES": str(idle_minutes),
                       "ZS_WEB_TRUSTED_PROXIES": ",".join(trusted)})
    click.echo(f"zs serve: http://{host}:{port}/ ({workers} worker{'s' if workers > 1 else ''}) — Ctrl-C to stop",
               err=True)
    # Connections stay open between a person's pages (and a reverse proxy's between requests): uvicorn's
    # 5 s default closes one just as the next page is asked for after a pause (a reset the client sees).
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, server_header=False, log_level="info", timeout_keep_alive=75)
