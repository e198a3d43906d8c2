"""Reporting's figures computed in memory (`adapters/memory.py`), and stored with the
consumer's own statements (`stegvis rebuild`, `services/rebuild.py`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.adapters import tables
from services.reporting.adapters.memory import MemoryState
from services.reporting.adapters.repositories import (
    CELL_COLUMNS,
    SUMS,
    SqlCells,
    SqlInsatser,
    SqlMeta,
)
from services.reporting.domain.contributions import Cell, Contributions, accumulate
from services.reporting.domain.model import Insats
from services.reporting.domain.reports import ProcessedThrough
from shared.platform.bulk_insert import insert_new


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
    """After a reset, in its transaction: the monthly cells from the erased participants'
    contributions (`tables.retained`) and the parts' cells, with their yearly and förbund
    sums (`SUMS`, as `SqlCells.add` keeps them), written as new rows (`insert_new`: the
    reset emptied the tables, and every cell is summed here once); the parts' erased
    contributions kept (`SqlCells.add`), their insatser registered, their ids claimed (new
    rows too), the position advanced."""
    monthly = {Cell(*row[:-1]): row.value for row in await session.execute(select(tables.retained))}
    retained: Contributions = {}
    for part in parts:
        accumulate(monthly, part.monthly)
        accumulate(retained, part.retained)
    rows = [(*cell, value) for cell, value in sorted(monthly.items())]
    await insert_new(session, tables.monthly, (*CELL_COLUMNS, "value"), rows)
    for sums in SUMS:
        await insert_new(session, sums.table, (*sums.columns, "value"), sums.of(rows))
    await SqlCells(session, tables.retained).add(retained)
    await SqlInsatser(session).register([insats for part in parts for insats in part.insatser])
    ids = [(change_id,) for part in parts for change_id in part.processed]
    await insert_new(session, tables.processed, ("change_id",), ids)
    newest = max(
        (part.processed_through for part in parts),
        key=lambda through: through.position,
        default=None,
    )
    if newest is not None:
        await SqlMeta(session).lock({generation: newest})
