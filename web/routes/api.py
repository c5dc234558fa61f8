"""/api/: the CLI's --json answers (the same rows from projections.queries.Queries, the same keys), for
other office systems. A session cookie or `Authorization: Bearer TOKEN` (`zs token create NAME`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import DomainError, InvalidValue
from domain.period import Cadence, Period
from domain.values import Level, Library, ProjectStatus, Sector, Stage, parse_moment
from projections.queries import Moment, Queries
from projections.summary import summarize
from web.auth import SESSION_COOKIE
from web.office import Json, blocking, office, refusal_status

BOARD_FILTERS = {"sector": Sector, "level": Level, "library": Library, "stage": Stage, "status": ProjectStatus}


class BadInput(Exception):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def _who(request: Request) -> str | None:
    o = office(request)
    header = request.headers.get("authorization", "")
    name: str | None = None
    if header.lower().startswith("bearer "):
        name = o.ledger.credentials.token_owner(header[7:].strip())
    else:
        session = o.tables.session(request.cookies.get(SESSION_COOKIE), o.now, o.idle)
        name = session.name if session and not session.must_change else None
    if name is None:
        return None
    try:
        return o.acting(name).name
    except DomainError:
        return None


def _moment(request: Request, key: str, start: bool = False) -> datetime | None:
    text = request.query_params.get(key)
    if not text:
        return None
    try:
        return parse_moment(text, start=start)
    except ValueError as error:  # InvalidValue, or a day that does not exist (2021-02-30)
        raise BadInput(key, str(error)) from None


def _unit(request: Request) -> str | None:
    return request.query_params.get("unit", "").strip().upper() or None


def _board(request: Request, queries: Queries) -> Any:
    filters = {}
    for key, kind in BOARD_FILTERS.items():
        if request.query_params.get(key):
            try:
                filters[key] = kind(request.query_params[key].strip()).value
            except ValueError:
                raise BadInput(key, f"{key} {request.query_params[key]!r} is not one of "
                                    f"{', '.join(m.value for m in kind)}") from None
    at = Moment(_moment(request, "as_of"), _moment(request, "as_known_at"))
    return queries.board(at, unit=_unit(request), **filters)


def _summary(request: Request, queries: Queries) -> Any:
    year, quarter = request.query_params.get("year"), request.query_params.get("quarter")
    if (year is None) == (quarter is None):
        raise BadInput("year", "give exactly one of year=YYYY or quarter=YYYY-Qn")
    try:
        period = Period.parse(year, Cadence.ANNUAL) if year else Period.parse(quarter or "", Cadence.QUARTERLY)
    except InvalidValue as error:
        raise BadInput("year" if year else "quarter", str(error)) from None
    unit = _unit(request)
    code = queries.unit(unit)["code"] if unit else None
    return summarize(queries.ledger, period, code, _moment(request, "as_known_at"))


READERS: dict[str, Callable[[Request, Queries], Any]] = {
    "board": _board,
    "progress": lambda r, v: v.progress(_moment(r, "as_of"), _unit(r), _moment(r, "as_known_at")),
    "obligations": lambda r, v: v.obligations(_moment(r, "as_of"), _unit(r), _moment(r, "as_known_at")),
    "overdue": lambda r, v: v.overdue(_moment(r, "as_of"), _moment(r, "as_known_at")),
    "audit": lambda r, v: v.audit(actor=r.query_params.get("actor"), unit=_unit(r),
                                  project=r.query_params.get("project"), report=r.query_params.get("report"),
                                  action=r.query_params.get("action"), since=_moment(r, "since", start=True),
                                  until=_moment(r, "until")),
    "summary": _summary,
}


async def read(request: Request) -> Response:
    what = request.path_params["what"]
    reader = READERS.get(what)
    if reader is None:
        return Json({"error": f"no /api/{what}; try one of {', '.join(READERS)}"}, status_code=404)
    if await blocking(_who, request) is None:
        return Json({"error": "log in, or send Authorization: Bearer TOKEN (zs token create NAME)"},
                    status_code=401, headers={"www-authenticate": "Bearer"})
    o = office(request)
    try:
        rows = await blocking(lambda: reader(request, o.read()))
    except BadInput as error:
        return Json({"error": str(error), "parameter": error.parameter}, status_code=400)
    except DomainError as error:
        return Json({"error": str(error)}, status_code=refusal_status(error) if refusal_status(error) != 409 else 404)
    return Json(rows)


routes = [Route("/api/{what}", read)]
