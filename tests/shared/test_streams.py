"""The outbox relay and the stream consumer against a real Redis and real databases."""

import asyncio
import json
import time

import pytest
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.platform.consumer import PoisonMessage, StreamConsumer
from shared.platform.db import create_engine, session_factory
from shared.platform.outbox import OutboxMessage, OutboxRelay, add_to_outbox, outbox_table
from shared.platform.streams import StreamEntry, dead_letter_stream, entry_fields


async def _eventually(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@pytest.fixture
async def redis(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _outbox(database_url: str) -> tuple[AsyncEngine, Table, async_sessionmaker]:
    """A fresh outbox table in the database, and sessions on it."""
    metadata = MetaData()
    table = outbox_table(metadata, "test_outbox")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine, table, session_factory(engine)


async def test_relay_publishes_committed_rows_in_order_once(database_url, redis, stream_prefix):
    engine, table, sessions = await _outbox(database_url)
    stream = f"{stream_prefix}.events"

    for first in (0, 100, 200):
        async with sessions() as session, session.begin():
            await add_to_outbox(
                session,
                table,
                [
                    OutboxMessage(f"m{n}", "Tested", n, json.dumps({"n": n}))
                    for n in range(first, first + 100)
                ],
            )
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            await add_to_outbox(session, table, [OutboxMessage("rolled-back", "T", 999, "{}")])
            raise RuntimeError("the command failed after staging")

    relay = OutboxRelay(sessions, table, redis, stream, ("readers",), batch_size=120)
    task = asyncio.create_task(relay.run())
    try:
        # Rows are deleted after their XADD: wait for both, or a cancel in between leaves
        # rows the next relay would publish again (at least once, by design).
        await _eventually(lambda: _length(redis, stream, 300))
        await _eventually(lambda: _outbox_length(sessions, table, 0))
    finally:
        task.cancel()

    groups = await redis.xinfo_groups(stream)
    assert [g["name"] for g in groups] == [b"readers"]
    assert groups[0]["last-delivered-id"] == b"0-0"  # created before the first entry
    entries = await redis.xrange(stream)
    assert [e[1][b"id"].decode() for e in entries] == [f"m{n}" for n in range(300)]
    assert entries[7][1] == {
        b"id": b"m7",
        b"type": b"Tested",
        b"position": b"7",
        b"body": b'{"n": 7}',
    }
    assert await redis.xlen(stream) == 300
    await engine.dispose()


async def test_relay_publishes_each_field_exactly_whatever_it_holds(
    sqlite_url, redis, stream_prefix
) -> None:
    # The relay hands Redis an entry as one argument: ids, types and bodies with spaces,
    # digits, newlines and non-ASCII characters must come out as they went in.
    engine, table, sessions = await _outbox(sqlite_url)
    stream = f"{stream_prefix}.odd"
    messages = [
        OutboxMessage("12 3 4 ", "T", 1, "5 6 7 body"),
        OutboxMessage("é\nå ö", "Typ med mellanslag\n2", 22, '{"text": "rad 1\nrad 2 ü"}'),
        OutboxMessage("", "", 0, ""),
        OutboxMessage("m", "Ändrad", 10**15, "x" * 70_000),
    ]
    async with sessions() as session, session.begin():
        await add_to_outbox(session, table, messages)
    relay = OutboxRelay(sessions, table, redis, stream, ())
    assert await relay.publish_pending() == len(messages)

    entries = await redis.xrange(stream)
    assert [fields for _, fields in entries] == [
        {
            b"id": message.message_id.encode(),
            b"type": message.type.encode(),
            b"position": str(message.position).encode(),
            b"body": message.body.encode(),
        }
        for message in messages
    ]
    await engine.dispose()


async def _length(redis: Redis, stream: str, expected: int) -> bool:
    return await redis.xlen(stream) >= expected


async def _outbox_length(sessions, table, expected: int) -> bool:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(table)) == expected


def _decode(entry: StreamEntry) -> dict:
    try:
        return json.loads(entry.fields[b"body"])
    except (KeyError, ValueError) as error:
        raise PoisonMessage(str(error)) from error


async def test_consumer_handles_each_entry_once_and_dead_letters_poison(
    redis, redis_url, stream_prefix
):
    stream, group = f"{stream_prefix}.events", "readers"
    handled: list[int] = []

    async def handle(messages):
        if any(m.get("fails") for m in messages):
            raise RuntimeError("this event breaks the handler")
        handled.extend(m["n"] for m in messages)

    consumer = StreamConsumer(
        redis,
        stream,
        group,
        "reader-1",
        _decode,
        handle,
        batch_size=50,
        claim_idle_ms=200,
        max_deliveries=3,
    )
    await consumer.ensure_group()
    for n in range(400):
        await redis.xadd(stream, entry_fields(f"m{n}", "T", n, json.dumps({"n": n})))
        if n == 120:
            await redis.xadd(stream, {"id": "bytes", "body": b"\xff\x00 not json"})
        if n == 250:
            await redis.xadd(
                stream, entry_fields("breaks", "T", n, json.dumps({"n": -1, "fails": True}))
            )

    broker = RedisBroker(redis_url, log_level=10)
    consumer.subscribe(broker)
    await broker.start()
    dead = dead_letter_stream(stream, group)
    try:
        await _eventually(lambda: _length(redis, dead, 2))
        await _eventually(lambda: _no_pending(redis, stream, group))
    finally:
        await broker.stop()

    assert sorted(handled) == list(range(400))  # every good entry once, none lost
    letters = {e[1][b"id"]: e[1] for e in await redis.xrange(dead)}
    assert set(letters) == {b"bytes", b"breaks"}
    assert letters[b"bytes"][b"dead.error"].startswith(b"PoisonMessage")
    assert letters[b"breaks"][b"dead.error"] == b"RuntimeError: this event breaks the handler"
    assert letters[b"breaks"][b"dead.deliveries"] == b"3"


async def _no_pending(redis: Redis, stream: str, group: str) -> bool:
    return (await redis.xpending(stream, group))["pending"] == 0


async def test_entries_of_a_dead_consumer_are_claimed_by_another(redis, redis_url, stream_prefix):
    stream, group = f"{stream_prefix}.events", "readers"
    handled: list[int] = []

    async def handle(messages):
        handled.extend(m["n"] for m in messages)

    consumer = StreamConsumer(redis, stream, group, "survivor", _decode, handle, claim_idle_ms=300)
    await consumer.ensure_group()
    for n in range(30):
        await redis.xadd(stream, entry_fields(f"m{n}", "T", n, json.dumps({"n": n})))
    # Another replica reads the entries and dies before acknowledging them.
    taken = await redis.xreadgroup(group, "crashed", {stream: ">"}, count=30)
    assert len(taken[0][1]) == 30

    broker = RedisBroker(redis_url, log_level=10)
    consumer.subscribe(broker)
    await broker.start()
    try:
        await _eventually(lambda: _no_pending(redis, stream, group))
    finally:
        await broker.stop()
    assert sorted(handled) == list(range(30))


async def test_a_batch_that_did_not_fill_lingers_so_the_next_gathers_a_trickle(
    redis, redis_url, stream_prefix
):
    stream, group = f"{stream_prefix}.events", "readers"
    batches: list[list[int]] = []

    async def handle(messages):
        batches.append([m["n"] for m in messages])

    consumer = StreamConsumer(
        redis, stream, group, "reader-1", _decode, handle, batch_size=50, read_linger_ms=800
    )
    await consumer.ensure_group()
    broker = RedisBroker(redis_url, log_level=10)
    consumer.subscribe(broker)
    await broker.start()
    try:
        await redis.xadd(stream, entry_fields("m0", "T", 0, json.dumps({"n": 0})))
        await _eventually(lambda: _handled(batches, 1))
        # While the reader lingers after its batch of one, entries arrive one by one.
        for n in (1, 2, 3):
            await redis.xadd(stream, entry_fields(f"m{n}", "T", n, json.dumps({"n": n})))
            await asyncio.sleep(0.02)
        await _eventually(lambda: _handled(batches, 4))
        await _eventually(lambda: _no_pending(redis, stream, group))
    finally:
        await broker.stop()
    assert batches == [[0], [1, 2, 3]]


async def _handled(batches: list[list[int]], count: int) -> bool:
    return sum(map(len, batches)) >= count


async def test_the_gauges_say_what_is_pending_undelivered_and_dead(redis, stream_prefix):
    from prometheus_client import REGISTRY

    stream, group = f"{stream_prefix}.events", "readers"

    async def handle(_messages):
        raise AssertionError("nothing is consumed in this test")

    consumer = StreamConsumer(redis, stream, group, "reader-1", _decode, handle)
    await consumer.ensure_group()
    for n in range(5):
        await redis.xadd(stream, entry_fields(f"m{n}", "T", n, "{}"))
    await redis.xreadgroup(group, "reader-1", {stream: ">"}, count=2)  # delivered, not acked
    await redis.xadd(dead_letter_stream(stream, group), {"id": "x"})

    await consumer.update_gauges()

    labels = {"stream": stream, "group": group}
    assert REGISTRY.get_sample_value("stegvis_stream_pending_messages", labels) == 2
    assert REGISTRY.get_sample_value("stegvis_stream_lag_messages", labels) == 3
    assert REGISTRY.get_sample_value("stegvis_stream_dead_letter_messages", labels) == 1
