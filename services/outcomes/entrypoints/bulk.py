"""`stegvis rebuild`'s derivation of outcomes' state from a part of intake's log, in memory,
by the consumer's own use case (run in a process of the rebuild's pool: this module imports
the use case and the in-memory ports, not the service's web app)."""

from collections.abc import Sequence

from services.outcomes.adapters.bulk import Derived, derived_rows
from services.outcomes.adapters.memory import MemoryDatabase
from services.outcomes.service_layer.erasure import apply_batch
from services.outcomes.service_layer.handlers import PositionedEvent
from shared.contract.codes import OutcomePolicy
from shared.contract.events import parse_intake_event
from shared.contract.records import OutcomeChange

BULK_BATCH = 5_000
"""Events the use case takes at once in a bulk derivation: large batches cost the least per
event (the in-memory state is copied once a batch, its tables not their rows)."""


async def derive(
    events: Sequence[tuple[int, str]], generation: int, policy: OutcomePolicy
) -> tuple[Derived, list[OutcomeChange]]:
    """The state the consumer's use case (`erasure.apply_batch`) makes of `events` ((position,
    JSON), in log order, decoded as the subscriber decodes them) in memory, and the changes
    it publishes, in order."""
    database = MemoryDatabase(generation)
    for start in range(0, len(events), BULK_BATCH):
        batch = [
            PositionedEvent(position, parse_intake_event(body), body)
            for position, body in events[start : start + BULK_BATCH]
        ]
        await apply_batch(database.unit_of_work, batch, policy)
    return derived_rows(database.state), database.state.published
