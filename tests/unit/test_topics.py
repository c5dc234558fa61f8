"""A class renamed or moved keeps the name its events are stored under (domain/topics.py): events stored
before the move read back as the new class, new ones are stored under the old name, and the audit trail
and the views, which read names off the stored topics, see one name throughout."""

from __future__ import annotations

import subprocess
import sys

from eventsourcing.utils import get_topic

from domain.policies import LoadedPolicies
from domain.topics import MOVED


def test_the_loaded_policies_are_stored_under_their_first_name():
    assert get_topic(LoadedPolicies) == "domain.report:ReportingPolicy"
    assert get_topic(LoadedPolicies.Started) == "domain.report:ReportingPolicy.Started"
    assert get_topic(LoadedPolicies.Loaded) == "domain.report:ReportingPolicy.Loaded"
    assert MOVED["domain.report:ReportingPolicy"] is LoadedPolicies


def test_each_reader_of_the_log_resolves_a_moved_topic_in_a_fresh_process():
    readers = {  # the mapper and the integrity scan register on import; the runner when it first resolves one
        "domain.mapper": "from eventsourcing.utils import resolve_topic\n"
                         "print(resolve_topic('domain.report:ReportingPolicy.Loaded').__qualname__)",
        "integrity.verify": "from eventsourcing.utils import resolve_topic\n"
                            "print(resolve_topic('domain.report:ReportingPolicy.Loaded').__qualname__)",
        "projections.runner": "from projections.runner import _topic\n"
                              "print(_topic('domain.report:ReportingPolicy.Loaded'))",
    }
    expected = {"domain.mapper": "LoadedPolicies.Loaded", "integrity.verify": "LoadedPolicies.Loaded",
                "projections.runner": "('ReportingPolicy', 'Loaded', 1)"}
    for reader, code in readers.items():
        done = subprocess.run([sys.executable, "-c", f"import {reader}\n{code}"], capture_output=True, text=True,
                              check=False)
        assert done.stdout.strip() == expected[reader], (reader, done.stderr)
