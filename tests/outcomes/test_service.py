"""Outcomes as it runs: a real Redis and a real database (SQLite and PostgreSQL)."""

import asyncio
import time
from datetime import date

import httpx
from redis.asyncio import Redis

from services.outcomes import bootstrap
from shared.contract.events import InsatsDefined, ParticipantStarted, ParticipantStopped
from shared.contract.records import parse_outcome_change
from shared.platform.settings import Settings
from shared.platform.streams import Topology, dead_letter_stream, ensure_group, entry_fields


async def _send(redis: Redis, settings: Settings, position: int, event) -> None:
    stream = Topology(settings.stream_prefix).intake_events
    await redis.xadd(
        stream, entry_fields(event.event_id, event.type, position, event.model_dump_json())
    )


async def _changes(redis: Redis, settings: Settings, count: int, seconds: float = 20) -> list:
    stream = Topology(settings.stream_prefix).outcome_changes
    deadline = time.monotonic() + seconds
    while (length := await redis.xlen(stream)) < count:
        assert time.monotonic() < deadline, f"{length} of {count} changes published"
        await asyncio.sleep(0.05)
    return [parse_outcome_change(fields[b"body"]) for _, fields in await redis.xrange(stream)]


async def test_events_become_published_record_changes_once(settings, redis) -> None:
    # Published before outcomes ever ran: the group it creates must still see them.
    await ensure_group(redis, Topology(settings.stream_prefix).intake_events, "outcomes")
    define = InsatsDefined(insats_id="a", name="Arbetsrehab", registration="individ")
    start = ParticipantStarted(
        insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="annan"
    )
    stop = ParticipantStopped(
        insats_id="a", participant_id="P1", end_date=date(2025, 3, 1), reason="annan_insats"
    )
    await _send(redis, settings, 1, define)
    await _send(redis, settings, 2, start)

    app = bootstrap.create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).json() == {"database": True, "redis": True}
        await _changes(redis, settings, 2)
        await redis.xadd(Topology(settings.stream_prefix).intake_events, {"body": "not json"})
        await _send(redis, settings, 2, start)  # a relay's duplicate
        await _send(redis, settings, 3, stop)
        changes = await _changes(redis, settings, 3)
        metrics = (await client.get("/metrics")).text

        dead = dead_letter_stream(Topology(settings.stream_prefix).intake_events, "outcomes")
        deadline = time.monotonic() + 20
        while await redis.xlen(dead) < 1:
            assert time.monotonic() < deadline, "the garbage entry was never dead-lettered"
            await asyncio.sleep(0.05)

    assert [c.type for c in changes] == [
        "InsatsRegistered",
        "ParticipantRecordChanged",
        "ParticipantRecordChanged",
    ]
    assert [c.change_id for c in changes] == [define.event_id, start.event_id, stop.event_id]
    assert changes[2].before == changes[1].after
    assert changes[2].after.outcome_class == "unclear"
    assert 'stegvis_outcomes_changes_total{type="ParticipantRecordChanged"}' in metrics
    await asyncio.sleep(0.3)
    assert len(await _changes(redis, settings, 3)) == 3  # the duplicate changed nothing


async def test_reset_starts_a_new_generation_with_nothing_processed(settings, redis) -> None:
    start = ParticipantStarted(
        insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="man"
    )
    app = bootstrap.create_app(settings)
    async with app.router.lifespan_context(app):
        await _send(redis, settings, 1, start)
        await _changes(redis, settings, 1)
    assert await bootstrap.current_generation(settings) == 1

    async with bootstrap.resetting(settings) as reset:
        await reset(2, (), None)
    assert await bootstrap.current_generation(settings) == 2
    async with app.router.lifespan_context(app):
        await _send(redis, settings, 1, start)  # what `stegvis rebuild` re-queues
        changes = await _changes(redis, settings, 2)
    assert changes[1].generation == 2
    assert changes[1].before is None  # outcomes forgot P1, so the record is new again
    assert changes[1].after == changes[0].after
