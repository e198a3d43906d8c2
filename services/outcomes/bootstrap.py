"""Composition root of outcomes: the app (health and metrics), its consumer and relay, and
the generation `stegvis rebuild` renews."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from services.outcomes.adapters import tables
from services.outcomes.adapters.tables import REVISIONS_DIR, SERVICE
from services.outcomes.adapters.unit_of_work import SqlUnitOfWork
from services.outcomes.entrypoints.subscriber import intake_consumer
from shared.platform.consumer import StreamConsumer
from shared.platform.http import NO_OPENTELEMETRY, install_common_routes
from shared.platform.outbox import OutboxRelay
from shared.platform.service import NOT_STARTED, Connections, database_and_redis, migrated_sessions
from shared.platform.settings import Settings
from shared.platform.streams import Topology

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Running:
    connections: Connections
    relay: OutboxRelay
    consumer: StreamConsumer


def create_app(settings: Settings) -> FastAPI:
    redis_url = settings.required_redis_url()
    running: list[_Running] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with database_and_redis(settings, SERVICE, REVISIONS_DIR) as connections:
            topology = Topology(settings.stream_prefix)
            relay = OutboxRelay(
                connections.sessions,
                tables.outbox,
                connections.redis,
                topology.outcome_changes,
                topology.consumer_groups(topology.outcome_changes),
            )
            consumer = intake_consumer(
                settings,
                connections.redis,
                lambda: SqlUnitOfWork(connections.sessions, relay.wake),
                settings.outcome_policy(),
            )
            async with relay.publishing(), consumer.consuming(redis_url):
                running.append(_Running(connections, relay, consumer))
                try:
                    yield
                finally:
                    running.clear()

    async def ready() -> bool:
        return any(r.relay.alive and r.consumer.running for r in running)

    async def dependencies() -> dict[str, bool]:
        return await running[0].connections.checks() if running else NOT_STARTED

    app = FastAPI(
        title="Stegvis outcomes", version="1", lifespan=lifespan, telemetry=NO_OPENTELEMETRY
    )
    install_common_routes(
        app, ready, dependencies, settings.stream_prefix, settings.max_request_bytes
    )
    return app


async def current_generation(settings: Settings) -> int:
    async with (
        migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions,
        sessions() as session,
    ):
        return (await tables.bookkeeping.meta_row(session)).generation


async def reset(settings: Settings, generation: int) -> None:
    """Forget every record and processed id and start `generation` (`stegvis rebuild`);
    waits for a batch in progress (it holds the generation shared)."""
    async with (
        migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions,
        sessions() as session,
        session.begin(),
    ):
        await tables.bookkeeping.reset(session, generation)
    log.info("outcomes reset to generation %d", generation)
