"""Erasing participants (intake's `ParticipantErased`): in one transaction their events,
records and summaries go, their changes not yet published are withdrawn, and reporting is
told their record's history without their code, to keep their contribution to the figures.
Their event ids are claimed as processed, so a redelivered event of theirs stores nothing."""

import logging
from collections.abc import Callable, Sequence

from services.outcomes.domain.erasure import record_history
from services.outcomes.domain.incremental import PositionedParticipantEvent
from services.outcomes.domain.registrations import registration_key
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from services.outcomes.service_layer.unit_of_work import UnitOfWork
from shared.contract import records
from shared.contract.codes import OutcomePolicy
from shared.contract.events import ParticipantErased
from shared.platform.logs import trace

log = logging.getLogger(__name__)


async def apply_batch(
    new_uow: Callable[[], UnitOfWork], batch: Sequence[PositionedEvent], policy: OutcomePolicy
) -> int:
    """The batch's events, then its erasures (an erasure follows its participant's events
    in the stream); returns how many were duplicates."""
    # By exact type (the contract's events have no subclasses): a pydantic class's
    # `isinstance` goes through ABCMeta, twice an event here.
    erasures = [item for item in batch if type(item.event) is ParticipantErased]
    events = [item for item in batch if type(item.event) is not ParticipantErased]
    duplicates = await apply_events(new_uow(), events, policy) if events else 0
    if erasures:
        duplicates += await erase_participants(new_uow(), erasures, policy)
    return duplicates


async def erase_participants(
    uow: UnitOfWork, batch: Sequence[PositionedEvent], policy: OutcomePolicy
) -> int:
    """Apply the erasures not applied before; returns how many were duplicates."""
    async with uow:
        generation = await uow.meta.generation()
        new_ids = await uow.processed.claim({item.event.event_id for item in batch})
        fresh: dict[str, tuple[int, ParticipantErased]] = {}
        for item in batch:
            if item.event.event_id in new_ids and isinstance(item.event, ParticipantErased):
                fresh.setdefault(item.event.event_id, (item.position, item.event))
        # One erasure per registration: intake erases a code in every insats it moved through.
        registrations = sorted({_registration(erasure) for _, erasure in fresh.values()})
        await uow.participants.lock(registrations)
        stored = await uow.participants.events(registrations)
        await uow.processed.claim({i for _, erasure in fresh.values() for i in erasure.event_ids})
        await uow.participants.forget(registrations)
        await uow.changes.withdraw([e.event_id for events in stored.values() for _, e in events])
        await uow.changes.publish(
            [
                _erased(
                    position, erasure, stored.get(_registration(erasure), []), generation, policy
                )
                for position, erasure in fresh.values()
            ]
        )
        await uow.commit()
    for position, erasure in fresh.values():
        log.info("participant erased", extra=trace(erasure.event_id, erasure.type, position))
    return len(batch) - len(fresh)


def _registration(erasure: ParticipantErased) -> str:
    return registration_key(erasure.insats_id, erasure.participant_id)


def _erased(
    position: int,
    erasure: ParticipantErased,
    stored: list[PositionedParticipantEvent],
    generation: int,
    policy: OutcomePolicy,
) -> records.ParticipantRecordErased:
    named = {erasure.event_id, *erasure.event_ids, *(event.event_id for _, event in stored)}
    return records.ParticipantRecordErased(
        change_id=erasure.event_id,
        generation=generation,
        position=position,
        occurred_at=erasure.occurred_at,
        insats_id=erasure.insats_id,
        history=record_history(stored, policy),
        event_ids=tuple(sorted(named)),
    )
