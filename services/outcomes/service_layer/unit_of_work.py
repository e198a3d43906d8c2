"""The ports the use case needs: the state of one transaction, and the unit of work.

Every method takes or returns a whole batch's worth, so a batch costs the same handful of
round trips to the database whatever its size.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from services.outcomes.domain.incremental import PositionedParticipantEvent, Summary
from shared.contract.events import ParticipantEvent
from shared.contract.records import OutcomeChange, ParticipantRecord
from shared.platform import unit_of_work

StoredEvent = tuple[int, ParticipantEvent, str]
"""A participant's event with its position in intake's log and its JSON."""


class Known(NamedTuple):
    """What outcomes keeps of a participant with events. A named tuple, not a frozen
    dataclass (half the cost to make): one is made for every participant a batch reads and
    for every one it stores."""

    record: ParticipantRecord | None
    summary: Summary | None
    """None: the record must be derived from all of the participant's events."""


@dataclass(frozen=True)
class Stored:
    """What a batch of participants' events stores."""

    events: Sequence[StoredEvent]
    """The batch's (position, event, JSON) triples."""
    participants: Mapping[str, Known]
    """The record and summary of each participant the batch touched, after it."""


class Meta(Protocol):
    async def generation(self) -> int:
        """The current generation, held (shared) until commit so a reset waits for us."""


class Processed(Protocol):
    async def claim(self, event_ids: Collection[str]) -> set[str]:
        """Record the ids as processed; returns those that were new."""


class Participants(Protocol):
    """Each participant's events, record and summary by registration
    (`domain.registrations.registration_key`): a code moved on has one per insats."""

    async def lock(self, registrations: Sequence[str]) -> None:
        """Hold these participants until commit (replicas may touch the same ones).

        Given sorted, and taken in one fixed order, so two replicas never wait in a circle.
        """

    async def events(
        self, registrations: Collection[str]
    ) -> dict[str, list[PositionedParticipantEvent]]:
        """Every stored (position, event) of these participants, in log order; a participant
        without stored events is absent."""

    async def known(self, registrations: Collection[str]) -> dict[str, Known]:
        """The stored record and summary of these participants; one without stored events
        is absent."""

    async def store(self, stored: "Stored") -> None:
        """Store what a batch stores, at once: written at commit, with the changes published
        (one round trip where the database allows)."""

    async def forget(self, registrations: Collection[str]) -> None:
        """Delete these registrations' events, records and summaries (an erasure)."""


class Changes(Protocol):
    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        """Stage changes for publication after commit, in the given order."""

    async def withdraw(self, change_ids: Collection[str]) -> None:
        """Unstage the changes with these ids not yet published (an erasure)."""


class UnitOfWork(unit_of_work.UnitOfWork, Protocol):
    # Read-only members, so an adapter's own repository types satisfy them.
    @property
    def meta(self) -> Meta: ...
    @property
    def processed(self) -> Processed: ...
    @property
    def participants(self) -> Participants: ...
    @property
    def changes(self) -> Changes: ...
