"""Rows written in bulk into a table a reset has just emptied (`stegvis rebuild`): on
PostgreSQL with COPY, in the session's transaction (200,000 processed ids claimed with the
consumers' statement took about a second of PostgreSQL's CPU; COPY a sixth of that); on
SQLite a row of parameters per row, as its every write is."""

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.platform.db import dialect_of


async def insert_new(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[tuple]
) -> None:
    """Insert the rows (values of `columns`, each row new: a duplicate key fails the
    transaction)."""
    if not rows:
        return
    if dialect_of(session) != "postgresql":
        await session.execute(
            table.insert(), [dict(zip(columns, row, strict=True)) for row in rows]
        )
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, records=rows, columns=list(columns)
    )
