"""What differs between reporting's two databases (SQLite, PostgreSQL)."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgresql(session: AsyncSession) -> bool:
    bind = session.bind
    assert bind is not None, "reporting's sessions are made bound to its engine"
    return bind.dialect.name == "postgresql"


def upsert(session: AsyncSession, table) -> postgresql.Insert | sqlite.Insert:
    """INSERT that can take ON CONFLICT, in the session's dialect (both have it)."""
    return postgresql.insert(table) if is_postgresql(session) else sqlite.insert(table)
