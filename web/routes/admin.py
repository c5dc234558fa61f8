"""管理: units (enrol, update, withdraw), people (add, appoint, update, remove, email), a person's initial
password, and the reporting policy (view; load a TOML effective from a date) — for the admin only
(docs/domain.md's SET_UP permission). Every write is the Ledger's own method; a refusal shows the
domain's words and records nothing. A password typed here is never shown again nor logged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import DomainError, InvalidValue
from domain.permissions import Action
from domain.values import Role, Sector, UnitKind, parse_date, shanghai_date
from web.office import blocking, forbidden, hashing, may, office, page, refusal_status, render

MAX_POLICY = 256 * 1024  # characters of TOML a policy may have
DONE = {"unit-added": "已登记单位。", "unit-updated": "已更新单位。", "unit-withdrawn": "已登记单位退出。",
        "person-added": "已添加人员。", "person-updated": "已更新人员。", "person-removed": "已移除人员。",
        "password-set": "已设置初始密码；此人首次登录时须修改密码。", "policy-loaded": "已载入新的报送时限。"}
Handler = Callable[[Request], Awaitable[Response]]


def admin(handler: Handler) -> Handler:
    """A logged-in admin's page (a POST with the session's CSRF token); anyone else sees 403."""

    @page
    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        person = request.state.person
        if not may(person, Action.SET_UP):
            return forbidden(request, f"{person.name}（{person.role.label}）无权进入管理页面：只有管理员可以"
                                      "登记单位和人员、设置密码、载入报送时限。")
        return await handler(request)

    return wrapper


def _text(form: Any, key: str) -> str | None:
    return str(form.get(key) or "").strip() or None


def _posted(request: Request) -> tuple[Any, dict[str, str], Any, str]:
    """A write's form, its (empty) field errors, the acting person's ledger and name."""
    return request.state.form, {}, office(request).ledger_for(request), request.state.person.name


def _required(form: Any, key: str, errors: dict[str, str], message: str) -> str | None:
    """The field's text, or None with `message` beside the field."""
    text = _text(form, key)
    if not text:
        errors[key] = message
    return text


def _date(form: Any, key: str, errors: dict[str, str], label: str) -> date | None:
    text = _text(form, key)
    if text is None:
        errors[key] = f"请填写{label}。"
        return None
    try:
        return parse_date(text, label)
    except InvalidValue as error:
        errors[key] = str(error)
        return None


def _choice(form: Any, key: str, kind: Any, errors: dict[str, str], required: bool = True) -> Any:
    text = _text(form, key)
    if text is None:
        if required:
            errors[key] = "请选择。"
        return None
    try:
        return kind(text)
    except ValueError:
        errors[key] = f"不认识的选项：{text}"
        return None


def _sectors(form: Any, errors: dict[str, str]) -> list[Sector]:
    chosen = []
    for text in form.getlist("sectors"):
        try:
            chosen.append(Sector(str(text)))
        except ValueError:
            errors["sectors"] = f"不认识的领域：{text}"
    return chosen


def _done(path: str, what: str) -> Response:
    return RedirectResponse(f"{path}?done={quote(what)}", status_code=303)


async def _write(request: Request, path: str, what: str, call: Callable[[], Any], errors: dict[str, str],
                 show: Callable[..., Awaitable[Response]], hashes: bool = False) -> Response:
    """Field errors, or the Ledger's call: done, or the domain's refusal shown on the area's page."""
    if errors:
        return await show(request, errors=errors, status_code=422)
    o = office(request)
    try:
        await (hashing(o, call) if hashes else blocking(call))
    except DomainError as error:
        return await show(request, refusal=str(error), status_code=refusal_status(error))
    return _done(path, what)


# -- units ---------------------------------------------------------------------------------------------

async def _units_page(request: Request, refusal: str | None = None, errors: dict[str, str] | None = None,
                      status_code: int = 200) -> Response:
    o = office(request)
    units = await blocking(lambda: o.read().units())
    return render(request, "admin_units.html", {
        "units": units, "kinds": list(UnitKind), "sectors": list(Sector), "refusal": refusal, "errors": errors or {},
        "done": DONE.get(request.query_params.get("done", "")), "today": shanghai_date(o.now),
        "form": getattr(request.state, "form", {})}, status_code=status_code)


@admin
async def units(request: Request) -> Response:
    return await _units_page(request)


@admin
async def unit_add(request: Request) -> Response:
    form, errors, ledger, actor = _posted(request)
    code, name = _required(form, "code", errors, "请填写单位代码。"), _required(form, "name", errors, "请填写单位名称。")
    kind = _choice(form, "kind", UnitKind, errors)
    on = _date(form, "enrolled_on", errors, "纳入日期")
    sectors = _sectors(form, errors)
    return await _write(request, "/admin/units", "unit-added",
                        lambda: ledger.add_unit(actor, code or "", name or "", kind, on, sectors,  # type: ignore[arg-type]
                                                _text(form, "department")), errors, _units_page)


@admin
async def unit_update(request: Request) -> Response:
    form, errors, ledger, actor = _posted(request)
    code = request.path_params["code"]
    sectors = _sectors(form, errors)
    return await _write(request, "/admin/units", "unit-updated",
                        lambda: ledger.update_unit(actor, code, _text(form, "name"), _text(form, "department"), sectors),
                        errors, _units_page)


@admin
async def unit_withdraw(request: Request) -> Response:
    form, errors, ledger, actor = _posted(request)
    code = request.path_params["code"]
    on = _date(form, "on", errors, "退出日期")
    reason = _required(form, "reason", errors, "请填写退出原因。")
    return await _write(request, "/admin/units", "unit-withdrawn",
                        lambda: ledger.withdraw_unit(actor, code, on, reason or ""), errors, _units_page)  # type: ignore[arg-type]


# -- people --------------------------------------------------------------------------------------------

async def _people_page(request: Request, refusal: str | None = None, errors: dict[str, str] | None = None,
                       status_code: int = 200) -> Response:
    o = office(request)

    def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        views = o.read()
        return views.people(), views.units()

    people, units = await blocking(read)
    form = {k: v for k, v in getattr(request.state, "form", {}).items() if "password" not in k and k != "again"}
    return render(request, "admin_people.html", {
        "people": people, "units": units, "roles": list(Role), "refusal": refusal, "errors": errors or {},
        "done": DONE.get(request.query_params.get("done", "")), "form": form}, status_code=status_code)


@admin
async def people(request: Request) -> Response:
    return await _people_page(request)


@admin
async def person_add(request: Request) -> Response:
    form, errors, ledger, actor = _posted(request)
    name = _required(form, "name", errors, "请填写姓名。")
    role = _choice(form, "role", Role, errors)
    return await _write(request, "/admin/people", "person-added",
                        lambda: ledger.add_person(actor, name or "", role, _text(form, "unit"), _text(form, "phone"),
                                                  _text(form, "title"), _text(form, "email")), errors, _people_page)


@admin
async def person_update(request: Request) -> Response:
    """任免 and 更新: a new role or unit (the unit's posts move with it), phone, title, email."""
    form, errors, ledger, actor = _posted(request)
    name = request.path_params["name"]
    role = _choice(form, "role", Role, errors, required=False)
    return await _write(request, "/admin/people", "person-updated",
                        lambda: ledger.update_person(actor, name, role, _text(form, "unit"), _text(form, "phone"),
                                                     _text(form, "title"), _text(form, "email")), errors, _people_page)


@admin
async def person_remove(request: Request) -> Response:
    form, errors, ledger, actor = _posted(request)
    name = request.path_params["name"]
    reason = _required(form, "reason", errors, "请填写移除原因。")
    return await _write(request, "/admin/people", "person-removed",
                        lambda: ledger.remove_person(actor, name, reason or ""), errors, _people_page)


@admin
async def person_password(request: Request) -> Response:
    """The admin sets an initial password; the person must change it at first login, and any session
    of theirs ends. The password is neither shown back nor logged, not even beside a field error."""
    form, errors = request.state.form, {}
    o = office(request)
    ledger, actor, name = o.ledger_for(request), request.state.person.name, request.path_params["name"]
    password, again = str(form.get("password") or ""), str(form.get("again") or "")
    if len(password) > 1024:
        errors["password"] = "密码过长。"
    elif password != again:
        errors["again"] = "两次输入的密码不一致。"

    def set_it() -> None:
        ledger.set_password(actor, name, password)
        o.tables.end_sessions_of(name)

    return await _write(request, "/admin/people", "password-set", set_it, errors, _people_page, hashes=True)


# -- the policy ----------------------------------------------------------------------------------------

async def _policy_page(request: Request, refusal: str | None = None, errors: dict[str, str] | None = None,
                       status_code: int = 200) -> Response:
    o = office(request)

    def read() -> dict[str, Any]:
        ledger = o.ledger
        calendar = ledger.calendar()
        current = calendar.policy_on(shanghai_date(ledger.clock()))
        return {"policies": calendar.policies, "current": current, "toml": current.to_toml_text()}

    data = await blocking(read)
    form = getattr(request.state, "form", {})
    return render(request, "admin_policy.html", data | {
        "refusal": refusal, "errors": errors or {}, "done": DONE.get(request.query_params.get("done", "")),
        "effective_from": form.get("effective_from") or "", "today": shanghai_date(o.now)}, status_code=status_code)


@admin
async def policy(request: Request) -> Response:
    return await _policy_page(request)


@admin
async def policy_load(request: Request) -> Response:
    """As `zs policy load FILE --from DATE`: a TOML file uploaded (or pasted), effective from a date."""
    form, errors, ledger, actor = _posted(request)
    on = _date(form, "effective_from", errors, "施行日期")
    upload, source, text = form.get("file"), "policy", str(form.get("text") or "")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read()
        source = upload.filename
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors["file"] = f"{upload.filename} 不是 UTF-8 文本。"
    if not text.strip() and "file" not in errors:
        errors["file"] = "请选择 TOML 文件或粘贴其内容。"
    elif len(text) > MAX_POLICY:
        errors["file"] = "文件过大。"
    return await _write(request, "/admin/policy", "policy-loaded",
                        lambda: ledger.load_policy(actor, text, on, source=source), errors, _policy_page)  # type: ignore[arg-type]


@admin
async def home(request: Request) -> Response:
    return RedirectResponse("/admin/people", status_code=303)


routes = [
    Route("/admin", home),
    Route("/admin/units", units),
    Route("/admin/units/add", unit_add, methods=["POST"]),
    Route("/admin/units/{code}/update", unit_update, methods=["POST"]),
    Route("/admin/units/{code}/withdraw", unit_withdraw, methods=["POST"]),
    Route("/admin/people", people),
    Route("/admin/people/add", person_add, methods=["POST"]),
    Route("/admin/people/{name}/update", person_update, methods=["POST"]),
    Route("/admin/people/{name}/remove", person_remove, methods=["POST"]),
    Route("/admin/people/{name}/password", person_password, methods=["POST"]),
    Route("/admin/policy", policy),
    Route("/admin/policy/load", policy_load, methods=["POST"]),
]
