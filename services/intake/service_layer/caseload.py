"""Reads for the staff forms: an insats's caseload (who is active, since when, last seen
when), and the one participant a check-in or stop form is about."""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from services.intake.domain.errors import NotFound
from services.intake.domain.model import Participant
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.events import ParticipantEvent


@dataclass(frozen=True)
class CaseloadEntry:
    participant_id: str
    start_date: date
    last_check_in: date | None
    """The latest check-in's date (as registered, not when), None before the first."""

    def weeks_so_far(self, today: date) -> int:
        return max(0, (today - self.start_date).days // 7)


class Caseload(Protocol):
    async def active(self, insats_id: str) -> list[CaseloadEntry]:
        """The insats's participants not stopped, the earliest start first."""

    async def ended(self, insats_id: str) -> list[tuple[str, list[ParticipantEvent]]]:
        """The insats's stopped participants (not voided), each with its events."""


async def participant_in(uow: UnitOfWork, insats_id: str, participant_id: str) -> Participant:
    """The participant of the insats (stopped or not); else NotFound."""
    participant = await uow.participants.get(insats_id, participant_id)
    if participant is None:
        raise NotFound(f"no participant {participant_id} in insats {insats_id}")
    return participant
