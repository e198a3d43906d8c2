"""Outcomes' use case runs on its in-memory ports (`adapters/memory.py`, the ones `stegvis
rebuild` computes in)."""

import itertools
from collections.abc import Sequence

import pytest

from services.outcomes.adapters.memory import MemoryDatabase
from shared.contract.records import ParticipantRecordChanged, counted_alike


@pytest.fixture
def database() -> MemoryDatabase:
    return MemoryDatabase()


def assert_chained(changes: Sequence[ParticipantRecordChanged]) -> None:
    """A participant's changes chain from no record: each `before` is the last `after`, or a
    record reporting counts alike (a check-in of an open record publishes no change)."""
    assert changes[0].before is None
    for earlier, later in itertools.pairwise(changes):
        assert later.before == earlier.after or counted_alike(earlier.after, later.before)
