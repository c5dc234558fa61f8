"""The package rule: what a unit sends at one time — the counted reports of every period named, or of
every report due in one month — goes as one zip named 单位名称招商引资工作.zip, with one manifest.

Times inside the package are Shanghai time and say so: the manifest's moments carry +08:00, and each
file's entry is stamped with its report's latest sending in Shanghai (a zip entry has no time zone,
so the archive's comment and the manifest's `time_zone` say which)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain.errors import AlreadyExists, InvalidValue, RuleViolated
from domain.period import Cadence, Period
from domain.values import SHANGHAI

if TYPE_CHECKING:
    from domain.application import Ledger
    from domain.report import Report

TIME_ZONE = "Asia/Shanghai (UTC+08:00)"
ZIP_COMMENT = "文件时间均为北京时间（Asia/Shanghai，UTC+08:00）".encode()
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
SEPARATORS = str.maketrans({"/": "／", "\\": "＼"})
ATTEMPTS = 5


def package_name(unit_name: str) -> str:
    return f"{unit_name.translate(SEPARATORS)}招商引资工作.zip"


def parse_period(text: str) -> str:
    """A period of any cadence (2021-09, 2021-Q3, 2021, once), as the reports name it."""
    for cadence in Cadence:
        try:
            return str(Period.parse(text.strip(), cadence))
        except InvalidValue:
            continue
    raise InvalidValue(f"{text.strip()!r} is not a period: 2021-09 (a month), 2021-Q3 (a quarter), 2021 (a year) "
                       f"or once")


def parse_month(text: str) -> str:
    if not MONTH.match(text.strip()):
        raise InvalidValue(f"{text.strip()!r} is not a month: YYYY-MM, e.g. 2021-10")
    return text.strip()


def write_package(ledger: Ledger, unit: str, out_dir: Path, periods: Sequence[str] = (),
                  due_in: str | None = None) -> Path:
    """Write the zip with every file of the chosen counted reports and one manifest (SHA-256,
    approver, sender, times, the log position it was read at)."""
    home = ledger.unit(unit)
    position, reports = _chosen(ledger, home.code, list(dict.fromkeys(periods)), due_in)
    target = out_dir / package_name(home.name)
    if target.exists():
        raise AlreadyExists(f"{target} already exists; packages are never overwritten (name a fresh directory)")
    now = ledger.clock()
    manifest: dict[str, Any] = {
        "unit": home.code, "unit_name": home.name, "periods": sorted({r.period for r in reports}),
        "due_in": due_in, "time_zone": TIME_ZONE, "packaged_at": _shanghai(now), "log_position": position,
        "reports": [],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / f".{target.name}.{os.getpid()}.partial"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.comment = ZIP_COMMENT
            calendar = ledger.calendar()
            for report in reports:
                manifest["reports"].append(add_report(ledger, archive, report, calendar.rule(report.kind).title))
            entry = zipfile.ZipInfo("manifest.json", _zip_time(now))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, json.dumps(manifest, ensure_ascii=False, indent=2))
        _publish(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _publish(partial: Path, target: Path) -> None:
    """Put the finished zip in place without ever overwriting one (a killed run leaves no half zip
    under the package's name, and two runs at once cannot replace each other's)."""
    exists = AlreadyExists(f"{target} already exists; packages are never overwritten (name a fresh directory)")
    try:
        os.link(partial, target)
    except FileExistsError:
        raise exists from None
    except OSError:  # a file system without hard links (a FAT USB stick): copy into a new file
        try:
            with target.open("xb") as handle:
                handle.write(partial.read_bytes())
        except FileExistsError:
            raise exists from None


def manifest_of(path: Path) -> dict[str, Any]:
    """The manifest of a package written here."""
    with zipfile.ZipFile(path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def _chosen(ledger: Ledger, unit: str, periods: list[str], due_in: str | None) -> tuple[int, list[Report]]:
    """The log position and the counted reports chosen, read together: when someone writes while
    they are read, they are read again, so the position names exactly what was packaged."""
    for _ in range(ATTEMPTS):
        position = ledger.recorder.max_notification_id() or 0
        reports = [r for r in ledger.reports() if r.unit == unit and r.counted
                   and (r.period in periods or (due_in is not None and str(r.due_on)[:7] == due_in))]
        if (ledger.recorder.max_notification_id() or 0) == position:
            break
    else:
        raise RuleViolated("the ledger kept changing while the package was read; try again")
    missing = [p for p in periods if not any(r.period == p for r in reports)]
    if missing or not reports:
        what = f"for {', '.join(missing)}" if missing else f"due in {due_in}"
        raise RuleViolated(f"unit {unit} has no sent report {what}; nothing was packaged")
    return position, sorted(reports, key=lambda r: (r.due_on, r.period, r.kind))


def add_report(ledger: Ledger, archive: zipfile.ZipFile, report: Report, title: str) -> dict[str, Any]:
    """One report's files into the zip, stamped with its latest sending; its manifest entry."""
    folder = title if report.period == "once" else f"{title}（{report.period}）"
    stamp = _zip_time(report.sent_at)
    files = []
    for attachment in report.attachments:
        _, content = ledger.attachment_bytes(report.report_id, attachment.name)
        if hashlib.sha256(content).hexdigest() != attachment.sha256:
            raise RuleViolated(f"the stored bytes of {attachment.name} ({report.report_id}) do not match the "
                               f"SHA-256 on record; nothing was packaged")
        path = f"{folder}/{attachment.name}"
        entry = zipfile.ZipInfo(path, stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, content)
        files.append({"path": path, "sha256": attachment.sha256, "size": attachment.size})
    from integrity import receipts  # cryptography is loaded only by the commands that sign or package

    receipt = receipts.add_to_zip(archive, ledger, report.report_id, folder, stamp)
    return {
        "id": report.report_id, "kind": report.kind, "title": title, "period": report.period,
        "due_on": str(report.due_on), "version": report.revision, "status": report.status,
        "approved_by": report.approved_by, "approved_at": _shanghai(report.approved_at),
        "sent_by": report.sent_by, "sent_at": _shanghai(report.sent_at), "sealed": report.sealed, "files": files,
        "receipt": receipt,
    }


def _shanghai(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).isoformat()


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone(SHANGHAI)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
