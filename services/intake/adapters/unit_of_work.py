"""Intake's unit of work on one SQLAlchemy session and transaction."""

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.accounts import AccessOutbox, SqlAuditLog, SqlCredentials, SqlUsers
from services.intake.adapters.driver_statements import (
    ClosedConnection,
    DriverConnection,
    KeptConnections,
)
from services.intake.adapters.erasure import SqlErasure
from services.intake.adapters.repositories import (
    CopiedInsatser,
    InsatsCopies,
    SqlAnswers,
    SqlEventLog,
    SqlInsatser,
    SqlParticipants,
)
from services.intake.service_layer.unit_of_work import ConcurrentWrite, StaleConnection
from shared.platform import unit_of_work
from shared.platform.db import forget_deleted


class _SessionOnDemand:
    """The session outside a transaction, made at its first use: a command whose statements
    all run on the driver's connection (a start, check-in or stop) uses none, and making one
    (its `Session`, identity map and registry entry) cost ~40 µs of CPU deep in a request.
    The repositories hold it as the session; any attribute makes it."""

    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self.made: AsyncSession | None = None

    def __getattr__(self, name: str) -> Any:
        if self.made is None:
            self.made = self._sessions()
        return getattr(self.made, name)


class SqlUnitOfWork(unit_of_work.SqlUnitOfWork):
    _one_statement = False
    _driver: DriverConnection | None = None
    """In one statement on PostgreSQL: the connection its statements run on, outside any
    transaction; the session then begins no transaction unless a repository uses it."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        after_publishable_commit: Callable[[], None],
        insats_copies: InsatsCopies | None = None,
        kept_connections: KeptConnections | None = None,
    ) -> None:
        """`insats_copies`, `kept_connections`: the process's, used by a command in one
        statement on PostgreSQL; None: none kept."""
        super().__init__(sessions, after_publishable_commit)
        self._insats_copies = InsatsCopies() if insats_copies is None else insats_copies
        self._kept_connections = kept_connections

    def in_one_statement(self) -> Self:
        self._one_statement = True
        return self

    async def __aenter__(self) -> Self:
        engine = self._sessions.kw["bind"]
        if not (self._one_statement and engine.dialect.name == "postgresql"):
            # (SQLite's append is several statements: it keeps its transaction.)
            return await super().__aenter__()
        # Each statement commits itself: no BEGIN before it, nothing left to COMMIT.
        self._driver = DriverConnection(engine, self._kept_connections)
        self._on_demand = _SessionOnDemand(self._sessions)
        self._session = cast(AsyncSession, self._on_demand)
        self._bind(self._session)
        return self

    def _bind(self, session: AsyncSession) -> None:
        # Outside a transaction (`__aenter__`): nothing is held, and the write checks the
        # insats again, so a copy serves as well as a read.
        driver = self._driver
        self.insatser = (
            SqlInsatser(session)
            if driver is None
            else CopiedInsatser(session, driver, self._insats_copies)
        )
        self.participants = SqlParticipants(session, driver)
        self.audit = SqlAuditLog(session)
        self.events = SqlEventLog(session, self.audit, driver)
        self.answers = SqlAnswers(session)
        self._access_outbox = AccessOutbox(session)
        self.users = SqlUsers(session, self._access_outbox)
        self.credentials = SqlCredentials(session, self._access_outbox)
        self._commit_sent = False
        self.erasure = SqlErasure(session)

    def _session_in_use(self) -> bool:
        """Whether the session has a transaction to commit or roll back: outside a
        transaction, one unused has none (no connection either: nothing to close, and
        closing it cost ~30 µs of CPU), nor one never made."""
        if self._driver is None:
            return True
        made = self._on_demand.made
        return made is not None and made.in_transaction()

    def _staged_messages(self) -> bool:
        return (
            bool(self.events.appended) or self._access_outbox.staged > 0 or self.erasure.erased > 0
        )

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._driver is not None:
            self._driver.close(reusable=exc is None)
        if self._session_in_use():
            await super().__aexit__(exc_type, exc, traceback)  # rolls back what is left
        if isinstance(exc, ConcurrentWrite | IntegrityError):
            self._insats_copies.forget()  # one may be what changed
        if isinstance(exc, IntegrityError):
            raise ConcurrentWrite(str(exc.orig)) from exc
        if isinstance(exc, ClosedConnection):  # nothing was sent on it
            raise StaleConnection("the database connection was found closed") from exc
        # A connection lost while committing may have committed: that one is not retried;
        # nor, outside a transaction, one lost once a write was sent.
        may_have_committed = self._commit_sent or (self._one_statement and self.events.write_sent)
        if isinstance(exc, DBAPIError) and exc.connection_invalidated and not may_have_committed:
            raise StaleConnection(str(exc.orig)) from exc

    async def commit(self) -> None:
        await self.audit.flush()
        self._commit_sent = True
        if self._session_in_use():
            await super().commit()
        elif self._staged_messages():  # committed by its own statement
            self._after_publishable_commit()
        if self.erasure.erased:
            await forget_deleted(self._sessions.kw["bind"])
