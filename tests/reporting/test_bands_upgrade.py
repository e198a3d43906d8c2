"""A database counted before the bands were read at report time (`reporting_0005`, cells
holding the v1 bands) upgraded: the reports without bands or base stay what they were."""

from alembic import command
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.engine import Connection

from services.reporting.adapters import tables
from services.reporting.bootstrap import REVISIONS_DIR, SERVICE
from services.reporting.domain.breakdowns import BANDED, DEFAULT_BANDS
from services.reporting.domain.contributions import BREAKDOWN_PREFIX, STARTED_PREFIX
from shared.platform.db import _alembic_config, create_engine
from shared.platform.settings import Settings
from tests.reporting.running import report, running_reporting
from tests.reporting.strategies import cells_of
from tests.reporting.test_bands_api import CHANGES, HELAR, PEOPLE

Key = tuple[str, str, str, str, str]


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
    assert await _stored(settings, "reporting_0005") == _v1_cells()

    async with running_reporting(settings, redis, *CHANGES) as client:  # migrates up
        after = [await report(client, **HELAR | {"period": p}) for p in ("helar", "q1")]
    assert after == before
