"""Records as outcomes would derive them (hypothesis strategies), and the monthly rows the
database would sum them into, for reporting's domain and service-layer tests."""

from collections.abc import Mapping
from datetime import date

from hypothesis import strategies as st

from services.reporting.domain.contributions import Cell
from services.reporting.domain.periods import Period
from services.reporting.domain.reports import PeriodRow, ProcessedThrough, report_document
from shared.contract.codes import (
    GENDERS,
    Education,
    OutcomePolicy,
    Reason,
    Referrer,
    SupportType,
    WorkCapacity,
)
from shared.contract.records import ParticipantRecord, StepMovement

POLICY = OutcomePolicy()
FIRST_DAY, LAST_DAY = date(2022, 1, 1), date(2026, 12, 31)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


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
        municipality=draw(optional(st.sampled_from(["Umeå", "Vännäs", "Robertsfors"]))),
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
    return record.model_copy(
        update={
            "end_date": draw(st.dates(start, LAST_DAY)),
            "reason": reason,
            "outcome_class": POLICY.outcome_class(reason),
            "direct_to_work_or_studies": POLICY.is_direct(reason),
            "support_at_end": tuple(draw(st.lists(st.sampled_from(SupportType), max_size=3))),
            "health_better": draw(optional(st.booleans())),
            "activity_increased": draw(optional(st.booleans())),
            "work_capacity": draw(optional(st.sampled_from(WorkCapacity))),
            "vas_end": draw(optional(st.integers(1, 100))),
            "respect": draw(optional(st.integers(1, 6))),
        }
    )


def period_rows(
    cells: Mapping[Cell, float], period: Period, insats_id: str | None = None
) -> list[PeriodRow]:
    """What the database answers: cells summed over insatser (or of one) and over the
    period's months, and before it, zeros included."""
    summed: dict[tuple[bool, str, str, str], float] = {}
    for cell, value in cells.items():
        if cell.month > str(period.last_month) or (insats_id and cell.insats_id != insats_id):
            continue
        key = (cell.month < str(period.first_month), str(cell.gender), cell.figure, cell.code)
        summed[key] = summed.get(key, 0) + value
    return [PeriodRow(*key, value) for key, value in summed.items()]


def report_of(
    cells: Mapping[Cell, float],
    period: Period,
    insats_id: str | None,
    insats_name: str | None,
    processed: ProcessedThrough,
) -> dict:
    """The report of `period` as reporting builds it from what the database would answer."""
    return report_document(
        period_rows(cells, period, insats_id),
        period_rows(cells, period.previous_year(), insats_id),
        period,
        insats_id,
        insats_name,
        processed,
    )


def changed(record: ParticipantRecord, changes: dict) -> ParticipantRecord:
    """The record with `changes`, validated as outcomes would derive it."""
    return ParticipantRecord.model_validate({**record.model_dump(), **changes})
