"""The stored topics of classes renamed or moved since their events were first stored.

A class that moves keeps its stored name by a pinned `TOPIC` (eventsourcing registers it when the class
is made); importing this module makes those classes, so every reader of stored events (the mapper, the
views' runner, the integrity scan) resolves an old topic before any is read.
"""

from __future__ import annotations

from domain.policies import LoadedPolicies  # stored as domain.report:ReportingPolicy

MOVED = {"domain.report:ReportingPolicy": LoadedPolicies}
