"""Reads for the forms: which insatser exist, who is (still) in one, and what was
registered about a participant."""

from services.intake.domain.errors import NotFound
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.events import RegisteredEvent, effective_events


async def list_insatser(uow: UnitOfWork) -> list[Insats]:
    return await uow.insatser.list()


async def get_insats(uow: UnitOfWork, insats_id: str) -> Insats:
    insats = await uow.insatser.get(insats_id)
    if insats is None:
        raise NotFound(f"no insats {insats_id}")
    return insats


async def list_participants(
    uow: UnitOfWork, insats_id: str, *, active_only: bool
) -> list[Participant]:
    await get_insats(uow, insats_id)
    return await uow.participants.list(insats_id, active_only=active_only)


async def participant_events(
    uow: UnitOfWork, insats_id: str, participant_id: str
) -> list[RegisteredEvent]:
    """The participant's events as they count now (corrected; voided ones left out): what a
    correction or a void can concern."""
    participant = await uow.participants.get(insats_id, participant_id)
    if participant is None or participant.voided:
        raise NotFound(f"no participant {participant_id} in insats {insats_id}")
    return effective_events(await uow.events.of_participant(insats_id, participant_id))
