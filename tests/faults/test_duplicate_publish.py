"""An outbox relay dies between its XADD and the commit that deletes what it published: the
rows stay, and the next relay publishes them again. Consumers must count each event once.

The dying relay is intake's own code (`OutboxRelay.publish_pending`), run as a second
intake replica's relay would run it, in a transaction rolled back after the XADD instead of
committed: what a crash at that point leaves behind. Intake's running relay then publishes
the same rows again. Intake itself is also SIGKILLed once while its relay publishes.
"""

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.intake.adapters import tables
from shared.platform.db import create_engine
from shared.platform.outbox import OutboxRelay
from tests.faults.conftest import StartScenario

SURVIVOR_SECONDS = 0.2
"""Between crashes: time for intake's relay (a round every 50 ms under load) to publish the
rows again before another crash takes them."""


async def _publish_and_crash(
    database_url: str, redis_url: str, stream: str, stop: Callable[[], bool]
) -> int:
    """Relay rounds that each publish a batch and die before their delete commits, until
    `stop()`; returns how many rows they published."""
    engine = create_engine(database_url)
    client = Redis.from_url(redis_url)
    published = 0
    try:
        while not stop():
            async with engine.connect() as connection:
                crash = await connection.begin()
                # The relay's own transaction becomes a savepoint of `crash`: rolling that
                # back undoes its delete, as a crash before the commit does.
                sessions = async_sessionmaker(
                    bind=connection, join_transaction_mode="create_savepoint"
                )
                relay = OutboxRelay(sessions, tables.outbox, client, stream, groups=())
                published += await relay.publish_pending()
                await crash.rollback()
            await asyncio.sleep(SURVIVOR_SECONDS)
    finally:
        await client.aclose()
        await engine.dispose()
    return published


def _published_more_than_once(client: redis.Redis, stream: str) -> int:
    """Events (message ids) the stream carries more than once."""
    ids = Counter(fields[b"id"] for _entry_id, fields in client.xrange(stream))
    return sum(count > 1 for count in ids.values())


def _duplicates_discarded(outcomes_url: str) -> int:
    """Redeliveries outcomes recognised and discarded (its metric)."""
    text = httpx.get(f"{outcomes_url}/metrics").text
    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            if family.name == "stegvis_stream_duplicate_messages"
            for sample in family.samples
            if sample.name.endswith("_total")
        )
    )


def test_events_published_twice_are_counted_once(
    postgres_url: str, redis_url: str, start_scenario: StartScenario
) -> None:
    scenario = start_scenario("3. relay died after XADD", postgres_url, redis_url)
    stream = scenario.topology.intake_events
    scenario.send()
    scenario.when_sent(0.1)
    crashed = asyncio.run(
        _publish_and_crash(
            postgres_url, redis_url, stream,
            stop=lambda: scenario.sender.sent >= 0.5 * scenario.sender.total,
        )
    )  # fmt: skip
    scenario.when_sent(0.6)
    scenario.inject(lambda: scenario.cluster.kill("intake"))
    assert crashed > 0, "the dying relay never found a row to publish"
    scenario.finish(
        lambda: (
            f"{_published_more_than_once(scenario.redis, stream)} events published "
            f"twice, {_duplicates_discarded(scenario.cluster.url('outcomes'))} discarded by "
            "outcomes; intake SIGKILLed once"
        )
    )
    assert _published_more_than_once(scenario.redis, stream) > 0
