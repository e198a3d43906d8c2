"""Intake's events: the facts staff registered, as stored in intake's event log and
published on the intake stream.

The `*Details` models carry the validated payload of each command; intake's HTTP API accepts
exactly them as request bodies, and the events add identity and time on top, so a field's rule
is written once and checked both when a command arrives and when an event is consumed.
"""

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.contract.codes import (
    ActivityKind,
    Education,
    FollowupMonths,
    Gender,
    Reason,
    Referrer,
    Registration,
    SupportType,
    WorkCapacity,
)
from shared.contract.identity import NoIdentityNumber
from shared.contract.kommuner import kommun_code

SCHEMA_VERSION = 1

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

MIN_AGE_AT_START = 15
MAX_AGE_AT_START = 67


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("date must be written YYYY-MM-DD")
    if isinstance(value, datetime) or not isinstance(value, str | date):
        raise ValueError("date must be a string YYYY-MM-DD")
    return value


def no_control_characters(value: str) -> str:
    # NUL cannot be stored in PostgreSQL text, and no name or place has line breaks or tabs.
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValueError("must not contain control characters (such as NUL, tab or line break)")
    return value


def _unique(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError("each code may be given once")
    return values


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
INSATS_ID_PATTERN = r"^[a-z0-9-]{1,64}$"
PARTICIPANT_ID_PATTERN = r"^[A-Z0-9-]{1,32}$"
EVENT_ID_PATTERN = r"^[0-9a-f-]{1,64}$"
InsatsId = Annotated[str, StringConstraints(pattern=INSATS_ID_PATTERN), NoIdentityNumber]
ParticipantId = Annotated[str, StringConstraints(pattern=PARTICIPANT_ID_PATTERN)]
Vas = Annotated[int, Field(strict=True, ge=1, le=100)]
HoursPerWeek = Annotated[float, Field(strict=True, ge=0, le=168)]
Count = Annotated[int, Field(strict=True, ge=0, le=100_000)]
IndicatorName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$"), NoIdentityNumber]
IndicatorScore = Annotated[int, Field(strict=True, ge=1, le=5)]
Municipality = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    NoIdentityNumber,  # first: a personnummer is refused as one, not as an unknown kommun
    AfterValidator(kommun_code),
    Field(
        description="SCB's four-digit kommunkod (e.g. 0180), or okand; a kommun's name is "
        "taken too, and stored as its code"
    ),
]
"""A kommun's SCB code (or `okand`), given as one or as the kommun's name (`kommuner`)."""
SupportList = Annotated[list[SupportType], AfterValidator(_unique)]


class _Payload(BaseModel):
    # Errors name the field and why, never the input: they reach logs and dead letters.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class InsatsDetails(_Payload):
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        AfterValidator(no_control_characters),
        NoIdentityNumber,
    ]
    registration: Registration


class StartDetails(_Payload):
    start_date: IsoDate
    gender: Gender
    birth_year: Annotated[int, Field(strict=True, ge=1000, le=9999)] | None = None
    education: Education | None = None
    support_at_start: SupportList = []
    years_in_support: Annotated[int, Field(strict=True, ge=0, le=60)] | None = None
    referrer: Referrer | None = None
    municipality: Municipality | None = None
    activity_hours_per_week: HoursPerWeek | None = None
    vas: Vas | None = None

    @field_validator("birth_year")
    @classmethod
    def _age_at_start(cls, birth_year: int | None, info: ValidationInfo) -> int | None:
        start_date = info.data.get("start_date")
        if birth_year is not None and start_date is not None:
            age = start_date.year - birth_year
            if not MIN_AGE_AT_START <= age <= MAX_AGE_AT_START:
                raise ValueError(
                    f"age at start must be {MIN_AGE_AT_START}–{MAX_AGE_AT_START}, got {age}"
                )
        return birth_year


class ProgressDetails(_Payload):
    date: IsoDate
    activity_hours_per_week: HoursPerWeek | None = None
    vas: Vas | None = None
    indicators: dict[IndicatorName, IndicatorScore] = Field(default={}, max_length=20)


class StopDetails(_Payload):
    end_date: IsoDate
    reason: Reason
    support_at_end: SupportList = []
    health_better: Annotated[bool, Field(strict=True)] | None = None
    activity_increased: Annotated[bool, Field(strict=True)] | None = None
    work_capacity: WorkCapacity | None = None
    vas: Vas | None = None
    respect: Annotated[int, Field(strict=True, ge=1, le=6)] | None = None


class FollowupDetails(_Payload):
    """A follow-up after the stop, `months_after` months on: whether the participant was
    reached and, if so, where they are (`status`, an avslutsanledning) and on what support."""

    date: IsoDate
    months_after: FollowupMonths
    reached: Annotated[bool, Field(strict=True)]
    status: Reason | None = None
    support: SupportList = []

    @field_validator("status", "support")
    @classmethod
    def _only_when_reached(cls, value: object, info: ValidationInfo) -> object:
        if value and info.data.get("reached") is False:
            raise ValueError("only for a participant reached (reached: true)")
        return value


class VolumeDetails(_Payload):
    date: IsoDate
    kvinna: Count
    man: Count
    annan: Count


class GenderCounts(_Payload):
    kvinna: Count
    man: Count
    annan: Count


class OrganisationCounts(_Payload):
    """How many of the participants came from each organisation (a referrer code); those
    not given are 0."""

    fk: Count = 0
    af: Count = 0
    kommun: Count = 0
    region: Count = 0
    annan: Count = 0


class ActivityDetails(_Payload):
    """One activity of a structural insats (a training day, a network meeting, a
    conference): who came, by kön, and the places offered, if it had a number of them."""

    date: IsoDate
    kind: ActivityKind
    participants: GenderCounts
    organisations: OrganisationCounts | None = None
    places: Annotated[int, Field(strict=True, ge=1, le=100_000)] | None = None


class MoveDetails(_Payload):
    """Moving on to another insats: the participant ends here (`annan_insats`) and starts
    there on `date`, with the same code and background."""

    date: IsoDate
    to_insats: InsatsId


CORRECTION_KINDS = ("start", "progress", "stop", "followup")
"""The parts of a correction, one per kind of registered event."""


class CorrectionDetails(_Payload):
    """What a corrected event says instead: exactly one of `start`, `progress`, `stop` and
    `followup` (the corrected event's kind), with all of its fields anew."""

    start: StartDetails | None = None
    progress: ProgressDetails | None = None
    stop: StopDetails | None = None
    followup: FollowupDetails | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "CorrectionDetails":
        if sum(getattr(self, kind) is not None for kind in CORRECTION_KINDS) != 1:
            raise ValueError("give exactly one of start, progress, stop and followup")
        return self

    @property
    def kind(self) -> str:
        return next(name for name in CORRECTION_KINDS if getattr(self, name))

    def replacement(self) -> StartDetails | ProgressDetails | StopDetails | FollowupDetails:
        return getattr(self, self.kind)


class VoidDetails(_Payload):
    """A void carries nothing but the event it voids (named in its path)."""


def _new_event_id() -> str:
    return str(uuid.uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


class _Event(_Payload):
    event_id: str = Field(default_factory=_new_event_id)
    occurred_at: datetime = Field(default_factory=_now)
    schema_version: int = SCHEMA_VERSION
    insats_id: InsatsId


class InsatsDefined(_Event, InsatsDetails):
    type: Literal["InsatsDefined"] = "InsatsDefined"


class _ParticipantEvent(_Event):
    participant_id: ParticipantId


class ParticipantStarted(_ParticipantEvent, StartDetails):
    type: Literal["ParticipantStarted"] = "ParticipantStarted"
    moved_from: InsatsId | None = None
    """Started by a move from this insats (its stop, `moved_to` here, is of the same day)."""


class ParticipantProgressed(_ParticipantEvent, ProgressDetails):
    type: Literal["ParticipantProgressed"] = "ParticipantProgressed"


class ParticipantStopped(_ParticipantEvent, StopDetails):
    type: Literal["ParticipantStopped"] = "ParticipantStopped"
    moved_to: InsatsId | None = None
    """Stopped by a move to this insats."""


class ParticipantFollowedUp(_ParticipantEvent, FollowupDetails):
    """A follow-up after the registration's stop (never of a stop that was a move)."""

    type: Literal["ParticipantFollowedUp"] = "ParticipantFollowedUp"


class VolumeRegistered(_Event, VolumeDetails):
    type: Literal["VolumeRegistered"] = "VolumeRegistered"


class ActivityRegistered(_Event, ActivityDetails):
    type: Literal["ActivityRegistered"] = "ActivityRegistered"


EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]


class ParticipantEventCorrected(_ParticipantEvent, CorrectionDetails):
    """An earlier start, check-in, stop or follow-up of the participant says this instead
    (the latest correction of an event wins). Nothing is deleted: the corrected event stays
    in the log."""

    type: Literal["ParticipantEventCorrected"] = "ParticipantEventCorrected"
    corrects: EventId


class ParticipantEventVoided(_ParticipantEvent):
    """An earlier event of the participant was a mistake (felregistrering) and counts no
    more; a voided start voids the participant's whole registration."""

    type: Literal["ParticipantEventVoided"] = "ParticipantEventVoided"
    voids: EventId


class ParticipantErased(_ParticipantEvent):
    """The participant's individual data leaves every store (api.md, "Privacy: erasure and
    retention"). Never kept in intake's log, only published: outcomes turns the participant
    into reporting's anonymous contribution, and its entries, these included, leave the
    streams once reporting has it. `event_ids`: every event of the participant intake had."""

    type: Literal["ParticipantErased"] = "ParticipantErased"
    event_ids: tuple[EventId, ...]


RegisteredEvent = (
    ParticipantStarted | ParticipantProgressed | ParticipantStopped | ParticipantFollowedUp
)
"""What staff register about a participant (and what a correction or a void concerns)."""
ParticipantEvent = RegisteredEvent | ParticipantEventCorrected | ParticipantEventVoided
IntakeEvent = Annotated[
    InsatsDefined
    | ParticipantStarted
    | ParticipantProgressed
    | ParticipantStopped
    | ParticipantFollowedUp
    | ParticipantEventCorrected
    | ParticipantEventVoided
    | VolumeRegistered
    | ActivityRegistered
    | ParticipantErased,
    Discriminator("type"),
]
_CORRECTION_KIND = {
    ParticipantStarted: "start",
    ParticipantProgressed: "progress",
    ParticipantStopped: "stop",
    ParticipantFollowedUp: "followup",
}


def correction_kind(event: RegisteredEvent) -> str:
    """The field of `CorrectionDetails` that corrects the event."""
    return _CORRECTION_KIND[type(event)]


def effective_events(events: Sequence[ParticipantEvent]) -> list[RegisteredEvent]:
    """A participant's events as they count now, in log order: corrections applied (the
    latest of each event's wins), voided events left out, and nothing at all once the start
    is voided."""
    voided = {event.voids for event in events if isinstance(event, ParticipantEventVoided)}
    corrections = {
        event.corrects: event for event in events if isinstance(event, ParticipantEventCorrected)
    }
    effective = []
    for event in events:
        if isinstance(event, ParticipantEventCorrected | ParticipantEventVoided):
            continue
        if event.event_id in voided:
            if isinstance(event, ParticipantStarted):
                return []
            continue
        if (correction := corrections.get(event.event_id)) is not None:
            event = event.model_copy(update=correction.replacement().model_dump())
        effective.append(event)
    return effective


intake_event_adapter: TypeAdapter[IntakeEvent] = TypeAdapter(IntakeEvent)


def parse_intake_event(data: str | bytes) -> IntakeEvent:
    """Validate one serialised event; raises `pydantic.ValidationError` when it is not one."""
    return intake_event_adapter.validate_json(data)
