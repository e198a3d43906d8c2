"""An in-memory unit of work for outcomes' use case: the committed state is replaced whole
on commit, so a failed batch leaves nothing behind, as in the database."""

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import pytest

from services.outcomes.domain.incremental import Summary
from services.outcomes.domain.registrations import registration_key
from services.outcomes.service_layer.unit_of_work import Known, Stored
from shared.contract.events import ParticipantEvent
from shared.contract.records import OutcomeChange, ParticipantRecord


@dataclass
class FakeState:
    generation: int = 1
    processed: set[str] = field(default_factory=set)
    events: dict[str, list[tuple[int, ParticipantEvent]]] = field(default_factory=dict)
    records: dict[str, ParticipantRecord] = field(default_factory=dict)
    summaries: dict[str, Summary | None] = field(default_factory=dict)
    published: list[OutcomeChange] = field(default_factory=list)


class FakeUnitOfWork:
    def __init__(self, database: "FakeDatabase") -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self._database.state)
        self.meta = self
        self.processed = self
        self.participants = self
        self.changes = self
        self.locked: list[list[str]] = []
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

    async def generation(self) -> int:
        return self._work.generation

    async def claim(self, event_ids: Collection[str]) -> set[str]:
        new_ids = set(event_ids) - self._work.processed
        self._work.processed |= new_ids
        return new_ids

    async def lock(self, participant_ids: Sequence[str]) -> None:
        assert list(participant_ids) == sorted(participant_ids)
        self.locked.append(list(participant_ids))

    async def events(
        self, participant_ids: Collection[str]
    ) -> dict[str, list[tuple[int, ParticipantEvent]]]:
        return {
            participant_id: sorted(self._work.events[participant_id], key=lambda pair: pair[0])
            for participant_id in participant_ids
            if self._work.events.get(participant_id)
        }

    async def known(self, participant_ids: Collection[str]) -> dict[str, Known]:
        return {
            participant_id: Known(
                self._work.records.get(participant_id), self._work.summaries[participant_id]
            )
            for participant_id in participant_ids
            if participant_id in self._work.summaries
        }

    async def store(self, stored: Stored) -> None:
        for position, event, _ in stored.events:
            key = registration_key(event.insats_id, event.participant_id)
            self._work.events.setdefault(key, []).append((position, event))
        for participant_id, record in stored.records.items():
            if record is None:
                self._work.records.pop(participant_id, None)
            else:
                self._work.records[participant_id] = record
        self._work.summaries.update(stored.summaries)

    async def forget(self, participant_ids: Collection[str]) -> None:
        for participant_id in participant_ids:
            for kept in (self._work.events, self._work.records, self._work.summaries):
                kept.pop(participant_id, None)

    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        self._work.published.extend(changes)

    async def withdraw(self, change_ids: Collection[str]) -> None:
        """`published` stands for the outbox: what the relay has yet to publish."""
        self._work.published = [
            change for change in self._work.published if change.change_id not in change_ids
        ]


class FakeDatabase:
    def __init__(self) -> None:
        self.state = FakeState()

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()
