"""Outcomes' ports in memory (`shared/platform/memory.py`): what `stegvis rebuild` computes
its state in (`services/rebuild.py`), and what the use case's tests run on. A commit copies
the tables, not their rows (a deep copy of the whole state per batch, as the tests' fakes
did, cost the rebuild more than its computation)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter
from typing import Generic, Literal, TypeVar

from services.outcomes.domain.incremental import PositionedParticipantEvent
from services.outcomes.domain.registrations import registration_key
from services.outcomes.service_layer import unit_of_work as ports
from services.outcomes.service_layer.unit_of_work import Known, Stored, StoredEvent
from shared.contract.records import OutcomeChange, ParticipantRecord
from shared.platform import memory


@dataclass
class MemoryState:
    """What outcomes' tables hold, by registration (`domain.registrations`)."""

    generation: int = 1
    processed: set[str] = field(default_factory=set)
    events: dict[str, list[StoredEvent]] = field(default_factory=dict)
    """Each registration's stored (position, event, JSON), as stored."""
    participants: dict[str, Known] = field(default_factory=dict)
    """Each registration's row: its record and summary (`tables.participants`)."""
    published: list[OutcomeChange] = field(default_factory=list)
    """The outbox: the changes staged for publication, in order."""

    @property
    def records(self) -> dict[str, ParticipantRecord]:
        """The records there are (of the registrations started and not voided)."""
        rows = self.participants.items()
        return {key: known.record for key, known in rows if known.record is not None}


class _Gone(Enum):
    GONE = "gone"


GONE = _Gone.GONE
"""A row deleted in the transaction."""

Row = TypeVar("Row")


class _Written(Generic[Row]):
    """One table's rows a transaction wrote (or deleted) over the committed ones."""

    def __init__(self, committed: dict[str, Row]) -> None:
        self.committed = committed
        self.rows: dict[str, Row | Literal[_Gone.GONE]] = {}

    def get(self, key: str) -> Row | Literal[_Gone.GONE]:
        return self.rows[key] if key in self.rows else self.committed.get(key, GONE)

    def applied(self) -> dict[str, Row]:
        table = dict(self.committed)
        for key, row in self.rows.items():
            if row is GONE:
                table.pop(key, None)
            else:
                table[key] = row
        return table


class _Overlay:
    """One transaction's writes: its rows, the ids it claimed, the changes it staged or
    withdrew."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self.claimed: set[str] = set()
        self.events = _Written(state.events)
        self.participants = _Written(state.participants)
        self.published: list[OutcomeChange] = []
        self.withdrawn: set[str] = set()

    def committed(self) -> MemoryState:
        state = self.state
        published = state.published
        if self.withdrawn:
            published = [c for c in published if c.change_id not in self.withdrawn]
        return MemoryState(
            state.generation,
            state.processed | self.claimed,
            self.events.applied(),
            self.participants.applied(),
            [*published, *self.published],
        )


class MemoryUnitOfWork(memory.MemoryUnitOfWork[MemoryState, _Overlay]):
    # The ports' types: a protocol's attributes are invariant.
    meta: ports.Meta
    processed: ports.Processed
    participants: ports.Participants
    changes: ports.Changes

    def __init__(self, database: "MemoryDatabase") -> None:
        super().__init__(database, _Overlay)
        self.meta = self.processed = self.participants = self.changes = self
        self.locked: list[list[str]] = []
        """The registrations each `lock` was given, in order."""

    # Every port, on the transaction's overlay.

    async def generation(self) -> int:
        return self.work.state.generation

    async def claim(self, event_ids: Collection[str]) -> set[str]:
        work = self.work
        new_ids = set(event_ids) - work.state.processed - work.claimed
        work.claimed |= new_ids
        return new_ids

    async def lock(self, registrations: Sequence[str]) -> None:
        if list(registrations) != sorted(registrations):
            raise ValueError("registrations are locked in sorted order (ports.Participants)")
        self.locked.append(list(registrations))

    async def events(
        self, registrations: Collection[str]
    ) -> dict[str, list[PositionedParticipantEvent]]:
        found = {}
        for key in registrations:
            stored = self.work.events.get(key)
            if stored is not GONE and stored:
                found[key] = sorted(((p, e) for p, e, _ in stored), key=itemgetter(0))
        return found

    async def known(self, registrations: Collection[str]) -> dict[str, Known]:
        rows = self.work.participants
        found = {}
        for key in registrations:
            known = rows.get(key)
            if known is not GONE:  # every registration with events has a row
                found[key] = known
        return found

    async def store(self, stored: Stored) -> None:
        events = self.work.events
        for stored_event in stored.events:
            _, event, _ = stored_event
            key = registration_key(event.insats_id, event.participant_id)
            kept = events.rows.get(key)
            if kept is None or kept is GONE:  # copied once a transaction: commit replaces it
                committed = events.committed.get(key) if kept is None else None
                kept = events.rows[key] = list(committed or ())
            kept.append(stored_event)
        self.work.participants.rows.update(stored.participants)

    async def forget(self, registrations: Collection[str]) -> None:
        work = self.work
        for key in registrations:
            work.events.rows[key] = work.participants.rows[key] = GONE

    async def publish(self, changes: Sequence[OutcomeChange]) -> None:
        self.work.published.extend(changes)

    async def withdraw(self, change_ids: Collection[str]) -> None:
        work = self.work
        work.withdrawn |= set(change_ids)
        work.published = [c for c in work.published if c.change_id not in change_ids]


class MemoryDatabase(memory.MemoryDatabase[MemoryState]):
    def __init__(self, generation: int = 1) -> None:
        super().__init__(MemoryState(generation))

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
