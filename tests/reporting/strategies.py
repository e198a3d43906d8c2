"""Hypothesis strategies for whole reports: periods to report on, and histories of
participant records as outcomes derived them."""

from hypothesis import strategies as st

from services.reporting.domain.contributions import Contributions, accumulate, contributions
from services.reporting.domain.periods import QUARTERS, Period, parse_period
from shared.contract.records import ParticipantRecord
from tests.reporting.support import records


@st.composite
def periods(draw) -> Period:
    year = draw(st.integers(2022, 2027))
    month = f"{year}-{draw(st.integers(1, 12)):02d}"
    name = draw(st.sampled_from(["helar", "delar", *QUARTERS, month]))
    return parse_period(year, name, draw(st.integers(1, 11)))


@st.composite
def histories(draw) -> list[list[ParticipantRecord]]:
    """Each participant's records in the order outcomes derived them."""
    return [
        draw(st.lists(records(participant_id=f"P{n}"), min_size=1, max_size=3))
        for n in range(draw(st.integers(0, 8)))
    ]


def cells_of(final_records) -> Contributions:
    """The monthly figures of the records."""
    cells: Contributions = {}
    for record in final_records:
        accumulate(cells, contributions(record))
    return cells
