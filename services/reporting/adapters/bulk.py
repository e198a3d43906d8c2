"""Reporting's figures computed in memory (`adapters/memory.py`), and stored with the
consumer's own statements (`stegvis rebuild`, `services/rebuild.py`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.adapters import tables
from services.reporting.adapters.memory import MemoryState
from services.reporting.adapters.repositories import SqlCells, SqlInsatser, SqlMeta
from services.reporting.domain.contributions import Contributions, accumulate
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import ProcessedThrough

CHUNK = 20_000
"""Cells or ids a statement writes: a statement's parameters stay a few megabytes."""


@dataclass(frozen=True)
class Projected:
    """A part of reporting's projection, picklable: what a process of the rebuild hands
    back. Its cells are deltas, added to what the reset restored (the erased's)."""

    monthly: Contributions
    retained: Contributions
    insatser: list[Insats]
    processed: list[str]
    processed_through: ProcessedThrough


def projected(state: MemoryState) -> Projected:
    """The state's cells (those that add up to nothing have no row to add to), insatser,
    processed ids and position."""
    return Projected(
        {cell: value for cell, value in state.monthly.items() if value != 0},
        {cell: value for cell, value in state.retained.items() if value != 0},
        list(state.insatser.values()),
        sorted(state.processed),
        state.processed_through,
    )


async def store_projected(
    session: AsyncSession, generation: int, parts: Sequence[Projected]
) -> None:
    """Add the parts' cells (`SqlCells.add`: the monthly rows with their yearly and förbund
    sums), register their insatser, claim their ids and advance the position, `CHUNK` a
    statement, in the session's transaction."""
    for table, of_parts in (
        (tables.monthly, [part.monthly for part in parts]),
        (tables.retained, [part.retained for part in parts]),
    ):
        summed: Contributions = {}
        for cells in of_parts:
            accumulate(summed, cells)
        items = list(summed.items())
        for start in range(0, len(items), CHUNK):
            await SqlCells(session, table).add(dict(items[start : start + CHUNK]))
    await SqlInsatser(session).register([insats for part in parts for insats in part.insatser])
    processed = [change_id for part in parts for change_id in part.processed]
    for start in range(0, len(processed), CHUNK):
        await tables.bookkeeping.claim(session, processed[start : start + CHUNK])
    newest = max(
        (part.processed_through for part in parts),
        key=lambda through: through.position,
        default=None,
    )
    if newest is not None:
        await SqlMeta(session).lock({generation: newest})
