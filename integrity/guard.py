"""Safety on read: before a replay, and after an unexpected failure, name the first bad position."""

from __future__ import annotations

from typing import Any

from integrity.leaves import Tampered
from integrity.verify import scan


def first_problem(recorder: Any) -> str | None:
    """One line naming the first problem of the log, or None when it is intact (or has no tree yet)."""
    if not hasattr(recorder, "snapshot"):
        return None
    result = scan(recorder)
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
