"""Intake's unit of work on one SQLAlchemy session and transaction."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.adapters.accounts import AccessOutbox, SqlAuditLog, SqlCredentials, SqlUsers
from services.intake.adapters.driver_statements import ClosedConnection
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
from shared.platform.db import dialect_of, forget_deleted


class SqlUnitOfWork(unit_of_work.SqlUnitOfWork):
    _one_statement = False

    def __init__(
        self,
        sessions: async_sessionmaker,
        after_publishable_commit: Callable[[], None],
        insats_copies: InsatsCopies | None = None,
    ) -> None:
        """`insats_copies`: the process's (`InsatsCopies`), read by a command in one
        statement on PostgreSQL; None: none kept."""
        super().__init__(sessions, after_publishable_commit)
        self._insats_copies = InsatsCopies() if insats_copies is None else insats_copies

    def in_one_statement(self) -> Self:
        self._one_statement = True
        return self

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        if self._one_statement and dialect_of(self._session) == "postgresql":
            # Each statement commits itself: no BEGIN before it, nothing left to COMMIT.
            # (SQLite's append is several statements: it keeps its transaction.)
            await self._session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return self

    def _bind(self, session: AsyncSession) -> None:
        # In autocommit (`__aenter__`): nothing is held, and the write checks the insats
        # again, so a copy serves as well as a read.
        outside_transaction = self._one_statement and dialect_of(session) == "postgresql"
        self.insatser = (
            CopiedInsatser(session, self._insats_copies)
            if outside_transaction
            else SqlInsatser(session)
        )
        self.participants = SqlParticipants(session, outside_transaction=outside_transaction)
        self.audit = SqlAuditLog(session)
        self.events = SqlEventLog(session, self.audit, outside_transaction=outside_transaction)
        self.answers = SqlAnswers(session)
        self._access_outbox = AccessOutbox(session)
        self.users = SqlUsers(session, self._access_outbox)
        self.credentials = SqlCredentials(session, self._access_outbox)
        self._commit_sent = False
        self.erasure = SqlErasure(session)

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
        await super().__aexit__(exc_type, exc, traceback)
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
        await super().commit()
        if self.erasure.erased:
            await forget_deleted(self._sessions.kw["bind"])
