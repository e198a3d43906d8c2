"""Intake's commands as data: what the JSON API, the staff forms and the import ask intake
to do. Each is frozen and names its audit action once (`ACTION`), so the audit log names a
command the same whichever entry point built it; `messagebus.HANDLERS` runs each.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from services.intake.domain.import_rows import ParticipantRow
from shared.contract.access import CredentialKind, Principal, Role
from shared.contract.events import (
    CorrectionDetails,
    InsatsDetails,
    ProgressDetails,
    StartDetails,
    StopDetails,
    VolumeDetails,
)


@dataclass(frozen=True)
class Command:
    ACTION: ClassVar[str]
    """As the audit log and the refusals' metric name the command."""


@dataclass(frozen=True)
class DefineInsats(Command):
    ACTION = "define_insats"
    insats_id: str
    details: InsatsDetails


@dataclass(frozen=True)
class StartParticipant(Command):
    ACTION = "start"
    insats_id: str
    details: StartDetails


@dataclass(frozen=True)
class RecordProgress(Command):
    ACTION = "progress"
    insats_id: str
    participant_id: str
    details: ProgressDetails


@dataclass(frozen=True)
class StopParticipant(Command):
    ACTION = "stop"
    insats_id: str
    participant_id: str
    details: StopDetails


@dataclass(frozen=True)
class RegisterVolume(Command):
    ACTION = "register_volume"
    insats_id: str
    details: VolumeDetails


@dataclass(frozen=True)
class CorrectEvent(Command):
    ACTION = "correct"
    insats_id: str
    participant_id: str
    event_id: str
    details: CorrectionDetails


@dataclass(frozen=True)
class VoidEvent(Command):
    ACTION = "void"
    insats_id: str
    participant_id: str
    event_id: str


@dataclass(frozen=True)
class PutUser(Command):
    ACTION = "save_user"
    username: str
    role: Role
    insatser: frozenset[str]
    active: bool
    password_hash: str | None
    """Hashed before the command runs (slow on purpose); None keeps the stored one."""
    saved_at: datetime
    """When sessions it ends (a new password, a deactivation) stop counting."""


@dataclass(frozen=True)
class IssueToken(Command):
    ACTION = "issue_token"
    KIND: ClassVar[CredentialKind] = CredentialKind.TOKEN
    username: str
    credential_id: str
    issued_at: datetime
    lifetime: timedelta


@dataclass(frozen=True)
class OpenSession(IssueToken):
    """A login's credential: a token by another name, for a few hours."""

    ACTION = "issue_session"
    KIND = CredentialKind.SESSION


@dataclass(frozen=True)
class RevokeToken(Command):
    ACTION = "revoke"
    credential_id: str
    by: Principal
    """Who revokes: its owner or a förbundsadmin; to anyone else it does not exist."""
    at: datetime


@dataclass(frozen=True)
class ImportRows(Command):
    """A checked sheet's participants: each row's start and, when it has one, its stop."""

    ACTION = "import"
    import_id: str
    file: str
    rows: tuple[ParticipantRow, ...]
    written: Callable[[int, int], None] = field(compare=False)
    """Told (rows stored, rows in all) before the first and after each row."""
