"""Composition root of intake: the app, its lifespan, and the rebuild's re-queue."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from shared.http import bearer_auth, install_common_routes
from shared.outbox import OutboxRelay
from shared.service import NOT_STARTED, Connections, database_and_redis, migrated_sessions
from shared.settings import Settings
from shared.streams import Topology
from services.intake.adapters import repositories, tables
from services.intake.adapters.unit_of_work import SqlUnitOfWork
from services.intake.entrypoints.http import install_intake_api

log = logging.getLogger(__name__)

SERVICE = "intake"
REVISIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class _Running:
    connections: Connections
    relay: OutboxRelay


@dataclass
class _Lifetime:
    """What the lifespan started, for the routes and the health check (None outside it)."""

    running: _Running | None = None


def create_app(settings: Settings) -> FastAPI:
    authenticate = bearer_auth(settings.required_admin_token())
    settings.required_redis_url()  # refuse to start without one, before serving anything
    lifetime = _Lifetime()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with database_and_redis(settings, SERVICE, REVISIONS_DIR) as connections:
            topology = Topology(settings.stream_prefix)
            relay = OutboxRelay(
                connections.sessions,
                tables.outbox,
                connections.redis,
                topology.intake_events,
                topology.consumer_groups(topology.intake_events),
            )
            async with relay.publishing():
                lifetime.running = _Running(connections, relay)
                try:
                    yield
                finally:
                    lifetime.running = None

    def new_uow() -> SqlUnitOfWork:
        running = lifetime.running
        if running is None:
            raise RuntimeError("intake is not running")
        return SqlUnitOfWork(running.connections.sessions, running.relay.wake)

    async def ready() -> bool:
        running = lifetime.running
        return running is not None and running.relay.alive

    async def dependencies() -> dict[str, bool]:
        running = lifetime.running
        return await running.connections.checks() if running else NOT_STARTED

    app = FastAPI(title="Stegvis intake", version="1", lifespan=lifespan)
    install_common_routes(
        app, ready, dependencies, settings.stream_prefix, settings.max_request_bytes
    )
    install_intake_api(app, authenticate, new_uow)
    return app


async def requeue_event_log(settings: Settings) -> int:
    """Stage the whole event log for publication again (`stegvis rebuild`).

    Returns the highest position re-queued (0 for an empty log); the running relay
    publishes it.
    """
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        async with sessions() as session, session.begin():
            last_position = await repositories.requeue_event_log(session)
    log.info("re-queued intake's event log through position %d", last_position)
    return last_position
