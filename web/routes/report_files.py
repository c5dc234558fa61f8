"""报送's files: a unit's form filled from the ledger (.xlsx, as `zs form fill`), the upload of an edited
form or other attachments (a draft with them, or a returned report's revision: the Ledger's own
attach path, as `zs report draft --attach` and `zs report revise --attach`), a report's attachments
and receipt (回执, as `zs report receipt`), and the office's 汇总: every unit's forms consolidated (as
`zs form consolidate`) and a unit's package zip (as `zs report package`)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import DomainError, InvalidValue, RuleViolated
from integrity import receipts
from projections.forms.consolidate import consolidate
from projections.forms.definitions import FORMS
from projections.forms.fill import fill
from projections.forms.xlsx import workbook_bytes
from projections.package import parse_month, parse_period, write_package
from web.forms import Fields, write
from web.office import blocking, office, page, refusal_status, render
from web.routes.reports import _month_page

UPLOAD_LIMIT = 4 * 1024 * 1024  # bytes per attached file (a whole request is capped at 5 MiB before it is read)
UPLOAD_FILES = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, name: str, media_type: str) -> Response:
    """A file to save, its (Chinese) name given as RFC 6266 allows, with an ASCII fallback."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    return Response(content, media_type=media_type, headers={
        "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"})


def _refused(request: Request, error: DomainError, status: int | None = None) -> Response:
    return render(request, "error.html", {"title": "未能下载", "message": str(error)},
                  status_code=status or refusal_status(error))


# -- the form filled from the ledger ---------------------------------------------------------------

@page
async def filled(request: Request) -> Response:
    code = request.path_params["code"]
    kind, period = request.query_params.get("kind", ""), request.query_params.get("period", "")
    ledger = office(request).ledger
    try:
        made = await blocking(fill, ledger, code, kind, period)
    except DomainError as error:
        return _refused(request, error)
    return download(workbook_bytes(made.sheets), f"{made.file_stem}.xlsx", XLSX)


# -- uploads ---------------------------------------------------------------------------------------

async def _uploads(form: Any, f: Fields) -> list[tuple[str, bytes]]:
    """The files chosen, each within the size limit (noted beside the `files` field otherwise). Their
    names are the Ledger's to check, as for `--attach` (domain/text.py: a plain file name, one line of
    visible characters), before it stores any bytes."""
    chosen = [u for u in form.getlist("files") if isinstance(u, UploadFile) and (u.filename or u.size)]
    if not chosen:
        f.errors["files"] = "请选择要上传的文件。"
        return []
    if len(chosen) > UPLOAD_FILES:
        f.errors["files"] = f"一次最多上传 {UPLOAD_FILES} 个文件。"
        return []
    files = []
    for upload in chosen:
        content = await upload.read(UPLOAD_LIMIT + 1)
        if len(content) > UPLOAD_LIMIT:
            f.errors["files"] = (f"{upload.filename} 超过 {UPLOAD_LIMIT // (1024 * 1024)} MiB，未上传"
                                 f"（a file may be at most {UPLOAD_LIMIT} bytes）。")
            return []
        files.append((upload.filename or "", content))
    return files


@page
async def upload(request: Request) -> Response:
    """Files for an obligation with no report yet (起草 with them) or for a returned report (修改:
    the new version carries them); the unit's reporters only, as the domain decides."""
    code = request.path_params["code"]
    form = request.state.form
    f = Fields(form)
    report_id, note = f.text("report_id"), f.prose("note")
    kind, period = (None, None) if report_id else (f.text("kind", True), f.text("period", True))
    files = await _uploads(form, f)
    if report_id:
        outcome = await write(request, f, None, lambda ledger, actor: ledger.revise_report(actor, report_id, files, note),
                              malformed="files")
    else:
        outcome = await write(request, f, None, lambda ledger, actor: ledger.draft_report(
            actor, code, kind or "", period or "", files, note), malformed="files")
    if not outcome.done:
        too_big = "files" in outcome.errors and "MiB" in outcome.errors["files"]
        return await _month_page(request, code, refusal=outcome.refusal, errors=outcome.errors,
                                 status_code=413 if too_big else outcome.status)
    month = str(form.get("month") or "")
    return RedirectResponse(f"/units/{code}/reports" + (f"?month={month}" if month else ""), status_code=303)


# -- a report's files and receipt ------------------------------------------------------------------

@page
async def attachment(request: Request) -> Response:
    """One attached file, exactly as attached (its SHA-256 checked, as `zs report attachment` does)."""
    query = request.query_params
    report_id, name = query.get("id", ""), query.get("name", "")
    ledger = office(request).ledger
    try:
        found, content = await blocking(ledger.attachment_bytes, report_id, name)
        if hashlib.sha256(content).hexdigest() != found.sha256:
            raise RuleViolated(f"the stored bytes of {name} do not match the SHA-256 on record")
    except DomainError as error:
        return _refused(request, error)
    return download(content, found.name, "application/octet-stream")


@page
async def receipt(request: Request) -> Response:
    """The receipt (回执) of a report's latest sending: JSON with its signed proof, or `format=txt`."""
    report_id = request.query_params.get("id", "").strip()
    ledger = office(request).ledger
    try:
        made = await blocking(receipts.build, ledger, report_id)
    except DomainError as error:
        return _refused(request, error)
    stem = "回执-" + report_id.replace("/", "-")
    if request.query_params.get("format") == "txt":
        return download(receipts.text_form(made).encode("utf-8"), f"{stem}.txt", "text/plain; charset=utf-8")
    return download((json.dumps(made, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), f"{stem}.json",
                    "application/json")


# -- 汇总: the office's downloads ----------------------------------------------------------------

@page
async def collect(request: Request) -> Response:
    """汇总: choose a form and a period to consolidate, or a unit and a month to package."""
    o = office(request)
    units = await blocking(lambda: o.read().units())
    query = request.query_params
    return render(request, "collect.html", {"units": units, "forms": FORMS, "chosen": {
        "kind": query.get("kind", ""), "period": query.get("period", ""), "unit": query.get("unit", ""),
        "due_in": query.get("due_in", "")}})


@page
async def consolidated(request: Request) -> Response:
    kind, period = request.query_params.get("kind", ""), request.query_params.get("period", "").strip()
    ledger = office(request).ledger
    try:
        made = await blocking(consolidate, ledger, kind, period)
    except DomainError as error:
        return _refused(request, error)
    title = FORMS[kind].title if kind in FORMS else kind
    return download(workbook_bytes(made.sheets), f"{title}汇总{period}.xlsx", XLSX)


def _package(ledger: Any, unit: str, period: str, due_in: str) -> tuple[str, bytes]:
    periods = [parse_period(period)] if period else []
    month = parse_month(due_in) if due_in else None
    if bool(periods) == bool(month):
        raise InvalidValue("give a period (2021-09, 2021-Q3) or a month the reports fell due in, not both")
    with tempfile.TemporaryDirectory(prefix="zs-package-") as folder:
        target = write_package(ledger, unit, Path(folder), periods, month)
        return target.name, target.read_bytes()


@page
async def package(request: Request) -> Response:
    """A unit's package zip: every sent report of a period, or of those due in a month."""
    query = request.query_params
    ledger = office(request).ledger
    try:
        name, content = await blocking(_package, ledger, query.get("unit", ""), query.get("period", "").strip(),
                                       query.get("due_in", "").strip())
    except DomainError as error:
        return _refused(request, error)
    return download(content, name, "application/zip")


routes = [
    Route("/units/{code}/reports/fill", filled),
    Route("/units/{code}/reports/upload", upload, methods=["POST"]),
    Route("/reports/attachment", attachment),
    Route("/reports/receipt", receipt),
    Route("/collect", collect),
    Route("/collect/consolidated", consolidated),
    Route("/collect/package", package),
]
