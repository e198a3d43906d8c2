"""Hot statements run on the asyncpg connection itself, outside any transaction.

Through SQLAlchemy, a statement costs about 0.2 ms of CPU more than on the driver (its
cache key, parameter and result processing, a greenlet hand-off each way): as much as the
rest of a start's service layer. Only outside a transaction (autocommit): SQLAlchemy's
connection begins its transaction with its own first statement, which these would pass.
"""

from collections.abc import Mapping
from contextlib import suppress
from typing import Any, NoReturn

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.service_layer.unit_of_work import ConcurrentWrite


class ClosedConnection(Exception):
    """The session's connection was found closed (a database restart) before the statement
    was sent: the command may run again (`StaleConnection`)."""


class DriverStatement:
    """A statement compiled once for asyncpg (`$1`, `$2`, …), which prepares it once per
    connection (its statement cache)."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=asyncpg_dialect())
        self._sql = compiled.string
        self._names = tuple(compiled.positiontup or ())

    async def fetchrow(
        self, session: AsyncSession, parameters: Mapping[str, Any]
    ) -> asyncpg.Record | None:
        """The statement's first row, on the session's connection (in autocommit). A unique
        key taken meanwhile raises `ConcurrentWrite`, as through SQLAlchemy
        (`SqlUnitOfWork`); a connection found closed, `ClosedConnection`."""
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert isinstance(driver, asyncpg.Connection)
        if driver.is_closed():
            await _closed(session)
        try:
            return await driver.fetchrow(self._sql, *(parameters[name] for name in self._names))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise ConcurrentWrite(str(error)) from error
        except (asyncpg.InterfaceError, asyncpg.InternalClientError):
            # asyncpg refuses before sending on a connection it finds closed or broken
            # (the backend's termination read, not yet its end).
            if driver.is_closed():
                await _closed(session)
            raise


async def _closed(session: AsyncSession) -> NoReturn:
    # Through SQLAlchemy, which finds the connection closed too and drops the pool's
    # connections of before (a database restart), so the command's next run gets a new one.
    with suppress(DBAPIError):
        await session.execute(text("SELECT 1"))
    raise ClosedConnection
