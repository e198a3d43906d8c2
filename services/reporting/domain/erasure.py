"""An erased participant's contribution to the figures, from its record's history.

Each step adds what the change it stands for added when reporting applied it: the record's
contributions after it less those before, in cells dated by when intake accepted its event.
Their sum is the participant's whole contribution: cells of an insats, gender, month and
`known_by` month (a figure's value, such as days in the insats, not the dates it came from),
so it names nobody and rebuilds every figure as it was, the months as closed included.
"""

from collections.abc import Iterable

from services.reporting.domain.closing import known_by
from services.reporting.domain.contributions import Contributions, change_delta
from shared.contract.records import ParticipantRecord, RecordStep


def step_contributions(
    history: Iterable[RecordStep], close_days: int
) -> list[tuple[str, Contributions]]:
    """Each step's change id and what it adds to the figures."""
    added = []
    before: ParticipantRecord | None = None
    for step in history:
        delta = change_delta(before, step.after, known_by(step.occurred_at, close_days))
        added.append((step.change_id, delta))
        before = step.after
    return added
