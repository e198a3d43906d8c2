"""Composition root of outcomes: the app (health and metrics), its consumer and relay, and
the generation `stegvis rebuild` renews, with the state it derives in bulk
(`entrypoints/bulk.py`)."""

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from services.outcomes.adapters import tables
from services.outcomes.adapters.bulk import Derived, store_derived
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

_FIRST_COLLECTOR_THRESHOLD = 20_000
"""Allocations less deallocations between the cyclic collector's youngest collections
(Python's default 700). A batch's events, records and changes are containers that live
until the batch ends: at 700 the collector walked them some 27 times a batch of 500 (about
a tenth of outcomes' CPU). What a batch leaves is freed by reference counts, so at this
bound collections are rare. Outcomes' only: reporting's peak memory grew past the flat bound
with it (`shared.platform.http._freeze_the_loaded_heap`)."""


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
            thresholds = gc.get_threshold()
            gc.set_threshold(_FIRST_COLLECTOR_THRESHOLD, *thresholds[1:])
            async with relay.publishing(), consumer.consuming(redis_url):
                running.append(_Running(connections, relay, consumer))
                try:
                    yield
                finally:
                    running.clear()
                    gc.set_threshold(*thresholds)

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


Reset = Callable[[int, Sequence[Derived], Awaitable[object] | None], Awaitable[None]]


@asynccontextmanager
async def resetting(settings: Settings) -> AsyncIterator[Reset]:
    """Resets of outcomes' state (`stegvis rebuild`) on one engine, migrated first: one at a
    time, as alembic's context is the process's.

    A reset forgets every record and processed id and starts the generation with the state
    derived in bulk, in one transaction, committed once the awaitable given is done
    (reporting's reset: outcomes' writes run meanwhile); it waits for a batch in progress
    (which holds the generation shared)."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:

        async def reset(
            generation: int, derived: Sequence[Derived], committed_after: Awaitable[object] | None
        ) -> None:
            async with sessions() as session, session.begin():
                await tables.bookkeeping.reset(session, generation)
                await store_derived(session, derived)
                if committed_after is not None:
                    await committed_after  # raised here, it rolls this back
            log.info("outcomes reset to generation %d", generation)

        yield reset
