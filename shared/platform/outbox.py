"""Transactional outbox: a service writes its messages in the same transaction as its
state, and a relay publishes them to Redis in order, then deletes them.

A crash between XADD and the delete publishes some entries twice; consumers de-duplicate
by message id, so that is harmless. Nothing is published that was not committed.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.platform import metrics
from shared.platform.streams import FIELDS, ensure_group
from shared.platform.tasks import stop_task

log = logging.getLogger(__name__)

# SQLite autoincrements only an INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


_VALUE_IN_SCRIPT = {
    "id": "string.sub(entries, id_from, type_from - 1)",
    "type": "string.sub(entries, type_from, body_from - 1)",
    "position": "position",
    "body": "string.sub(entries, body_from, at - 1)",
}
_FIELD_VALUES = ", ".join(f"'{name}', {_VALUE_IN_SCRIPT[name]}" for name in FIELDS)
_APPEND = f"""
local entries = ARGV[1]
local at = 1
while at <= #entries do
    local position, id_length, type_length, body_length, id_from =
        string.match(entries, '^(-?%d+) (%d+) (%d+) (%d+) ()', at)
    local type_from = id_from + tonumber(id_length)
    local body_from = type_from + tonumber(type_length)
    at = body_from + tonumber(body_length)
    redis.call('XADD', KEYS[1], '*', {_FIELD_VALUES})
end
"""
"""XADD of every entry in ARGV[1] (`_packed`, one after the other), with its values of
`FIELDS` in order: redis-py encodes and frames each argument of a command in Python, which
was the relay's main cost at four arguments an entry."""


def _packed(message_id: str, type_: str, position: int, body: str) -> bytes:
    """An entry as `_APPEND` reads it: its position and the byte lengths of its id, type and
    body, then the three unseparated (any of them may hold any character)."""
    id_, type_bytes, body_bytes = message_id.encode(), type_.encode(), body.encode()
    lengths = b"%d %d %d %d " % (position, len(id_), len(type_bytes), len(body_bytes))
    return b"".join((lengths, id_, type_bytes, body_bytes))


def outbox_columns() -> list[Column]:
    """New column objects of an outbox table (for the table and for its migration)."""
    return [
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("message_id", String(64), nullable=False),
        Column("type", String(64), nullable=False),
        Column("position", BigInteger, nullable=False),
        Column("body", Text, nullable=False),
        # Unix time the row was staged: the age of the oldest row is a health signal.
        Column("created_at", Float, nullable=False),
    ]


def outbox_table(metadata: MetaData, name: str) -> Table:
    return Table(name, metadata, *outbox_columns())


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    type: str
    position: int
    body: str


def outbox_rows(messages: list[OutboxMessage]) -> list[dict]:
    """The outbox table's rows of these messages, staged now."""
    now = time.time()
    return [vars(message) | {"created_at": now} for message in messages]


async def add_to_outbox(session: AsyncSession, table: Table, messages: list[OutboxMessage]) -> None:
    """Stage messages in the caller's transaction; the relay publishes them after commit."""
    if messages:
        await session.execute(table.insert(), outbox_rows(messages))


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker,
        table: Table,
        redis: Redis,
        stream: str,
        groups: tuple[str, ...],
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        coalesce_seconds: float = 0.05,
        max_idle_seconds: float = 0.5,
        gauge_seconds: float = 1.0,
    ) -> None:
        """`idle_seconds`: how often it looks for rows when nobody wakes it (rows another
        replica or `stegvis rebuild` staged), doubled after each look that found none up to
        `max_idle_seconds` (a look is a transaction: an idle service polling every 50 ms
        spent a few percent of a core on it). `coalesce_seconds`: the least time from one
        round's start to the next one's when woken, so a burst of commits (one wake-up each)
        is published in a few rounds of many rows, not a round per commit; a wake-up after a
        quiet spell is served at once. `gauge_seconds`: how often a round that published also
        counts the rows left for the backlog gauges (a count of the table every round was a
        statement more per round, and a scan of the whole backlog while catching up)."""
        self._sessions = sessions
        self._table = table
        self._redis = redis
        self._stream = stream
        self._groups = groups
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._coalesce_seconds = coalesce_seconds
        self._max_idle_seconds = max_idle_seconds
        self._gauge_seconds = gauge_seconds
        self._gauges_due = 0.0
        self._wakeup = asyncio.Event()
        self._append_script = redis.register_script(_APPEND)
        self._task: asyncio.Task | None = None
        # Another replica's rows, locked, are skipped rather than waited for.
        oldest = (
            select(table.c.id)
            .order_by(table.c.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        self._take = delete(table).where(table.c.id.in_(oldest.scalar_subquery())).returning(table)

    @asynccontextmanager
    async def publishing(self) -> AsyncIterator[None]:
        """Run the relay in the background until the block ends (a service's lifespan)."""
        self._task = asyncio.create_task(self.run(), name=f"outbox relay to {self._stream}")
        try:
            yield
        finally:
            await stop_task(self._task)
            self._task = None

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Publish without waiting for the next poll (called after a commit). Wake-ups
        while a round runs, however many, make one more round after it."""
        self._wakeup.set()

    async def publish_pending(self) -> int:
        """Publish one batch of the oldest rows; returns how many.

        The rows are taken and deleted in one statement, and published before the commit:
        a failed XADD rolls the delete back, and a crash after it publishes them again."""
        table = self._table
        async with self._sessions() as session, session.begin():
            rows = sorted(
                await session.execute(self._take),
                key=lambda row: row.id,  # RETURNING keeps no order
            )
            if not rows:
                metrics.OUTBOX_BACKLOG.labels(self._stream).set(0)
                metrics.OUTBOX_OLDEST_AGE.labels(self._stream).set(0)
                return 0
            await self._append(rows)
            if time.monotonic() >= self._gauges_due:
                self._gauges_due = time.monotonic() + self._gauge_seconds
                backlog, oldest = (
                    await session.execute(select(func.count(), func.min(table.c.created_at)))
                ).one()
                metrics.OUTBOX_BACKLOG.labels(self._stream).set(backlog)
                metrics.OUTBOX_OLDEST_AGE.labels(self._stream).set(
                    max(0.0, time.time() - oldest) if oldest is not None else 0
                )
        metrics.PUBLISHED.labels(self._stream).inc(len(rows))
        return len(rows)

    async def _append(self, rows: list[Row]) -> None:
        """XADD the rows in order, in one command: a consumer blocked on the stream is
        served once, with the whole batch (woken by the first of many XADDs, it read a
        batch of one), and the relay packs and reads one command, not one per entry."""
        entries = b"".join(
            _packed(row.message_id, row.type, row.position, row.body) for row in rows
        )
        await self._append_script(keys=[self._stream], args=[entries])

    async def run(self) -> None:
        """Publish until cancelled; errors are logged and retried, never fatal."""
        loop = asyncio.get_running_loop()
        groups_ready = False
        idle = self._idle_seconds
        while True:
            # Cleared before the round reads the table: a commit from now on is either in
            # this round or wakes the next one, never lost.
            self._wakeup.clear()
            round_started = loop.time()
            try:
                if not groups_ready:
                    for group in self._groups:
                        await ensure_group(self._redis, self._stream, group)
                    groups_ready = True
                published = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay to %s failed; retrying", self._stream)
                published = 0
                await asyncio.sleep(1)
            if published >= self._batch_size:
                continue  # a full batch: more are waiting
            idle = self._idle_seconds if published else min(2 * idle, self._max_idle_seconds)
            try:
                # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that
                # arrives as the wake-up does, and the relay would never stop.
                async with asyncio.timeout(idle):
                    await self._wakeup.wait()
            except TimeoutError:
                continue  # poll
            # Woken: let the rest of a burst of commits gather into the same round.
            linger = self._coalesce_seconds - (loop.time() - round_started)
            if linger > 0:
                await asyncio.sleep(linger)
