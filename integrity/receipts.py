"""Receipts (回执): the office system's signed acknowledgment that a report was sent, provable later.

A receipt names the report and its sending, the sending event's position and leaf hash, and an
inclusion proof against a tree head signed by the ledger's key at the sending (or the first one
signed after it). `zs verify --receipt` proves it is still in the log, unchanged."""

from __future__ import annotations

import base64
import json
import zipfile
from typing import Any

from domain import merkle
from domain.application import Ledger
from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.report import Report
from domain.values import UTC
from integrity.leaves import event_leaf
from integrity.notes import BadNote, SigningKey, Verifier, checkpoint_text, open_checkpoint
from integrity.verify import Problem, Scan, tree_against

FORMAT = "zhaoshang receipt v1"


def require_tree(ledger: Ledger) -> None:
    """Refuse to promise a receipt from a ledger whose events predate its tree."""
    with ledger.recorder.snapshot() as snap:
        leaves, _, _, events = snap.counts()
    if events and not leaves:
        raise RuleViolated(f"this ledger's {events} events have no tree yet, so nothing can be signed; "
                           "the office builds it once with `zs --as NAME verify --seal`")


def sign_tree(ledger: Ledger, actor: str, key: SigningKey, about: str | None = None, office: bool = True) -> str:
    """Sign the current tree head with `key`, record the checkpoint in the ledger, and return it."""
    ledger.log_key(key.verifier)  # refuses a key that is not the ledger's own
    leaves = ledger.recorder.leaf_hashes()
    root = merkle.root(leaves)
    note = key.sign(checkpoint_text(key.name, len(leaves), root, ledger.clock()))
    ledger.record_checkpoint(actor, key.verifier, len(leaves), base64.b64encode(root).decode(), note,
                             about=about, office=office)
    return note


def build(ledger: Ledger, report_id: str) -> dict[str, Any]:
    """The receipt of a report's latest sending."""
    report = ledger.report(report_id)
    sent = [e for e in ledger.history(report.id) if isinstance(e, Report.Sent)]
    if not sent:
        raise NotFound(f"report {report.report_id} has not been sent; a receipt acknowledges a sending")
    event = sent[-1]
    at_sending = ledger.repository.get(report.id, version=event.originator_version)
    with ledger.recorder.snapshot() as snap:
        found = snap.position_of(report.id.bytes, event.originator_version)
        leaves = [row[2] for row in snap.leaves()]
    if found is None:
        raise NotFound(f"the sending of report {report.report_id} is not a leaf of the tree yet; "
                       "the office builds the tree with `zs verify --seal`")
    position, leaf = found
    heads = sorted((size, root, note, key.verifier) for key in ledger.log_keys() for size, root, note in key.checkpoints
                   if size >= position)
    if not heads:
        raise NotFound(f"no signed tree head covers the sending of report {report.report_id} yet; "
                       "the office signs one with `zs checkpoint --key FILE`")
    size, root, note, verifier = heads[0]
    proof = merkle.inclusion_proof(position - 1, leaves[:size])
    return {
        "format": FORMAT, "report_id": report.report_id, "version": at_sending.revision,
        "unit": report.unit, "kind": report.kind, "period": report.period,
        "sender": event.done_by, "sent_at": event.effective_at.astimezone(UTC).isoformat(),
        "sealed": event.sealed,
        "attachments": [{"name": a.name, "sha256": a.sha256, "size": a.size} for a in at_sending.attachments],
        "position": position, "event_version": event.originator_version, "leaf_hash": bytes(leaf).hex(),
        "tree_size": size, "root": root,
        "inclusion_proof": [p.hex() for p in proof], "checkpoint": note, "verifier": verifier,
    }


def text_form(receipt: dict[str, Any]) -> str:
    """A short Chinese form a unit can print and file."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sent = datetime.fromisoformat(receipt["sent_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    lines = [
        "招商引资工作报送回执",
        f"报告编号：{receipt['report_id']}（第{receipt['version']}版）",
        f"报送单位：{receipt['unit']}",
        f"报送人：{receipt['sender']}",
        f"报送时间：{sent:%Y-%m-%d %H:%M:%S}（北京时间）",
    ]
    for a in receipt["attachments"]:
        lines.append(f"附件：{a['name']}（{a['size']} 字节）SHA-256 {a['sha256']}")
    lines += [
        f"台账位置：第 {receipt['position']} 条，叶哈希 {receipt['leaf_hash']}",
        f"签名树头：共 {receipt['tree_size']} 条，根哈希 {receipt['root']}",
        "核验方法：zs verify --receipt 本回执的 JSON 文件",
    ]
    return "\n".join(lines) + "\n"


def add_to_zip(archive: zipfile.ZipFile, ledger: Ledger, report_id: str, folder: str,
               date_time: tuple[int, int, int, int, int, int]) -> str | None:
    """Put a report's receipt (JSON and text) into a package, its entries dated like the report's
    files (`date_time`, Shanghai time); None when no signed tree head covers it yet."""
    try:
        receipt = build(ledger, report_id)
    except NotFound:
        return None
    path = f"{folder}/回执.json"
    for name, text in ((path, json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"),
                       (f"{folder}/回执.txt", text_form(receipt))):
        entry = zipfile.ZipInfo(name, date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, text)
    return path


def parse(text: str, name: str) -> dict[str, Any]:
    try:
        receipt = json.loads(text)
        assert receipt["format"] == FORMAT
        for field in ("report_id", "position", "leaf_hash", "tree_size", "inclusion_proof", "checkpoint", "verifier"):
            assert field in receipt
        assert isinstance(receipt["position"], int) and isinstance(receipt["tree_size"], int)
        bytes.fromhex(receipt["leaf_hash"])
        [bytes.fromhex(p) for p in receipt["inclusion_proof"]]
    except Exception:
        raise InvalidValue(f"--receipt {name}: not a receipt made by `zs report receipt`") from None
    return receipt


def check(ledger: Ledger, result: Scan, receipt: dict[str, Any]) -> list[Problem]:
    """Problems with a receipt: its signature, its own proof, the event in the store, today's tree."""
    subject = f"report {receipt['report_id']}"
    position = receipt["position"]
    try:
        verifier = Verifier.parse(receipt["verifier"])
        checkpoint, _ = open_checkpoint(receipt["checkpoint"], [verifier])
    except (BadNote, ValueError) as error:
        return [Problem(position, "changed", subject, f"the receipt's signed tree head cannot be trusted: {error}")]
    if receipt["verifier"] not in result.verifiers:
        return [Problem(position, "changed", subject, "the receipt was signed by a key this ledger does not record")]
    leaf = bytes.fromhex(receipt["leaf_hash"])
    proof = [bytes.fromhex(p) for p in receipt["inclusion_proof"]]
    if checkpoint.size != receipt["tree_size"] or not merkle.verify_inclusion(
            position - 1, checkpoint.size, leaf, proof, checkpoint.root):
        return [Problem(position, "changed", subject, "the receipt's inclusion proof does not lead to its signed root")]
    problems: list[Problem] = []
    with ledger.recorder.snapshot() as snap:
        found = snap.at(position)
    expected = Report.id_for(receipt["report_id"]).bytes
    if found is None:
        problems.append(Problem(position, "truncated", subject, "the tree no longer reaches the receipt's position"))
    elif found[1] is None:
        problems.append(Problem(position, "missing", subject, "the sending this receipt acknowledges was deleted"))
    else:
        stored_leaf, event = found
        _, aggregate, version, topic, state = event
        if event_leaf(position, aggregate, version, topic, state) != leaf:
            problems.append(Problem(position, "changed", subject,
                                    "the sending in the store no longer hashes to the receipt's leaf"))
        elif aggregate != expected or not topic.endswith("Report.Sent"):
            problems.append(Problem(position, "changed", subject, "the receipt's position holds another event"))
        elif bytes(stored_leaf) != leaf:
            problems.append(Problem(position, "changed", subject, "the tree's leaf at the receipt's position was replaced"))
    problems += tree_against(result, checkpoint, None, "the receipt's tree head")
    return problems
