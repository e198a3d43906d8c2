"""Applying a batch of intake events: one transaction, each event at most once."""

import collections
import logging
from collections.abc import Sequence
from operator import itemgetter
from typing import NamedTuple

from prometheus_client import Counter

from services.outcomes.domain.incremental import (
    NOTHING_YET,
    PositionedParticipantEvent,
    Summary,
    summarised,
    taken,
)
from services.outcomes.domain.records import derive_record
from services.outcomes.domain.registrations import registration_key
from services.outcomes.service_layer.unit_of_work import Known, Stored, StoredEvent, UnitOfWork
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ActivityRegistered,
    InsatsDefined,
    IntakeEvent,
    ParticipantEvent,
    VolumeRegistered,
)
from shared.contract.records import (
    ActivityCounted,
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
    PositionPassed,
    VolumeCounted,
    counted_alike,
)
from shared.platform.logs import batch_trace

log = logging.getLogger(__name__)

CHANGES = Counter(
    "stegvis_outcomes_changes_total",
    "Changes committed to the outbox for reporting, by type.",
    ["type"],
)


class PositionedEvent(NamedTuple):
    """An intake event with its position in intake's event log (a named tuple: one is made
    for every entry decoded, and a frozen dataclass sets each field through
    `object.__setattr__`)."""

    position: int
    event: IntakeEvent
    body: str | None = None
    """The event's JSON as it came from the stream, stored as it is (None: from `event`)."""

    def json(self) -> str:
        return self.event.model_dump_json() if self.body is None else self.body


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
        bodies: list[StoredEvent] = []
        for item in fresh:
            event = item.event
            if isinstance(event, ParticipantEvent):
                key = registration_key(event.insats_id, event.participant_id)
                arrived.setdefault(key, []).append((item.position, event))
                bodies.append((item.position, event, item.json()))
            else:
                changes.append(_insats_change(item, generation))
        if arrived:
            changes += await _apply_participant_events(uow, arrived, bodies, generation, policy)
        changes.sort(key=lambda change: change.position)
        changes += _position_passed(fresh, changes, generation)
        await uow.changes.publish(changes)
        await uow.commit()
    for change_type, count in collections.Counter(change.type for change in changes).items():
        CHANGES.labels(change_type).inc(count)
    if fresh:
        traced = [(item.event.event_id, item.position) for item in fresh]
        log.info("%d events applied", len(fresh), extra=batch_trace(traced))
    return len(batch) - len(fresh)


async def _apply_participant_events(
    uow: UnitOfWork,
    arrived: dict[str, list[PositionedParticipantEvent]],
    bodies: list[StoredEvent],
    generation: int,
    policy: OutcomePolicy,
) -> list[ParticipantRecordChanged]:
    """Each participant's arrived events taken from its stored record and summary, or, when
    one of them needs it, derived again from all of its events (read only then)."""
    participant_ids = sorted(arrived)
    await uow.participants.lock(participant_ids)
    known = await uow.participants.known(participant_ids)
    for events in arrived.values():
        events.sort(key=itemgetter(0))
    derived = {pid: _taken_one_by_one(known.get(pid), arrived[pid], policy) for pid in arrived}
    in_full = [pid for pid in participant_ids if derived[pid] is None]
    stored = await uow.participants.events(in_full) if in_full else {}
    changes: list[ParticipantRecordChanged] = []
    after_batch: dict[str, Known] = {}
    for pid in participant_ids:
        taken_here = derived[pid]
        afters, summary = (
            taken_here
            if taken_here is not None
            else _derived_in_full(stored.get(pid, []), arrived[pid], policy)
        )
        before = known[pid].record if pid in known else None
        changes += _changes_event_by_event(before, arrived[pid], afters, generation)
        # Stored whether the record changed or not: its row is written for the summary.
        after_batch[pid] = Known(afters[-1], summary)
    await uow.participants.store(Stored(bodies, after_batch))
    return changes


Afters = tuple[list[ParticipantRecord | None], Summary | None]
"""The record after each arrived event (in log order), and the summary after them all."""


def _taken_one_by_one(
    known: Known | None, arrived: list[PositionedParticipantEvent], policy: OutcomePolicy
) -> Afters | None:
    """The records from the stored record and summary, event by event; None when one of
    the events needs the full derivation."""
    record, summary = (None, NOTHING_YET) if known is None else (known.record, known.summary)
    afters = []
    for position, event in arrived:
        step = None if summary is None else taken(record, summary, position, event, policy)
        if step is None:
            return None
        record, summary = step
        afters.append(record)
    return afters, summary


def _derived_in_full(
    stored: list[PositionedParticipantEvent],
    arrived: list[PositionedParticipantEvent],
    policy: OutcomePolicy,
) -> Afters:
    """The records from all of the participant's events, the reference derivation."""
    afters = [
        derive_record(
            [event for _, event in _in_log_order(stored, arrived[:count])],
            policy,
        )
        for count in range(1, len(arrived) + 1)
    ]
    return afters, summarised(_in_log_order(stored, arrived))


def _changes_event_by_event(
    record: ParticipantRecord | None,
    arrived: list[PositionedParticipantEvent],
    afters: list[ParticipantRecord | None],
    generation: int,
) -> list[ParticipantRecordChanged]:
    """One change per arrived event that changes the record, each stamped with its own event.

    Never one change for several events: reporting dates a change by when intake accepted its
    event (a month's figures as closed), so a batch must not move an early event's effect to
    a later one's time, whatever the batching. None for an event after which reporting counts
    the record alike (`counted_alike`: most are check-ins of an open record, which reporting
    would only pass over), so the stream carries only what counts.
    """
    changes = []
    for (position, event), after in zip(arrived, afters, strict=True):
        # `counted_alike` first: it settles most events (check-ins) in a few attributes.
        if counted_alike(record, after) or _same(after, record):
            record = after
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


def _same(after: ParticipantRecord | None, before: ParticipantRecord | None) -> bool:
    """Whether two records (or none) hold the same values. Their fields compared as a dict:
    what pydantic's `==` compares for frozen models without private or extra attributes,
    without its generic path (about a tenth of its cost, once per event)."""
    if after is before:
        return True
    return after is not None and before is not None and after.__dict__ == before.__dict__


def _in_log_order(
    stored: list[PositionedParticipantEvent], arrived: list[PositionedParticipantEvent]
) -> list[PositionedParticipantEvent]:
    """All of a participant's events, sorted by their position in intake's log."""
    return sorted(stored + arrived, key=itemgetter(0))


def _first_of_each(items) -> list[PositionedEvent]:
    # A relay that crashed between XADD and its delete sends an event twice, maybe in one batch.
    seen: set[str] = set()
    first = []
    for item in items:
        if item.event.event_id not in seen:
            seen.add(item.event.event_id)
            first.append(item)
    return first


def _position_passed(
    fresh: Sequence[PositionedEvent], changes: Sequence[OutcomeChange], generation: int
) -> list[PositionPassed]:
    """A marker for the batch's newest event when it changed nothing: reporting's processed
    position must reach every position outcomes processed, or `stegvis rebuild --wait` waits
    for ever on a log that ends with such an event. One per batch at most, not per event."""
    newest = max(fresh, key=lambda item: item.position, default=None)
    if newest is None or (changes and changes[-1].position == newest.position):
        return []
    return [PositionPassed(**_stamped(newest, generation))]


def _stamped(item: PositionedEvent, generation: int) -> dict:
    """The fields every change takes from the event behind it."""
    event = item.event
    return {
        "change_id": event.event_id,
        "generation": generation,
        "position": item.position,
        "occurred_at": event.occurred_at,
        "insats_id": event.insats_id,
    }


def _insats_change(item: PositionedEvent, generation: int) -> OutcomeChange:
    event = item.event
    common = _stamped(item, generation)
    match event:
        case InsatsDefined():
            return InsatsRegistered(**common, name=event.name, registration=event.registration)
        case VolumeRegistered():
            return VolumeCounted(
                **common,
                date=event.date,
                counts={"kvinna": event.kvinna, "man": event.man, "annan": event.annan},
            )
        case ActivityRegistered():
            organisations = event.organisations
            return ActivityCounted(
                **common,
                date=event.date,
                kind=event.kind,
                participants=event.participants.model_dump(),
                organisations=organisations.model_dump() if organisations else {},
                places=event.places,
            )
    raise TypeError(f"not an insats, volume or activity event: {type(event).__name__}")
