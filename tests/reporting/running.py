"""Driving a running reporting app: outcomes' changes onto its stream, reports read back."""

import asyncio
import time

import httpx
from redis.asyncio import Redis

from shared.records import OutcomeChange
from shared.settings import Settings
from shared.streams import Topology, entry_fields
from tests.conftest import SERVICE_AUTH


async def publish_changes(redis: Redis, settings: Settings, *changes: OutcomeChange) -> None:
    stream = Topology(settings.stream_prefix).outcome_changes
    for change in changes:
        await redis.xadd(
            stream,
            entry_fields(change.change_id, change.type, change.position,
                         change.model_dump_json()),
        )


async def report(client: httpx.AsyncClient, **params) -> dict:
    response = await client.get("/api/v1/reports", params=params, headers=SERVICE_AUTH)
    assert response.status_code == 200, response.text
    return response.json()


async def processed_through(client: httpx.AsyncClient, position: int) -> dict:
    """The helår 2025 report, once it reflects every change up to `position`."""
    deadline = time.monotonic() + 20
    while True:
        answer = await report(client, year=2025, period="helar")
        if answer["processed_through"]["position"] >= position:
            return answer
        assert time.monotonic() < deadline, f"stuck at {answer['processed_through']}"
        await asyncio.sleep(0.05)
