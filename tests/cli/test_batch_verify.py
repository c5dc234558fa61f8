"""`zs verify` on a store written by a batch large enough for the bulk insert."""

from __future__ import annotations

import json
from decimal import Decimal

from domain.application import Ledger
from domain.values import Level, Sector


def test_zs_verify_finds_a_store_written_in_bulk_intact(commission_cli, store_url):
    ledger = Ledger(store_url, create=False)
    try:
        with ledger.batch():
            for i in range(2, 602):
                number = f"HW-2021-{i:03d}"
                ledger.add_project("孙联络", number, "HW", f"项目{i}", Sector.SANITATION, Level.CITY, "某公司",
                                   Decimal("10.00"))
                ledger.note_progress("孙联络", number, f"第{i}条")
        written = ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    data = json.loads(commission_cli("verify", "--json").stdout)
    assert data["intact"] is True and data["problems"] == []
    assert data["events"] == data["tree_size"] == written
