"""`zs verify`: recompute every leaf from the stored events, the tree from the leaves, and check the
checkpoints on record, naming each problem by its position, its kind and its subject."""

from __future__ import annotations

import base64
import json
from hashlib import sha256
from struct import Struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from domain import merkle, topics  # noqa: F401  topics: the stored names of moved classes
from integrity.leaves import _HEAD, _LEN, event_leaf, kind_of, subject_of
from integrity.notes import BadNote, Checkpoint, Verifier, open_checkpoint

_HEAD_NO_TOPIC = Struct(">QI16sQ")  # the canonical head up to the topic's length (integrity.leaves)
KINDS = ("changed", "missing", "inserted", "reordered", "truncated", "unreadable")
SIGNING = "domain.signing:LogKey."


@dataclass(frozen=True)
class Problem:
    position: int
    kind: str
    subject: str | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "kind": self.kind, "subject": self.subject, "detail": self.detail}

    def line(self) -> str:
        about = f" {self.subject}" if self.subject else ""
        return f"position {self.position}: {self.kind}{about} — {self.detail}"


@dataclass
class Scan:
    events: int
    leaves: list[bytes]
    problems: list[Problem]
    verifiers: dict[str, Verifier] = field(default_factory=dict)  # by verifier text
    checkpoints: list[tuple[int, str, str]] = field(default_factory=list)  # (position, note, about)
    sealed: bool = True
    _root: bytes | None = None

    @property
    def tree_size(self) -> int:
        return len(self.leaves)

    @property
    def root(self) -> bytes:
        if self._root is None:
            self._root = merkle.root(self.leaves)
        return self._root

    @property
    def intact(self) -> bool:
        return self.sealed and not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "events": self.events, "tree_size": self.tree_size,
                "root": base64.b64encode(self.root).decode(), "problems": [p.as_json() for p in self.problems]}


def scan(recorder: Any, checkpoints: bool = True) -> Scan:
    """One pass over the leaves and the events, read in one snapshot; with `checkpoints`, also the
    checkpoints on record against the tree."""
    with recorder.snapshot() as snap:
        count, low, high, total = snap.counts()
        if not count:
            return Scan(total, [], [], sealed=not total)
        if low == 1 and high == count:  # the usual case: positions 1..n, each joined to its event
            result = _joined(snap, count, total)
        else:
            result = _merged(snap)
        if checkpoints:
            _check_recorded_checkpoints(result)
    result.problems.sort(key=lambda p: (p.position, KINDS.index(p.kind)))
    return result


class _Rows:
    """(position, log id, leaf) by index, for dense positions; log ids kept only where a problem needs them."""

    def __init__(self, hashes: list[bytes], ids: dict[int, int]) -> None:
        self.hashes, self.ids = hashes, ids

    def __len__(self) -> int:
        return len(self.hashes)

    def __getitem__(self, index: int) -> tuple[int, int | None, bytes]:
        return index + 1, self.ids.get(index), self.hashes[index]


def _joined(snap: Any, count: int, total: int) -> Scan:
    hashes: list[bytes] = []
    ids: dict[int, int] = {}
    mismatched: list[tuple[int, tuple]] = []
    missing: list[int] = []
    signing: list[tuple[int | None, tuple]] = []
    sha, head, length, join, to_id = sha256, _HEAD_NO_TOPIC.pack, _LEN.pack, b"".join, snap.id_bytes
    topics: dict[str, tuple[bytes, bool]] = {}  # topic → (its length-prefixed bytes, is it a signing event)
    aggregates: dict[Any, bytes] = {}  # the 16 bytes of each aggregate id, converted once
    keep = hashes.append
    for batch in snap.joined_batches():
        for position, log_id, leaf, aggregate, version, topic, state in batch:
            keep(leaf)
            if topic is None:
                missing.append(position - 1)
                ids[position - 1] = log_id
                continue
            encoded = topics.get(topic)
            if encoded is None:
                raw = topic.encode()
                encoded = topics[topic] = (_LEN.pack(len(raw)) + raw, topic.startswith(SIGNING))
            aggregate_bytes = aggregates.get(aggregate)
            if aggregate_bytes is None:
                aggregate_bytes = aggregates[aggregate] = to_id(aggregate)
            if type(state) is not bytes:
                state = _bytes(state)
            if sha(join((b"\x00", head(position, 16, aggregate_bytes, version), encoded[0],
                         length(len(state)), state))).digest() != leaf:
                ids[position - 1] = log_id
                mismatched.append((position - 1, _event((log_id, aggregate, version, topic, state), to_id)))
            elif encoded[1]:
                signing.append((position, _event((log_id, aggregate, version, topic, state), to_id)))
    inserted: list[tuple[int, tuple]] = []
    if total > count - len(missing):
        inserted = [(snap.leaves_before(ev[0]), _event(ev, to_id)) for ev in snap.unleafed()]
    rows = _Rows(hashes, ids)
    meta = snap.leaf_subjects([i + 1 for i in {i for i, _ in mismatched} | set(missing)])
    result = Scan(total, hashes, _classify(rows, meta, mismatched, inserted, missing, _Names(snap)))
    _read_keys(result, signing)
    return result


def _merged(snap: Any) -> Scan:
    """The log and a tree whose positions are not 1..n (its own records changed): merged by log id."""
    rows = snap.leaves()
    names = _Names(snap)
    n = len(rows)
    mismatched: list[tuple[int, tuple]] = []
    inserted: list[tuple[int, tuple]] = []
    missing: list[int] = []
    signing: list[tuple[int | None, tuple]] = []
    events = 0
    i = 0
    # the leaf of each event, inlined (integrity.leaves.event_leaf) for speed
    sha, head, length, join, to_id = sha256, _HEAD.pack, _LEN.pack, b"".join, snap.id_bytes
    topics: dict[str, tuple[bytes, bool]] = {}
    for batch in snap.event_batches():
        events += len(batch)
        for ev in batch:
            nid = ev[0]
            while i < n and rows[i][1] < nid:
                missing.append(i)
                i += 1
            if i < n and rows[i][1] == nid:
                row = rows[i]
                i += 1
                topic = ev[3]
                encoded = topics.get(topic)
                if encoded is None:
                    encoded = topics[topic] = (topic.encode(), topic.startswith(SIGNING))
                state = ev[4]
                if type(state) is not bytes:
                    state = _bytes(state)
                if sha(join((b"\x00", head(row[0], 16, to_id(ev[1]), ev[2], len(encoded[0])), encoded[0],
                             length(len(state)), state))).digest() != row[2]:
                    mismatched.append((i - 1, _event(ev, to_id)))
                elif encoded[1]:
                    signing.append((row[0], _event(ev, to_id)))
            else:
                inserted.append((i, _event(ev, to_id)))
    missing.extend(range(i, n))
    meta = snap.leaf_subjects([rows[j][0] for j in {j for j, _ in mismatched} | set(missing)])
    gaps = _gaps(rows)
    problems = _leaf_order(rows) + _classify(rows, meta, mismatched, inserted, missing, names, gaps)
    problems += [Problem(p, "missing", None, f"the tree has no leaf at position {p}: its own record was deleted")
                 for p in sorted(gaps)]
    result = Scan(events, [r[2] for r in rows], problems)
    _read_keys(result, signing)
    return result


def _bytes(value: Any) -> bytes:
    """SQLite hands back TEXT where someone's UPDATE ... replace() turned a BLOB into text."""
    return value.encode() if isinstance(value, str) else bytes(value)


def _event(ev: tuple, to_id: Any) -> tuple:
    """(log id, aggregate id as 16 bytes, version, topic, state as bytes)."""
    return ev[0], to_id(ev[1]), ev[2], ev[3], _bytes(ev[4])


class _Names:
    """Subjects in the ledger's words, from each aggregate's first event (looked up once)."""

    def __init__(self, snap: Any) -> None:
        self.snap = snap
        self.cache: dict[bytes, str | None] = {}

    def of(self, aggregate_id: bytes, version: int | None = None, topic: str | None = None,
           state: bytes | None = None) -> str | None:
        if version == 1 and topic is not None and state is not None:
            found = subject_of(topic, state)
            if found:
                return found
        if aggregate_id not in self.cache:
            first = self.snap.first_event(aggregate_id)
            self.cache[aggregate_id] = subject_of(*first) if first else None
        found = self.cache[aggregate_id]
        if found is None and topic is not None:
            found = f"{kind_of(topic)} {UUID(bytes=aggregate_id)}"
        return found


def _gaps(rows: list[tuple]) -> set[int]:
    """The positions the tree has no record for, below its highest."""
    present = {row[0] for row in rows}
    return set(range(1, max(present, default=0) + 1)) - present


def _leaf_order(rows: list[tuple]) -> list[Problem]:
    return [Problem(row[0], "reordered", None, f"the tree's record of position {row[0]} points before that of "
                    f"position {previous[0]}") for previous, row in zip(rows, rows[1:]) if row[1] <= previous[1]]


def _event_name(topic: str) -> str:
    return topic.partition(":")[2] or topic


@lru_cache(maxsize=None)
def _known_topic(topic: str) -> bool:
    try:
        resolve_topic(topic)
        return True
    except Exception:
        return False


def _unreadable(ev: tuple) -> str | None:
    if not _known_topic(ev[3]):
        return f"its topic {ev[3]!r} names no event type"
    try:
        state = json.loads(ev[4])
        assert isinstance(state, dict)
    except Exception:
        return "its stored JSON cannot be parsed"
    return None


def _classify(rows: Any, meta: dict[int, tuple[bytes, int]], mismatched: list, inserted: list,
              missing: list[int], names: _Names, gaps: set[int] | None = None) -> list[Problem]:
    """rows: (position, log id, leaf); meta: position → (aggregate id, version) of the leaves at issue."""
    found: list[Problem] = []
    expected = {meta[rows[i][0]]: i for i, _ in mismatched if rows[i][0] in meta}
    expected.update({meta[rows[i][0]]: i for i in missing if rows[i][0] in meta})
    moved: set[int] = set()

    def belongs(ev: tuple, here: int) -> int | None:
        j = expected.get((ev[1], ev[2]))
        if j is not None and j != here and event_leaf(rows[j][0], ev[1], ev[2], ev[3], ev[4]) == rows[j][2]:
            return j
        return None

    for i, ev in mismatched:
        position, subject = rows[i][0], names.of(ev[1], ev[2], ev[3], ev[4])
        what = f"{_event_name(ev[3])} v{ev[2]}"
        j = belongs(ev, i)
        if j is not None:
            moved.add(j)
            found.append(Problem(position, "reordered", subject, f"holds {what}, which belongs at position {rows[j][0]}"))
        elif reason := _unreadable(ev):
            found.append(Problem(position, "unreadable", subject, f"{what}: {reason}, and it no longer matches its leaf"))
        else:
            found.append(Problem(position, "changed", subject,
                                 f"{what}: its stored bytes differ from those hashed when it was written"))
    for i, ev in inserted:
        j = belongs(ev, -1)
        subject = names.of(ev[1], ev[2], ev[3], ev[4])
        what = f"{_event_name(ev[3])} v{ev[2]} (log id {ev[0]})"
        if j is not None:
            moved.add(j)
            found.append(Problem(rows[j][0], "reordered", subject, f"{what} was moved out of its place in the log"))
            continue
        position = rows[i - 1][0] + 1 if i else 1
        if gaps and position in gaps:  # the event is where it was; its leaf is what was deleted
            gaps.discard(position)
            found.append(Problem(position, "missing", subject, f"{what}: its leaf was deleted from the tree"))
            continue
        found.append(Problem(position, "inserted", subject, f"{what} has no leaf: it was written outside zs"))
    gone = [i for i in missing if i not in moved]
    tail = _tail(gone, len(rows), inserted)
    for i in gone:
        if i in tail:
            continue
        aggregate, version = meta.get(rows[i][0], (None, "?"))
        found.append(Problem(rows[i][0], "missing", names.of(aggregate) if aggregate else None,
                             f"version {version} (log id {rows[i][1]}) was deleted; its leaf remains"))
    if tail:
        first = rows[min(tail)]
        aggregate = meta.get(first[0], (None,))[0]
        found.append(Problem(first[0], "truncated", names.of(aggregate) if aggregate else None,
                             f"the log ends at position {first[0] - 1} but the tree has {len(rows)} leaves: "
                             f"the last {len(tail)} events were deleted"))
    return found


def _tail(gone: list[int], n: int, inserted: list) -> set[int]:
    """The deleted events that end the log (nothing after them survives)."""
    if not gone or gone[-1] != n - 1 or any(i >= n for i, _ in inserted):
        return set()
    tail = {n - 1}
    for i in reversed(gone[:-1]):
        if i + 1 not in tail:
            break
        tail.add(i)
    return tail


def _read_keys(result: Scan, signing: list[tuple[int | None, tuple]]) -> None:
    for position, ev in signing:
        try:
            state = json.loads(ev[4])
        except ValueError:
            continue
        if ev[3].endswith(".Registered"):
            try:
                result.verifiers[state["verifier"]] = Verifier.parse(state["verifier"])
            except Exception:
                pass
        elif ev[3].endswith(".CheckpointSigned"):
            result.checkpoints.append((position or 0, state["note"], state.get("about") or ""))


def _check_recorded_checkpoints(result: Scan) -> None:
    opened: list[tuple[int, Checkpoint]] = []
    for position, note, _ in result.checkpoints:
        try:
            checkpoint, _ = open_checkpoint(note, list(result.verifiers.values()))
        except BadNote as error:
            result.problems.append(Problem(position, "changed", "checkpoint", f"the checkpoint recorded here: {error}"))
            continue
        opened.append((position, checkpoint))
    roots = merkle.prefix_roots(result.leaves, [c.size for _, c in opened])
    for position, checkpoint in opened:
        result.problems += tree_against(result, checkpoint, roots.get(checkpoint.size), "a checkpoint on record")


def tree_against(result: Scan, checkpoint: Checkpoint, prefix_root: bytes | None, what: str) -> list[Problem]:
    """Problems if today's tree does not extend the signed one (a consistency proof, RFC 6962 §2.1.2)."""
    signed = f"{what} signed {checkpoint.time or ''}".rstrip()
    if checkpoint.size > result.tree_size:
        return [Problem(result.tree_size + 1, "truncated", None,
                        f"{signed} covers {checkpoint.size} events; the tree now has {result.tree_size}")]
    if prefix_root is not None and prefix_root == checkpoint.root:
        return []
    proof = merkle.consistency_proof(checkpoint.size, result.leaves)
    if merkle.verify_consistency(checkpoint.size, result.tree_size, checkpoint.root, result.root, proof):
        return []
    return [Problem(checkpoint.size, "changed", None,
                    f"today's tree does not extend the one {signed} at size {checkpoint.size}: "
                    "events up to that position were rewritten")]


def check_checkpoint(result: Scan, note: str) -> list[Problem]:
    """A checkpoint brought from outside: signed by a key on record, and extended by today's tree."""
    try:
        checkpoint, _ = open_checkpoint(note, list(result.verifiers.values()))
    except BadNote as error:
        return [Problem(0, "changed", "checkpoint", f"the checkpoint cannot be trusted: {error}")]
    return tree_against(result, checkpoint, None, "the checkpoint")
