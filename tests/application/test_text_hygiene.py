"""docs/domain.md rule 16 through the application, on SQLite and PostgreSQL: typed text is NFC; names,
codes, ids, titles and file names hold no control, zero-width or bidi character; notes keep their
line breaks and nothing else; lengths are bounded; look-alike people are one name; and periods and
dates outside the ledger's span are refused before anything is recorded."""

from __future__ import annotations

import re

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.application import Ledger
from domain.errors import AlreadyExists, DomainError, InvalidValue
from domain.values import Level, Rating, Role, Sector, parse_date
from tests.support import refused_unrecorded

ADMIN, OFFICE, LIAISON, PROJECT = "管理员", "许办公", "孙联络", "HW-2021-001"


def refused(ledger: Ledger, error: type[DomainError], says: str, act: Callable[[], Any]) -> DomainError:
    return refused_unrecorded(ledger, error, re.escape(says), act)


@pytest.mark.parametrize("name, says", [
    ("马晓彤\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u202etxt.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\x1b[31m红", "U+001B"),
    ("王\n芳", "U+000A"),
    ("长" * 51, "at most 50"),
])
def test_a_person_name_with_hidden_characters_or_too_long_is_refused(commission, name, says):
    error = refused(commission, InvalidValue, says,
                    lambda: commission.add_person(ADMIN, name, Role.STAFF, "HW"))
    assert error.field == "name"


def test_a_look_alike_of_a_registered_person_is_refused_naming_them(commission):
    commission.add_person(ADMIN, "Wang Fang", Role.STAFF, "HW")

    for look_alike in ("wang fang", "ＷＡＮＧ ＦＡＮＧ"):
        refused(commission, AlreadyExists, "looks the same as the registered person 'Wang Fang'",
                lambda: commission.add_person(ADMIN, look_alike, Role.STAFF, "HW"))


def test_a_name_typed_decomposed_is_kept_composed_and_found_either_way(commission):
    commission.add_person(ADMIN, "Jose\u0301", Role.STAFF, "HW")

    assert commission.person("Jos\u00e9").name == "Jos\u00e9"
    assert commission.person("Jose\u0301").name == "Jos\u00e9"


@pytest.mark.parametrize("field, change", [
    ("name", {"name": "项目\u200d"}),
    ("investor", {"investor": "\u2066某公司\u2069"}),
    ("responsible_department", {"responsible_department": "综合科\x07"}),
    ("name", {"name": "长" * 201}),
])
def test_project_text_with_hidden_characters_or_too_long_is_refused(commission, field, change):
    error = refused(commission, InvalidValue, field.replace("_", " "),
                    lambda: commission.update_project(LIAISON, PROJECT, **change))
    assert error.field == field


def test_a_note_keeps_line_breaks_but_no_other_control_character(commission):
    commission.note_progress(LIAISON, PROJECT, "第一行\r\n第二行\r第三行")
    assert commission.history(commission.project(PROJECT).id)[-1].text == "第一行\n第二行\n第三行"

    refused(commission, InvalidValue, "U+0009", lambda: commission.note_progress(LIAISON, PROJECT, "a\tb"))
    refused(commission, InvalidValue, "at most 2000", lambda: commission.note_progress(LIAISON, PROJECT, "进" * 2001))


def test_an_attachment_name_that_hides_its_extension_is_refused(commission, clock):
    clock.set(clock().replace(month=10, day=2))
    refused(commission, InvalidValue, "U+202E",
            lambda: commission.draft_report(LIAISON, "HW", "project_status", "2021-09",
                                            [("\u202etxt.exe", b"MZ")]))


@pytest.mark.parametrize("period, says", [
    ("0000-01", "outside the years 1990..2099"),
    ("2100", "outside the years 1990..2099"),
    ("2021-Q4", "has not begun"),
    ("\u0662\u0660\u0662\u0661-09", "type the digits 0-9"),
])
def test_an_evaluation_of_a_missing_or_future_period_is_refused_so_summaries_keep_working(commission, period, says):
    commission.promote_project(OFFICE, PROJECT, "市级重点")

    error = refused(commission, InvalidValue, says,
                    lambda: commission.evaluate_project(OFFICE, PROJECT, period, Rating.B))
    assert error.field == "period"


def test_amounts_in_foreign_digits_or_as_booleans_are_refused_and_full_width_ones_read(commission):
    refused(commission, InvalidValue, "type the digits 0-9",
            lambda: commission.update_project(LIAISON, PROJECT, investment="\u0661\u0662"))
    refused(commission, InvalidValue, "is not a number",
            lambda: commission.update_project(LIAISON, PROJECT, investment=True))

    commission.add_project(LIAISON, "HW-2", "HW", "项目", Sector.WASTE, Level.UNIT, "某公司", "\uff11\uff12\uff10\uff10")
    assert commission.project("HW-2").investment == Decimal("1200.00")


def test_a_date_outside_the_ledgers_span_is_refused_typed_or_given():
    with pytest.raises(InvalidValue, match="outside 1990-01-01..2099-12-31"):
        parse_date("9999-12-31", "enrolled")
    with pytest.raises(InvalidValue, match="outside"):
        parse_date(date(1900, 1, 1))
