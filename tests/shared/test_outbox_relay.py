"""How the outbox relay is woken: a burst of commits is published in few rounds, no wake-up
is lost, and it stops when cancelled (real databases and Redis)."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.platform.db import create_engine, session_factory
from shared.platform.outbox import OutboxMessage, OutboxRelay, add_to_outbox, outbox_table

NEVER = 3600.0
"""An idle poll that never comes during a test: only wake-ups make rounds."""
GUARD_SECONDS = 30.0
"""Fail instead of hanging when something never happens (not a measurement)."""


class ObservedRelay(OutboxRelay):
    """The relay, its rounds recorded; `gate` cleared holds a round before it reads."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rounds: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Condition()
        self.finished = asyncio.Condition()

    async def publish_pending(self) -> int:
        async with self.entered:
            self.entered.notify_all()
        await self.gate.wait()
        published = await super().publish_pending()
        self.rounds.append(published)
        async with self.finished:
            self.finished.notify_all()
        return published

    async def rounds_done(self, count: int) -> None:
        async with asyncio.timeout(GUARD_SECONDS), self.finished:
            await self.finished.wait_for(lambda: len(self.rounds) >= count)


@dataclass
class Outbox:
    sessions: async_sessionmaker
    table: Table
    redis: Redis
    stream: str

    def relay(self, **options) -> ObservedRelay:
        return ObservedRelay(
            self.sessions, self.table, self.redis, self.stream, ("readers",), **options
        )

    async def commit(self, n: int) -> None:
        async with self.sessions() as session, session.begin():
            await add_to_outbox(
                session, self.table, [OutboxMessage(f"m{n}", "Tested", n, json.dumps({"n": n}))]
            )


@pytest.fixture
async def outbox(database_url: str, redis_url: str, stream_prefix: str) -> AsyncIterator[Outbox]:
    metadata = MetaData()
    table = outbox_table(metadata, "test_outbox")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    redis = Redis.from_url(redis_url)
    try:
        yield Outbox(session_factory(engine), table, redis, f"{stream_prefix}.events")
    finally:
        await redis.aclose()
        await engine.dispose()


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    # Not `await task` under a timeout: that would cancel the task a second time.
    await asyncio.wait({task}, timeout=GUARD_SECONDS)
    if not task.done():
        task.cancel()  # clean up, then fail
        await asyncio.wait({task})
        pytest.fail("the relay ran on after it was cancelled")
    assert task.cancelled()


async def test_a_burst_of_commits_is_published_in_one_round_and_no_wake_up_is_lost(outbox):
    relay = outbox.relay(idle_seconds=NEVER, coalesce_seconds=0)
    task = asyncio.create_task(relay.run())
    try:
        await relay.rounds_done(1)  # the first round finds nothing and waits to be woken
        assert relay.rounds == [0]

        relay.gate.clear()
        async with relay.entered:
            await outbox.commit(0)
            relay.wake()
            async with asyncio.timeout(GUARD_SECONDS):
                await relay.entered.wait()  # the second round runs, held before it reads
        for n in range(1, 50):  # commits, each waking the relay, while that round runs
            await outbox.commit(n)
            relay.wake()
        relay.gate.set()

        # The held round publishes all 50; the wake-ups during it make exactly one more
        # round (nothing left), and the relay waits again.
        await relay.rounds_done(3)
        assert relay.rounds == [0, 50, 0]
        assert await outbox.redis.xlen(outbox.stream) == 50

        await outbox.commit(50)
        relay.wake()
        await relay.rounds_done(4)
        assert relay.rounds == [0, 50, 0, 1]
    finally:
        await _stop(task)
    entries = await outbox.redis.xrange(outbox.stream)
    assert [fields[b"id"].decode() for _, fields in entries] == [f"m{n}" for n in range(51)]


@pytest.mark.parametrize("yields", range(5))
async def test_the_relay_stops_when_cancelled_just_after_a_wake_up(outbox, yields):
    # asyncio.wait_for on Python 3.11 swallows a cancellation arriving as the awaited
    # wake-up completes; the relay then ran on and its service never shut down.
    relay = outbox.relay(idle_seconds=NEVER, coalesce_seconds=0)
    task = asyncio.create_task(relay.run())
    await relay.rounds_done(1)
    for _ in range(3):
        await asyncio.sleep(0)  # into the wait for a wake-up
    relay.wake()
    for _ in range(yields):
        await asyncio.sleep(0)
    await _stop(task)
