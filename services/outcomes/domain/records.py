"""A participant's record, derived from all of its events.

The record is a pure function of the events in log order, so redelivered, re-sent or
rebuilt events always give the same record, whichever order batches arrive in.
"""

from collections.abc import Sequence
from datetime import date

from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ParticipantEvent,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    effective_events,
)
from shared.contract.records import ParticipantRecord, StepMovement

ACTIVITY_HOURS = "activity_hours"
VAS = "vas"
INDICATOR_PREFIX = "indicator:"

Observation = tuple[date, int, float]
"""(date measured, order in the log, value): sorting gives the chronological order."""


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
    stop = stops[-1] if stops else None
    record = ParticipantRecord(
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
        steps=step_movements(events),
    )
    if stop is None:
        return record
    return record.model_copy(
        update={
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
        }
    )


def step_movements(events: Sequence[RegisteredEvent]) -> dict[str, StepMovement]:
    """First and latest value of every measure observed at least twice."""
    observations: dict[str, list[Observation]] = {}

    def observe(measure: str, when: date, order: int, value: float | None) -> None:
        if value is not None:
            observations.setdefault(measure, []).append((when, order, float(value)))

    for order, event in enumerate(events):
        match event:
            case ParticipantStarted():
                observe(ACTIVITY_HOURS, event.start_date, order, event.activity_hours_per_week)
                observe(VAS, event.start_date, order, event.vas)
            case ParticipantProgressed():
                observe(ACTIVITY_HOURS, event.date, order, event.activity_hours_per_week)
                observe(VAS, event.date, order, event.vas)
                for name, score in event.indicators.items():
                    observe(INDICATOR_PREFIX + name, event.date, order, score)
            case ParticipantStopped():
                observe(VAS, event.end_date, order, event.vas)
    movements = {}
    for measure, values in sorted(observations.items()):
        if len(values) >= 2:
            values.sort()
            movements[measure] = StepMovement(first=values[0][2], latest=values[-1][2])
    return movements
