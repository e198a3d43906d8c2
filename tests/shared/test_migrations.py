"""Each service's migrations create exactly the tables its `adapters/tables.py` declares, on
SQLite and PostgreSQL: columns, types, keys, unique constraints and indexes (and, on
PostgreSQL, storage parameters such as a fillfactor)."""

from pathlib import Path
from types import ModuleType

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake import bootstrap as intake
from services.intake.adapters import tables as intake_tables
from services.outcomes import bootstrap as outcomes
from services.outcomes.adapters import tables as outcomes_tables
from services.reporting import bootstrap as reporting
from services.reporting.adapters import tables as reporting_tables
from shared.platform.db import create_engine, migrate
from shared.platform.settings import Settings

SERVICES = [
    (intake, intake_tables.metadata),
    (outcomes, outcomes_tables.metadata),
    (reporting, reporting_tables.metadata),
]


def _differences(connection: Connection, service: str, metadata: MetaData) -> list:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_name": lambda name, kind, _parent: (
                kind != "table" or name.startswith(f"{service}_")
            ),
        },
    )
    return compare_metadata(context, metadata)


@pytest.mark.parametrize(("service", "metadata"), SERVICES, ids=["intake", "outcomes", "reporting"])
async def test_the_migrated_tables_are_the_declared_ones(
    service: ModuleType, metadata: MetaData, database_url: str, tmp_path: Path
) -> None:
    url = Settings(database_url=database_url, data_dir=tmp_path).service_database_url(
        service.SERVICE
    )
    engine = create_engine(url)
    try:
        await migrate(engine, service.SERVICE, service.REVISIONS_DIR)
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences, service.SERVICE, metadata)
            storage = await _storage_parameters(connection, service.SERVICE)
        assert differences == []
        if storage is not None:
            assert storage == _declared_storage_parameters(metadata)
    finally:
        await engine.dispose()


async def _storage_parameters(
    connection: AsyncConnection, service: str
) -> dict[str, list[str]] | None:
    """Each table's storage parameters on PostgreSQL (None on SQLite, which has none).
    `compare_metadata` does not compare them: a fillfactor decides whether an update is
    written in place (HOT), half of the cells' statement's cost."""
    if connection.dialect.name != "postgresql":
        return None
    rows = await connection.execute(
        text(
            "SELECT relname, coalesce(reloptions, '{}') FROM pg_class"
            " WHERE relkind = 'r' AND relname LIKE :prefix"
        ),
        {"prefix": f"{service}\\_%"},
    )
    return {name: sorted(options) for name, options in rows}


def _declared_storage_parameters(metadata: MetaData) -> dict[str, list[str]]:
    return {
        table.name: sorted(
            f"{name}={value}"
            for name, value in (table.dialect_options["postgresql"]["with"] or {}).items()
        )
        for table in metadata.tables.values()
    }
