"""A database counted before the bands were read at report time (cells holding the v1 bands,
`reporting_0008_economy_restated`) upgraded: the reports without bands or base stay what they
were, and the cells kept of the erased hold values too."""

from alembic import command
from redis.asyncio import Redis
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from services.reporting.adapters import tables
from services.reporting.bootstrap import REVISIONS_DIR, SERVICE
from services.reporting.domain.breakdowns import BANDED, DEFAULT_BANDS
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX
from shared.platform.db import _alembic_config, create_engine, migrate
from shared.platform.settings import Settings
from tests.reporting.running import report, running_reporting
from tests.reporting.strategies import cells_of
from tests.reporting.test_bands_api import CHANGES, HELAR, PEOPLE

Key = tuple[str, str, str, str, str]
BEFORE = "reporting_0008_economy_restated"


def _v1_cells() -> dict[Key, float]:
    """The cells as reporting counted them before: ended by their v1 band, none started."""
    cells: dict[Key, float] = {}
    for cell, value in cells_of(PEOPLE).items():
        if cell.figure.startswith(STARTED_PREFIX):
            continue
        code = cell.code
        name = cell.figure.removeprefix(BREAKDOWN_PREFIX)
        if cell.figure.startswith(BREAKDOWN_PREFIX) and name in BANDED and code.isdigit():
            code = DEFAULT_BANDS[name].code_of(int(code))
        key = (cell.insats_id, cell.month, str(cell.gender), cell.figure, code)
        cells[key] = cells.get(key, 0) + value
    return {key: value for key, value in cells.items() if value}


async def _stored(settings: Settings, to: str | None = None) -> dict[Key, float]:
    """The cells stored, summed over `known_by` (after migrating down `to` a revision)."""
    engine = create_engine(settings.service_database_url(SERVICE))
    try:
        async with engine.begin() as connection:
            if to is not None:

                def down(connection: Connection) -> None:
                    command.downgrade(_alembic_config(SERVICE, REVISIONS_DIR, connection), to)

                await connection.run_sync(down)
            monthly = tables.monthly
            rows = await connection.execute(
                select(
                    monthly.c.insats_id,
                    monthly.c.month,
                    monthly.c.gender,
                    monthly.c.figure,
                    monthly.c.code,
                    monthly.c.value,
                )
            )
            stored: dict[Key, float] = {}
            for *key, value in rows:
                stored[tuple(key)] = stored.get(tuple(key), 0) + value
    finally:
        await engine.dispose()
    return {key: value for key, value in stored.items() if value}


async def test_an_upgrade_keeps_the_reports_without_bands_or_base(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *CHANGES) as client:
        before = [await report(client, **HELAR | {"period": p}) for p in ("helar", "q1")]

    # Back to before this revision: the cells are those reporting counted then.
    assert await _stored(settings, BEFORE) == _v1_cells()

    async with running_reporting(settings, redis, *CHANGES) as client:  # migrates up
        after = [await report(client, **HELAR | {"period": p}) for p in ("helar", "q1")]
    assert after == before


async def test_the_cells_kept_of_the_erased_become_values_and_back(settings: Settings) -> None:
    engine = create_engine(settings.service_database_url(SERVICE))
    retained = tables.retained
    cell = {"insats_id": "a", "month": "2025-03", "gender": "kvinna", "known_by": "2025-03"}
    age, years = BREAKDOWN_PREFIX + "age_band", BREAKDOWN_PREFIX + "years_in_support"

    async def kept() -> set[tuple[str, str, float]]:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(retained.c.figure, retained.c.code, retained.c.value)
            )
            return {tuple(row) for row in rows}

    try:
        await migrate(engine, SERVICE, REVISIONS_DIR, to=BEFORE)
        async with engine.begin() as connection:
            await connection.execute(
                insert(retained),
                [
                    cell | {"figure": age, "code": "35-39", "value": 2},
                    cell | {"figure": years, "code": "6+", "value": 1},
                    cell | {"figure": age, "code": "okand", "value": 3},
                ],
            )
        await migrate(engine, SERVICE, REVISIONS_DIR)
        assert await kept() == {(age, "35", 2), (years, "6", 1), (age, "okand", 3)}
        async with engine.begin() as connection:

            def down(connection: Connection) -> None:
                command.downgrade(_alembic_config(SERVICE, REVISIONS_DIR, connection), BEFORE)

            await connection.run_sync(down)
        assert await kept() == {(age, "35-39", 2), (years, "6+", 1), (age, "okand", 3)}
    finally:
        await engine.dispose()
