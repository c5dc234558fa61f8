"""The web office's ASGI application: `create_app(store)`; `zs serve` has uvicorn call it per worker."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from domain.application import Clock, real_clock
from web.office import HERE, Guard, Office, render
from web.routes import admin, api, audit, auth, lamps, overdue, pages, projects, report_files, reports, summary, supervision


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        from web.office import Json

        return Json({"error": "not found"}, status_code=404)
    return render(request, "error.html", {"title": "未找到", "message": "没有这个页面。"}, status_code=404)


def create_app(store: str | None = None, clock: Clock = real_clock, idle_minutes: int | None = None,
               trusted_proxies: frozenset[str] | None = None) -> Starlette:
    """The app over one store. Without arguments (as uvicorn's factory), from ZS_WEB_STORE,
    ZS_WEB_IDLE_MINUTES and ZS_WEB_TRUSTED_PROXIES, which `zs serve` sets."""
    store = store or os.environ.get("ZS_WEB_STORE") or os.environ.get("ZS_STORE") or "sqlite:///zhaoshang.db"
    idle = timedelta(minutes=idle_minutes or int(os.environ.get("ZS_WEB_IDLE_MINUTES") or 30))
    if trusted_proxies is None:
        trusted_proxies = frozenset(p.strip() for p in os.environ.get("ZS_WEB_TRUSTED_PROXIES", "").split(",")
                                    if p.strip())
    office = Office(store, clock=clock, idle=idle, trusted=trusted_proxies)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        office.close()

    app = Starlette(
        routes=[*auth.routes, *pages.routes, *reports.routes, *audit.routes, *api.routes, *overdue.routes,
                *lamps.routes, *summary.routes, *admin.routes, *projects.routes, *supervision.routes,
                *report_files.routes,
                Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static")],
        middleware=[Middleware(Guard)],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
    app.state.office = office
    return app
