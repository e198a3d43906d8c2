"""Correcting and voiding (felregistrering) a participant's earlier events: which event each
such command yields, and the participant as it stands afterwards. A correction or void is a
new event; the history it changes stays in the log, and everything downstream follows it."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from services.intake.domain.errors import Conflict, InvalidField, NotFound
from services.intake.domain.model import Participant
from shared.contract.events import (
    CorrectionDetails,
    ParticipantEvent,
    ParticipantEventCorrected,
    ParticipantEventVoided,
    ParticipantFollowedUp,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    RegisteredEvent,
    correction_kind,
    effective_events,
)


def correct_event(
    participant: Participant,
    history: Sequence[ParticipantEvent],
    target_id: str,
    details: CorrectionDetails,
    today: date,
) -> tuple[ParticipantEventCorrected, Participant]:
    """`today`: a follow-up is not dated after it, corrected or not."""
    target = _target(participant, history, target_id)
    expected = correction_kind(target)
    if details.kind != expected:
        raise InvalidField(
            details.kind, f"the event corrected is a {expected}: send its fields as {expected!r}"
        )
    _keep_the_move(target, details)
    if details.followup is not None and details.followup.date > today:
        raise InvalidField(
            "followup.date", f"must not be in the future (today is {today.isoformat()})"
        )
    event = ParticipantEventCorrected(
        insats_id=participant.insats_id,
        participant_id=participant.participant_id,
        corrects=target_id,
        **details.model_dump(),
    )
    return event, standing(participant, [*history, event], _DATE_FIELD[expected])


def void_event(
    participant: Participant, history: Sequence[ParticipantEvent], target_id: str
) -> tuple[ParticipantEventVoided, Participant]:
    _target(participant, history, target_id)
    event = ParticipantEventVoided(
        insats_id=participant.insats_id,
        participant_id=participant.participant_id,
        voids=target_id,
    )
    # Leaving an event out never makes the dates contradict each other.
    return event, standing(participant, [*history, event], date_field="")


_MOVE_FIELDS = {
    "start": ("moved_from", ("start_date",)),
    "stop": ("moved_to", ("end_date", "reason")),
}
"""Of a move's start and stop: the link, and what the move itself says (kept as it is)."""


def _keep_the_move(target: RegisteredEvent, details: CorrectionDetails) -> None:
    """A move's stop and start keep its day and its reason: both halves say them, so a
    correction of one would split the move (void the start it made instead, and register
    anew)."""
    link, fields = _MOVE_FIELDS.get(details.kind, ("", ()))
    if not link or getattr(target, link) is None:
        return
    replacement = details.replacement()
    for field in fields:
        if getattr(replacement, field) != getattr(target, field):
            raise InvalidField(
                f"{details.kind}.{field}",
                "is the move's own: void the start the move made, and register anew",
            )


def _target(
    participant: Participant, history: Sequence[ParticipantEvent], target_id: str
) -> RegisteredEvent:
    if participant.voided:
        raise Conflict(f"the registration of participant {participant.participant_id} was voided")
    target = next(
        (event for event in effective_events(history) if event.event_id == target_id), None
    )
    if target is None:
        if any(event.event_id == target_id for event in history):
            raise Conflict(f"event {target_id} was voided, or is itself a correction or void")
        raise NotFound(f"no event {target_id} of participant {participant.participant_id}")
    return target


_DATE_FIELD = {
    "start": "start.start_date",
    "progress": "progress.date",
    "stop": "stop.end_date",
    "followup": "followup.date",
}
"""The date of each kind of correction: named when the corrected dates contradict."""


def standing(
    participant: Participant, history: Sequence[ParticipantEvent], date_field: str
) -> Participant:
    """The participant as its corrected history has it; refuses, naming `date_field`, a
    history whose dates contradict each other (a check-in or stop before the start, a
    follow-up before the stop), and one with two follow-ups after as many months, or
    follow-ups but no stop."""
    effective = effective_events(history)
    start = next((e for e in effective if isinstance(e, ParticipantStarted)), None)
    if start is None:
        return replace(participant, voided=True)
    stop = next((e for e in effective if isinstance(e, ParticipantStopped)), None)
    for event in effective:
        if isinstance(event, ParticipantProgressed) and event.date < start.start_date:
            raise InvalidField(
                date_field,
                f"the check-in of {event.date.isoformat()} would precede the start "
                f"{start.start_date.isoformat()}",
            )
    if stop is not None and stop.end_date < start.start_date:
        raise InvalidField(
            date_field,
            f"the end date {stop.end_date.isoformat()} would precede the start date "
            f"{start.start_date.isoformat()}",
        )
    _check_followups(effective, stop, date_field)
    return replace(
        participant, start_date=start.start_date, end_date=stop.end_date if stop else None
    )


def _check_followups(
    effective: Sequence[RegisteredEvent], stop: ParticipantStopped | None, date_field: str
) -> None:
    followups = [e for e in effective if isinstance(e, ParticipantFollowedUp)]
    if not followups:
        return
    if stop is None:
        raise Conflict("the registration has follow-ups after its stop: void them first")
    months = [followup.months_after for followup in followups]
    if len(set(months)) != len(months):
        raise InvalidField(
            "followup.months_after", "the registration has a follow-up after as many months"
        )
    for followup in followups:
        if followup.date < stop.end_date:
            raise InvalidField(
                date_field,
                f"the follow-up of {followup.date.isoformat()} would precede the end date "
                f"{stop.end_date.isoformat()}",
            )
