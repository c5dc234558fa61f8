"""domain/text.py: the rules for what people type (docs/domain.md rule 16, docs/refused.md)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.text import LINE_LIMIT, NOTE_LIMIT, ascii_digits, clean_fields, clean_line, clean_prose, name_key


def test_a_line_is_nfc_and_trimmed():
    assert clean_line("  Jose\u0301 ", "name") == "Jos\u00e9"


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\t", "\n", "\r", "\x85", "\u200b", "\u200d", "\u2060", "\u202e",
                                  "\u2066", "\ufeff", "\u2028", "\udcff"])
def test_a_line_refuses_control_invisible_and_direction_characters(char):
    with pytest.raises(InvalidValue, match=f"U\\+{ord(char):04X}") as caught:
        clean_line(f"王{char}芳", "name", field="name")
    assert caught.value.field == "name"


@pytest.mark.parametrize("text", ["王芳", "䶮", "\U00030000", "\ue000", "😀", "O'Brien", "=SUM(A1)", "第一　二"])
def test_a_line_keeps_what_is_visible_including_rare_and_private_use_characters(text):
    assert clean_line(text, "name") == text


def test_prose_keeps_line_breaks_as_lf_and_nothing_else():
    assert clean_prose("一\r\n二\r三\n四", "note") == "一\n二\n三\n四"
    with pytest.raises(InvalidValue):
        clean_prose("一\t二", "note")


def test_lengths_are_bounded_with_the_length_found():
    assert clean_line("长" * LINE_LIMIT, "name")
    with pytest.raises(InvalidValue, match=f"is {LINE_LIMIT + 1} characters long; at most {LINE_LIMIT}"):
        clean_line("长" * (LINE_LIMIT + 1), "name")
    with pytest.raises(InvalidValue, match=f"at most {NOTE_LIMIT}"):
        clean_prose("长" * (NOTE_LIMIT + 1), "note")


def test_event_fields_are_cleaned_by_their_kind_and_codes_left_alone():
    from domain.values import Sector

    cleaned = clean_fields({"name": " 项目 ", "note": "a\r\nb", "sectors": (Sector.WASTE,), "amount": None})
    assert cleaned == {"name": "项目", "note": "a\nb", "sectors": (Sector.WASTE,), "amount": None}
    assert cleaned["sectors"][0] is Sector.WASTE
    with pytest.raises(InvalidValue) as caught:
        clean_fields({"investor": "某\u202e"})
    assert caught.value.field == "investor"


def test_look_alike_names_share_one_key():
    assert name_key("ＷＡＮＧ Fang") == name_key("wang fang") == name_key("WANG FANG")
    assert name_key("王芳") != name_key("汪芳")


def test_full_width_digits_are_read_and_other_scripts_refused():
    assert ascii_digits("２０２１-０９", "period") == "2021-09"
    assert ascii_digits("\U0001d7ce", "amount") == "0"  # a mathematical digit: NFKC makes it 0
    for foreign in ("\u0662\u0660\u0662\u0661", "\u06f1", "\u0967"):
        with pytest.raises(InvalidValue, match="type the digits 0-9"):
            ascii_digits(foreign, "amount")
