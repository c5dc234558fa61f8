"""The board read a page at a time, and the dashboard's board totals counted in SQL, agree with the
whole board — now and as of a past moment, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from domain.values import UTC, Level, Sector, Stage
from projections.queries import Moment, Queries


def _grow(ledger, clock) -> datetime:
    """Twelve more projects over two months, some promoted and advanced, one with an open problem; returns
    a moment in between."""
    sectors = [Sector.SANITATION, Sector.WASTE, Sector.LANDSCAPING]
    for i in range(2, 14):
        clock.advance(days=4)
        ledger.add_project("孙联络", f"HW-2021-{i:03d}", "HW", f"项目{i}", sectors[i % 3], Level.CITY, "某公司",
                           Decimal(f"{i * 100}.{i:02d}"), "钱副处", "综合科", "孙联络")
        if i % 3 == 0:
            ledger.promote_project("许办公", f"HW-2021-{i:03d}", "纳入重点库")
        if i % 4 == 0:
            ledger.advance_project("孙联络", f"HW-2021-{i:03d}", Stage.NEGOTIATING, None)
        if i == 6:
            middle = clock.now
    return middle


def test_pages_of_the_board_are_the_boards_rows_in_order(commission, clock):
    middle = _grow(commission, clock)
    clock.advance(days=120)  # lamps lit on the key projects without progress
    views = Queries(commission)
    for at in (Moment(), Moment(middle)):
        whole = views.board(at)
        pages = []
        for offset in range(0, len(whole) + 5, 5):
            total, rows = views.board_page(at, offset, 5)
            assert total == len(whole)
            pages += rows
        assert pages == whole
        assert views.board_page(at, 0, 50, unit="GY") == (0, [])
    assert any(row["lamp"] for row in views.board())


def test_the_board_totals_are_the_sums_of_the_boards_rows(commission, clock):
    middle = _grow(commission, clock)
    views = Queries(commission)
    for at in (Moment(), Moment(middle), Moment(datetime(2021, 8, 1, tzinfo=UTC))):
        rows = views.board(at)
        totals = views.board_totals(at)
        stages: Counter[str] = Counter(r["stage"] for r in rows)
        money: dict[str, Decimal] = {}
        for r in rows:
            money[r["stage"]] = money.get(r["stage"], Decimal(0)) + r["investment_wan"]
        assert totals["projects"] == len(rows)
        assert totals["investment_wan"] == sum((r["investment_wan"] for r in rows), Decimal(0))
        assert {k: n for k, (n, _) in totals["by_stage"].items()} == dict(stages)
        assert {k: wan for k, (_, wan) in totals["by_stage"].items()} == money
        assert totals["by_sector"] == dict(Counter(r["sector"] for r in rows))
