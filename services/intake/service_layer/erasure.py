"""Erasing participants (gallring): one by its code, or every one whose stop is dated
before a day (`stegvis purge`). Each erasure is its own command and transaction; its answer
is never stored (it names the code) and its audit row names the insats only."""

from collections import Counter
from collections.abc import Callable
from datetime import date

from services.intake.domain.errors import NotFound
from services.intake.service_layer.answers import Answer
from services.intake.service_layer.commands import EraseParticipant
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.access import Principal


async def erase(
    new_uow: Callable[[], UnitOfWork], insats_id: str, participant_id: str, caller: Principal
) -> Answer:
    """Erase the participant; `NotFound` when the insats has no such participant."""
    audited = Audited(caller, f"/api/v1/insatser/{insats_id}")
    return await dispatch(new_uow, EraseParticipant(insats_id, participant_id), audited)


async def ended_before(new_uow: Callable[[], UnitOfWork], day: date) -> dict[str, int]:
    """How many participants' stops are dated before `day`, per insats."""
    async with new_uow() as uow:
        participants = await uow.erasure.ended_before(day)
    return dict(Counter(participant.insats_id for participant in participants))


async def purge(
    new_uow: Callable[[], UnitOfWork],
    day: date,
    caller: Principal,
    progress: Callable[[int, int], None],
) -> dict[str, int]:
    """Erase every participant whose stop is dated before `day`; returns how many per insats.
    `progress` is told (erased, in all) before the first and after each."""
    async with new_uow() as uow:
        participants = await uow.erasure.ended_before(day)
    erased: Counter[str] = Counter()
    progress(0, len(participants))
    for done, participant in enumerate(participants, 1):
        try:
            await erase(new_uow, participant.insats_id, participant.participant_id, caller)
            erased[participant.insats_id] += 1
        except NotFound:  # erased meanwhile, by its code
            pass
        progress(done, len(participants))
    return dict(erased)
