"""1. Pipeline throughput: intake's event log through outcomes to reporting, against a bare
redis-py loop on the same Redis.

A third row measures the floor of the design itself: the same loop, but each batch's bodies
parsed and its ids recorded in PostgreSQL in one transaction before the XACK, as any
consumer that is idempotent through its database must do. Stegvis makes that hop twice
(outcomes, then reporting), so that floor bounds what the target can ask of it: the RESULT
ratio is Stegvis ÷ floor.
"""

import json
import time

import asyncpg
import httpx
import redis
from redis.asyncio import Redis as AsyncRedis

from bench.environment import REDIS_URL, Environment
from bench.output import Target, note, print_cpu, print_result, print_table
from bench.reports import wait_until_reflected
from bench.seed import requeue, write_event_log
from bench.sizes import Sizes
from bench.workload import FIRST_YEAR, LAST_YEAR, generate

NAME = "pipeline"
TARGET = Target(NAME, 0.35, "Stegvis ÷ floor ≥ 0.35")
"""Against the floor (exactly-once through the database), not the bare loop."""
BATCH = 100


async def run(sizes: Sizes) -> None:
    events = sizes.pipeline_events
    workload = generate(events, events // 10)
    expected = {year: workload.core_counts(year) for year in (FIRST_YEAR, LAST_YEAR)}
    async with Environment(NAME) as env:
        last_position = await write_event_log(env.settings, workload)
        messages = [
            {"id": e.event_id, "type": e.type, "position": str(i + 1), "body": e.model_dump_json()}
            for i, e in enumerate(workload.events)
        ]
        note(f"{NAME}: bare redis-py loop over {len(messages):,} messages")
        baseline_seconds = bare_redis_loop(f"{env.stream_prefix}.bare", messages)
        note(f"{NAME}: idempotent floor over {len(messages):,} messages")
        floor_seconds = await idempotent_floor(
            f"{env.stream_prefix}.floor", messages, await env.connect()
        )
        await env.start("intake", "outcomes", "reporting")
        async with httpx.AsyncClient(
            base_url=env.url("reporting"), headers=env.auth, timeout=30
        ) as client:
            cpu_before = await env.cpu_seconds()
            started = time.monotonic()
            await requeue(env.settings)
            finished = await wait_until_reflected(
                client,
                last_position,
                expected,
                max(120.0, events / 100),
                f"{NAME}: reflected",
                env.database_url,
            )
            cpu_after = await env.cpu_seconds()
    seconds = finished - started
    baseline_rate, rate = events / baseline_seconds, events / seconds
    floor_rate = events / floor_seconds
    print_table(
        f"1. Pipeline throughput ({sizes.name}: {events:,} events, PostgreSQL + Redis)",
        ["path", "events", "seconds", "events/s"],
        [
            [
                "bare redis-py loop (XADD×100, XREADGROUP 100, XACK)",
                events,
                baseline_seconds,
                baseline_rate,
            ],
            [
                "floor: same + json.loads + ids INSERTed per batch",
                events,
                floor_seconds,
                floor_rate,
            ],
            ["Stegvis: event log → outcomes → reporting", events, seconds, rate],
        ],
    )
    print(f"floor ÷ bare {floor_rate / baseline_rate:.3f}; Stegvis ÷ floor {rate / floor_rate:.3f}")
    print_cpu(events, cpu_before, cpu_after)
    print_result(TARGET, rate / floor_rate)


def bare_redis_loop(stream: str, messages: list[dict[str, str]]) -> float:
    """XADD pipelined `BATCH` at a time, XREADGROUP COUNT `BATCH`, one XACK per batch;
    returns the seconds until every message was read and acknowledged."""
    client = redis.Redis.from_url(REDIS_URL)
    group, consumer = "bare", "bare-1"
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
        acknowledged = 0
        started = time.perf_counter()
        for start in range(0, len(messages), BATCH):
            pipe = client.pipeline(transaction=False)
            for fields in messages[start : start + BATCH]:
                pipe.xadd(stream, fields)
            pipe.execute()
            for _stream, entries in client.xreadgroup(group, consumer, {stream: ">"}, count=BATCH):
                client.xack(stream, group, *(entry_id for entry_id, _ in entries))
                acknowledged += len(entries)
        seconds = time.perf_counter() - started
        if acknowledged != len(messages):
            raise RuntimeError(f"bare loop acknowledged {acknowledged} of {len(messages)}")
        return seconds
    finally:
        client.delete(stream)
        client.close()


async def idempotent_floor(
    stream: str, messages: list[dict[str, str]], connection: asyncpg.Connection
) -> float:
    """The bare loop plus what exactly-once effect costs at the least: parse each body and,
    per batch, one transaction recording the ids (ON CONFLICT DO NOTHING) before the XACK."""
    client = AsyncRedis.from_url(REDIS_URL)
    group, consumer = "floor", "floor-1"
    await connection.execute("CREATE TABLE floor_processed (event_id text PRIMARY KEY)")
    try:
        await client.xgroup_create(stream, group, id="0", mkstream=True)
        acknowledged = 0
        started = time.perf_counter()
        for start in range(0, len(messages), BATCH):
            pipe = client.pipeline(transaction=False)
            for fields in messages[start : start + BATCH]:
                pipe.xadd(stream, fields)
            await pipe.execute()
            for _stream, entries in await client.xreadgroup(
                group, consumer, {stream: ">"}, count=BATCH
            ):
                ids = [json.loads(fields[b"body"])["event_id"] for _, fields in entries]
                async with connection.transaction():
                    await connection.execute(
                        "INSERT INTO floor_processed SELECT unnest($1::text[])"
                        " ON CONFLICT DO NOTHING",
                        ids,
                    )
                await client.xack(stream, group, *(entry_id for entry_id, _ in entries))
                acknowledged += len(entries)
        seconds = time.perf_counter() - started
        if acknowledged != len(messages):
            raise RuntimeError(f"floor loop acknowledged {acknowledged} of {len(messages)}")
        return seconds
    finally:
        await client.delete(stream)
        await client.aclose()
        await connection.close()
