"""1. Pipeline throughput: intake's event log through outcomes to reporting, against a bare
redis-py loop on the same Redis."""

import time

import httpx
import redis

from bench.environment import REDIS_URL, Environment
from bench.output import note, print_result, print_table
from bench.reports import wait_until_reflected
from bench.seed import requeue, write_event_log
from bench.sizes import Sizes
from bench.workload import FIRST_YEAR, LAST_YEAR, generate

NAME = "pipeline"
TARGET = 0.5
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
        await env.start("intake", "outcomes", "reporting")
        async with httpx.AsyncClient(
            base_url=env.url("reporting"), headers=env.auth, timeout=30
        ) as client:
            started = time.monotonic()
            await requeue(env.settings)
            finished = await wait_until_reflected(
                client, last_position, expected, max(120.0, events / 100), f"{NAME}: reflected"
            )
    seconds = finished - started
    baseline_rate, rate = events / baseline_seconds, events / seconds
    print_table(
        f"1. Pipeline throughput ({sizes.name}: {events:,} events, PostgreSQL + Redis)",
        ["path", "events", "seconds", "events/s"],
        [
            ["bare redis-py loop (XADD×100, XREADGROUP 100, XACK)", events,
             baseline_seconds, baseline_rate],
            ["Stegvis: event log → outcomes → reporting", events, seconds, rate],
        ],
    )
    ratio = rate / baseline_rate
    print_result(NAME, ratio, TARGET, ratio >= TARGET)


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
