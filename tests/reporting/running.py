"""Driving a running reporting app: outcomes' changes and intake's access changes onto its
streams, reports read back."""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from redis.asyncio import Redis

from services.reporting import bootstrap
from services.reporting.service_layer.views import Clock, utc_now
from shared.contract.access import AccessChange, UserChanged
from shared.contract.records import OutcomeChange, ParticipantRecord, ParticipantRecordChanged
from shared.platform.settings import Settings
from shared.platform.streams import Topology, entry_fields
from tests.conftest import SERVICE_AUTH

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def positioned(position: int, occurred_at: datetime = T0) -> dict:
    """A change's fields of the first generation at `position`, one minute apart."""
    return {
        "change_id": f"c{position}",
        "generation": 1,
        "position": position,
        "occurred_at": occurred_at + timedelta(minutes=position),
    }


def change_fields(position: int, start: datetime) -> dict:
    """A change's own fields (`positioned`), `position` minutes after `start`."""
    return positioned(position, start)


def record_changed(
    position: int,
    start: datetime,
    before: ParticipantRecord | None,
    after: ParticipantRecord | None,
) -> ParticipantRecordChanged:
    record = after or before
    assert record is not None
    return ParticipantRecordChanged(
        **change_fields(position, start),
        insats_id=record.insats_id,
        participant_id=record.participant_id,
        before=before,
        after=after,
    )


async def publish_changes(redis: Redis, settings: Settings, *changes: OutcomeChange) -> None:
    stream = Topology(settings.stream_prefix).outcome_changes
    for change in changes:
        await redis.xadd(
            stream,
            entry_fields(change.change_id, change.type, change.position, change.model_dump_json()),
        )


@asynccontextmanager
async def running_reporting(
    settings: Settings, redis: Redis, *changes: OutcomeChange, clock: Clock = utc_now
) -> AsyncIterator[httpx.AsyncClient]:
    """The reporting app running, with `changes` published and every one processed
    (`clock`: what time the app takes it to be, for which months have closed)."""
    await publish_changes(redis, settings, *changes)
    app = bootstrap.create_app(settings, clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        await processed_through(client, max(change.position for change in changes))
        yield client


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


async def until(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 20) -> None:
    """Wait for a condition of the running system, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"never {what}"
        await asyncio.sleep(0.05)


async def caught_up(redis: Redis, stream: str, group: str) -> bool:
    """Every entry of the stream delivered to the group and acknowledged."""
    [info] = [g for g in await redis.xinfo_groups(stream) if g["name"] == group.encode()]
    last = (await redis.xinfo_stream(stream))["last-generated-id"]
    return info["pending"] == 0 and info["last-delivered-id"] == last


async def apply_access(redis: Redis, settings: Settings, *changes: AccessChange) -> None:
    """Publish the changes as intake does, and wait until reporting has applied them."""
    stream = Topology(settings.stream_prefix).intake_access
    for change in changes:
        key = change.username if isinstance(change, UserChanged) else change.credential_id
        await redis.xadd(
            stream,
            entry_fields(
                f"{change.type}-{key}-{change.version}",
                change.type,
                change.version,
                change.model_dump_json(),
            ),
        )
    await until(lambda: caught_up(redis, stream, "reporting"), "applied the access changes")


async def log_in(
    client: httpx.AsyncClient, token: str, next_: str | None = None, base: str = ""
) -> httpx.Response:
    """Log in at the pages as a browser does: the login form first, for its CSRF token and
    pre-session cookie, then the form sent back with the token."""
    form = await client.get(f"{base}/logga-in")
    fields = {"token": token, "csrf_token": csrf_token(form.text)}
    return await client.post(
        f"{base}/logga-in", data=fields if next_ is None else fields | {"next": next_}
    )


def csrf_token(page: str) -> str:
    """The CSRF token of the page's (first) form."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found[1]
