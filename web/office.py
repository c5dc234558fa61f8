"""What every route shares: the worker's ledger and views, who is asking, rendering, JSON, errors.

One `Office` per worker process. Reads go through `projections.queries.Queries`, caught up before each
request (under a lock: one catch-up at a time per process). Writes go through the `Ledger`'s own
methods on a worker's one Ledger, whose `machine` reads the current request's client address from a context
variable (anyio carries it into the worker thread): events name `web` as the OS user and the
client's address as the host, and the Ledger's connections are shared (docs/web.md)."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from contextvars import ContextVar
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from functools import partial, wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.application import Clock, Ledger, real_clock
from domain.errors import DomainError, InvalidValue, NotPermitted
from domain.permissions import Action, check
from domain.person import Person
from domain.values import SHANGHAI, Labelled
from projections.jsonvalues import to_json_value
from projections.queries import Queries
from web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session, Tables, client_address, csrf_ok

log = logging.getLogger("zs.web")
HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
T = TypeVar("T")

MAX_BODY = 5 * 1024 * 1024  # bytes a request may send; larger ones are refused with 413 before reading
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
    "x-frame-options": "DENY", "cache-control": "no-store",
}


REMEMBER_MINUTES = 10  # how long a remembered answer may stand while nothing is recorded

_client: ContextVar[str] = ContextVar("zs_web_client", default="web")


class WebMachine:
    """The Ledger's machine in the web office: `web`, from the address of the request being served."""

    os_user = "web"

    @property
    def host(self) -> str:
        return _client.get()


class Office:
    """The worker's ledger, views and tables, and its settings."""

    def __init__(self, store: str, clock: Clock = real_clock, idle: timedelta = timedelta(minutes=30),
                 trusted: frozenset[str] = frozenset(), hash_threads: int = 2) -> None:
        self.ledger = Ledger(store, clock=clock, machine=WebMachine())  # type: ignore[arg-type]
        self.queries = Queries(self.ledger)
        self.tables = Tables(self.queries.db)
        self.idle, self.trusted = idle, trusted
        self.demo = self.ledger.credentials.is_demo()  # `zs demo`'s store: every page says so
        self.lock = threading.Lock()
        self.answers: dict[Hashable, tuple[tuple[int, datetime], Any]] = {}
        self.computing: set[Hashable] = set()
        self.people: tuple[int, dict[str, Person]] = (-1, {})
        self.fresh = threading.Condition()
        # Password hashing runs in threads, at most this many at once, off the event loop.
        self.hashing = CapacityLimiter(hash_threads)

    @property
    def now(self) -> datetime:
        return self.ledger.clock()

    def read(self) -> Queries:
        """The views, caught up with everything recorded so far (this process's writes included)."""
        with self.lock:
            self.queries.runner.catch_up()
        return self.queries

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """An answer kept per worker for each position of the views in the log and each ten minutes of
        the clock (the dashboard's counts: the same events give the same answer, and what turns with
        time alone — a report falling overdue, a lamp — turns with the Shanghai day). When either has
        moved, the last answer is given while a thread computes the new one (one at a time per key);
        only the first request for a key waits for its answer."""
        now = self.now
        stamp = (min(self.queries.runner.positions().values(), default=0),
                 now.replace(minute=now.minute // REMEMBER_MINUTES * REMEMBER_MINUTES, second=0, microsecond=0))

        def refresh() -> T:
            try:
                answer = compute()
                with self.fresh:
                    self.answers[key] = (stamp, answer)
                    while len(self.answers) > 64:  # as-of dates picked: keep the latest few
                        self.answers.pop(next(iter(self.answers)))
                return answer
            finally:
                with self.fresh:
                    self.computing.discard(key)
                    self.fresh.notify_all()

        with self.fresh:
            while True:
                found = self.answers.get(key)
                if found is not None and found[0] == stamp:
                    return found[1]  # type: ignore[no-any-return]
                if found is not None:
                    if key not in self.computing:
                        self.computing.add(key)
                        threading.Thread(target=refresh, name="zs-remembered", daemon=True).start()
                    return found[1]  # type: ignore[no-any-return]
                if key not in self.computing:
                    self.computing.add(key)
                    break
                self.fresh.wait(timeout=30)  # the first answer for this key is being computed
        return refresh()

    def acting(self, name: str) -> Person:
        """The person as `Ledger.acting` gives them (NotPermitted once removed), kept per worker for the
        log's head: any event recorded since, by any worker or command (a removal, a new post), forgets
        every person kept, so the next request reads them again. One query for the head instead of
        loading the person's events."""
        head = self.queries.runner.head()
        kept = self.people
        if kept[0] != head:
            kept = self.people = (head, {})
        person = kept[1].get(name)
        if person is None:  # read after the head: at least as new as the head it is kept under
            person = kept[1][name] = self.ledger.acting(name)
        return person

    def ledger_for(self, request: Request) -> Ledger:
        """The Ledger, its events naming `web` as the OS user and this client's address as the host
        (for the calls this request makes from here on, in its own context)."""
        _client.set(client_address(request, self.trusted))
        return self.ledger

    def close(self) -> None:
        self.ledger.close()


def office(request: Request) -> Office:
    return request.app.state.office  # type: ignore[no-any-return]


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A call that reads or writes the store, in a worker thread."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))


async def hashing(o: Office, fn: Callable[..., T], *args: Any) -> T:
    """A call that hashes a password, in the bounded hashing pool."""
    return await anyio.to_thread.run_sync(partial(fn, *args), limiter=o.hashing)


# -- who is asking ---------------------------------------------------------------------------------

def may(person: Person, action: Action, unit: str | None = None) -> bool:
    try:
        check(person.name, person.role, person.unit, action, unit)
    except NotPermitted:
        return False
    return True


def _who(request: Request) -> tuple[Session, Person] | None:
    o = office(request)
    session = o.tables.session(request.cookies.get(SESSION_COOKIE), o.now, o.idle)
    if session is None:
        return None
    try:
        person = o.acting(session.name)
    except DomainError:  # removed (or gone): every session of theirs ends
        o.tables.end_sessions_of(session.name)
        return None
    return session, person


Handler = Callable[[Request], Awaitable[Response]]


def page(handler: Handler) -> Handler:
    """A page for logged-in people: the login page otherwise; the password page first when the
    password must change; a POST must carry the session's CSRF token (403 otherwise)."""

    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        who = await blocking(_who, request)
        if who is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        session, person = who
        request.state.session, request.state.person = session, person
        if session.must_change and request.url.path not in ("/password", "/logout"):
            return RedirectResponse("/password", status_code=303)
        if request.method == "POST":
            form = await request.form()
            request.state.form = form
            if not csrf_ok(session.csrf, form.get("csrf")):
                return forbidden(request, "表单已失效（缺少或错误的 CSRF 令牌），请刷新页面后重试。")
        return await handler(request)

    return wrapper


def forbidden(request: Request, message: str) -> Response:
    return render(request, "error.html", {"title": "拒绝", "message": message}, status_code=403)


# -- rendering -----------------------------------------------------------------------------------

def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    person = getattr(request.state, "person", None)
    session = getattr(request.state, "session", None)
    base = {"me": person, "csrf": session.csrf if session else None, "path": request.url.path,
            "demo": office(request).demo}
    return templates.TemplateResponse(request, name, base | context, status_code=status_code)


def refusal_status(error: DomainError) -> int:
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, InvalidValue):
        return 422
    return 409


jsonable = to_json_value  # as the CLI's --json writes values (projections/jsonvalues.py)


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(jsonable(content), ensure_ascii=False, indent=2).encode("utf-8")


def shanghai(value: Any) -> str:
    """How a time reads on a page: Shanghai time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Labelled):
        return value.label
    return str(value)


def label(value: Any, kind: type[Labelled]) -> str:
    if value is None:
        return ""
    try:
        return kind(value).label
    except ValueError:
        return str(value)


templates.env.filters["shanghai"] = shanghai
templates.env.filters["label"] = label
templates.env.filters["tojson_attr"] = lambda v: json.dumps(jsonable(v), ensure_ascii=False)


# -- security headers and errors -----------------------------------------------------------------

class Guard:
    """Adds the security headers to every response, and turns any unexpected exception into a 500
    page with an id that the log also has (never a traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def _headers(send: Send) -> Send:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        return with_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > MAX_BODY or b"chunked" in dict(scope.get("headers") or []).get(
                b"transfer-encoding", b""):
            too_big: Response = HTMLResponse("请求过大 (request too large)", status_code=413)
            await too_big(scope, receive, self._headers(send))
            return

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception:
            error_id = secrets.token_hex(6)
            log.exception("unexpected error %s on %s %s", error_id, scope.get("method"), scope.get("path"))
            if started:
                raise
            body = templates.get_template("500.html").render(error_id=error_id, me=None, path="")
            response: Response = HTMLResponse(body, status_code=500)
            if scope["path"].startswith("/api/"):
                response = JSONResponse({"error": "internal error", "id": error_id}, status_code=500)
            await response(scope, receive, guarded)


def login_csrf(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
