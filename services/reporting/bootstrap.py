"""Composition root of reporting: the app (report API, pages, dead letters, health, metrics),
its consumers of outcomes' changes and of intake's users and credentials, and the reset
and progress `stegvis rebuild` uses (its projection in bulk: `entrypoints/bulk.py`)."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from services.reporting.adapters import tables
from services.reporting.adapters.access import SqlPageSessions, principal_of_secret
from services.reporting.adapters.bulk import Projected, store_projected
from services.reporting.adapters.repositories import report_reader
from services.reporting.adapters.tables import REVISIONS_DIR, SERVICE
from services.reporting.adapters.unit_of_work import SqlUnitOfWork
from services.reporting.domain.breakdowns import configured_bands
from services.reporting.entrypoints.economy import install_economy_api
from services.reporting.entrypoints.goals import install_goals_api
from services.reporting.entrypoints.http import install_dead_letter_api, install_report_api
from services.reporting.entrypoints.pages import install_report_pages
from services.reporting.entrypoints.series import install_series_api
from services.reporting.entrypoints.subscriber import (
    access_consumer,
    outcomes_consumer,
    tracking_newest_event_reflected,
)
from services.reporting.entrypoints.target_pages import install_target_pages
from services.reporting.entrypoints.targets import install_targets_api
from services.reporting.service_layer.dead_letters import DeadLetterDesk
from services.reporting.service_layer.series import SeriesSource
from services.reporting.service_layer.unit_of_work import ReportReader
from services.reporting.service_layer.views import Clock, ReportSource, utc_now
from shared.contract.access import Principal
from shared.platform.consumer import StreamConsumer
from shared.platform.http import (
    NO_OPENTELEMETRY,
    authenticator,
    bearer_auth,
    install_common_routes,
)
from shared.platform.service import NOT_STARTED, Connections, database_and_redis, migrated_sessions
from shared.platform.settings import Settings
from shared.platform.streams import Topology
from shared.web.navigation import Sites

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Running:
    connections: Connections
    consumers: tuple[StreamConsumer, ...]


@dataclass
class _Lifetime:
    """What the lifespan started, for the routes and the health check (None outside it)."""

    running: _Running | None = None


def create_app(settings: Settings, clock: Clock = utc_now) -> FastAPI:
    """`clock`: what time it is, for which months have closed."""
    admin_token = settings.required_admin_token()
    redis_url = settings.required_redis_url()
    try:
        bands = configured_bands(settings.bands)
    except ValueError as error:
        raise SystemExit(f"STEGVIS_BANDS: {error}") from None
    lifetime = _Lifetime()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with database_and_redis(settings, SERVICE, REVISIONS_DIR) as connections:

            def new_uow() -> SqlUnitOfWork:
                return SqlUnitOfWork(connections.sessions)

            changes = outcomes_consumer(settings, connections.redis, new_uow)
            access = access_consumer(settings, connections.redis, new_uow)
            async with (
                changes.consuming(redis_url),
                access.consuming(redis_url),
                tracking_newest_event_reflected(lambda: report_reader(connections.sessions)),
            ):
                lifetime.running = _Running(connections, (changes, access))
                try:
                    yield
                finally:
                    lifetime.running = None

    def connections() -> Connections:
        running = lifetime.running
        if running is None:
            raise RuntimeError("reporting is not running")
        return running.connections

    def open_reader() -> AbstractAsyncContextManager[ReportReader]:
        return report_reader(connections().sessions)

    async def lookup(secret: str) -> Principal | None:
        return await principal_of_secret(connections().sessions, secret)

    async def ready() -> bool:
        running = lifetime.running
        return running is not None and all(consumer.running for consumer in running.consumers)

    async def dependencies() -> dict[str, bool]:
        running = lifetime.running
        return await running.connections.checks() if running else NOT_STARTED

    def new_uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(connections().sessions)

    reports = ReportSource(
        open_reader,
        settings.delar_end_month,
        settings.month_close_days,
        clock,
        bands,
        settings.followups,
    )
    desk = DeadLetterDesk(lambda: connections().redis, Topology(settings.stream_prefix))
    app = FastAPI(
        title="Stegvis reporting", version="1", lifespan=lifespan, telemetry=NO_OPENTELEMETRY
    )
    install_common_routes(
        app,
        ready,
        dependencies,
        settings.stream_prefix,
        settings.max_request_bytes,
        settings.trusted_proxies,
    )
    principal_of = authenticator(admin_token, lookup)
    install_report_api(app, bearer_auth(principal_of), reports, settings.suppression_threshold)
    install_dead_letter_api(app, bearer_auth(principal_of), desk)
    install_targets_api(app, bearer_auth(principal_of), new_uow, reports)
    install_economy_api(app, bearer_auth(principal_of), new_uow, open_reader, reports.known_by_now)
    install_goals_api(app, bearer_auth(principal_of), new_uow, open_reader)
    series = SeriesSource(open_reader, settings.delar_end_month, clock)
    install_series_api(app, bearer_auth(principal_of), series)
    # The HTML pages (entrypoints/pages.py), last: they may add routes of their own.
    page_sessions = SqlPageSessions(
        lambda: connections().sessions, admin_token, timedelta(hours=settings.session_hours)
    )
    install_report_pages(
        app,
        admin_token,
        principal_of,
        page_sessions,
        reports,
        desk,
        settings.suppression_threshold,
        Sites.of(settings),
        series,
    )
    install_target_pages(app, new_uow, reports)
    return app


Reset = Callable[[int, Sequence[Projected]], Awaitable[None]]


@asynccontextmanager
async def resetting(settings: Settings) -> AsyncIterator[Reset]:
    """Resets of reporting's projection (`stegvis rebuild`) on one engine, migrated first:
    one at a time, as alembic's context is the process's.

    A reset forgets every figure, insats and processed id and starts the generation from the
    erased participants' contributions and the projection computed in bulk, in one
    transaction. It waits for a batch in progress (it holds the meta row); from its commit
    on, changes of any other generation are ignored."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:

        async def reset(generation: int, projected: Sequence[Projected]) -> None:
            async with sessions() as session, session.begin():
                await tables.bookkeeping.reset(
                    session, generation, processed_position=0, processed_occurred_at=None
                )
                await store_projected(session, generation, projected)
            log.info("reporting reset to generation %d", generation)

        yield reset


@asynccontextmanager
async def processed_positions(settings: Settings) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """Reads of the newest intake position the reports include, on one engine (`stegvis
    rebuild --wait` polls it: an engine and a migration check per read was a share of a
    core, and a backend started each time)."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:

        async def read() -> int:
            async with sessions() as session:
                return await session.scalar(select(tables.meta.c.processed_position))

        yield read
