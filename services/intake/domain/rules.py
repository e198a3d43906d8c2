"""Which event each command yields, given the state it concerns; refusals raise."""

from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError

from services.intake.domain.errors import Conflict, InvalidField
from services.intake.domain.model import Insats, Participant
from shared.contract.codes import Reason, Registration
from shared.contract.events import (
    ActivityDetails,
    ActivityRegistered,
    FollowupDetails,
    InsatsDefined,
    InsatsDetails,
    MoveDetails,
    ParticipantEvent,
    ParticipantFollowedUp,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    ProgressDetails,
    StartDetails,
    StopDetails,
    VolumeDetails,
    VolumeRegistered,
    effective_events,
)


def define_insats(
    insats_id: str,
    details: InsatsDetails,
    current: Insats | None,
    has_registrations: bool,
) -> InsatsDefined | None:
    """The definition to record, or None when it is already the stored one."""
    if current is not None:
        if (current.name, current.registration) == (details.name, details.registration):
            return None
        if current.registration != details.registration and has_registrations:
            raise Conflict(
                f"insats {insats_id} already has registrations as {current.registration};"
                " its registration cannot change"
            )
    return InsatsDefined(insats_id=insats_id, **details.model_dump())


def start_participant(
    insats: Insats, participant_id: str, details: StartDetails
) -> ParticipantStarted:
    _require_registration(insats, Registration.INDIVID)
    return ParticipantStarted(
        insats_id=insats.insats_id, participant_id=participant_id, **details.model_dump()
    )


def record_progress(participant: Participant, details: ProgressDetails) -> ParticipantProgressed:
    _require_active(participant)
    _not_before_start(participant, "date", details.date)
    return ParticipantProgressed(
        insats_id=participant.insats_id,
        participant_id=participant.participant_id,
        **details.model_dump(),
    )


def stop_participant(participant: Participant, details: StopDetails) -> ParticipantStopped:
    _require_active(participant)
    _not_before_start(participant, "end_date", details.end_date)
    return ParticipantStopped(
        insats_id=participant.insats_id,
        participant_id=participant.participant_id,
        **details.model_dump(),
    )


def follow_up(
    participant: Participant,
    history: Sequence[ParticipantEvent],
    details: FollowupDetails,
    today: date,
) -> ParticipantFollowedUp:
    """A follow-up after the registration's stop (`history`: its events), one per
    `months_after`; never after a move's stop, which is no exit from the förbund's work."""
    if participant.voided:
        raise Conflict(f"the registration of participant {participant.participant_id} was voided")
    effective = effective_events(history)
    stop = next((e for e in effective if isinstance(e, ParticipantStopped)), None)
    if stop is None:
        raise Conflict(
            f"participant {participant.participant_id} has not stopped: a follow-up comes "
            "after the stop"
        )
    if stop.moved_to is not None:
        raise Conflict(
            f"participant {participant.participant_id} moved on to insats {stop.moved_to}: "
            "a move is not followed up"
        )
    if any(
        isinstance(e, ParticipantFollowedUp) and e.months_after == details.months_after
        for e in effective
    ):
        raise Conflict(
            f"participant {participant.participant_id} has a follow-up after "
            f"{details.months_after} months: correct it instead"
        )
    if details.date < stop.end_date:
        raise InvalidField("date", f"must not precede the end date {stop.end_date.isoformat()}")
    if details.date > today:
        raise InvalidField("date", f"must not be in the future (today is {today.isoformat()})")
    return ParticipantFollowedUp(
        insats_id=participant.insats_id,
        participant_id=participant.participant_id,
        **details.model_dump(),
    )


BACKGROUND = (
    "gender",
    "birth_year",
    "education",
    "support_at_start",
    "years_in_support",
    "referrer",
    "municipality",
)
"""What a move takes from the start it ends to the one it makes (the measures at start,
activity hours and VAS, are each insats's own)."""


def move_participant(
    participant: Participant,
    history: Sequence[ParticipantEvent],
    to: Insats | None,
    details: MoveDetails,
) -> tuple[ParticipantStopped, ParticipantStarted]:
    """The stop here (`annan_insats`) and the start in `to` on the same day, with the code
    and the background of the registration's start as it counts now (`history`: its
    events)."""
    if to is None:
        raise InvalidField("to_insats", f"no insats {details.to_insats}")
    if to.insats_id == participant.insats_id:
        raise InvalidField("to_insats", "must be another insats than the one moved from")
    if to.registration is not Registration.INDIVID:
        raise InvalidField("to_insats", f"insats {to.insats_id} is not registered individ")
    _require_active(participant)
    _not_before_start(participant, "date", details.date)
    start = next(e for e in effective_events(history) if isinstance(e, ParticipantStarted))
    stop = stop_participant(
        participant, StopDetails(end_date=details.date, reason=Reason.ANNAN_INSATS)
    ).model_copy(update={"moved_to": to.insats_id})
    background = {name: getattr(start, name) for name in BACKGROUND}
    try:
        moved = StartDetails.model_validate({**background, "start_date": details.date})
    except ValidationError as invalid:  # an age at the new start out of bounds
        raise InvalidField("date", invalid.errors()[0]["msg"]) from None
    started = start_participant(to, participant.participant_id, moved).model_copy(
        update={"moved_from": participant.insats_id}
    )
    return stop, started


def register_volume(insats: Insats, details: VolumeDetails) -> VolumeRegistered:
    _require_registration(insats, Registration.VOLYM)
    return VolumeRegistered(insats_id=insats.insats_id, **details.model_dump())


def register_activity(insats: Insats, details: ActivityDetails) -> ActivityRegistered:
    _require_registration(insats, Registration.STRUKTUR)
    return ActivityRegistered(insats_id=insats.insats_id, **details.model_dump())


def _require_registration(insats: Insats, registration: Registration) -> None:
    if insats.registration != registration:
        raise Conflict(
            f"insats {insats.insats_id} is registered as {insats.registration}, not {registration}"
        )


def _require_active(participant: Participant) -> None:
    if participant.voided:
        raise Conflict(f"the registration of participant {participant.participant_id} was voided")
    if participant.stopped:
        raise Conflict(
            f"participant {participant.participant_id} was stopped on {participant.end_date}"
        )


def _not_before_start(participant: Participant, field: str, value: date) -> None:
    if value < participant.start_date:
        raise InvalidField(
            field, f"must not precede the start date {participant.start_date.isoformat()}"
        )
