"""The trend's yearly sums (`tables.yearly`) on a real database (SQLite and PostgreSQL):
always the uncoded trend figures of the monthly cells summed by year, after any batches of
cells, of the erased's cells, a rebuild's reset, and the migration that fills them."""

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting import bootstrap
from services.reporting.adapters import tables
from services.reporting.adapters.repositories import SqlCells, restore_retained
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, Cell
from services.reporting.domain.reports import FIGURE_SOURCES
from shared.platform.db import _alembic_config

Sums = dict[tuple[str, str, str, str], float]

_cells = st.builds(
    Cell,
    insats_id=st.sampled_from(["a", "b"]),
    month=st.sampled_from(["2024-12", "2025-01", "2025-07", "2026-03"]),
    gender=st.sampled_from(["kvinna", "man"]),
    # The trend's figures, a breakdown and a figure the trend does not read.
    figure=st.sampled_from([*FIGURE_SOURCES[:3], BREAKDOWN_PREFIX + "age_band", "started_x"]),
    code=st.sampled_from(["", "", "18-24"]),
    known_by=st.sampled_from(["", "2025-03", "2026-06"]),
)
_batches = st.lists(
    st.tuples(st.booleans(), st.dictionaries(_cells, st.integers(-3, 3).map(float), max_size=8)),
    max_size=6,
)


async def _monthly_by_year(session: AsyncSession) -> Sums:
    monthly = tables.monthly
    keys = (
        monthly.c.insats_id,
        func.substr(monthly.c.month, 1, 4),
        monthly.c.gender,
        monthly.c.figure,
    )
    rows = await session.execute(
        select(*keys, func.sum(monthly.c.value))
        .where(monthly.c.code == "", monthly.c.figure.in_(FIGURE_SOURCES))
        .group_by(*keys)
    )
    return {tuple(key): value for *key, value in rows}


async def _yearly(session: AsyncSession) -> Sums:
    return {tuple(key): value for *key, value in await session.execute(select(tables.yearly))}


async def _assert_summed(sessions: async_sessionmaker) -> None:
    async with sessions() as session:
        assert await _yearly(session) == await _monthly_by_year(session)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None
)
@given(batches=_batches)
async def test_the_years_are_the_monthly_cells_summed(sessions, batches) -> None:
    for erased, deltas in batches:
        async with sessions() as session, session.begin():
            await SqlCells(session, tables.monthly).add(deltas)
            if erased:
                await SqlCells(session, tables.retained).add(deltas)
        await _assert_summed(sessions)

    # A rebuild starts both from the erased's cells.
    async with sessions() as session, session.begin():
        await tables.bookkeeping.reset(session, 2, processed_position=0, processed_occurred_at=None)
        await restore_retained(session)
    await _assert_summed(sessions)


async def test_the_migration_sums_the_cells_there_are(sessions) -> None:
    cells = {
        Cell("a", "2025-01", "kvinna", "new", "", "2025-03"): 2.0,
        Cell("a", "2025-02", "kvinna", "new", "", "2025-03"): 1.0,
        Cell("a", "2026-02", "man", "ended", "", ""): 1.0,
        Cell("b", "2025-02", "man", BREAKDOWN_PREFIX + "age_band", "18-24", ""): 1.0,
    }
    async with sessions() as session, session.begin():
        await SqlCells(session, tables.monthly).add(cells)
        connection = await session.connection()

        def down_and_up(connection: Connection) -> None:
            config = _alembic_config(bootstrap.SERVICE, bootstrap.REVISIONS_DIR, connection)
            command.downgrade(config, "reporting_0012_by_month")
            command.upgrade(config, "head")

        await connection.run_sync(down_and_up)
    async with sessions() as session:
        assert await _yearly(session) == {
            ("a", "2025", "kvinna", "new"): 3.0,
            ("a", "2026", "man", "ended"): 1.0,
        }
    await _assert_summed(sessions)
