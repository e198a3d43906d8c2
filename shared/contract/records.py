"""What outcomes publishes for reporting: the contract of the outcomes stream.

Each message says how reporting's figures must change: a participant's record before and
after the events just processed, an insats defined, a volume count or an activity; or that
they do not (`PositionPassed`). `change_id` is unique (the id of the newest intake event
behind the change), so reporting applies each message once.
"""

from datetime import date, datetime
from operator import attrgetter
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Discriminator, TypeAdapter

from shared.contract.codes import (
    ActivityKind,
    Education,
    Gender,
    OutcomeClass,
    Reason,
    Referrer,
    Registration,
    SupportType,
    WorkCapacity,
)


class _Frozen(BaseModel):
    # Errors name the field and why, never the input: they reach logs and dead letters.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class StepMovement(_Frozen):
    """One progression measure, first and latest value (higher is better on all of them)."""

    first: float
    latest: float

    @property
    def change(self) -> float:
        return self.latest - self.first


class FollowupRecord(_Frozen):
    """A follow-up after the stop, as it counts now, with what the förbund's policy makes
    of its status."""

    months_after: int
    date: date
    reached: bool
    status: Reason | None = None
    outcome_class: OutcomeClass | None = None
    """The status's outcome class (None: not reached, or no status given)."""
    work_or_studies: bool = False
    """Reached, and in work or studies (`codes.WORK_OR_STUDIES`)."""
    support: tuple[SupportType, ...] = ()


class ParticipantRecord(_Frozen):
    """Everything reporting counts about one participant, as outcomes derived it."""

    participant_id: str
    insats_id: str
    gender: Gender
    start_date: date
    birth_year: int | None = None
    education: Education | None = None
    support_at_start: tuple[SupportType, ...] = ()
    years_in_support: int | None = None
    referrer: Referrer | None = None
    municipality: str | None = None
    vas_start: int | None = None
    end_date: date | None = None
    reason: Reason | None = None
    outcome_class: OutcomeClass | None = None
    direct_to_work_or_studies: bool = False
    support_at_end: tuple[SupportType, ...] = ()
    health_better: bool | None = None
    activity_increased: bool | None = None
    work_capacity: WorkCapacity | None = None
    vas_end: int | None = None
    respect: int | None = None
    steps: dict[str, StepMovement] = {}
    """Step movement per measure: `activity_hours`, `vas`, `indicator:<name>`."""
    moved_from: str | None = None
    """The insats the participant moved on from to start here (`move`)."""
    moved_to: str | None = None
    """The insats the stop moved the participant on to (`move`): no exit, so no follow-up
    is due."""
    followups: tuple[FollowupRecord, ...] = ()
    """The follow-ups after the stop, by `months_after`."""


class RecordStart(NamedTuple):
    """What reporting counts of an open record: its start, nothing else (its step movements
    and answers count once it ends)."""

    insats_id: str
    gender: Gender
    start_date: date
    moved_from: str | None
    birth_year: int | None
    education: str | None
    support_at_start: tuple[str, ...]
    years_in_support: int | None
    referrer: str | None
    municipality: str | None


start_fields = attrgetter(*RecordStart._fields)
"""A record's `RecordStart` as a plain tuple (read in C: compared once or twice an event)."""


def counted_alike(before: ParticipantRecord | None, after: ParticipantRecord | None) -> bool:
    """Whether reporting counts the two records alike for what they are: both open, of the
    same start. A change from one to the other (a check-in) would count nothing, so outcomes
    publishes none: the next change's `before` counts as the last one's `after`."""
    return (
        before is not None
        and after is not None
        and before.end_date is None
        and after.end_date is None
        and start_fields(before) == start_fields(after)
    )


class _Change(_Frozen):
    change_id: str
    generation: int
    """Outcomes' state generation; `stegvis rebuild` starts a new one and reporting
    ignores changes from any other generation than its own."""
    position: int
    """Intake event-log position of the newest event behind this change."""
    occurred_at: datetime
    insats_id: str


class ParticipantRecordChanged(_Change):
    """A participant's record changed as reporting counts it. None is published between two
    open records of the same start (`counted_alike`): a check-in moves only an open record's
    step movements, which count once it ends."""

    type: Literal["ParticipantRecordChanged"] = "ParticipantRecordChanged"
    participant_id: str
    before: ParticipantRecord | None
    after: ParticipantRecord | None


class InsatsRegistered(_Change):
    type: Literal["InsatsRegistered"] = "InsatsRegistered"
    name: str
    registration: Registration


class VolumeCounted(_Change):
    type: Literal["VolumeCounted"] = "VolumeCounted"
    date: date
    counts: dict[Gender, int]


class ActivityCounted(_Change):
    """An activity of a structural insats: its participants by kön, their organisations
    (by referrer code) and the places offered (None: not a number of places)."""

    type: Literal["ActivityCounted"] = "ActivityCounted"
    date: date
    kind: ActivityKind
    participants: dict[Gender, int]
    organisations: dict[Referrer, int]
    places: int | None


class PositionPassed(_Change):
    """The newest event of a batch changed nothing reporting counts: only its position (and
    time) passes, so what reporting says it has processed, and `stegvis rebuild --wait`,
    reach the end of intake's log even when the log ends with such an event."""

    type: Literal["PositionPassed"] = "PositionPassed"


ANONYMOUS = ""
"""The `participant_id` of an erased participant's records: no code."""


class RecordStep(_Frozen):
    """One change of an erased participant's record, as reporting counted it: the record
    after an event (its `participant_id` `ANONYMOUS`) and when intake accepted the event."""

    change_id: str
    occurred_at: datetime
    after: ParticipantRecord | None


class ParticipantRecordErased(_Change):
    """A participant's individual data is gone from outcomes. `history`: the record's
    changes in log order, from which reporting keeps the participant's contribution to its
    figures (anonymous: cells of a month); `event_ids`: the stream entries (by message id)
    that still name the participant, to be deleted once reporting has it. No code."""

    type: Literal["ParticipantRecordErased"] = "ParticipantRecordErased"
    history: tuple[RecordStep, ...]
    event_ids: tuple[str, ...]


OutcomeChange = Annotated[
    ParticipantRecordChanged
    | InsatsRegistered
    | VolumeCounted
    | ActivityCounted
    | PositionPassed
    | ParticipantRecordErased,
    Discriminator("type"),
]
outcome_change_adapter: TypeAdapter[OutcomeChange] = TypeAdapter(OutcomeChange)


def parse_outcome_change(data: str | bytes) -> OutcomeChange:
    """Validate one serialised change; raises `pydantic.ValidationError` when it is not one."""
    return outcome_change_adapter.validate_json(data)
