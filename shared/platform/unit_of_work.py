"""The unit of work every service uses: one SQLAlchemy session, one transaction.

A service subclasses it to bind its repositories to the session; what is not committed when
the `async with` block ends is rolled back.
"""

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork(Protocol):
    """The port: a transaction the service layer commits or abandons."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""

    async def commit(self) -> None: ...


class SqlUnitOfWork:
    def __init__(
        self, sessions: async_sessionmaker, after_publishable_commit: Callable[[], None]
    ) -> None:
        self._sessions = sessions
        self._after_publishable_commit = after_publishable_commit
        """Wakes the outbox relay when a commit staged messages."""

    def _bind(self, session: AsyncSession) -> None:
        """Create the repositories on the new transaction's session."""
        raise NotImplementedError

    def _staged_messages(self) -> bool:
        """Whether this transaction staged messages for the outbox."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._session: AsyncSession = self._sessions()
        await self._session.begin()
        self._bind(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._session.close()  # rolls back whatever was not committed

    async def commit(self) -> None:
        await self._session.commit()
        if self._staged_messages():
            self._after_publishable_commit()
