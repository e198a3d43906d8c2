"""An in-memory unit of work for reporting's use case: the committed state is replaced whole
on commit, so a failed batch leaves nothing behind, as in the database. And the database
itself for the adapters' tests: reporting's tables, migrated."""

import copy
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.reporting import bootstrap
from services.reporting.domain.contributions import Cell, accumulate
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import ProcessedThrough
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings


@dataclass
class FakeState:
    generation: int = 1
    processed_through: ProcessedThrough = field(default_factory=lambda: ProcessedThrough(0, None))
    processed: set[str] = field(default_factory=set)
    monthly: dict[Cell, float] = field(default_factory=dict)
    retained: dict[Cell, float] = field(default_factory=dict)
    insatser: dict[str, Insats] = field(default_factory=dict)


class FakeUnitOfWork:
    def __init__(self, database: "FakeDatabase") -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self._database.state)
        self.meta = self.processed = self.monthly = self.insatser = self
        self.retained = _Retained(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._work = None

    async def commit(self) -> None:
        self._database.state = self._work

    async def lock(self, newest: Mapping[int, ProcessedThrough]) -> int:
        passed = newest.get(self._work.generation)
        if passed is not None and passed.position > self._work.processed_through.position:
            self._work.processed_through = passed
        return self._work.generation

    async def claim(self, change_ids: Sequence[str]) -> set[str]:
        new_ids = set(change_ids) - self._work.processed
        self._work.processed |= new_ids
        return new_ids

    async def add(self, deltas: Mapping[Cell, float]) -> None:
        accumulate(self._work.monthly, deltas)

    async def register(self, insatser: Sequence[Insats]) -> None:
        for insats in insatser:
            known = self._work.insatser.get(insats.insats_id)
            if known is None or known.position < insats.position:
                self._work.insatser[insats.insats_id] = insats


class _Retained:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def add(self, deltas: Mapping[Cell, float]) -> None:
        accumulate(self._unit._work.retained, deltas)


class FakeDatabase:
    def __init__(self) -> None:
        self.state = FakeState()

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    """Reporting's tables, migrated, on the test's database (SQLite, then PostgreSQL)."""
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(settings, bootstrap.SERVICE, bootstrap.REVISIONS_DIR) as made:
        yield made
