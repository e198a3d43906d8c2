"""Applying a batch of intake events: one transaction, each event at most once."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from prometheus_client import Counter

from services.outcomes.domain.records import derive_record
from services.outcomes.service_layer.unit_of_work import (
    PositionedParticipantEvent,
    UnitOfWork,
)
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    InsatsDefined,
    IntakeEvent,
    ParticipantEvent,
    VolumeRegistered,
)
from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
    VolumeCounted,
)
from shared.platform.logs import trace

log = logging.getLogger(__name__)

CHANGES = Counter(
    "stegvis_outcomes_changes_total",
    "Changes committed to the outbox for reporting, by type.",
    ["type"],
)


@dataclass(frozen=True)
class PositionedEvent:
    """An intake event with its position in intake's event log."""

    position: int
    event: IntakeEvent


async def apply_events(
    uow: UnitOfWork, batch: Sequence[PositionedEvent], policy: OutcomePolicy
) -> int:
    """Apply the events not applied before; returns how many were duplicates.

    The whole batch goes through each port once (claim, lock, read, write), so its cost in
    round trips does not grow with the number of participants it touches.
    """
    async with uow:
        generation = await uow.meta.generation()
        new_ids = await uow.processed.claim({item.event.event_id for item in batch})
        fresh = _first_of_each(item for item in batch if item.event.event_id in new_ids)
        changes: list[OutcomeChange] = []
        arrived: dict[str, list[PositionedParticipantEvent]] = {}
        for item in fresh:
            event = item.event
            if isinstance(event, ParticipantEvent):
                arrived.setdefault(event.participant_id, []).append((item.position, event))
            else:
                changes.append(_insats_or_volume_change(item, generation))
        participant_ids = sorted(arrived)
        if participant_ids:
            await uow.participants.lock(participant_ids)
            stored = await uow.participants.events(participant_ids)
            records = await uow.participants.records(participant_ids)
            await uow.participants.add_events(
                [pair for participant_id in participant_ids for pair in arrived[participant_id]]
            )
            saved: dict[str, ParticipantRecord | None] = {}
            for participant_id in participant_ids:
                record = records.get(participant_id)
                for change in _changes_event_by_event(
                    record,
                    stored.get(participant_id, []),
                    arrived[participant_id],
                    generation,
                    policy,
                ):
                    changes.append(change)
                    saved[participant_id] = change.after
            await uow.participants.save(saved)
        changes.sort(key=lambda change: change.position)
        await uow.changes.publish(changes)
        await uow.commit()
    for published in changes:
        CHANGES.labels(published.type).inc()
    for item in fresh:
        log.info("event applied", extra=trace(item.event.event_id, item.event.type, item.position))
    return len(batch) - len(fresh)


def _changes_event_by_event(
    record: ParticipantRecord | None,
    stored: list[PositionedParticipantEvent],
    arrived: list[PositionedParticipantEvent],
    generation: int,
    policy: OutcomePolicy,
) -> list[ParticipantRecordChanged]:
    """One change per arrived event that changes the record, each stamped with its own event.

    Never one change for several events: reporting dates a change by when intake accepted its
    event (a month's figures as closed), so a batch must not move an early event's effect to
    a later one's time, whatever the batching.
    """
    changes = []
    arrived = sorted(arrived, key=itemgetter(0))
    for count, (position, event) in enumerate(arrived, 1):
        after = derive_record(_in_log_order(stored, arrived[:count]), policy)
        if after == record:
            continue
        changes.append(
            ParticipantRecordChanged(
                change_id=event.event_id,
                generation=generation,
                position=position,
                occurred_at=event.occurred_at,
                insats_id=event.insats_id,
                participant_id=event.participant_id,
                before=record,
                after=after,
            )
        )
        record = after
    return changes


def _in_log_order(
    stored: list[PositionedParticipantEvent], arrived: list[PositionedParticipantEvent]
) -> list[ParticipantEvent]:
    """All of a participant's events, sorted by their position in intake's log."""
    return [event for _, event in sorted(stored + arrived, key=itemgetter(0))]


def _first_of_each(items) -> list[PositionedEvent]:
    # A relay that crashed between XADD and its delete sends an event twice, maybe in one batch.
    seen: set[str] = set()
    first = []
    for item in items:
        if item.event.event_id not in seen:
            seen.add(item.event.event_id)
            first.append(item)
    return first


def _insats_or_volume_change(item: PositionedEvent, generation: int) -> OutcomeChange:
    event = item.event
    common = {
        "change_id": event.event_id,
        "generation": generation,
        "position": item.position,
        "occurred_at": event.occurred_at,
        "insats_id": event.insats_id,
    }
    match event:
        case InsatsDefined():
            return InsatsRegistered(**common, name=event.name, registration=event.registration)
        case VolumeRegistered():
            return VolumeCounted(
                **common,
                date=event.date,
                counts={"kvinna": event.kvinna, "man": event.man, "annan": event.annan},
            )
    raise TypeError(f"not an insats or volume event: {type(event).__name__}")
