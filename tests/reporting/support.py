"""Records as outcomes would derive them (hypothesis strategies), and the monthly rows the
database would sum them into, for reporting's domain and service-layer tests."""

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from services.reporting.domain.bases import Counting
from services.reporting.domain.breakdowns import DEFAULT_BANDS
from services.reporting.domain.closing import closing
from services.reporting.domain.contributions import Cell
from services.reporting.domain.document import ClosingModel, Report, ReportFigures, report_json
from services.reporting.domain.months import Month
from services.reporting.domain.periods import Period
from services.reporting.domain.readings import Readings, ReadRow, Segment, Window
from services.reporting.domain.reports import ProcessedThrough, report_document
from shared.contract.codes import (
    FOLLOWUP_MONTHS,
    GENDERS,
    WORK_OR_STUDIES,
    Education,
    OutcomePolicy,
    Reason,
    Referrer,
    SupportType,
    WorkCapacity,
)
from shared.contract.events import StartDetails
from shared.contract.records import FollowupRecord, ParticipantRecord, StepMovement

POLICY = OutcomePolicy()
OPEN = ClosingModel(
    **closing(Month(2099, 12), False, datetime(2026, 1, 1, tzinfo=UTC), 5).as_json(),
    as_closed=False,
    restated=False,
    changes=[],
)
"""The closing of a report whose period has not closed."""
FIRST_DAY, LAST_DAY = date(2022, 1, 1), date(2026, 12, 31)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


KNOWN_AT_START = (
    "insats_id",
    "moved_from",
    *(name for name in StartDetails.model_fields if name in ParticipantRecord.model_fields),
)
"""A record's fields given by its start: the insats, the one a move came from, and what
intake's start takes."""

measures = st.sampled_from(["activity_hours", "vas", "indicator:jobb", "indicator:halsa"])
step_values = st.integers(0, 100).map(float) | st.floats(0, 168, allow_nan=False)


@st.composite
def records(
    draw, insats_ids=st.sampled_from(["a", "b"]), participant_id: str = "P"
) -> ParticipantRecord:
    """A started participant, maybe ended, with any answers intake accepts."""
    start = draw(st.dates(FIRST_DAY, LAST_DAY))
    record = ParticipantRecord(
        participant_id=participant_id,
        insats_id=draw(insats_ids),
        gender=draw(st.sampled_from(GENDERS)),
        start_date=start,
        birth_year=draw(optional(st.integers(start.year - 67, start.year - 15))),
        education=draw(optional(st.sampled_from(Education))),
        support_at_start=tuple(draw(st.lists(st.sampled_from(SupportType), max_size=3))),
        years_in_support=draw(optional(st.integers(0, 60))),
        referrer=draw(optional(st.sampled_from(Referrer))),
        municipality=draw(optional(st.sampled_from(["2480", "2460", "2409"]))),
        vas_start=draw(optional(st.integers(1, 100))),
        steps=draw(
            st.dictionaries(
                measures, st.builds(StepMovement, first=step_values, latest=step_values), max_size=3
            )
        ),
    )
    if not draw(st.booleans()):
        return record
    reason = draw(st.sampled_from(Reason))
    end = draw(st.dates(start, LAST_DAY))
    return record.model_copy(
        update={
            "end_date": end,
            "reason": reason,
            "outcome_class": POLICY.outcome_class(reason),
            "direct_to_work_or_studies": POLICY.is_direct(reason),
            "support_at_end": tuple(draw(st.lists(st.sampled_from(SupportType), max_size=3))),
            "health_better": draw(optional(st.booleans())),
            "activity_increased": draw(optional(st.booleans())),
            "work_capacity": draw(optional(st.sampled_from(WorkCapacity))),
            "vas_end": draw(optional(st.integers(1, 100))),
            "respect": draw(optional(st.integers(1, 6))),
            "moved_to": "c" if reason is Reason.ANNAN_INSATS and draw(st.booleans()) else None,
            "followups": tuple(
                draw(followups(end, months))
                for months in sorted(draw(st.sets(st.sampled_from(FOLLOWUP_MONTHS))))
            ),
        }
    )


def followup_record(
    months: int, day: date, reached: bool, status: str | None = None, support: tuple = ()
) -> FollowupRecord:
    """A follow-up as outcomes records it (its status classed by the default policy)."""
    return FollowupRecord(
        months_after=months,
        date=day,
        reached=reached,
        status=status,
        outcome_class=None if status is None else POLICY.outcome_class(Reason(status)),
        work_or_studies=status in WORK_OR_STUDIES,
        support=support,
    )


@st.composite
def followups(draw, end: date, months: int) -> FollowupRecord:
    """A follow-up after a stop on `end`, as outcomes records it."""
    reached = draw(st.booleans())
    return followup_record(
        months,
        end + timedelta(days=draw(st.integers(0, 400))),
        reached,
        draw(optional(st.sampled_from(Reason))) if reached else None,
        tuple(draw(st.lists(st.sampled_from(SupportType), max_size=2, unique=True))),
    )


def read_rows(
    cells: Mapping[Cell, float], period: Period, insats_id: str | None = None
) -> list[ReadRow]:
    """What the database answers for one scope: cells summed over insatser (or of one) and
    by where their month lies, zeros included, all counted by the closing."""
    window = Window.of(period)
    summed: dict[tuple[Segment, str, str, str], float] = {}
    for cell, value in cells.items():
        if cell.month > window.last or (insats_id and cell.insats_id != insats_id):
            continue
        if cell.month < window.previous_first:
            segment = Segment.BEFORE_PREVIOUS
        elif cell.month <= window.previous_last:
            segment = Segment.PREVIOUS
        else:
            segment = Segment.BETWEEN if cell.month < window.first else Segment.CURRENT
        key = (segment, str(cell.gender), cell.figure, cell.code)
        summed[key] = summed.get(key, 0) + value
    return [
        ReadRow(insats_id, segment, True, *rest, value)
        for (segment, *rest), value in summed.items()
    ]


def built_of(
    cells: Mapping[Cell, float],
    period: Period,
    insats_id: str | None,
    insats_name: str | None,
    processed: ProcessedThrough,
    counting: Counting = Counting(),
) -> ReportFigures:
    """The report of `period` as reporting builds it from what the database would answer
    (`counting`: its bands over the v1 bands; every follow-up, unless it names some)."""
    sums = Readings(read_rows(cells, period, insats_id), whole=False).now(insats_id)
    return report_document(
        sums,
        period,
        insats_id,
        insats_name,
        processed,
        counting.over(DEFAULT_BANDS, counting.followups or FOLLOWUP_MONTHS),
    )


def report_of(*args, **kwargs) -> Report:
    """`built_of`'s report without targets, its closing `OPEN`."""
    return Report(**dict(built_of(*args, **kwargs)), targets=[], closing=OPEN)


def document_of(*args, **kwargs) -> dict:
    """`built_of`'s report as JSON."""
    return report_json(built_of(*args, **kwargs))


def random_record(n: int, rng: random.Random) -> ParticipantRecord:
    """Participant `n`, started in 2024 or 2025 in `a` or `b`, maybe ended in 2025."""
    start = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
    record = ParticipantRecord(
        participant_id=f"P{n}",
        insats_id=rng.choice("aab"),
        gender=rng.choices(["kvinna", "man", "annan"], [6, 4, 1])[0],
        start_date=start,
        birth_year=start.year - rng.randrange(18, 64),
        education=rng.choice([None, *Education]),
        support_at_start=tuple(rng.sample(list(SupportType), rng.randrange(3))),
        years_in_support=rng.choice([None, rng.randrange(12)]),
        referrer=rng.choice([None, *Referrer]),
        municipality=rng.choice([None, "2480", "2460", "=1+1"]),  # not a formula
        vas_start=rng.randrange(1, 101),
    )
    end = start + timedelta(days=rng.randrange(20, 500))
    if end > date(2025, 12, 31) or rng.random() < 0.3:
        return record
    reason = rng.choice(list(Reason))
    return record.model_copy(
        update={
            "end_date": end,
            "reason": reason,
            "outcome_class": POLICY.outcome_class(reason),
            "direct_to_work_or_studies": POLICY.is_direct(reason),
            "support_at_end": tuple(rng.sample(list(SupportType), rng.randrange(3))),
            "health_better": rng.choice([None, True, False]),
            "activity_increased": rng.choice([None, True, False]),
            "work_capacity": rng.choice([None, *WorkCapacity]),
            "vas_end": rng.randrange(1, 101),
            "respect": rng.randrange(1, 7),
            "steps": {
                "vas": StepMovement(first=rng.randrange(1, 60), latest=rng.randrange(30, 101))
            },
        }
    )


def changed(record: ParticipantRecord, changes: dict) -> ParticipantRecord:
    """The record with `changes`, validated as outcomes would derive it."""
    return ParticipantRecord.model_validate({**record.model_dump(), **changes})
