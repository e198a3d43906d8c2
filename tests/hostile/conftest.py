"""Intake and reporting for hostile requests, on a real database and Redis: as schemathesis
drives them (in-process, in its own event loop, seeded so that generated requests also reach
an insats and a participant that exist), and intake in the test's own event loop."""

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest
import redis
import schemathesis
from fastapi import FastAPI
from redis.asyncio import Redis
from schemathesis.python import asgi

from services.intake import bootstrap as intake
from services.reporting import bootstrap as reporting
from shared.contract.records import InsatsRegistered, ParticipantRecord, ParticipantRecordChanged
from shared.platform.settings import Settings
from shared.platform.streams import Topology, entry_fields
from tests.conftest import SERVICE_AUTH
from tests.intake.conftest import RunningIntake

INSATSER = {"steget": "individ", "kurs": "volym"}
"""Insatser each app starts with: their registration by id."""


@dataclass(frozen=True)
class Fuzzed:
    """An app's OpenAPI schema for schemathesis, its lifespan running, and the seeded values
    of some parameters, which generated requests use now and then to reach known ids."""

    schema: schemathesis.BaseSchema
    known: dict[str, object]


def _fuzzed(app: FastAPI, seed: Callable[[asgi.ASGIClient], dict[str, object]]) -> Fuzzed:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the lifespan
    with asgi.get_client(app) as client:
        client.headers.update(SERVICE_AUTH)
        return Fuzzed(schema, seed(client))


@pytest.fixture
def fuzzed_intake(settings: Settings) -> Iterator[Fuzzed]:
    def seed(client: asgi.ASGIClient) -> dict[str, object]:
        for insats_id, registration in INSATSER.items():
            answer = client.put(
                f"/api/v1/insatser/{insats_id}",
                json={"name": insats_id.title(), "registration": registration},
            )
            assert answer.status_code == 201, answer.text
        started = client.post(
            "/api/v1/insatser/steget/participants",
            json={"start_date": "2025-02-03", "gender": "kvinna"},
        )
        assert started.status_code == 201, started.text
        return {"insats_id": "steget", "participant_id": started.json()["participant_id"]}

    app = intake.create_app(settings)
    yield _fuzzed(app, seed)
    asgi.shutdown_lifespans()


@pytest.fixture
def fuzzed_reporting(settings: Settings) -> Iterator[Fuzzed]:
    def seed(client: asgi.ASGIClient) -> dict[str, object]:
        at = datetime(2025, 3, 1, tzinfo=UTC)
        record = ParticipantRecord(
            participant_id="P1", insats_id="steget", gender="kvinna", start_date=date(2025, 2, 3)
        )
        changes = [
            InsatsRegistered(
                change_id="c1",
                generation=1,
                position=1,
                occurred_at=at,
                insats_id="steget",
                name="Steget",
                registration="individ",
            ),
            ParticipantRecordChanged(
                change_id="c2",
                generation=1,
                position=2,
                occurred_at=at,
                insats_id="steget",
                participant_id="P1",
                before=None,
                after=record,
            ),
        ]
        stream = Topology(settings.stream_prefix).outcome_changes
        with redis.Redis.from_url(settings.redis_url) as connection:
            for change in changes:
                connection.xadd(
                    stream,
                    entry_fields(
                        change.change_id, change.type, change.position, change.model_dump_json()
                    ),
                )
        deadline = time.monotonic() + 20
        while client.get("/api/v1/insatser").json() == []:
            assert time.monotonic() < deadline, "reporting never read the seeded changes"
            time.sleep(0.05)
        return {"insats": "steget", "year": 2025, "period": "2025-02"}

    app = reporting.create_app(settings)
    yield _fuzzed(app, seed)
    asgi.shutdown_lifespans()


@pytest.fixture
async def running_intake(settings: Settings, redis: Redis) -> AsyncIterator[RunningIntake]:
    """Intake on SQLite and on PostgreSQL, with INSATSER defined."""
    app = intake.create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://intake", headers=SERVICE_AUTH
        ) as client,
    ):
        for insats_id, registration in INSATSER.items():
            await client.put(
                f"/api/v1/insatser/{insats_id}",
                json={"name": insats_id.title(), "registration": registration},
            )
        yield RunningIntake(client, redis, settings)
