"""Safety on read: a replay checks the leaves of what it reads; a rebuild checks the whole log before
it touches a view; after an unexpected failure, the first bad position is named instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from integrity.leaves import Tampered, describe, event_leaf


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
