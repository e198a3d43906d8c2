"""Reporting's meta row on a real database (SQLite and PostgreSQL): a batch's lock returns
the generation and advances the position processed in the same statement, only by its own
generation's newest change and never backwards; on PostgreSQL it holds the row until
commit, so replicas and a rebuild's reset wait for each other."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.reporting import bootstrap
from services.reporting.adapters.repositories import SqlReportReader
from services.reporting.adapters.unit_of_work import SqlUnitOfWork
from services.reporting.domain.reports import ProcessedThrough
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings

T1 = datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
T2 = datetime(2025, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    made_settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(made_settings, bootstrap.SERVICE, bootstrap.REVISIONS_DIR) as made:
        yield made


async def _lock(sessions: async_sessionmaker, newest: dict[int, ProcessedThrough]) -> int:
    async with SqlUnitOfWork(sessions) as uow:
        generation = await uow.meta.lock(newest)
        await uow.commit()
    return generation


async def _processed(sessions: async_sessionmaker) -> ProcessedThrough:
    async with sessions() as session:
        return await SqlReportReader(session).processed_through()


async def _reset(database_url: str) -> None:
    """`stegvis rebuild`'s reset of reporting to generation 2, with nothing computed."""
    async with bootstrap.resetting(Settings(database_url=database_url)) as reset:
        await reset(2, ())


async def test_the_lock_advances_by_its_own_generations_newest_only_forward(
    sessions: async_sessionmaker, database_url: str
) -> None:
    assert await _lock(sessions, {}) == 1
    assert await _processed(sessions) == ProcessedThrough(0, None)

    assert await _lock(sessions, {1: ProcessedThrough(7, T1), 2: ProcessedThrough(9, T2)}) == 1
    assert await _processed(sessions) == ProcessedThrough(7, T1)

    assert await _lock(sessions, {1: ProcessedThrough(5, T2)}) == 1  # a redelivery: behind
    assert await _processed(sessions) == ProcessedThrough(7, T1)

    assert await _lock(sessions, {0: ProcessedThrough(99, T2)}) == 1  # stale: ignored
    assert await _processed(sessions) == ProcessedThrough(7, T1)

    await _reset(database_url)
    assert await _lock(sessions, {1: ProcessedThrough(8, T1), 2: ProcessedThrough(3, T2)}) == 2
    assert await _processed(sessions) == ProcessedThrough(3, T2)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_batch_waiting_behind_a_reset_takes_the_new_generation(
    sessions: async_sessionmaker, database_url: str
) -> None:
    async with SqlUnitOfWork(sessions) as holding:
        assert await holding.meta.lock({1: ProcessedThrough(4, T1)}) == 1
        resetting = asyncio.create_task(_reset(database_url))
        await asyncio.sleep(0.3)
        waiting = asyncio.create_task(_lock(sessions, {1: ProcessedThrough(6, T2)}))
        await asyncio.sleep(0.3)
        assert not resetting.done() and not waiting.done()
        await holding.commit()
    await resetting
    # Behind the reset in the row's queue: the batch reads the row the reset left, so its
    # generation-1 change is stale and moves nothing.
    assert await waiting == 2
    assert await _processed(sessions) == ProcessedThrough(0, None)
