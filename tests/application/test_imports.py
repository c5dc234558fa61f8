"""Many rows at once through the Ledger (domain/imports.py): each row meets the single commands' rules,
a refused row is named by row and field, and then nothing at all is recorded; else all in one go."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.application import Ledger
from domain.errors import AlreadyExists, InvalidValue, NotFound, NotPermitted, RuleViolated
from domain.imports import NewProject, RowsRejected, StatusRow
from domain.values import Level, Sector, Stage

P = "HW-2021-001"


def new(row: int, number: str, **overrides: object) -> NewProject:
    fields: dict = dict(name="项目", sector=Sector.WASTE, level=Level.UNIT, investor="某公司", investment=Decimal("1"))
    fields.update(overrides)
    return NewProject(row, number, **fields)


def rejected(ledger: Ledger, act) -> dict[tuple[int, str | None], type]:
    before = ledger.recorder.max_notification_id()
    with pytest.raises(RowsRejected) as caught:
        act()
    assert ledger.recorder.max_notification_id() == before
    return {(e.row, e.field): type(e.error) for e in caught.value.errors}


def test_a_list_is_registered_in_one_transaction_by_the_single_commands_rules(commission):
    before = commission.recorder.max_notification_id()

    commission.import_projects("孙联络", "HW", [new(2, " 0012 "), new(3, "HW-2022-002", name="乙")])

    assert commission.recorder.max_notification_id() == before + 2
    assert commission.project("0012").unit == "HW" and commission.project("HW-2022-002").name == "乙"


def test_every_refused_row_of_a_list_is_named_and_nothing_is_registered(commission):
    errors = rejected(commission, lambda: commission.import_projects("孙联络", "HW", [
        new(2, "HW 9"), new(3, P), new(4, "A-1"), new(5, "A-1"), new(6, "B-1", name=" "), new(7, "C-1"),
    ]))

    assert errors == {(2, "number"): RuleViolated, (3, "number"): AlreadyExists, (5, "number"): InvalidValue,
                      (6, None): RuleViolated}


def test_a_checked_list_records_nothing_and_a_stranger_is_refused_outright(commission):
    before = commission.recorder.max_notification_id()
    commission.import_projects("孙联络", "HW", [new(2, "0012")], record=False)
    assert commission.recorder.max_notification_id() == before
    with pytest.raises(NotPermitted):
        commission.import_projects("周联络", "HW", [new(2, "0013")])


def test_status_rows_change_what_differs_and_refuse_what_the_rules_refuse(commission, clock):
    clock.set(clock.now.replace(year=2021, month=10, day=3))
    row = StatusRow(2, P, date(2021, 9, 30), Stage.NEGOTIATING, Decimal("13000"), "首轮洽谈")

    made = commission.import_project_status("孙联络", "HW", [row])

    assert [(c.what, c.after) for c in made] == [("stage", Stage.NEGOTIATING), ("investment", Decimal("13000")),
                                                 ("note", "首轮洽谈")]
    assert commission.import_project_status("孙联络", "HW", [row]) == []  # what the ledger holds changes nothing
    errors = rejected(commission, lambda: commission.import_project_status("孙联络", "HW", [
        StatusRow(2, P, date(2021, 9, 30), Stage.LEAD, None, ""),
        StatusRow(3, "NO-1", None, None, None, ""),
        StatusRow(4, P, None, None, None, ""),
    ]))
    assert errors == {(2, "stage"): RuleViolated, (3, "number"): NotFound, (4, "number"): InvalidValue}
