"""What every service's lifespan opens: its migrated database and a Redis client, and the
readiness checks on both."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.platform.db import (
    create_engine,
    forget_deleted,
    is_migrated,
    migrate,
    session_factory,
)
from shared.platform.settings import Settings

log = logging.getLogger(__name__)

_CHECK_SECONDS = 2.0


@asynccontextmanager
async def migrated_sessions(
    settings: Settings, service: str, revisions_dir: Path
) -> AsyncIterator[async_sessionmaker]:
    """Sessions on the service's database, migrated to the newest revision first."""
    engine = create_engine(settings.service_database_url(service))
    try:
        await migrate(engine, service, revisions_dir)
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def compact(settings: Settings, service: str, revisions_dir: Path) -> None:
    """Rewrite the service's database without a trace of deleted rows (after a purge)."""
    async with migrated_sessions(settings, service, revisions_dir) as sessions:
        await forget_deleted(sessions.kw["bind"], vacuum=True)


async def staged(
    settings: Settings, service: str, revisions_dir: Path, outbox: Table, type_: str
) -> set[str]:
    """The message ids of `type_` the service's outbox holds, not yet published."""
    async with (
        migrated_sessions(settings, service, revisions_dir) as sessions,
        sessions() as session,
    ):
        found = await session.scalars(select(outbox.c.message_id).where(outbox.c.type == type_))
        return set(found)


@dataclass(frozen=True)
class Connections:
    service: str
    revisions_dir: Path
    sessions: async_sessionmaker
    redis: Redis

    async def checks(self) -> dict[str, bool]:
        """Whether the database answers with the newest migration applied, and Redis answers."""
        engine = self.sessions.kw["bind"]
        return {
            "database": await _check(
                "database", lambda: is_migrated(engine, self.service, self.revisions_dir)
            ),
            "redis": await _check("redis", self.redis.ping),
        }


async def _check(name: str, probe: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return bool(await asyncio.wait_for(probe(), _CHECK_SECONDS))
    except Exception as error:  # noqa: BLE001  # any failure means not ready
        log.warning("readiness check %s failed: %s", name, error)
        return False


NOT_STARTED = {"database": False, "redis": False}


@asynccontextmanager
async def database_and_redis(
    settings: Settings, service: str, revisions_dir: Path
) -> AsyncIterator[Connections]:
    redis = Redis.from_url(settings.required_redis_url())
    try:
        async with migrated_sessions(settings, service, revisions_dir) as sessions:
            yield Connections(service, revisions_dir, sessions, redis)
    finally:
        await redis.aclose()
