"""Each manipulation of the issue's auditor is caught, with its position, kind and subject, on SQLite and
PostgreSQL; a full rewrite with recomputed leaves is caught by a checkpoint and by a receipt."""

from __future__ import annotations

import base64
import threading
from hashlib import sha256
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain import merkle
from domain.application import Ledger
from domain.values import ServiceKind
from integrity import receipts
from integrity.leaves import Tampered, canonical, event_leaf
from integrity.notes import create_key
from integrity.verify import check_checkpoint, scan
from tests.application.test_reporting import sent
from tests.integrity.support import Raw

REPORT = "HW/project_status/2021-08"


@pytest.fixture
def story(commission: Ledger, store: str, tmp_path):
    """The commission, a service with an amount, August's report sent (signed, so it has a receipt) and
    accepted, and a few events after it. Returns (ledger, raw access, key)."""
    ledger = commission
    ledger.add_service("孙联络", "HW-2021-001", ServiceKind.FINANCING, date(2021, 8, 30), "融资对接", Decimal("350.00"))
    key = create_key("test.ledger", tmp_path / "ledger.key")
    ledger.register_key("许办公", key.name, key.verifier)
    sent(ledger)
    receipts.sign_tree(ledger, "孙联络", key, about=f"report {REPORT} sent", office=False)
    ledger.accept_report("许办公", REPORT)
    ledger.note_progress("孙联络", "HW-2021-001", "完成土地预审")
    ledger.note_progress("孙联络", "HW-2021-001", "签订投资协议")
    return ledger, Raw(ledger, store), key


def problems(ledger: Ledger) -> list[tuple[int, str, str | None]]:
    return [(p.position, p.kind, p.subject) for p in scan(ledger.recorder).problems]


def test_an_untouched_ledger_is_intact_with_one_leaf_per_event_numbered_from_one(story):
    ledger, raw, _ = story
    result = scan(ledger.recorder)
    assert result.intact and result.problems == []
    assert result.tree_size == result.events == ledger.recorder.max_notification_id()
    positions = [p for (p,) in raw.execute("SELECT position FROM {leaves} ORDER BY position")]
    assert positions == list(range(1, result.tree_size + 1))
    assert result.root == merkle.root(ledger.recorder.leaf_hashes())


def test_an_investment_changed_by_sql_update_is_caught_at_its_position(story):
    ledger, raw, _ = story
    position = raw.position_of("Project.Registered", "HW-2021-001")
    raw.replace(position, '"investment":"12000.00"', '"investment":"92000.00"')
    assert problems(ledger) == [(position, "changed", "project HW-2021-001")]


def test_an_approver_renamed_to_someone_who_does_not_exist_is_caught(story):
    ledger, raw, _ = story
    position = raw.position_of("Report.Approved")
    raw.replace(position, '"actor":"赵处长"', '"actor":"冒名者"')
    assert problems(ledger) == [(position, "changed", f"report {REPORT}")]


def test_a_flipped_digit_of_a_service_amount_is_caught(story):
    ledger, raw, _ = story
    position = raw.position_of("Project.ServiceRecorded")
    raw.replace(position, '"350.00"', '"850.00"')
    assert problems(ledger) == [(position, "changed", "project HW-2021-001")]


def test_a_flipped_json_byte_is_unreadable_and_loading_it_names_the_position(story):
    ledger, raw, _ = story
    position = raw.position_of("Project.ServiceRecorded")
    state = bytes(raw.event(position)[4])
    raw.set_state(position, b"[" + state[1:])
    assert problems(ledger) == [(position, "unreadable", "project HW-2021-001")]
    with pytest.raises(Tampered, match=f"position {position} \\(project HW-2021-001\\) no longer matches its leaf"):
        ledger.project("HW-2021-001")


def test_a_deleted_middle_event_is_missing_at_its_position(story):
    ledger, raw, _ = story
    position = raw.position_of("Project.ServiceRecorded")
    raw.delete(position)
    assert problems(ledger) == [(position, "missing", "project HW-2021-001")]
    with pytest.raises(Tampered, match="follows a missing version"):
        ledger.project("HW-2021-001")


def test_the_deleted_last_event_of_a_report_is_missing(story):
    ledger, raw, _ = story
    position = raw.position_of("Report.Accepted")
    raw.delete(position)
    assert problems(ledger) == [(position, "missing", f"report {REPORT}")]


def test_two_swapped_rows_are_reordered(story):
    ledger, raw, _ = story
    first, second = raw.position_of("Report.Approved"), raw.position_of("Report.Sent")
    a, b = raw.event(first), raw.event(second)
    for log_id, (_, aggregate, version, topic, state) in ((a[0], b), (b[0], a)):
        raw.execute("UPDATE {events} SET originator_version = -originator_version WHERE {id} = ?", log_id)
    for log_id, (_, aggregate, version, topic, state) in ((a[0], b), (b[0], a)):
        raw.execute("UPDATE {events} SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
                    "WHERE {id} = ?", aggregate, version, topic, state, log_id)
    assert problems(ledger) == [(first, "reordered", f"report {REPORT}"), (second, "reordered", f"report {REPORT}")]


def test_an_event_inserted_outside_zs_has_no_leaf(story):
    ledger, raw, _ = story
    position = raw.position_of("Project.ProgressNoted")
    _, aggregate, version, topic, state = raw.event(position)
    raw.execute("INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                aggregate, version + 10, topic, state)
    tree = scan(ledger.recorder).tree_size
    assert problems(ledger) == [(tree + 1, "inserted", "project HW-2021-001")]


def test_a_truncated_tail_is_caught(story):
    ledger, raw, _ = story
    tree = scan(ledger.recorder).tree_size
    raw.delete(tree)
    raw.delete(tree - 1)
    assert problems(ledger) == [(tree - 1, "truncated", "project HW-2021-001")]


def test_a_tail_cut_with_its_leaves_is_caught_only_by_a_checkpoint_kept_outside(story):
    ledger, raw, key = story
    ledger.note_progress("孙联络", "HW-2021-001", "项目开工")
    note = receipts.sign_tree(ledger, "许办公", key)
    size = scan(ledger.recorder).tree_size - 1  # the checkpoint's own record is the last event
    raw.execute("DELETE FROM {events} WHERE {id} IN (SELECT notification_id FROM {leaves} WHERE position >= ?)", size - 1)
    raw.execute("DELETE FROM {leaves} WHERE position >= ?", size - 1)
    result = scan(ledger.recorder)
    assert result.intact  # what is left is a consistent, shorter log: the store alone cannot tell
    assert [(p.position, p.kind) for p in check_checkpoint(result, note)] == [(size - 1, "truncated")]


def _rewrite_everything(ledger: Ledger, raw: Raw) -> None:
    """Change an amount and recompute every leaf, as an operator with database access could."""
    position = raw.position_of("Project.Registered", "HW-2021-001")
    raw.replace(position, '"investment":"12000.00"', '"investment":"92000.00"')
    for p, log_id in raw.execute("SELECT position, notification_id FROM {leaves} ORDER BY position"):
        _, aggregate, version, topic, state = raw.event(p)
        aggregate_bytes = aggregate.bytes if isinstance(aggregate, UUID) else bytes.fromhex(aggregate)
        raw.execute("UPDATE {leaves} SET leaf = ? WHERE position = ?",
                    event_leaf(p, aggregate_bytes, version, topic, bytes(state)), p)
    raw.execute("DELETE FROM {events} WHERE topic LIKE ?", "%CheckpointSigned")


def test_a_full_rewrite_with_recomputed_leaves_is_caught_by_a_checkpoint_kept_outside(story):
    ledger, raw, key = story
    note = receipts.sign_tree(ledger, "许办公", key)
    assert check_checkpoint(scan(ledger.recorder), note) == []
    _rewrite_everything(ledger, raw)
    found = check_checkpoint(scan(ledger.recorder), note)
    assert [p.kind for p in found] == ["changed"]
    assert "does not extend" in found[0].detail


def test_a_full_rewrite_with_recomputed_leaves_is_caught_by_a_receipt(story):
    ledger, raw, _ = story
    receipt = receipts.build(ledger, REPORT)
    assert receipts.check(ledger, scan(ledger.recorder), receipt) == []
    _rewrite_everything(ledger, raw)
    found = receipts.check(ledger, scan(ledger.recorder), receipt)
    assert found and found[-1].kind == "changed" and "does not extend" in found[-1].detail


def test_a_receipt_fails_when_its_sending_is_changed_or_deleted(story):
    ledger, raw, _ = story
    receipt = receipts.build(ledger, REPORT)
    position = receipt["position"]
    raw.replace(position, '"sealed":true', '"sealed":false')
    assert [(p.position, p.kind) for p in receipts.check(ledger, scan(ledger.recorder), receipt)][0] == (position, "changed")
    raw.delete(position)
    assert (position, "missing") in [(p.position, p.kind) for p in receipts.check(ledger, scan(ledger.recorder), receipt)]


def test_a_receipt_names_the_sending_and_its_proof_verifies(story):
    ledger, _, _ = story
    receipt = receipts.build(ledger, REPORT)
    assert (receipt["report_id"], receipt["version"], receipt["unit"], receipt["sender"]) == (REPORT, 1, "HW", "孙联络")
    assert receipt["attachments"][0]["name"] == "情况表.xlsx" and len(receipt["attachments"][0]["sha256"]) == 64
    root = base64.b64decode(receipt["root"])
    assert merkle.verify_inclusion(receipt["position"] - 1, receipt["tree_size"], bytes.fromhex(receipt["leaf_hash"]),
                                   [bytes.fromhex(p) for p in receipt["inclusion_proof"]], root)
    assert receipt["checkpoint"].splitlines()[:2] == ["test.ledger", str(receipt["tree_size"])]


def test_concurrent_writers_leave_no_gap_and_no_duplicate_position(ledger: Ledger, store: str):
    ledger.init("管理员")
    errors: list[Exception] = []

    apps = [Ledger(store) for _ in range(4)]  # built one by one: creating the schema at once is 9b's concern

    def write(n: int) -> None:
        app = apps[n]
        try:
            for i in range(8):
                app.add_unit("管理员", f"U{n}X{i}", f"单位{n}-{i}", "department", date(2021, 8, 31))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            app.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = scan(ledger.recorder)
    assert result.intact and result.tree_size == result.events == 1 + 32
    raw = Raw(ledger, store)
    assert [p for (p,) in raw.execute("SELECT position FROM {leaves} ORDER BY notification_id")] == list(range(1, 34))


def test_a_ledger_written_before_the_tree_is_sealed_once_and_then_grows(store: str, clock):
    plain = {"APPLICATION_RECORDER_TOPIC": "eventsourcing.sqlite:SQLiteApplicationRecorder"
             if store.startswith("sqlite") else "eventsourcing.postgres:PostgresApplicationRecorder"}
    old = Ledger(store, clock=clock, env=plain)
    old.init("管理员")
    old.add_person("管理员", "许办公", "office")
    old.close()
    ledger = Ledger(store, clock=clock)
    ledger.add_person("管理员", "吴办公", "office")  # written before the seal: no leaf yet
    assert not scan(ledger.recorder).sealed
    assert ledger.recorder.seal() == 3
    ledger.add_person("管理员", "郑办公", "office")
    result = scan(ledger.recorder)
    assert result.intact and result.tree_size == 4


def test_the_canonical_bytes_of_an_event_match_the_documented_vector():
    aggregate = UUID("5f1c2f6e-3b1a-4f55-9a43-1d2c9c0e2116").bytes
    data = canonical(7, aggregate, 2, "domain.unit:Unit.Updated", b'{"name":"x"}')
    assert data.hex() == (
        "0000000000000007" "00000010" "5f1c2f6e3b1a4f559a431d2c9c0e2116" "0000000000000002"
        "00000018" + "domain.unit:Unit.Updated".encode().hex() + "0000000c" + b'{"name":"x"}'.hex())
    leaf = event_leaf(7, aggregate, 2, "domain.unit:Unit.Updated", b'{"name":"x"}')
    assert leaf == sha256(b"\x00" + data).digest()
    assert leaf.hex() == "904864db832ca033f21c30faa790598d7ea53cc6ff57dab8a804bbdf584bbe40"


def test_a_leaf_deleted_or_replaced_in_the_tree_itself_is_caught_at_its_position(story):
    ledger, raw, _ = story
    raw.execute("DELETE FROM {leaves} WHERE position = 5")
    raw.execute("UPDATE {leaves} SET leaf = ? WHERE position = 9", b"\x00" * 32)
    signed = receipts.build(ledger, REPORT)["tree_size"]  # the checkpoint on record no longer matches either
    assert [(p, kind) for p, kind, _ in problems(ledger)] == [(5, "missing"), (9, "changed"), (signed, "changed")]
