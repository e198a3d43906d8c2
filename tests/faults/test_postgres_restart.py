"""PostgreSQL restarts while events flow: for a few seconds every service's connections
fail. Intake answers 5xx (the client retries with its Idempotency-Key), consumers leave
their batches pending and retry them, and every service reconnects when it is back."""

import time

import asyncpg
from redis.asyncio import Redis
from sqlalchemy import text

from shared.platform.consumer import StreamConsumer
from shared.platform.db import create_engine
from shared.platform.streams import StreamEntry, dead_letter_stream, ensure_group
from tests.faults.conftest import StartScenario
from tests.faults.servers import PostgresServer

DOWN_SECONDS = 3.0
"""Long enough for every service to meet the outage: reads, writes, claims and relays."""


def test_postgres_restarted_while_events_flow(
    own_postgres: PostgresServer, redis_url: str, start_scenario: StartScenario
) -> None:
    # Two failed deliveries dead-letter an entry unless the failure is recognised as the
    # outage it is: an outage must never set good events aside.
    scenario = start_scenario(
        "6. PostgreSQL restarted", own_postgres.url, redis_url, max_deliveries="2"
    )
    scenario.send()

    def restart() -> None:
        own_postgres.stop()
        time.sleep(DOWN_SECONDS)
        own_postgres.start()

    for fraction in (0.3, 0.65):
        scenario.when_sent(fraction)
        scenario.inject(restart)
    scenario.finish(
        lambda: f"down {DOWN_SECONDS:.0f} s ×2; {scenario.sender.retries} refused attempts retried"
    )


async def test_a_postgres_shutting_down_is_an_outage_not_a_poison_message(
    own_postgres: PostgresServer, redis: Redis, stream_prefix: str
) -> None:
    """What the restart above meets by chance, made certain: while PostgreSQL shuts down,
    new connections are refused ("the database system is shutting down", SQLSTATE 57P03,
    no connection to invalidate). The entry stays pending for a retry, even past
    `max_deliveries`."""
    stream, group = f"{stream_prefix}.events", "outcomes"
    await ensure_group(redis, stream, group)
    await redis.xadd(stream, {"id": "m1", "body": "{}"})
    [[_, [(entry_id, fields)]]] = await redis.xreadgroup(group, "c1", {stream: ">"})
    engine = create_engine(own_postgres.url)

    async def handle(_batch: object) -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    consumer = StreamConsumer(
        redis, stream, group, "c1", decode=lambda entry: entry, handle=handle, max_deliveries=1
    )
    # A session left open keeps a smart shutdown going: new connections are refused.
    session = await asyncpg.connect(own_postgres.url)
    try:
        own_postgres.begin_smart_shutdown()
        await consumer.retry_pending([StreamEntry(entry_id, fields)])
    finally:
        await session.close()
        await engine.dispose()
    assert await redis.xlen(dead_letter_stream(stream, group)) == 0
    assert (await redis.xpending(stream, group))["pending"] == 1
