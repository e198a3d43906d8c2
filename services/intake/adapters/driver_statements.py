"""Hot statements run on an asyncpg connection of the pool itself, outside any transaction.

Through SQLAlchemy, a statement costs about 0.2 ms of CPU more than on the driver (its
cache key, parameter and result processing, a greenlet hand-off each way): as much as the
rest of a start's service layer; and a session's transaction around it, even in autocommit,
about 0.2 ms more again (its begin, the pool connection's `Connection`, commit and close).
Only outside a transaction (autocommit): each statement commits itself.
"""

import warnings
from collections.abc import Mapping
from typing import Any, NoReturn

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

from services.intake.service_layer.unit_of_work import ConcurrentWrite

_UNAWAITED_CONNECT = "coroutine 'connect' was never awaited"


class ClosedConnection(Exception):
    """The connection was found closed (a database restart) before the statement was sent:
    the command may run again (`StaleConnection`)."""


class KeptConnections:
    """Connections of the engine's pool kept checked out between commands, each lent to one
    command at a time: the pool's checkout and checkin (its fairy, reset and weak reference)
    cost ~15 µs of CPU a command in a tight loop and ~60 µs deep in a request's stack.

    The pool still opens, counts and bounds every connection; it only sees these as checked
    out. At most `most` are kept: a command lent none checks one out of the pool, and one
    waiting for the pool while some idle here waits at most for `most` commands to end (each
    ends giving its connection back here until `most` are, then to the pool)."""

    def __init__(self, most: int = 8) -> None:
        self._idle: list[PoolProxiedConnection] = []
        self._most = most

    def lend(self) -> PoolProxiedConnection | None:
        return self._idle.pop() if self._idle else None

    def give_back(self, pooled: PoolProxiedConnection) -> None:
        if len(self._idle) < self._most:
            self._idle.append(pooled)
        else:
            pooled.close()

    def release(self) -> None:
        """Return every kept connection to the pool (at shutdown; or when one was found
        closed: the others are as old, and the pool checks them against its invalidation)."""
        idle, self._idle = self._idle, []
        for pooled in idle:
            pooled.close()


class DriverConnection:
    """A connection of the engine's pool, checked out at its first statement and returned by
    `close`; no transaction is begun on it, so each statement commits itself. `kept`: the
    process's `KeptConnections`, lent from first; None: the pool's checkout each time."""

    def __init__(self, engine: AsyncEngine, kept: KeptConnections | None = None) -> None:
        self._engine = engine
        self._kept = kept
        self._pooled: PoolProxiedConnection | None = None

    async def driver(self) -> asyncpg.Connection:
        """The asyncpg connection; `ClosedConnection` if it is found closed."""
        if self._pooled is None:
            self._pooled = (
                (self._kept and self._kept.lend())
                or self._idle_connection()
                or await self._engine.raw_connection()
            )
        driver = self._pooled.driver_connection
        assert isinstance(driver, asyncpg.Connection)
        if driver.is_closed():
            self.closed()
        return driver

    def _idle_connection(self) -> PoolProxiedConnection | None:
        """A connection the pool holds open and idle, taken without the greenlet that
        `raw_connection` runs the pool in: deep in a request's ASGI stack, that hand-off cost
        ~75 µs of CPU a command (the greenlet copies the stack both ways). None when the pool
        would have to wait for one or open one (after a database restart it opens anew the
        connections from before): that needs the greenlet."""
        pool = self._engine.sync_engine.pool
        if not (isinstance(pool, QueuePool) and pool.checkedin()):
            return None
        try:
            with warnings.catch_warnings():
                # Opened anew, SQLAlchemy refuses outside the greenlet: it closes the driver's
                # `connect` unawaited, and the pool takes the connection back.
                warnings.filterwarnings("ignore", _UNAWAITED_CONNECT, RuntimeWarning)
                return pool.connect()  # an idle one is taken from the pool's queue unawaited
        except MissingGreenlet:
            return None

    def closed(self) -> NoReturn:
        """Raise `ClosedConnection`, having dropped the connection and, as SQLAlchemy does on
        a disconnect, every connection the pool opened before it (a database restart left
        them closed too), so the command's next run gets a new one."""
        assert self._pooled is not None
        self._engine.sync_engine.pool._invalidate(self._pooled)
        if self._kept is not None:
            self._kept.release()
        raise ClosedConnection

    def close(self, *, reusable: bool) -> None:
        """Return the connection: kept for the next command when `reusable` (the command
        ended without an error, so nothing was left half-done on it), else to the pool."""
        pooled, self._pooled = self._pooled, None
        if pooled is None:
            return
        if reusable and self._kept is not None:
            self._kept.give_back(pooled)
        else:
            pooled.close()


class DriverStatement:
    """A statement compiled once for asyncpg (`$1`, `$2`, …), which prepares it once per
    connection (its statement cache)."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=asyncpg_dialect())
        self._sql = compiled.string
        self._names = tuple(compiled.positiontup or ())

    async def fetchrow(
        self, connection: DriverConnection, parameters: Mapping[str, Any]
    ) -> asyncpg.Record | None:
        """The statement's first row, on the connection. A unique key taken meanwhile raises
        `ConcurrentWrite`, as through SQLAlchemy (`SqlUnitOfWork`); a connection found
        closed, `ClosedConnection`."""
        driver = await connection.driver()
        try:
            return await driver.fetchrow(self._sql, *(parameters[name] for name in self._names))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise ConcurrentWrite(str(error)) from error
        except (asyncpg.InterfaceError, asyncpg.InternalClientError):
            # asyncpg refuses before sending on a connection it finds closed or broken
            # (the backend's termination read, not yet its end).
            if driver.is_closed():
                connection.closed()
            raise
