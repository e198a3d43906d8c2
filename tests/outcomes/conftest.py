"""Outcomes' use case runs on its in-memory ports (`adapters/memory.py`, the ones `stegvis
rebuild` computes in)."""

import pytest

from services.outcomes.adapters.memory import MemoryDatabase


@pytest.fixture
def database() -> MemoryDatabase:
    return MemoryDatabase()
