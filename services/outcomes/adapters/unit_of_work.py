"""Outcomes' unit of work on one SQLAlchemy session and transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.outcomes.adapters.repositories import (
    SqlChanges,
    SqlMeta,
    SqlParticipants,
    SqlProcessed,
)
from shared.platform import unit_of_work


class SqlUnitOfWork(unit_of_work.SqlUnitOfWork):
    def _bind(self, session: AsyncSession) -> None:
        self.meta = SqlMeta(session)
        self.processed = SqlProcessed(session)
        self.participants = SqlParticipants(session)
        self.changes = SqlChanges(session)

    def _staged_messages(self) -> bool:
        return self.changes.staged
