"""A participant's record, derived from all of its events.

The record is a pure function of the events in log order, so redelivered, re-sent or
rebuilt events always give the same record, whichever order batches arrive in. This full
derivation is the reference; `incremental.py` takes one event more from a summary of the
events before it, with the same pieces (`opened`, `closed`, `followed_up`, `observe`,
`movements`).
"""

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from datetime import date
from functools import lru_cache
from math import copysign
from typing import Any, get_args

from shared.contract.codes import WORK_OR_STUDIES, OutcomePolicy
from shared.contract.events import (
    ParticipantEvent,
    ParticipantFollowedUp,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    effective_events,
)
from shared.contract.records import FollowupRecord, ParticipantRecord, StepMovement

ACTIVITY_HOURS = "activity_hours"
VAS = "vas"
INDICATOR_PREFIX = "indicator:"

Observation = tuple[str, int, float]
"""(date measured as ISO text, order in the log, value): sorting gives the chronological
order (the text sorts as the date does, and a summary stores it as it is)."""


Observed = tuple[int, Observation, Observation]
"""One measure's observations, as far as a step movement needs them: (times observed, first,
latest). A plain tuple, not a named one: one is made for every measure an event reads (a named
tuple's `__new__` is a Python function, some seven times the cost), and a stored summary
loads straight into them."""


def derive_record(
    events: Sequence[ParticipantEvent], policy: OutcomePolicy
) -> ParticipantRecord | None:
    """The record of one participant from its events in log order, as corrected (None
    before a start, or once the start is voided)."""
    events = effective_events(events)
    start = next((e for e in events if isinstance(e, ParticipantStarted)), None)
    if start is None:
        return None
    stops = [e for e in events if isinstance(e, ParticipantStopped)]
    record = opened(start, step_movements(events))
    if stops:
        record = closed(record, stops[-1], policy)
    for followup in (e for e in events if isinstance(e, ParticipantFollowedUp)):
        record = followed_up(record, followup, policy)
    return record


def opened(start: ParticipantStarted, steps: dict[str, StepMovement]) -> ParticipantRecord:
    """The record of a participant from its (first) start, with its step movements."""
    return ParticipantRecord(
        participant_id=start.participant_id,
        insats_id=start.insats_id,
        gender=start.gender,
        start_date=start.start_date,
        birth_year=start.birth_year,
        education=start.education,
        support_at_start=tuple(start.support_at_start),
        years_in_support=start.years_in_support,
        referrer=start.referrer,
        municipality=start.municipality,
        vas_start=start.vas,
        steps=steps,
        moved_from=start.moved_from,
    )


def closed(
    record: ParticipantRecord, stop: ParticipantStopped, policy: OutcomePolicy
) -> ParticipantRecord:
    """The record as its (latest) stop ends it."""
    return updated(
        record,
        {
            "end_date": stop.end_date,
            "reason": stop.reason,
            "outcome_class": policy.outcome_class(stop.reason),
            "direct_to_work_or_studies": policy.is_direct(stop.reason),
            "support_at_end": tuple(stop.support_at_end),
            "health_better": stop.health_better,
            "activity_increased": stop.activity_increased,
            "work_capacity": stop.work_capacity,
            "vas_end": stop.vas,
            "respect": stop.respect,
            "moved_to": stop.moved_to,
        },
    )


def followed_up(
    record: ParticipantRecord, followup: ParticipantFollowedUp, policy: OutcomePolicy
) -> ParticipantRecord:
    """The record with the follow-up after `followup.months_after` months (in the place of
    any it had), its status classed by the förbund's policy."""
    status = followup.status if followup.reached else None
    added = FollowupRecord(
        months_after=followup.months_after,
        date=followup.date,
        reached=followup.reached,
        status=status,
        outcome_class=None if status is None else policy.outcome_class(status),
        work_or_studies=status in WORK_OR_STUDIES,
        support=tuple(followup.support),
    )
    kept = [f for f in record.followups if f.months_after != added.months_after]
    followups = tuple(sorted([*kept, added], key=lambda f: f.months_after))
    return updated(record, {"followups": followups})


def updated(record: ParticipantRecord, fields: dict[str, Any]) -> ParticipantRecord:
    """`record.model_copy(update=fields)` without pydantic's generic copy (three calls of
    `copy.copy`, as much again as the rest of a check-in's step): a record is frozen, with
    no extra or private attributes, so its copy is its fields with these in their place, and
    these count as set, as in `model_copy`."""
    fields_set = record.__pydantic_fields_set__
    if not fields_set.issuperset(fields):  # else shared: a frozen model's is never changed
        fields_set = fields_set.union(fields)
    copied = object.__new__(ParticipantRecord)
    object.__setattr__(copied, "__dict__", record.__dict__ | fields)
    object.__setattr__(copied, "__pydantic_fields_set__", fields_set)
    object.__setattr__(copied, "__pydantic_extra__", None)
    object.__setattr__(copied, "__pydantic_private__", None)
    return copied


def step_movements(events: Sequence[RegisteredEvent]) -> dict[str, StepMovement]:
    """First and latest value of every measure observed at least twice."""
    observed: dict[str, Observed] = {}
    for order, event in enumerate(events):
        observe(observed, event, order)
    return movements(observed)


def observe(
    observed: MutableMapping[str, Observed], event: RegisteredEvent, order: int
) -> list[str]:
    """Add what `event`, `order`-th in the log, measured; returns the measures it touched."""
    readings = _READINGS.get(type(event))
    if readings is None:
        return []
    when, values = readings(event)
    day = when.isoformat()  # once an event: all of its readings are of its date
    touched: list[str] = []
    for measure, value in values:
        if value is None:
            continue
        touched.append(measure)
        seen = (day, order, float(value))
        known = observed.get(measure)
        if known is None:
            observed[measure] = (1, seen, seen)
        else:
            times, first, latest = known
            observed[measure] = (
                times + 1,
                seen if seen < first else first,
                seen if seen > latest else latest,
            )
    return touched


Readings = tuple[date, list[tuple[str, float | None]]]
"""(date measured, each measure's value or None when not measured)."""


def _started(event: ParticipantStarted) -> Readings:
    return event.start_date, [
        (ACTIVITY_HOURS, event.activity_hours_per_week),
        (VAS, event.vas),
    ]


def _progressed(event: ParticipantProgressed) -> Readings:
    values: list[tuple[str, float | None]] = [
        (ACTIVITY_HOURS, event.activity_hours_per_week),
        (VAS, event.vas),
    ]
    values += [(INDICATOR_PREFIX + name, score) for name, score in event.indicators.items()]
    return event.date, values


def _stopped(event: ParticipantStopped) -> Readings:
    return event.end_date, [(VAS, event.vas)]


REGISTERED_TYPES = frozenset(get_args(RegisteredEvent))
"""The registered events' exact types. The hot path dispatches on `type(event)`, not
`isinstance`: a pydantic model's class check goes through ABCMeta, a cost on every event
(the contract's event classes have no subclasses)."""

_READINGS: dict[type, Callable[[Any], Readings]] = {
    ParticipantStarted: _started,
    ParticipantProgressed: _progressed,
    ParticipantStopped: _stopped,
}


def movements(observed: Mapping[str, Observed]) -> dict[str, StepMovement]:
    """The step movement of every measure observed at least twice, by measure name."""
    return {
        measure: step_movement(first[2], latest[2])
        for measure, (times, first, latest) in sorted(observed.items())
        if times >= 2
    }


def step_movement(first: float, latest: float) -> StepMovement:
    """The step movement from `first` to `latest`: one (frozen) model per pair of values,
    shared, since making one (its validation) was a cost on every check-in, and the values
    of a scale repeat (up to 10,000 pairs of a VAS: the cache holds most, some 5 MB)."""
    if first and latest:
        return _shared_step(first, latest)
    # With the signs in the key: 0.0 and -0.0 are equal (one key alone), but written apart.
    return _shared_step(first, latest, copysign(1.0, first), copysign(1.0, latest))


@lru_cache(maxsize=8_192)
def _shared_step(first: float, latest: float, *_signs: float) -> StepMovement:
    return StepMovement(first=first, latest=latest)
