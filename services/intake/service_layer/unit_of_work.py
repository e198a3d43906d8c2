"""The ports the use cases need: repositories of one transaction, and the unit of work."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Protocol, Self

from services.intake.domain.accounts import Credential, User
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer
from shared.contract.events import IntakeEvent, ParticipantErased, ParticipantEvent
from shared.platform import unit_of_work


class ConcurrentWrite(Exception):
    """Another transaction stored the same key first; this one was rolled back."""


class StaleConnection(Exception):
    """The transaction's connection was found closed before it asked to commit (the database
    restarted since the connection was last used): nothing was written, and the connections
    of before are gone from the pool, so the command may run again at once."""


class Lock(Enum):
    """How a read row is held until commit (where the database locks rows)."""

    NONE = "none"
    SHARE = "share"
    """Others may share it too, but nobody may hold it with UPDATE meanwhile."""
    UPDATE = "update"
    """Held alone: waits for every other holder; whoever waits reads it as this one left it."""


class Insatser(Protocol):
    async def get(self, insats_id: str, *, lock: Lock = Lock.NONE) -> Insats | None: ...

    async def add(self, insats: Insats) -> None: ...

    async def update(self, insats: Insats) -> None: ...

    async def list(self) -> list[Insats]: ...


class Participants(Protocol):
    async def get(
        self, insats_id: str, participant_id: str, *, lock: Lock = Lock.NONE
    ) -> Participant | None:
        """The participant's registration in the insats."""

    async def add(self, participant: Participant) -> bool:
        """Store the registration, or nothing and False when it is taken (also by a
        transaction not yet committed: then after waiting for it): a first registration
        whose code is in use anywhere, a move to an insats where the code already is."""

    async def update(self, participant: Participant) -> None: ...

    async def list(self, insats_id: str, *, active_only: bool) -> list[Participant]: ...


class EventLog(Protocol):
    @property
    def appended(self) -> Sequence[IntakeEvent]:
        """The events this unit of work appended."""

    async def append(self, event: IntakeEvent) -> int:
        """Append the event and stage it for publication; returns its position."""

    async def append_with_participant(
        self, event: IntakeEvent, participant: Participant, insats: Insats
    ) -> int | None:
        """Store the new registration and append the event (its start), as `append`; or
        store nothing and return None when the registration is taken (as
        `Participants.add`). `insats`: as the command checked it; the insats is held
        (`Lock.SHARE`) with the write, and when its registration is no longer the one
        checked, nothing is stored and `ConcurrentWrite` is raised."""

    async def append_for(
        self, event: IntakeEvent, participant: Participant, changed: Participant | None = None
    ) -> int:
        """Append the participant's event (as `append`) and store the participant's new
        state `changed`, if any. `participant`: as the command read it; it is held with the
        write (`Lock.UPDATE` when `changed` is stored, else `Lock.SHARE`), and when it is no
        longer as read, nothing is stored and `ConcurrentWrite` is raised."""

    async def of_participant(self, insats_id: str, participant_id: str) -> list[ParticipantEvent]:
        """The events of the participant's registration in the insats, in log order
        (corrections and voids included)."""

    async def has_registrations(self, insats_id: str) -> bool:
        """Whether any participant or volume was registered in the insats."""


class Erasure(Protocol):
    async def erase(self, participant: Participant) -> list[ParticipantErased]:
        """Delete the participant's events (published or not), state, stored answers and
        audit references in every insats its code moved through, and stage one erasure per
        registration for publication (never for the log)."""

    async def ended_before(self, day: date) -> list[Participant]:
        """Every registration of the codes whose every registration has a stop dated before
        `day`, by insats."""


class Answers(Protocol):
    async def get(self, key: str) -> StoredAnswer | None: ...

    async def add(self, key: IdempotencyKey, answer: Answer) -> None: ...


class Users(Protocol):
    async def get(self, username: str, *, lock: Lock = Lock.NONE) -> User | None: ...

    async def save(self, user: User) -> None:
        """Store the user's new state and stage its change for the access stream."""

    async def list(self) -> list[User]: ...


class Credentials(Protocol):
    async def get(self, credential_id: str, *, lock: Lock = Lock.NONE) -> Credential | None: ...

    async def save(self, credential: Credential) -> None:
        """Store the credential's new state and stage its change for the access stream."""

    async def list(self, username: str | None) -> list[Credential]:
        """Those of the user (None: everyone's), newest first."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    credential_id: str | None
    action: str
    target: str


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Record the entry in this transaction (it may be written with the next event or at
        commit: nothing is read back before then)."""

    async def newest(self, limit: int) -> list[AuditEntry]: ...


class UnitOfWork(unit_of_work.UnitOfWork, Protocol):
    """One transaction. Committing, or leaving the block, raises `ConcurrentWrite` if a
    unique key (an idempotency key, an insats id) was taken by another transaction
    meanwhile, and `StaleConnection` if the database connection was found closed before
    the commit."""

    def in_one_statement(self) -> Self:
        """This unit of work, for a command that writes in one statement which checks again,
        under its own locks, what the command read (`EventLog.append_with_participant`,
        `EventLog.append_for`):
        where one statement is atomic by itself, no transaction need surround it (no BEGIN
        and COMMIT, two round trips fewer). Called before the block begins."""

    # Read-only members, so an adapter's own repository types satisfy them.
    @property
    def insatser(self) -> Insatser: ...
    @property
    def participants(self) -> Participants: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def answers(self) -> Answers: ...
    @property
    def users(self) -> Users: ...
    @property
    def credentials(self) -> Credentials: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def erasure(self) -> Erasure: ...
