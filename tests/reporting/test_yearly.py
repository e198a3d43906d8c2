"""The sums kept beside the monthly cells on a real database (SQLite and PostgreSQL): the
trend's (`tables.yearly`) always the uncoded trend figures of the monthly cells summed by
year, the whole förbund's (`tables.forbund`) always the cells summed over the insatser (and
its reads of it its insatser's reads summed), after any batches of cells, of the erased's
cells, a rebuild's reset, and the migrations that fill them."""

import itertools
from collections.abc import Sequence
from dataclasses import astuple

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting import bootstrap
from services.reporting.adapters import tables
from services.reporting.adapters.bulk import store_projected
from services.reporting.adapters.repositories import SqlCells, SqlReportReader
from services.reporting.domain.bases import Base
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX, Cell
from services.reporting.domain.periods import parse_period
from services.reporting.domain.readings import ReadRow, Window
from services.reporting.domain.reports import FIGURE_SOURCES
from services.reporting.domain.series import MonthRow
from shared.platform.db import _alembic_config

Sums = dict[tuple[str, ...], float]

PREFIXES = (BREAKDOWN_PREFIX, STARTED_PREFIX)

_cells = st.builds(
    Cell,
    insats_id=st.sampled_from(["a", "b"]),
    month=st.sampled_from(["2024-12", "2025-01", "2025-07", "2026-03"]),
    gender=st.sampled_from(["kvinna", "man"]),
    # The trend's figures (the opening stock's among them), breakdowns and a figure the trend
    # does not read.
    figure=st.sampled_from(
        [*FIGURE_SOURCES[:3], *(prefix + "age_band" for prefix in PREFIXES), "started_x"]
    ),
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


async def _monthly_over_insatser(session: AsyncSession) -> Sums:
    monthly = tables.monthly
    keys = [monthly.c[column] for column in ("month", "gender", "figure", "code", "known_by")]
    rows = await session.execute(select(*keys, func.sum(monthly.c.value)).group_by(*keys))
    return {tuple(key): value for *key, value in rows}


async def _rows(session: AsyncSession, table: Table) -> Sums:
    return {tuple(key): value for *key, value in await session.execute(select(table))}


_WINDOWS = [
    Window.of(parse_period(year, period, 6))
    for year, period in [(2025, "helar"), (2025, "2025-07"), (2026, "q1")]
]


async def _assert_read_as_its_insatser_summed(session: AsyncSession, base: Base) -> None:
    """The whole förbund's reads (of `tables.forbund`) equal its insatser's summed."""
    reader = SqlReportReader(session)
    for window in _WINDOWS:
        for closing in (None, window.last):
            whole = await reader.report_rows(window, None, False, closing, base)
            by_insats = await reader.report_rows(window, None, True, closing, base)
            assert _added(whole) == _added(by_insats)
        months = (window.first, window.last)
        of_insatser = [await reader.month_rows(insats, *months) for insats in ("a", "b")]
        assert _added(await reader.month_rows(None, *months)) == _added(*of_insatser)


def _added(*rows: Sequence[ReadRow] | Sequence[MonthRow]) -> Sums:
    """The rows' values added by their keys, whatever their insats."""
    sums: Sums = {}
    for row in itertools.chain(*rows):
        fields = astuple(row)
        key = fields[1:-1] if isinstance(row, ReadRow) else fields[:-1]
        sums[key] = sums.get(key, 0.0) + row.value
    return sums


async def _assert_summed(sessions: async_sessionmaker, base: Base = Base.ENDED) -> None:
    async with sessions() as session:
        assert await _rows(session, tables.yearly) == await _monthly_by_year(session)
        assert await _rows(session, tables.forbund) == await _monthly_over_insatser(session)
        await _assert_read_as_its_insatser_summed(session, base)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None
)
@given(batches=_batches, base=st.sampled_from(Base))
async def test_the_sums_are_the_monthly_cells_summed(sessions, batches, base: Base) -> None:
    for erased, deltas in batches:
        async with sessions() as session, session.begin():
            await SqlCells(session, tables.monthly).add(deltas)
            if erased:
                await SqlCells(session, tables.retained).add(deltas)
        await _assert_summed(sessions, base)

    # A rebuild starts both from the erased's cells.
    async with sessions() as session, session.begin():
        await tables.bookkeeping.reset(session, 2, processed_position=0, processed_occurred_at=None)
        await store_projected(session, 2, [])
    await _assert_summed(sessions, base)


@pytest.mark.parametrize("before", ["reporting_0012_by_month", "reporting_0013_yearly"])
async def test_the_migrations_sum_the_cells_there_are(sessions, before: str) -> None:
    cells = {
        Cell("a", "2025-01", "kvinna", "new", "", "2025-03"): 2.0,
        Cell("a", "2025-02", "kvinna", "new", "", "2025-03"): 1.0,
        Cell("a", "2026-02", "man", "ended", "", ""): 1.0,
        Cell("b", "2025-02", "man", BREAKDOWN_PREFIX + "age_band", "18-24", ""): 1.0,
        Cell("b", "2025-01", "kvinna", "new", "", "2025-03"): 4.0,
    }
    async with sessions() as session, session.begin():
        await SqlCells(session, tables.monthly).add(cells)
        connection = await session.connection()

        def down_and_up(connection: Connection) -> None:
            config = _alembic_config(bootstrap.SERVICE, bootstrap.REVISIONS_DIR, connection)
            command.downgrade(config, before)
            command.upgrade(config, "head")

        await connection.run_sync(down_and_up)
    async with sessions() as session:
        assert await _rows(session, tables.yearly) == {
            ("a", "2025", "kvinna", "new"): 3.0,
            ("a", "2026", "man", "ended"): 1.0,
            ("b", "2025", "kvinna", "new"): 4.0,
        }
        assert await _rows(session, tables.forbund) == {
            ("2025-01", "kvinna", "new", "", "2025-03"): 6.0,
            ("2025-02", "kvinna", "new", "", "2025-03"): 1.0,
            ("2026-02", "man", "ended", "", ""): 1.0,
            ("2025-02", "man", BREAKDOWN_PREFIX + "age_band", "18-24", ""): 1.0,
        }
    await _assert_summed(sessions)


async def test_cells_keep_their_text_as_given(sessions) -> None:
    # An indicator's or an organisation's name as the förbund wrote it: not ASCII, quotes,
    # a backslash (the cells reach PostgreSQL as one JSON parameter).
    figure, code = 'step_n:indicator:hälsa "å"', "Nyköping\\Öst"
    cells = {
        Cell("a", "2025-01", "kvinna", figure, code, "2025-03"): 2.0,
        Cell("b", "2025-01", "kvinna", figure, code, "2025-03"): 1.0,
    }
    async with sessions() as session, session.begin():
        await SqlCells(session, tables.monthly).add(cells)
    async with sessions() as session:
        assert await _rows(session, tables.monthly) == {
            tuple(cell): value for cell, value in cells.items()
        }
        assert await _rows(session, tables.forbund) == {
            ("2025-01", "kvinna", figure, code, "2025-03"): 3.0
        }
    await _assert_summed(sessions)
