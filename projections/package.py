"""The package rule: a unit's sent reports for a period, as one zip named 单位名称招商引资工作.zip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from domain.application import Ledger
from domain.errors import AlreadyExists, RuleViolated
from domain.values import UTC


def package_name(unit_name: str) -> str:
    return f"{unit_name}招商引资工作.zip"


def write_package(ledger: Ledger, unit: str, period: str, out_dir: Path) -> Path:
    """Write the zip with every file sent and a manifest (SHA-256, approver, sender, times)."""
    home = ledger.unit(unit)
    reports = [r for r in ledger.reports() if r.unit == home.code and r.period == period and r.counted]
    if not reports:
        raise RuleViolated(f"unit {home.code} has no sent report for {period}; nothing to package")
    target = out_dir / package_name(home.name)
    if target.exists():
        raise AlreadyExists(f"{target} already exists; packages are never overwritten (name a fresh directory)")
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "unit": home.code, "unit_name": home.name, "period": period,
        "packaged_at": ledger.clock().astimezone(UTC).isoformat(), "reports": [],
    }
    try:
        _write(ledger, reports, target, manifest)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _write(ledger: Ledger, reports: list[Any], target: Path, manifest: dict[str, Any]) -> None:
    from integrity import receipts

    calendar = ledger.calendar()
    with zipfile.ZipFile(target, "x", compression=zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            title = calendar.rule(report.kind).title
            files = []
            for attachment, content in (ledger.attachment_bytes(report.report_id, a.name) for a in report.attachments):
                path = f"{title}/{attachment.name}"
                archive.writestr(path, content)
                files.append({"path": path, "sha256": attachment.sha256, "size": attachment.size})
            manifest["reports"].append({
                "id": report.report_id, "kind": report.kind, "title": title, "version": report.revision,
                "status": report.status, "approved_by": report.approved_by,
                "approved_at": _iso(report.approved_at), "sent_by": report.sent_by,
                "sent_at": _iso(report.sent_at), "sealed": report.sealed, "files": files,
                "receipt": receipts.add_to_zip(archive, ledger, report.report_id, title),
            })
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def _iso(moment: Any) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
