"""`stegvis rebuild`'s projection of outcomes' changes into reporting's figures, in memory,
by the consumer's own use case (run in a process of the rebuild's pool: this module imports
the use case and the in-memory ports, not the service's web app)."""

from collections.abc import Sequence

from services.reporting.adapters.bulk import Projected, projected
from services.reporting.adapters.memory import MemoryDatabase
from services.reporting.service_layer.handlers import apply_changes
from shared.contract.records import OutcomeChange

BULK_BATCH = 5_000
"""Changes the use case takes at once in a bulk projection (see outcomes' `BULK_BATCH`)."""


async def project(changes: Sequence[OutcomeChange], generation: int, close_days: int) -> Projected:
    """What the consumer's use case (`handlers.apply_changes`) makes of outcomes' `changes`
    (in the order published) in memory."""
    database = MemoryDatabase(generation)
    for start in range(0, len(changes), BULK_BATCH):
        await apply_changes(
            database.unit_of_work(), changes[start : start + BULK_BATCH], close_days
        )
    return projected(database.state)
