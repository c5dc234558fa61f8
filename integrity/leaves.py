"""The canonical bytes of a stored event, its leaf hash, and how a problem names its subject.

canonical(event) = u64 position ‖ u32 16 ‖ aggregate id (16 bytes) ‖ u64 version
                   ‖ u32 len(topic) ‖ topic (UTF-8) ‖ u32 len(state) ‖ state (the stored bytes)
leaf = SHA-256(0x00 ‖ canonical)   (big-endian integers; position numbered from 1)
"""

from __future__ import annotations

import json
import re
from hashlib import sha256
from struct import Struct
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from domain.errors import DomainError

_HEAD = Struct(">QI16sQI")
_LEN = Struct(">I")
TABLE = "zs_leaves"


def canonical(position: int, aggregate_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    encoded = topic.encode()
    return b"".join((_HEAD.pack(position, 16, aggregate_id, version, len(encoded)), encoded,
                     _LEN.pack(len(state)), state))


def event_leaf(position: int, aggregate_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    encoded = topic.encode()
    return sha256(b"".join((b"\x00", _HEAD.pack(position, 16, aggregate_id, version, len(encoded)), encoded,
                            _LEN.pack(len(state)), state))).digest()


def leaves(after: int, rows: Iterable[tuple[bytes, int, str, bytes]]) -> Iterator[tuple[bytes, int, bytes]]:
    """(aggregate id, version, leaf) of rows (aggregate id as 16 bytes, version, topic, state) taking
    positions after `after`: `event_leaf` for many, one at a time, each topic encoded once."""
    pack, length, topics = _HEAD.pack, _LEN.pack, {}
    for position, (raw, version, topic, state) in enumerate(rows, start=after + 1):
        encoded = topics.get(topic) or topics.setdefault(topic, topic.encode())
        yield raw, version, sha256(b"".join((
            b"\x00", pack(position, 16, raw, version, len(encoded)), encoded, length(len(state)), state))).digest()


def sqlite_rows(first_id: int, after: int, rows: Iterable[tuple[bytes, int, str, bytes]]
                ) -> tuple[list[tuple[str, int, str, bytes]], list[tuple[int, int, bytes, int, bytes]]]:
    """Rows (aggregate id as 16 bytes, version, topic, state) as SQLite stores them, in one pass: each
    event's row, its aggregate id as hex, for log ids from `first_id`; and its leaf's row (position,
    log id, aggregate id, version, leaf) for positions after `after`, as `leaves` hashes them."""
    pack, length, topics = _HEAD.pack, _LEN.pack, {}
    events: list[tuple[str, int, str, bytes]] = []
    leaf_rows: list[tuple[int, int, bytes, int, bytes]] = []
    add_event, add_leaf = events.append, leaf_rows.append
    for position, (raw, version, topic, state) in enumerate(rows, start=after + 1):
        encoded = topics.get(topic) or topics.setdefault(topic, topic.encode())
        add_event((raw.hex(), version, topic, state))
        add_leaf((position, first_id, raw, version, sha256(b"".join((
            b"\x00", pack(position, 16, raw, version, len(encoded)), encoded, length(len(state)), state))).digest()))
        first_id += 1
    return events, leaf_rows


def id_bytes(aggregate_id: Any) -> bytes:
    """An aggregate id as 16 bytes, whether stored as a UUID (PostgreSQL) or its hex (SQLite)."""
    if type(aggregate_id) is UUID:
        return aggregate_id.int.to_bytes(16, "big")  # UUID.bytes, without its property call
    return bytes.fromhex(str(aggregate_id).replace("-", ""))


class Tampered(DomainError):
    """A stored event no longer matches its leaf, or cannot be read: the log was changed outside zs."""


_KINDS = {  # aggregate class → (its word, the field of its first event that names it)
    "Project": ("project", "number"), "Unit": ("unit", "code"), "Person": ("person", "name"),
    "Problem": ("problem", "problem_id"), "Report": ("report", "report_id"),
    "ReportingPolicy": ("calendar", None),  # LoadedPolicies (domain/policies.py), by its stored name
    "LogKey": ("signing key", "name"),
}
_WORD = re.compile(r":([A-Za-z]+)\.")


def kind_of(topic: str) -> str:
    match = _WORD.search(topic)
    name = match.group(1) if match else topic
    return _KINDS.get(name, (name.lower(), None))[0]


def subject_of(topic: str, state: bytes) -> str | None:
    """'project HW-2021-001', 'report HW-2021-Q3-季报', ... from an aggregate's first event; None if unreadable."""
    match = _WORD.search(topic)
    name = match.group(1) if match else ""
    word, field = _KINDS.get(name, (name.lower() or "aggregate", None))
    if field is None:
        return word
    try:
        value = json.loads(state)[field]
    except Exception:
        return None
    return f"{word} {value}"


def describe(position: int, subject: str | None, what: str) -> str:
    where = f"position {position}" + (f" ({subject})" if subject else "")
    return f"the stored event at {where} {what}: the log was changed outside zs; run `zs verify` for the whole picture"
