"""The ports the use cases need: repositories of one transaction, and the unit of work."""

from typing import Protocol

from shared import unit_of_work
from shared.events import IntakeEvent
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer


class ConcurrentWrite(Exception):
    """Another transaction stored the same key first; this one was rolled back."""


class Insatser(Protocol):
    async def get(self, insats_id: str, *, for_update: bool = False) -> Insats | None:
        """`for_update`: hold the insats until commit, so its commands run one at a time."""

    async def add(self, insats: Insats) -> None: ...

    async def update(self, insats: Insats) -> None: ...

    async def list(self) -> list[Insats]: ...


class Participants(Protocol):
    async def get(self, participant_id: str) -> Participant | None: ...

    async def add(self, participant: Participant) -> None: ...

    async def update(self, participant: Participant) -> None: ...

    async def list(self, insats_id: str, *, active_only: bool) -> list[Participant]: ...


class EventLog(Protocol):
    appended: list[IntakeEvent]
    """The events this unit of work appended."""

    async def append(self, event: IntakeEvent) -> int:
        """Append the event and stage it for publication; returns its position."""

    async def has_registrations(self, insats_id: str) -> bool:
        """Whether any participant or volume was registered in the insats."""


class Answers(Protocol):
    async def get(self, key: str) -> StoredAnswer | None: ...

    async def add(self, key: IdempotencyKey, answer: Answer) -> None: ...


class UnitOfWork(unit_of_work.UnitOfWork, Protocol):
    """One transaction. Committing, or leaving the block, raises `ConcurrentWrite` if a
    unique key (an idempotency key) was taken by another transaction meanwhile."""

    insatser: Insatser
    participants: Participants
    events: EventLog
    answers: Answers
