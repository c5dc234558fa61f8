"""What many tests assert alike: a refused command changes nothing; a command made one event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.application import Ledger
from domain.base import Aggregate
from domain.errors import DomainError


def refused_unchanged(aggregate: Aggregate, error: type[DomainError], match: str,
                      act: Callable[[], Any]) -> None:
    """The command raises `error` and leaves the aggregate exactly as it was."""
    version, before = aggregate.version, dict(vars(aggregate))
    with pytest.raises(error, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []
    assert vars(aggregate) == before


def refused_unrecorded(ledger: Ledger, error: type[DomainError], match: str | None,
                       act: Callable[[], Any]) -> DomainError:
    """The command raises `error`, and nothing at all is recorded."""
    before = ledger.recorder.max_notification_id()
    with pytest.raises(error, match=match) as caught:
        act()
    assert ledger.recorder.max_notification_id() == before
    return caught.value


def only_event(aggregate: Aggregate) -> Any:
    """The one event the command made."""
    events = aggregate.collect_events()
    assert len(events) == 1
    return events[0]
