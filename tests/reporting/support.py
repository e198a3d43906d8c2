"""Records as outcomes would derive them (hypothesis strategies), and the monthly rows the
database would sum them into, for reporting's domain and service-layer tests."""

from collections.abc import Mapping
from datetime import date

from hypothesis import strategies as st

from shared.codes import (
    GENDERS,
    Education,
    OutcomePolicy,
    Reason,
    Referrer,
    SupportType,
    WorkCapacity,
)
from shared.records import ParticipantRecord, StepMovement
from services.reporting.domain.contributions import Cell
from services.reporting.domain.reports import MonthlyRow

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
            st.dictionaries(measures, st.builds(StepMovement, first=step_values,
                                                latest=step_values), max_size=3)
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


def monthly_rows(cells: Mapping[Cell, float], insats_id: str | None = None) -> list[MonthlyRow]:
    """What the database answers: cells summed over insatser (or of one), zeros included."""
    summed: dict[tuple[str, str, str, str], float] = {}
    for cell, value in cells.items():
        if insats_id is None or cell.insats_id == insats_id:
            key = (cell.month, str(cell.gender), cell.figure, cell.code)
            summed[key] = summed.get(key, 0) + value
    return [MonthlyRow(*key, value) for key, value in summed.items()]
