"""What people type (docs/refused.md; docs/domain.md rule 16): NFC text, no invisible or steering
characters, bounded lengths, digits that are 0-9, and the key that makes look-alike names one name."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import Enum
from typing import Any

from domain.errors import InvalidValue

LINE_LIMIT = 200  # names, codes, ids, titles, file names: one line
NAME_LIMIT = 50  # a person's name, a project number: keys people type again and again
NOTE_LIMIT = 2000  # notes, reasons, comments: may keep line breaks

# Fields of events that hold prose; every other text field is a one-line name.
PROSE_FIELDS = frozenset({"note", "reason", "text", "comment"})

# Control (Cc), format (Cf: zero-width and bidi controls), lone surrogates (bytes that were not
# UTF-8), and the line/paragraph separators: none of them belongs in a name. Private-use and
# not-yet-assigned code points stay allowed: rare characters of real names live there.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _check(text: str, what: str, limit: int, prose: bool, field: str | None) -> str:
    # isprintable() is False for every refused category (and for a few allowed ones): only then look closer
    for char in ("" if text.isprintable() else text):
        if prose and char == "\n":
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            kind = "line breaks, " if char in "\r\n" and not prose else ""
            raise InvalidValue(
                f"{what} holds an invisible or control character ({_describe(char)}); "
                f"type it without {kind}control, zero-width or direction characters", field
            )
    if len(text) > limit:
        raise InvalidValue(f"{what} is {len(text)} characters long; at most {limit} are kept", field)
    return text


def clean_line(text: str, what: str, limit: int = LINE_LIMIT, field: str | None = None) -> str:
    """A name, code, id, title or file name: NFC, trimmed, one line of visible characters."""
    return _check(nfc(text).strip(), what, limit, False, field)


def clean_prose(text: str, what: str, limit: int = NOTE_LIMIT, field: str | None = None) -> str:
    """A note, reason or comment: NFC, trimmed, line breaks kept (CRLF and CR become LF)."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    return _check(text, what, limit, True, field)


def clean_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An event's typed text, cleaned: prose fields keep line breaks, every other text is a line."""
    def clean(key: str, value: Any) -> Any:
        what = key.replace("_", " ")
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            if key in PROSE_FIELDS:
                return clean_prose(value, what, field=key)
            return clean_line(value, what, field=key)
        if isinstance(value, tuple):
            return tuple(clean(key, v) for v in value)
        return value

    return {key: clean(key, value) for key, value in fields.items()}


def name_key(name: str) -> str:
    """Two names that look the same are one name: compatibility forms folded, case folded."""
    return unicodedata.normalize("NFKC", name).casefold()


def ascii_digits(text: str, what: str) -> str:
    """NFKC (full-width ２０２１ becomes 2021); digits of other scripts are refused, not read."""
    folded = unicodedata.normalize("NFKC", text)
    for char in folded:
        if char.isdigit() and char not in "0123456789":
            raise InvalidValue(f"{what} {text!r} uses the digit {_describe(char)}; type the digits 0-9")
    return folded
