"""The ports the use case needs: the state of one transaction, and the unit of work."""

from collections.abc import Sequence
from typing import Protocol

from shared import unit_of_work
from shared.events import ParticipantEvent
from shared.records import OutcomeChange, ParticipantRecord


class Meta(Protocol):
    async def generation(self) -> int:
        """The current generation, held (shared) until commit so a reset waits for us."""


class Processed(Protocol):
    async def claim(self, event_ids: Sequence[str]) -> set[str]:
        """Record the ids as processed; returns those that were new."""


class Participants(Protocol):
    async def lock(self, participant_ids: Sequence[str]) -> None:
        """Hold these participants until commit (replicas may touch the same ones)."""

    async def add_events(self, events: Sequence[tuple[int, ParticipantEvent]]) -> None:
        """Store (position, event) pairs."""

    async def events(self, participant_id: str) -> list[ParticipantEvent]:
        """Every stored event of the participant, in log order."""

    async def record(self, participant_id: str) -> ParticipantRecord | None: ...

    async def save(self, participant_id: str, record: ParticipantRecord | None) -> None: ...


class Changes(Protocol):
    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        """Stage changes for publication after commit, in the given order."""


class UnitOfWork(unit_of_work.UnitOfWork, Protocol):
    meta: Meta
    processed: Processed
    participants: Participants
    changes: Changes
