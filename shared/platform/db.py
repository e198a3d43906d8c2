"""Database engines and migrations, the same for every service.

A service owns its tables (prefixed with its name) and its own alembic history (a folder of
revisions it passes in), recorded in `alembic_version_<name>`; the alembic environment
itself is shared (`shared/platform/migrations/env.py`).
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_ENV_DIR = Path(__file__).parent / "migrations"
_ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}


def async_url(url: str) -> str:
    """`postgresql://…` or `sqlite:///…` with the async driver Stegvis uses."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    url = async_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    # Connections open on demand and stay (no overflow): under a burst, requests queue for
    # one rather than each opening, and closing, a PostgreSQL backend of its own. No
    # pre-ping: on asyncpg it is three round trips (BEGIN, `;`, ROLLBACK) per checkout. After
    # a database restart the first statement on an old connection fails instead, marked
    # `connection_invalidated`, and the pool drops every connection older than that failure:
    # consumers and relays retry their batch, intake runs the command again
    # (`StaleConnection`).
    return create_async_engine(url, pool_size=20, max_overflow=0)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the one writer; the busy timeout makes writers queue
    # instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, not left in free space (erasure, gallring).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    # Let SQLAlchemy, not the driver, emit BEGIN (see `_sqlite_begin_immediate`).
    dbapi_connection.isolation_level = None


async def forget_deleted(engine: AsyncEngine, *, vacuum: bool = False) -> None:
    """Leave no deleted row in the database's files (after an erasure). SQLite zeroes
    deleted content (`secure_delete`); the WAL still holds older copies of the pages until a
    checkpoint empties it. `vacuum`: rewrite the whole database too (SQLite: no free page
    left, also none from before `secure_delete`; PostgreSQL: dead tuples reclaimed)."""
    async with engine.connect() as connection:
        # The driver's own connection: VACUUM runs outside any transaction.
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if engine.dialect.name == "sqlite":
            if vacuum:
                await driver.execute("VACUUM")
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif vacuum:
            await driver.execute("VACUUM")


def _sqlite_begin_immediate(connection) -> None:
    # Take the write lock when a transaction starts, not at its first write: a transaction
    # that read and then finds another writer committed in between would otherwise fail.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(service: str, revisions: Path, connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_ENV_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(revisions))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = f"alembic_version_{service}"
    return config


async def migrate(engine: AsyncEngine, service: str, revisions: Path, to: str = "head") -> None:
    """Bring the service's tables to the newest revision (run at every start), or to the
    revision `to` (a test of a later one's upgrade)."""

    def upgrade(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Replicas starting together must not both run the same migration.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                {"name": f"stegvis-migrate-{service}"},
            )
        command.upgrade(_alembic_config(service, revisions, connection), to)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)


async def is_migrated(engine: AsyncEngine, service: str, revisions: Path) -> bool:
    """Whether the service's newest revision is applied (for readiness)."""

    def check(connection: Connection) -> bool:
        config = _alembic_config(service, revisions, connection)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        context = MigrationContext.configure(
            connection, opts={"version_table": config.attributes["version_table"]}
        )
        return set(context.get_current_heads()) == heads

    async with engine.connect() as connection:
        return await connection.run_sync(check)


def dialect_of(session: AsyncSession) -> str:
    """The session's database: `postgresql` or `sqlite` (the statements that differ)."""
    return session.get_bind().dialect.name


def upsert(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT that can take ON CONFLICT, in the session's dialect (both have it)."""
    return postgresql.insert(table) if dialect_of(session) == "postgresql" else sqlite.insert(table)
