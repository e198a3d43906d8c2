"""Intake's commands as data: what the JSON API, the staff forms and the import ask intake
to do. Each is frozen and names its audit action once (`ACTION`), so the audit log names a
command the same whichever entry point built it; `messagebus.HANDLERS` runs each.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from services.intake.domain.import_rows import ImportRow
from shared.contract.access import CredentialKind, Principal, Role
from shared.contract.events import (
    ActivityDetails,
    CorrectionDetails,
    FollowupDetails,
    InsatsDetails,
    MoveDetails,
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
class InsatsCommand(Command):
    """About one insats: those a caller may run only where granted, but `DefineInsats`."""

    insats_id: str

    @property
    def insatser(self) -> tuple[str, ...]:
        """The insatser the caller must be granted to run it."""
        return (self.insats_id,)


@dataclass(frozen=True)
class ParticipantCommand(InsatsCommand):
    participant_id: str


@dataclass(frozen=True)
class EventCommand(ParticipantCommand):
    """About one of the participant's registrations."""

    event_id: str


@dataclass(frozen=True)
class DefineInsats(InsatsCommand):
    ACTION = "define_insats"
    details: InsatsDetails


@dataclass(frozen=True)
class StartParticipant(InsatsCommand):
    ACTION = "start"
    details: StartDetails


@dataclass(frozen=True)
class RecordProgress(ParticipantCommand):
    ACTION = "progress"
    details: ProgressDetails


@dataclass(frozen=True)
class StopParticipant(ParticipantCommand):
    ACTION = "stop"
    details: StopDetails


@dataclass(frozen=True)
class FollowUpParticipant(ParticipantCommand):
    ACTION = "followup"
    details: FollowupDetails


@dataclass(frozen=True)
class MoveParticipant(ParticipantCommand):
    """The stop here and the start in `details.to_insats`, as one command."""

    ACTION = "move"
    details: MoveDetails

    @property
    def insatser(self) -> tuple[str, ...]:
        return (self.insats_id, self.details.to_insats)


@dataclass(frozen=True)
class RegisterVolume(InsatsCommand):
    ACTION = "register_volume"
    details: VolumeDetails


@dataclass(frozen=True)
class RegisterActivity(InsatsCommand):
    ACTION = "register_activity"
    details: ActivityDetails


@dataclass(frozen=True)
class CorrectEvent(EventCommand):
    ACTION = "correct"
    details: CorrectionDetails


@dataclass(frozen=True)
class VoidEvent(EventCommand):
    ACTION = "void"


@dataclass(frozen=True)
class EraseParticipant(ParticipantCommand):
    """Every trace of the participant leaves intake, and, by its published erasure, the
    other services and the streams (api.md, "Privacy: erasure and retention")."""

    ACTION = "erase"


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
    """A checked sheet's rows: each a participant's start and, when it has them, its stop
    and a follow-up after it; or an activity."""

    ACTION = "import"
    import_id: str
    file: str
    kind: str
    """The rows' kind (`import_rows.KINDS`), for the answer to say what was imported."""
    rows: tuple[ImportRow, ...]
    written: Callable[[int, int], None] = field(compare=False)
    """Told (rows stored, rows in all) before the first and after each row."""
