"""A projection's bookkeeping: its generation and the ids it processed, written once.

Every consumer that is exactly-once through its database keeps the same two tables: a
one-row meta table (`id` 1) whose `generation` `stegvis rebuild` renews, and the ids it
processed (one key column), claimed in the transaction that changes its state so a
redelivered entry changes nothing. A service declares both with the column factories here
(its meta may hold more columns) and names what else `reset` empties.

The claim is one statement whatever the batch's size, built once per dialect: on
PostgreSQL the ids go in as one array parameter (`unnest(…)`), so the statement text, and
asyncpg's prepared statement, is the same for every batch; SQLite gets one row of values
per id.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    Column,
    Executable,
    Integer,
    Row,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.platform.db import dialect_of

META_ID = 1
FIRST_META_ROW = {"id": META_ID, "generation": 1}
"""The meta row a service's first migration inserts (with its own columns' values)."""

Hold = Literal["share", "update"]
"""How a transaction holds the meta row until commit: `share` for a batch (a reset waits
for it, other batches do not), `update` to be the only one (a reset, or a consumer that
advances the meta row itself)."""


def meta_columns(*extra: Column) -> list[Column]:
    """The meta table's columns: `id`, `generation`, then the service's own."""
    return [
        Column("id", Integer, primary_key=True),
        Column("generation", Integer, nullable=False),
        *extra,
    ]


def processed_columns(key: str) -> list[Column]:
    """The processed table's one column: the id of what was processed, unique."""
    return [Column(key, String(64), primary_key=True)]


def _claim(processed: Table, dialect: str) -> Executable:
    key = next(iter(processed.primary_key.columns))
    if dialect == "postgresql":
        # The new ids come back as one array (NULL: none), decoded by asyncpg in C, not as
        # a row each through SQLAlchemy's result.
        claimed = (
            postgresql.insert(processed)
            .from_select([key.name], select(func.unnest(bindparam("ids", type_=ARRAY(String)))))
            .on_conflict_do_nothing(index_elements=[key])
            .returning(key)
            .cte("claimed")
        )
        return select(func.array_agg(claimed.c[key.name], type_=ARRAY(String)))
    return sqlite.insert(processed).on_conflict_do_nothing(index_elements=[key]).returning(key)


@dataclass(frozen=True)
class Bookkeeping:
    """A projection's meta and processed tables, and what a reset empties besides."""

    meta: Table
    processed: Table
    derived: Sequence[Table]
    """Everything else `reset` empties (state derived from the stream)."""
    _claims: dict[str, Executable] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        claims = {dialect: _claim(self.processed, dialect) for dialect in ("postgresql", "sqlite")}
        object.__setattr__(self, "_claims", claims)

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table a reset empties: the processed ids and the derived state."""
        return (self.processed, *self.derived)

    async def meta_row(self, session: AsyncSession, hold: Hold | None = None) -> Row[Any]:
        """The meta row, held until commit as `hold` says (on SQLite, BEGIN IMMEDIATE
        already serialises writers, so nothing is locked there)."""
        query = select(self.meta).where(self.meta.c.id == META_ID)
        if hold is not None and dialect_of(session) == "postgresql":
            query = query.with_for_update(read=hold == "share")
        return (await session.execute(query)).one()

    async def claim(self, session: AsyncSession, ids: Collection[str]) -> set[str]:
        """Record the ids as processed; returns those that were new.

        Sorted, so two replicas claiming some of the same ids take them in one order. One
        that claims an id meanwhile makes us wait for its commit; then the id is not new.
        """
        ordered = sorted(set(ids))
        if not ordered:
            return set()
        dialect = dialect_of(session)
        if dialect == "postgresql":
            return set(await session.scalar(self._claims[dialect], {"ids": ordered}) or ())
        key = next(iter(self.processed.primary_key.columns)).name
        return set(await session.scalars(self._claims[dialect], [{key: i} for i in ordered]))

    async def reset(self, session: AsyncSession, generation: int, **meta: Any) -> None:
        """Forget every processed id and everything derived, and start `generation` (the
        meta row's other columns set to `meta`), in the session's transaction.

        Waits for a batch in progress (it holds the meta row); whatever that batch sent
        carries the old generation, which the consumers downstream ignore from now on.
        """
        await self.meta_row(session, "update")
        if dialect_of(session) == "postgresql":
            # Not DELETE: the rebuild writes the same keys again, and every insert and
            # lookup then met the dead row of its key in the indexes until a vacuum.
            names = map(session.get_bind().dialect.identifier_preparer.format_table, self.tables)
            await session.execute(text(f"TRUNCATE {', '.join(names)}"))
        else:
            for table in self.tables:
                await session.execute(delete(table))
        await session.execute(
            update(self.meta).where(self.meta.c.id == META_ID).values(generation=generation, **meta)
        )
