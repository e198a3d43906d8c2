"""Outcomes' unit of work on one SQLAlchemy session and transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.outcomes.adapters.repositories import (
    RecordTexts,
    SqlChanges,
    SqlMeta,
    SqlParticipants,
    SqlProcessed,
    Staged,
)
from shared.platform import unit_of_work
from shared.platform.db import forget_deleted


class SqlUnitOfWork(unit_of_work.SqlUnitOfWork):
    def _bind(self, session: AsyncSession) -> None:
        self.meta = SqlMeta(session)
        self.processed = SqlProcessed(session)
        texts = RecordTexts()
        self._staged = Staged()
        self.participants = SqlParticipants(session, texts, self._staged)
        self.changes = SqlChanges(session, texts, self._staged)

    def _staged_messages(self) -> bool:
        return self.changes.staged

    async def commit(self) -> None:
        await self._staged.flush(self._session)
        await super().commit()
        if self.participants.forgotten:
            await forget_deleted(self._sessions.kw["bind"])
