"""Reporting's use case runs on its in-memory ports (`adapters/memory.py`, the ones
`stegvis rebuild` computes in). And the database itself for the adapters' tests: reporting's
tables, migrated."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.reporting import bootstrap
from services.reporting.adapters.memory import MemoryDatabase
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings


@pytest.fixture
def database() -> MemoryDatabase:
    return MemoryDatabase()


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    """Reporting's tables, migrated, on the test's database (SQLite, then PostgreSQL)."""
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(settings, bootstrap.SERVICE, bootstrap.REVISIONS_DIR) as made:
        yield made
