"""Safety on read: a replay checks the leaves of what it reads; a rebuild checks the whole log before
it touches a view; after an unexpected failure, the first bad position is named instead."""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256
from typing import Any

from integrity.leaves import _HEAD, _LEN, Tampered, describe, event_leaf


def first_problem(recorder: Any) -> str | None:
    """One line naming the first problem of the log, or None when it is intact (or has no tree yet)."""
    if not hasattr(recorder, "snapshot"):
        return None
    from integrity.verify import scan

    result = scan(recorder, checkpoints=False)
    if not result.problems:
        return None
    problem = result.problems[0]
    more = len(result.problems) - 1
    tail = f" (and {more} more)" if more else ""
    return (f"the log was changed outside zs: {problem.line()}{tail}; "
            "run `zs verify` for the whole picture")


def check_log(recorder: Any) -> None:
    """Refuse to replay a log whose events no longer match their leaves (`zs views rebuild`)."""
    line = first_problem(recorder)
    if line:
        raise Tampered(f"nothing was rebuilt: {line}")


def explain(context: Any) -> str | None:
    """After an unexpected error: was it a changed log? Never raises."""
    try:
        ledger = getattr(context, "_ledger", None)
        return first_problem(ledger.recorder) if ledger is not None else None
    except Exception:
        return None


class LeafCheck:
    """Checks rows read straight from the log (log id, aggregate id hex, version, topic, state) against
    their leaves, as a replay reads them (`zs summary`, `zs audit`)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder if hasattr(recorder, "snapshot") else None

    def __call__(self, rows: Sequence[tuple]) -> None:
        if self.recorder is None or not rows:
            return
        with self.recorder.snapshot() as snap:
            leaves = snap.leaves_between(min(r[0] for r in rows), max(r[0] for r in rows))
            if not leaves and not snap.counts()[0]:
                return  # a ledger whose tree is not built yet
        for log_id, aggregate, version, topic, state in rows:
            found = leaves.get(log_id)
            if found is None:
                raise Tampered(f"the stored event with log id {log_id} has no leaf: it was written outside zs; "
                               "run `zs verify` for the whole picture")
            data = state.encode() if isinstance(state, str) else bytes(state)
            if event_leaf(found[0], bytes.fromhex(aggregate), version, topic, data) != found[1]:
                raise Tampered(describe(found[0], None, "no longer matches its leaf"))


class ReplayGuard:
    """The leaf check of a whole-log replay (`zs views rebuild`), folded into the replay's own read:
    each batch of stored rows (log id, aggregate id hex, version, topic, state) is checked against the
    leaves of the same log ids as it is read, and `finish` checks that no leaf is left without its
    event. Any difference stops the replay with the whole log's first problem, named as `zs verify`
    names it (`check_log`); the log is then read a second time only to name it."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder if hasattr(recorder, "snapshot") else None
        self.after = 0  # the log id up to which the rows were checked
        self.position = 0  # the leaves matched so far: positions 1..position
        self.topics: dict[str, bytes] = {}
        self.aggregates: dict[str, bytes] = {}
        if self.recorder is not None:
            with self.recorder.snapshot() as snap:
                if not snap.counts()[0]:
                    self.recorder = None  # a ledger whose tree is not built yet: nothing to check against

    def __call__(self, rows: Sequence[tuple]) -> None:
        if self.recorder is None or not rows:
            return
        last = rows[-1][0]
        with self.recorder.snapshot() as snap:
            leaves = snap.leaves_between(self.after + 1, last)
        if not self._matches(rows, leaves):
            self._refuse()
        self.after, self.position = last, self.position + len(rows)

    def finish(self) -> None:
        """After the last batch: every leaf is accounted for, at positions 1..n, one per event."""
        if self.recorder is None:
            return
        with self.recorder.snapshot() as snap:
            count, low, high, total = snap.counts()
            tail = snap.leaves_between(self.after + 1, 2 ** 62)
        if not (count == total and low == 1 and high == count
                and sorted(p for p, _ in tail.values()) == list(range(self.position + 1, count + 1))):
            self._refuse()

    def _matches(self, rows: Sequence[tuple], leaves: dict[int, tuple[int, bytes]]) -> bool:
        if len(leaves) != len(rows):  # a leaf whose event is gone, or an event without a leaf
            return False
        sha, head, length, join, topics, aggregates = sha256, _HEAD.pack, _LEN.pack, b"".join, self.topics, self.aggregates
        position = self.position
        for log_id, aggregate, version, topic, state in rows:
            position += 1
            found = leaves.get(log_id)
            if found is None or found[0] != position:
                return False
            encoded = topics.get(topic)
            if encoded is None:
                encoded = topics[topic] = topic.encode()
            raw = aggregates.get(aggregate)
            if raw is None:
                raw = aggregates[aggregate] = bytes.fromhex(aggregate)
            if type(state) is not bytes:
                state = state.encode() if isinstance(state, str) else bytes(state)
            if sha(join((b"\x00", head(position, 16, raw, version, len(encoded)), encoded,
                         length(len(state)), state))).digest() != found[1]:
                return False
        return True

    def _refuse(self) -> None:
        check_log(self.recorder)  # names the first problem of the whole log, as `zs verify` would
        self.recorder = None  # that scan found the whole log intact: nothing left to check
