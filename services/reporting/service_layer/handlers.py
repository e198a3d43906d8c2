"""Applying a batch of outcomes' changes: one transaction, each change at most once, only
the current generation's."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prometheus_client import Counter

from services.reporting.domain.closing import known_by
from services.reporting.domain.contributions import (
    Contributions,
    accumulate,
    activity_contributions,
    add_dated,
    record_delta,
    volume_contributions,
)
from services.reporting.domain.erasure import step_contributions
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.service_layer.unit_of_work import ProjectionUnitOfWork
from shared.contract.records import (
    ActivityCounted,
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecordChanged,
    ParticipantRecordErased,
    PositionPassed,
    VolumeCounted,
)
from shared.platform.logs import batch_trace

log = logging.getLogger(__name__)

STALE_CHANGES = Counter(
    "stegvis_reporting_stale_changes_total",
    "Changes ignored because they belong to another generation than reporting's (rebuild).",
)


@dataclass(frozen=True)
class Applied:
    duplicates: int
    """Changes of the current generation processed before (redeliveries), but those that
    pass a position (`_counting`)."""
    stale: int
    """Changes of another generation, ignored."""
    erased: tuple[str, ...] = ()
    """The message ids of the stream entries naming the batch's erased participants (of
    any generation), to be deleted now that reporting keeps their contribution."""


async def apply_changes(
    uow: ProjectionUnitOfWork, batch: Sequence[OutcomeChange], close_days: int
) -> Applied:
    async with uow:
        generation = await uow.meta.lock(_newest_of_each_generation(batch))
        current = [change for change in batch if change.generation == generation]
        counting = _counting(current)
        unique = _first_of_each(counting)
        new_ids = await uow.processed.claim([change.change_id for change in unique])
        fresh = [change for change in unique if change.change_id in new_ids]
        deltas = _deltas(fresh, close_days)
        await uow.retained.add(await _erased(uow, fresh, close_days, deltas))
        await uow.monthly.add(_nonzero(deltas))
        await uow.insatser.register(_newest_registrations(fresh))
        await uow.commit()
    stale = len(batch) - len(current)
    STALE_CHANGES.inc(stale)
    if fresh:  # change_id: the intake event behind the change
        traced = [(change.change_id, change.position) for change in fresh]
        log.info("%d changes applied", len(fresh), extra=batch_trace(traced))
    erased = tuple(
        message_id
        for change in batch
        if isinstance(change, ParticipantRecordErased)
        for message_id in change.event_ids
    )
    return Applied(duplicates=len(counting) - len(fresh), stale=stale, erased=erased)


def _newest_of_each_generation(changes: Iterable[OutcomeChange]) -> dict[int, ProcessedThrough]:
    """The position and time of each generation's newest change: the meta row advances by
    its own generation's (stale changes do not count: a rebuild waits for the new
    generation's positions)."""
    newest: dict[int, OutcomeChange] = {}
    for change in changes:
        known = newest.get(change.generation)
        if known is None or known.position < change.position:
            newest[change.generation] = change
    return {
        generation: ProcessedThrough(change.position, change.occurred_at)
        for generation, change in newest.items()
    }


def _counting(changes: Iterable[OutcomeChange]) -> list[OutcomeChange]:
    """The changes but those that pass a position: they count nothing, so applied again
    they change nothing (the position only advances) and their ids are not claimed. Most
    changes are such check-ins: each id claimed cost PostgreSQL a row and an index entry."""
    return [change for change in changes if not isinstance(change, PositionPassed)]


def _first_of_each(changes: Iterable[OutcomeChange]) -> list[OutcomeChange]:
    # A relay that crashed between XADD and its delete sends a change twice, maybe in one batch.
    seen: set[str] = set()
    first = []
    for change in changes:
        if change.change_id not in seen:
            seen.add(change.change_id)
            first.append(change)
    return first


def _deltas(changes: Iterable[OutcomeChange], close_days: int) -> Contributions:
    total: Contributions = {}
    for change in changes:
        # Dated by when intake accepted the event: the months as closed (domain/closing.py).
        match change:
            case ParticipantRecordChanged():
                # Most are a check-in that counts nothing: dated only when something counts.
                if delta := record_delta(change.before, change.after):
                    add_dated(total, delta, known_by(change.occurred_at, close_days))
            case VolumeCounted():
                dated = known_by(change.occurred_at, close_days)
                accumulate(
                    total,
                    volume_contributions(change.insats_id, change.date, change.counts, dated),
                )
            case ActivityCounted():
                accumulate(
                    total, activity_contributions(change, known_by(change.occurred_at, close_days))
                )
    return total


async def _erased(
    uow: ProjectionUnitOfWork,
    changes: Iterable[OutcomeChange],
    close_days: int,
    deltas: Contributions,
) -> Contributions:
    """The erased participants' whole contributions, to keep. Those of their changes not
    applied yet (outcomes withdrew them) are added to `deltas` now, and their ids claimed,
    so the figures hold exactly what is kept."""
    steps = [
        step
        for change in changes
        if isinstance(change, ParticipantRecordErased)
        for step in step_contributions(change.history, close_days)
    ]
    unapplied = await uow.processed.claim([change_id for change_id, _ in steps])
    retained: Contributions = {}
    for change_id, added in steps:
        accumulate(retained, added)
        if change_id in unapplied:
            accumulate(deltas, added)
    return _nonzero(retained)


def _nonzero(contributions: Contributions) -> Contributions:
    return {cell: value for cell, value in contributions.items() if value != 0}


def _newest_registrations(changes: Iterable[OutcomeChange]) -> list[Insats]:
    newest: dict[str, Insats] = {}
    for change in changes:
        if isinstance(change, InsatsRegistered):
            known = newest.get(change.insats_id)
            if known is None or known.position < change.position:
                newest[change.insats_id] = Insats(
                    change.insats_id, change.name, change.registration.value, change.position
                )
    return list(newest.values())
