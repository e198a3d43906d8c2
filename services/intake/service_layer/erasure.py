"""Erasing participants (gallring): one by its code, or every one whose stop is dated
before a day (`stegvis purge`). Each erasure is its own command and transaction; its answer
is never stored (it names the code) and its audit row names the insats only."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from services.intake.domain.errors import NotFound
from services.intake.service_layer.answers import Answer
from services.intake.service_layer.commands import EraseParticipant
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.access import Principal


@dataclass(frozen=True)
class Registrations:
    """Registrations to purge or purged, and the people they are of: a participant who
    moved on has one in each insats, all erased together (the code is the person)."""

    per_insats: dict[str, int]
    people: int

    @property
    def total(self) -> int:
        return sum(self.per_insats.values())

    @classmethod
    def of(cls, registrations: Iterable[tuple[str, str]]) -> "Registrations":
        """From (participant code, insats) pairs."""
        pairs = list(registrations)
        per_insats = Counter(insats_id for _, insats_id in pairs)
        return cls(dict(per_insats), len({code for code, _ in pairs}))


async def erase(
    new_uow: Callable[[], UnitOfWork], insats_id: str, participant_id: str, caller: Principal
) -> Answer:
    """Erase the participant; `NotFound` when the insats has no such participant."""
    audited = Audited(caller, f"/api/v1/insatser/{insats_id}")
    return await dispatch(new_uow, EraseParticipant(insats_id, participant_id), audited)


async def ended_before(new_uow: Callable[[], UnitOfWork], day: date) -> Registrations:
    """The registrations `purge` would erase by `day`."""
    async with new_uow() as uow:
        participants = await uow.erasure.ended_before(day)
    return Registrations.of((p.participant_id, p.insats_id) for p in participants)


async def purge(
    new_uow: Callable[[], UnitOfWork],
    day: date,
    caller: Principal,
    progress: Callable[[int, int], None],
) -> Registrations:
    """Erase every participant whose stops are all dated before `day`; returns the
    registrations erased. `progress` is told (erased, in all) before the first and after
    each."""
    async with new_uow() as uow:
        participants = await uow.erasure.ended_before(day)
    # One erasure per code takes every insats it moved through.
    registrations: dict[str, list[str]] = {}
    for participant in participants:
        registrations.setdefault(participant.participant_id, []).append(participant.insats_id)
    erased: list[tuple[str, str]] = []
    progress(0, len(registrations))
    for done, (code, insatser) in enumerate(registrations.items(), 1):
        try:
            await erase(new_uow, insatser[0], code, caller)
            erased += [(code, insats_id) for insats_id in insatser]
        except NotFound:  # erased meanwhile, by its code
            pass
        progress(done, len(registrations))
    return Registrations.of(erased)
