"""Composition root of intake: the app, its lifespan, and the rebuild's re-queue."""

import logging
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from services.intake.adapters import log_reads, repositories, tables
from services.intake.adapters.accounts import requeue_access
from services.intake.adapters.caseload import SqlCaseload
from services.intake.adapters.driver_statements import KeptConnections
from services.intake.adapters.passwords import Argon2Passwords
from services.intake.adapters.repositories import InsatsCopies
from services.intake.adapters.tables import REVISIONS_DIR, SERVICE
from services.intake.adapters.unit_of_work import SqlUnitOfWork
from services.intake.domain.followups import FollowupWindow
from services.intake.domain.login_throttle import LoginThrottle
from services.intake.entrypoints.accounts import router as accounts_api
from services.intake.entrypoints.dependencies import IntakeApi
from services.intake.entrypoints.forms import StaffForms, install_staff_forms
from services.intake.entrypoints.http import install_refusals
from services.intake.entrypoints.http import router as intake_api
from services.intake.service_layer import erasure
from services.intake.service_layer.accounts import Accounts
from shared.contract.access import COMMAND_LINE, Principal, find_principal
from shared.platform.http import (
    NO_OPENTELEMETRY,
    authenticator,
    bearer_auth,
    install_common_routes,
)
from shared.platform.outbox import OutboxRelay
from shared.platform.service import NOT_STARTED, Connections, database_and_redis, migrated_sessions
from shared.platform.settings import Settings
from shared.platform.streams import Topology
from shared.web.navigation import Sites

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Running:
    connections: Connections
    relays: tuple[OutboxRelay, ...]
    """Of the events, and of users and credentials."""
    kept_connections: KeptConnections

    def wake_relays(self) -> None:
        for relay in self.relays:
            relay.wake()


@dataclass
class _Lifetime:
    """What the lifespan started, for the routes and the health check (None outside it)."""

    running: _Running | None = None


def create_app(settings: Settings) -> FastAPI:
    admin_token = settings.required_admin_token()
    settings.required_redis_url()  # refuse to start without one, before serving anything
    lifetime = _Lifetime()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with database_and_redis(settings, SERVICE, REVISIONS_DIR) as connections:
            topology = Topology(settings.stream_prefix)
            relays = tuple(
                OutboxRelay(
                    connections.sessions,
                    outbox,
                    connections.redis,
                    stream,
                    topology.consumer_groups(stream),
                )
                for outbox, stream in (
                    (tables.outbox, topology.intake_events),
                    (tables.access_outbox, topology.intake_access),
                )
            )
            kept_connections = KeptConnections()
            async with relays[0].publishing(), relays[1].publishing():
                lifetime.running = _Running(connections, relays, kept_connections)
                try:
                    yield
                finally:
                    lifetime.running = None
                    kept_connections.release()  # to the pool, before it is disposed of

    def running() -> _Running:
        if lifetime.running is None:
            raise RuntimeError("intake is not running")
        return lifetime.running

    insats_copies = InsatsCopies()

    def new_uow() -> SqlUnitOfWork:
        now = running()
        return SqlUnitOfWork(
            now.connections.sessions, now.wake_relays, insats_copies, now.kept_connections
        )

    async def principal_of_secret(secret: str) -> Principal | None:
        async with running().connections.sessions() as session:
            return await find_principal(session, tables.access, secret, datetime.now(UTC))

    async def ready() -> bool:
        return lifetime.running is not None and all(
            relay.alive for relay in lifetime.running.relays
        )

    async def dependencies() -> dict[str, bool]:
        running = lifetime.running
        return await running.connections.checks() if running else NOT_STARTED

    login_window = timedelta(minutes=settings.login_window_minutes)
    app = FastAPI(
        title="Stegvis intake", version="1", lifespan=lifespan, telemetry=NO_OPENTELEMETRY
    )
    install_common_routes(
        app,
        ready,
        dependencies,
        settings.stream_prefix,
        settings.max_request_bytes,
        settings.trusted_proxies,
    )
    principal_of = authenticator(admin_token, principal_of_secret)
    authenticate = bearer_auth(principal_of)
    accounts = Accounts(
        new_uow,
        Argon2Passwords(),
        throttle_by_user=LoginThrottle(settings.login_max_failures, login_window),
        throttle_by_client=LoginThrottle(10 * settings.login_max_failures, login_window),
        session_lifetime=timedelta(hours=settings.session_hours),
        token_max_days=settings.token_max_days,
    )
    app.state.intake = IntakeApi(authenticate, new_uow, accounts)
    app.include_router(intake_api)
    app.include_router(accounts_api)
    install_refusals(app)
    caseload = SqlCaseload(lambda: running().connections.sessions())
    install_staff_forms(
        app,
        StaffForms(
            admin_token,
            principal_of,
            accounts,
            new_uow,
            caseload,
            settings.outcome_policy(),
            Sites.of(settings),
            settings.member_kommuner,
            settings.followups,
            FollowupWindow(*settings.followup_window_days),
        ),
    )
    return app


REQUEUE_CHUNK = 10_000
"""Events staged for publication again per transaction: the running relay publishes the
first ones while the rest are staged (the whole log in one statement took seconds at
200,000 events, and nothing flowed until it committed)."""


async def event_log_cut(settings: Settings) -> log_reads.LogCut:
    """The log's newest position and each insats's number of events up to it: what
    `stegvis rebuild` derives in bulk."""
    async with (
        migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions,
        sessions() as session,
    ):
        return await log_reads.log_cut(session)


async def insatser_events(
    settings: Settings, insats_ids: Sequence[str], through: int
) -> AsyncIterator[tuple[str, list[tuple[int, str]]]]:
    """Each insats's (position, JSON) of its events up to `through`, in log order, one insats
    after the other as read (`stegvis rebuild` derives one while it reads the next)."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        for insats_id in insats_ids:
            async with sessions() as session:
                yield insats_id, await log_reads.insats_events(session, insats_id, through)


async def positions_through(settings: Settings, through: int) -> set[int]:
    """The positions of the events up to `through` in the log now (one committed after a
    read of the log took a lower position, or one erased since, makes them differ)."""
    async with (
        migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions,
        sessions() as session,
    ):
        return await log_reads.positions_through(session, through)


async def requeue_event_log(
    settings: Settings, after: int = 0, missed: Collection[int] = ()
) -> int:
    """Stage the event log after position `after` and the events at the positions `missed`,
    and every user and credential, for publication again (`stegvis rebuild`), in order,
    `REQUEUE_CHUNK` events a transaction.

    Returns the highest position in the log (0 for an empty log); the running relays
    publish them. Interrupted, it has staged a part of the log: run the rebuild again.
    """
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        async with sessions() as session, session.begin():
            last_position = await repositories.last_position(session)
            access = await requeue_access(session)
            for position in sorted(missed):
                await repositories.requeue_events(session, position - 1, position)
        for start in range(after, last_position, REQUEUE_CHUNK):
            async with sessions() as session, session.begin():
                await repositories.requeue_events(
                    session, start, min(start + REQUEUE_CHUNK, last_position)
                )
    log.info(
        "re-queued intake's event log after position %d (and %d missed) through %d, and %d "
        "users and credentials",
        after,
        len(missed),
        last_position,
        access,
    )
    return last_position


def _no_relay() -> None:
    """No relay runs here to be woken: intake's, whenever it runs, finds the outbox rows."""


async def participants_ended_before(settings: Settings, day: date) -> erasure.Registrations:
    """The registrations `stegvis purge --ended-before day` would erase."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        return await erasure.ended_before(lambda: SqlUnitOfWork(sessions, _no_relay), day)


async def purge(
    settings: Settings, day: date, progress: Callable[[int, int], None]
) -> erasure.Registrations:
    """Erase every participant stopped before `day` (`stegvis purge`); the registrations
    erased."""
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        new_uow = lambda: SqlUnitOfWork(sessions, _no_relay)  # noqa: E731
        erased = await erasure.purge(new_uow, day, COMMAND_LINE, progress)
    log.info(
        "purged %d participants (%d registrations) stopped before %s",
        erased.people,
        erased.total,
        day,
    )
    return erased
