"""What reporting needs of a participant being erased: its record's changes, event by event
in log order (as outcomes publishes them), without its code."""

from collections.abc import Sequence
from operator import itemgetter

from services.outcomes.domain.incremental import PositionedParticipantEvent
from services.outcomes.domain.records import derive_record
from shared.contract.codes import OutcomePolicy
from shared.contract.records import ANONYMOUS, RecordStep, counted_alike


def record_history(
    events: Sequence[PositionedParticipantEvent], policy: OutcomePolicy
) -> tuple[RecordStep, ...]:
    """One step per event that changed the record as reporting counts it (not between records
    `counted_alike`), stamped with that event."""
    ordered = sorted(events, key=itemgetter(0))
    steps = []
    record = None
    for count, (_, event) in enumerate(ordered, 1):
        after = derive_record([event for _, event in ordered[:count]], policy)
        if after == record or counted_alike(record, after):
            record = after
            continue
        anonymous = (
            None if after is None else after.model_copy(update={"participant_id": ANONYMOUS})
        )
        steps.append(
            RecordStep(change_id=event.event_id, occurred_at=event.occurred_at, after=anonymous)
        )
        record = after
    return tuple(steps)
