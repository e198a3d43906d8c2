"""Erasure through the three services on one database, PostgreSQL and SQLite: a participant
erased by DELETE and one by `stegvis purge` leave no row of any table (what a pg_dump would
show) nor any entry of any stream; the others stay; the figures stay, also after
`stegvis rebuild`."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date

import httpx
from redis.asyncio import Redis
from sqlalchemy import MetaData, select

from services.intake import bootstrap as intake
from services.outcomes import bootstrap as outcomes
from services.purge import purge
from services.rebuild import rebuild
from services.reporting import bootstrap as reporting
from shared.platform.db import create_engine
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH

INSATS = "/api/v1/insatser/rensa"
ONWARD = "/api/v1/insatser/vidare"
START = {"start_date": "2025-02-03", "gender": "kvinna", "municipality": "0380", "vas": 2}
STOP = {"end_date": "2025-04-30", "reason": "arbete", "vas": 6, "health_better": True}
PERIODS = ("helar", "2025-02", "2025-04")


@asynccontextmanager
async def _system(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    async with AsyncExitStack() as stack:
        clients = []
        for service in (intake, outcomes, reporting):
            app = service.create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(
                transport=transport, base_url="http://t", headers=SERVICE_AUTH
            )
            clients.append(await stack.enter_async_context(client))
        yield clients[0], clients[2]


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _reports(client: httpx.AsyncClient) -> dict:
    answers = {}
    for period in PERIODS:
        params = {"year": 2025, "period": period}
        report = _ok(await client.get("/api/v1/reports", params=params))
        report.pop("processed_through")
        answers[period] = report
    return answers


async def _eventually(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.1)


async def _rows_naming(settings: Settings, codes: list[str]) -> list[tuple[str, str]]:
    """Every row of every table of the database (as a dump lists them) that holds a code,
    in any case."""
    engine = create_engine(settings.service_database_url("intake"))
    found = []
    try:
        async with engine.connect() as connection:
            metadata = MetaData()
            await connection.run_sync(metadata.reflect)
            for table in metadata.sorted_tables:
                for row in await connection.execute(select(table)):
                    text = " ".join(str(value) for value in row).lower()
                    found += [(table.name, code) for code in codes if code.lower() in text]
    finally:
        await engine.dispose()
    return found


async def _entries_naming(redis: Redis, settings: Settings, codes: list[str]) -> list[str]:
    found = []
    async for key in redis.scan_iter(f"{settings.stream_prefix}.*"):
        if await redis.type(key) == b"stream":
            for _, fields in await redis.xrange(key):
                text = b" ".join(fields.values()).lower()
                found += [code for code in codes if code.lower().encode() in text]
    return found


async def _moved(intake_api: httpx.AsyncClient, day: str, stop: dict | None) -> str:
    """A participant of `INSATS` moved on to `ONWARD` on `day`, there stopped by `stop`."""
    code = _ok(await intake_api.post(f"{INSATS}/participants", json=START))["participant_id"]
    _ok(
        await intake_api.post(
            f"{INSATS}/participants/{code}/move", json={"date": day, "to_insats": "vidare"}
        )
    )
    if stop:
        _ok(await intake_api.post(f"{ONWARD}/participants/{code}/stop", json=stop))
    return code


async def test_erased_participants_leave_every_table_and_stream(settings, redis, capsys) -> None:
    async with _system(settings) as (intake_api, reporting_api):
        _ok(await intake_api.put(INSATS, json={"name": "Rensa", "registration": "individ"}))
        _ok(await intake_api.put(ONWARD, json={"name": "Vidare", "registration": "individ"}))
        # The code is the person: erased (by either insats) or purged from every insats it
        # moved through, and purged only once its last stop is before the day.
        moved_erased = await _moved(intake_api, "2025-03-10", None)
        moved_purged = await _moved(intake_api, "2025-03-10", STOP | {"end_date": "2025-04-15"})
        moved_kept = await _moved(intake_api, "2025-03-10", STOP)
        codes = []
        for stop in (STOP, STOP | {"end_date": "2025-04-10"}, None):
            code = _ok(await intake_api.post(f"{INSATS}/participants", json=START))
            codes.append(code["participant_id"])
            path = f"{INSATS}/participants/{codes[-1]}"
            key = {"Idempotency-Key": f"progress-{codes[-1]}"}
            _ok(
                await intake_api.post(
                    f"{path}/progress", json={"date": "2025-03-01", "vas": 4}, headers=key
                )
            )
            if stop:
                _ok(await intake_api.post(f"{path}/stop", json=stop))
                followup = {"date": "2025-10-20", "months_after": 6, "reached": True}
                _ok(await intake_api.post(f"{path}/followup", json=followup | {"status": "arbete"}))
        erased, purged, kept = codes

        async def reported() -> bool:
            report = _ok(
                await reporting_api.get("/api/v1/reports", params={"year": 2025, "period": "helar"})
            )
            figures = report["figures"]
            # Every stay (a move ends one and starts one), and every stop (and move).
            return (figures["new"]["total"], figures["ended"]["total"]) == (3 + 3 + 3, 2 + 3 + 2)

        await _eventually(reported)
        before = await _reports(reporting_api)

        assert _ok(await intake_api.delete(f"{INSATS}/participants/{erased.lower()}")) == {
            "erased": erased
        }
        assert (await intake_api.get(f"{INSATS}/participants/{erased}/events")).status_code == 404
        assert _ok(await intake_api.delete(f"{ONWARD}/participants/{moved_erased}")) == {
            "erased": moved_erased
        }
        for insats in (INSATS, ONWARD):
            events = await intake_api.get(f"{insats}/participants/{moved_erased}/events")
            assert events.status_code == 404
        capsys.readouterr()
        assert await purge(settings, date(2025, 4, 20), dry_run=True, wait_seconds=0) == 0
        assert await purge(settings, date(2025, 4, 20), dry_run=False, wait_seconds=60) == 0
        # The moved participant is one person with a registration in each insats.
        told = capsys.readouterr().out
        assert "Would be erased (dry run: nothing changed): 2 participants (3 registrations" in told
        assert "Erased in intake: 2 participants (3 registrations" in told

        gone = [erased, purged, moved_erased, moved_purged]
        assert await _rows_naming(settings, gone) == []
        assert await _entries_naming(redis, settings, gone) == []
        for code in (kept, moved_kept):  # the scans find what is there
            assert await _rows_naming(settings, [code]) != []
            assert await _entries_naming(redis, settings, [code]) != []
        assert _ok(await intake_api.get(f"{INSATS}/participants/{moved_kept}/events"))
        assert await _reports(reporting_api) == before

        assert await rebuild(settings, 60) == 0
        assert await _reports(reporting_api) == before
