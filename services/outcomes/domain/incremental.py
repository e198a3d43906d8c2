"""Taking one event more without deriving the record again from every event.

A participant's `Summary` holds what its record needs from the events so far besides the
record itself: the latest log position taken and each measure's first and latest
observation. An event that comes after that position and is a start, check-in or stop
changes the events as they count only by being added at the end, so the record follows
from the record and the summary. Anything else (a correction or void, an event older than
the summary, a start after a stop that had none) needs `records.derive_record` over all the
events, the reference this must agree with (a property test checks it).
"""

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple, cast

from services.outcomes.domain.records import (
    REGISTERED_TYPES,
    Observed,
    closed,
    followed_up,
    movements,
    observe,
    opened,
    step_movement,
    updated,
)
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ParticipantEvent,
    ParticipantFollowedUp,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    effective_events,
)
from shared.contract.records import ParticipantRecord

PositionedParticipantEvent = tuple[int, ParticipantEvent]
"""A participant's event with its position in intake's event log."""


class Summary(NamedTuple):
    """What a participant's events so far mean for the next one, besides the record. A
    named tuple, not a frozen dataclass: one is made for every event taken, and a frozen
    dataclass sets each field through `object.__setattr__`."""

    position: int
    """The latest log position among the events taken."""
    stopped: bool = False
    """Whether a stop or a follow-up counts (either could precede the start only if the
    log were odd: then a start needs the full derivation)."""
    observed: Mapping[str, Observed] = MappingProxyType({})
    """Each measure's observations, ordered by log position."""


NOTHING_YET = Summary(position=-1)
"""The summary of a participant without events."""

Derived = tuple[ParticipantRecord | None, Summary]


def taken(
    record: ParticipantRecord | None,
    summary: Summary,
    position: int,
    event: ParticipantEvent,
    policy: OutcomePolicy,
) -> Derived | None:
    """The record and summary once `event` at `position` is taken too; None when only the
    full derivation can tell."""
    if position <= summary.position or type(event) not in REGISTERED_TYPES:
        return None
    observed = dict(summary.observed)
    touched = observe(observed, cast(RegisteredEvent, event), position)
    stopped = summary.stopped
    if record is None:
        if type(event) is ParticipantStarted:
            if stopped:
                return None
            record = opened(event, movements(observed))
    else:  # only the measures the event touched can move
        record = _moved(record, observed, touched)
    if type(event) is ParticipantStopped:
        stopped = True
        if record is not None:
            record = closed(record, event, policy)
    elif type(event) is ParticipantFollowedUp:
        stopped = True
        if record is not None:
            record = followed_up(record, event, policy)
    return record, Summary(position, stopped, observed)


def _moved(
    record: ParticipantRecord, observed: Mapping[str, Observed], touched: list[str]
) -> ParticipantRecord:
    """The record with the touched measures' step movements in place of its own; the
    record itself (not a copy) when none of them differs, so an event that moves nothing
    changes nothing. Compared as plain values: a model is made only for a step that moved."""
    steps = record.steps
    moved = {}
    for measure in touched:
        times, (_, _, first), (_, _, latest) = observed[measure]
        if times < 2:
            continue
        step = steps.get(measure)
        if step is None or step.first != first or step.latest != latest:
            moved[measure] = step_movement(first, latest)
    if not moved:
        return record
    merged = steps | moved  # in the record's order (by measure) while no measure is new
    if len(merged) > len(steps):
        merged = dict(sorted(merged.items()))
    return updated(record, {"steps": merged})


def summarised(events: Sequence[PositionedParticipantEvent]) -> Summary | None:
    """The summary of a participant's events (in log order); None when nothing of them
    counts (a voided start, or every event voided): such a participant is derived in full."""
    effective = effective_events([event for _, event in events])
    if not effective:
        return None
    positions = {event.event_id: position for position, event in events}
    observed: dict[str, Observed] = {}
    for event in effective:
        observe(observed, event, positions[event.event_id])
    return Summary(
        max(positions.values()),
        any(isinstance(event, ParticipantStopped | ParticipantFollowedUp) for event in effective),
        observed,
    )
