"""登录、修改密码、退出: login with throttling before hashing, the first-login password change, logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import DomainError
from domain.values import SHANGHAI
from web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, csrf_ok, client_address, throttle_keys
from web.office import blocking, hashing, login_csrf, office, page, refusal_status, render


MAX_PASSWORD = 1024


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _login_page(request: Request, token: str, error: str | None = None, name: str = "",
                status_code: int = 200) -> Response:
    response = render(request, "login.html", {"login_csrf": token, "error": error, "name": name,
                                              "next": _safe_next(request.query_params.get("next"))},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.url.scheme == "https")
    return response


async def login(request: Request) -> Response:
    token = login_csrf(request)
    if request.method == "GET":
        return _login_page(request, token)
    form = await request.form()
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
        return render(request, "error.html", {"title": "拒绝", "message": "登录表单已失效，请刷新页面后重试。"},
                      status_code=403)
    o = office(request)
    name = str(form.get("name") or "").strip()[:200]
    password = str(form.get("password") or "")
    address = client_address(request, o.trusted)
    keys = throttle_keys(name, address)
    ledger = o.ledger_for(request)
    locked = await blocking(o.tables.locked_until, keys, o.now)
    if locked is not None:  # before any hashing
        await blocking(ledger.record_login, name, address, "throttled")
        until = locked.astimezone(SHANGHAI).strftime("%H:%M")
        return _login_page(request, token, f"登录失败次数过多，请于 {until} 以后再试。", name, status_code=429)
    if len(password) > MAX_PASSWORD:  # no hashing of a megabyte: refused as a wrong password
        outcome, person, must_change = "wrong_password", None, False
    else:
        outcome, person, must_change = await hashing(o, ledger.authenticate, name, password)
    await blocking(ledger.record_login, name, address, outcome)
    if person is None:
        await blocking(o.tables.failed, keys, o.now)
        return _login_page(request, token, "姓名或密码不正确。", name, status_code=401)
    await blocking(o.tables.succeeded, keys)
    session = await blocking(o.tables.open_session, person.name, must_change, o.now)
    target = "/password" if must_change else _safe_next(str(form.get("next") or "/"))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@page
async def logout(request: Request) -> Response:
    o = office(request)
    await blocking(o.tables.end_session, request.state.session.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@page
async def password(request: Request) -> Response:
    session, person = request.state.session, request.state.person
    context = {"must_change": session.must_change, "errors": {}, "done": False}
    if request.method == "GET":
        return render(request, "password.html", context)
    form = request.state.form
    old, new, again = (str(form.get(k) or "") for k in ("old", "new", "again"))
    if new != again:
        context["errors"] = {"again": "两次输入的新密码不一致。"}
        return render(request, "password.html", context, status_code=422)
    o = office(request)
    try:
        await hashing(o, o.ledger_for(request).change_password, person.name, old, new)
    except DomainError as error:
        field = "new" if refusal_status(error) != 403 else "old"
        context["errors"] = {field: str(error)}
        return render(request, "password.html", context, status_code=refusal_status(error))
    await blocking(o.tables.password_changed, session.id)
    return RedirectResponse("/", status_code=303)


routes = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/password", password, methods=["GET", "POST"]),
]
