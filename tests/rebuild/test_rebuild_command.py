"""`stegvis rebuild` against the running services, on PostgreSQL and SQLite: the state it
stores in bulk equals, table by table, what the consumers stored from the same log; and
events accepted while it runs, with the consumers mid-stream, count exactly once."""

import asyncio
import itertools
import json

import httpx
from sqlalchemy import select

from services.intake import bootstrap as intake
from services.intake.adapters import tables as intake_tables
from services.outcomes import bootstrap as outcomes
from services.outcomes.adapters import tables as outcomes_tables
from services.outcomes.adapters.memory import MemoryDatabase as OutcomesDatabase
from services.outcomes.service_layer.erasure import apply_batch
from services.outcomes.service_layer.handlers import PositionedEvent
from services.rebuild import rebuild
from services.reporting import bootstrap as reporting
from services.reporting.adapters import tables as reporting_tables
from services.reporting.adapters.memory import MemoryDatabase as ReportingDatabase
from services.reporting.domain.contributions import Cell, accumulate
from services.reporting.service_layer.handlers import apply_changes
from shared.contract.events import parse_intake_event
from shared.platform.db import create_engine
from shared.platform.settings import Settings
from tests.erasure.test_stores import _eventually, _ok, _rows_naming, _system

API = "/api/v1/insatser"
START = {"start_date": "2024-11-20", "gender": "kvinna", "municipality": "0380", "vas": 30}
STOP = {"end_date": "2025-01-20", "reason": "arbete", "vas": 60, "health_better": True}
VOLUME = {"date": "2024-12-31", "kvinna": 3, "man": 2, "annan": 1}
ACTIVITY = {
    "date": "2025-01-02",
    "kind": "utbildning",
    "participants": {"kvinna": 4, "man": 6, "annan": 0},
}
_JSON_COLUMNS = {"record", "summary", "body"}
_NOT_COMPARED = {"generation", "created_at", "id"}
"""The meta row's generation differs by design; the outbox ids are the database's."""


async def _started(api: httpx.AsyncClient, insats: str, details: dict) -> str:
    return _ok(await api.post(f"{API}/{insats}/participants", json=details))["participant_id"]


async def _event_id(api: httpx.AsyncClient, path: str, kind: str) -> str:
    events = _ok(await api.get(f"{path}/events"))["events"]
    return next(event["event_id"] for event in events if kind in event)


async def _varied_history(api: httpx.AsyncClient, settings: Settings) -> None:
    """Starts, progress and stops across a year's end, a correction, a void, a move, a
    volume and an activity, and an erased participant (kept as contributions)."""
    for insats, registration in (
        ("steget", "individ"),
        ("vidare", "individ"),
        ("volym", "volym"),
        ("kunskap", "struktur"),
    ):
        _ok(
            await api.put(
                f"{API}/{insats}", json={"name": insats.title(), "registration": registration}
            )
        )
    progressed = await _started(api, "steget", START)
    path = f"{API}/steget/participants/{progressed}"
    _ok(await api.post(f"{path}/progress", json={"date": "2024-12-15", "vas": 40}))
    _ok(await api.post(f"{path}/stop", json=STOP))
    corrected = await _started(api, "steget", START | {"gender": "man", "start_date": "2024-12-01"})
    path = f"{API}/steget/participants/{corrected}"
    _ok(await api.post(f"{path}/stop", json=STOP | {"end_date": "2025-02-01"}))
    stop = await _event_id(api, path, "stop")
    _ok(
        await api.post(
            f"{path}/events/{stop}/correction", json={"stop": STOP | {"reason": "sjukdom"}}
        )
    )
    voided = await _started(api, "steget", START | {"start_date": "2025-01-05"})
    path = f"{API}/steget/participants/{voided}"
    _ok(await api.post(f"{path}/events/{await _event_id(api, path, 'start')}/void"))
    moved = await _started(api, "steget", START | {"start_date": "2024-12-10"})
    _ok(
        await api.post(
            f"{API}/steget/participants/{moved}/move",
            json={"date": "2025-01-10", "to_insats": "vidare"},
        )
    )
    _ok(
        await api.post(
            f"{API}/vidare/participants/{moved}/stop", json=STOP | {"end_date": "2025-03-01"}
        )
    )
    erased = await _started(api, "steget", START | {"start_date": "2024-10-01"})
    _ok(
        await api.post(
            f"{API}/steget/participants/{erased}/stop", json=STOP | {"end_date": "2024-12-20"}
        )
    )
    await _started(api, "vidare", START | {"start_date": "2025-02-01", "gender": "annan"})
    _ok(await api.post(f"{API}/volym/volume", json=VOLUME))
    _ok(await api.post(f"{API}/volym/volume", json=VOLUME | {"date": "2025-01-02"}))
    _ok(await api.post(f"{API}/kunskap/activities", json=ACTIVITY))
    await _caught_up(settings)
    _ok(await api.delete(f"{API}/steget/participants/{erased}"))

    async def kept() -> bool:  # an erasure has no position in the log to wait for
        return bool(await _cells(settings, reporting_tables.retained))

    await _eventually(kept, 60)


async def _caught_up(settings: Settings) -> None:
    """Until reporting's position is intake's newest (every event reflected)."""
    async with reporting.processed_positions(settings) as processed_position:

        async def reflected() -> bool:
            return await processed_position() >= (await intake.event_log_cut(settings)).position

        await _eventually(reflected, 60)


async def _tables(settings: Settings) -> dict[str, list]:
    """Outcomes' and reporting's projection tables, each row as its values (JSON parsed,
    figures rounded), without the generation; cells at 0 left out (a cell whose deltas
    cancel out has a row or not by how its changes were batched)."""
    found: dict[str, list] = {}
    in_log = await _event_ids(settings)
    for service, tables, kept in (
        ("outcomes", outcomes_tables, ()),
        ("reporting", reporting_tables, (reporting_tables.retained,)),
    ):
        engine = create_engine(settings.service_database_url(service))
        try:
            async with engine.connect() as connection:
                for table in (*tables.bookkeeping.tables, tables.bookkeeping.meta, *kept):
                    if table.name == "reporting_processed":
                        continue  # its ids of changes that changed nothing follow the batching
                    rows = []
                    for row in await connection.execute(select(table)):
                        values = {
                            name: json.loads(value) if name in _JSON_COLUMNS and value else value
                            for name, value in row._mapping.items()
                            if name not in _NOT_COMPARED
                        }
                        if "value" in values:
                            if not values["value"]:
                                continue
                            values["value"] = round(values["value"], 9)
                        if table is outcomes_tables.processed and values["event_id"] not in in_log:
                            continue  # an erased participant's, claimed by its erasure
                        rows.append(sorted(values.items(), key=str))
                    found[table.name] = sorted(rows, key=str)
        finally:
            await engine.dispose()
    return found


async def _event_ids(settings: Settings) -> set[str]:
    engine = create_engine(settings.service_database_url("intake"))
    try:
        async with engine.connect() as connection:
            return set(await connection.scalars(select(intake_tables.events.c.event_id)))
    finally:
        await engine.dispose()


async def test_the_rebuild_stores_what_the_consumers_stored(settings, redis) -> None:
    async with _system(settings) as (intake_api, _reporting_api):
        await _varied_history(intake_api, settings)
        await _caught_up(settings)
        consumed = await _tables(settings)
        assert consumed["reporting_retained"], "the erased participant is kept as cells"

        assert await rebuild(settings, 60) == 0

        assert await _tables(settings) == consumed
        assert await outcomes.current_generation(settings) == 2
        await _caught_up(settings)  # nothing in flight moves the figures afterwards
        assert await _tables(settings) == consumed


async def _oracle_cells(settings: Settings) -> dict[Cell, float]:
    """The figures from scratch: the consumers' use cases over intake's whole log, in
    memory, on the erased participants' kept contributions."""
    cut = await intake.event_log_cut(settings)
    log: list[PositionedEvent] = []
    async for _, events in intake.insatser_events(settings, sorted(cut.counts), cut.position):
        log += [PositionedEvent(p, parse_intake_event(body), body) for p, body in events]
    derived = OutcomesDatabase()
    await apply_batch(
        derived.unit_of_work, sorted(log, key=lambda item: item.position), settings.outcome_policy()
    )
    figures = ReportingDatabase()
    await apply_changes(figures.unit_of_work(), derived.state.published, settings.month_close_days)
    cells = dict(figures.state.monthly)
    accumulate(cells, await _cells(settings, reporting_tables.retained))
    return {cell: round(value, 9) for cell, value in cells.items() if value}


async def _cells(settings: Settings, table) -> dict[Cell, float]:
    engine = create_engine(settings.service_database_url("reporting"))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(table))
            return {Cell(*row[:-1]): round(row.value, 9) for row in rows if row.value}
    finally:
        await engine.dispose()


async def test_events_accepted_during_a_rebuild_count_once(settings, redis) -> None:
    async with _system(settings) as (intake_api, _reporting_api):
        await _varied_history(intake_api, settings)
        # Mid-stream: more accepted than the consumers have taken when the rebuild starts,
        # and more while it runs.
        for day in range(1, 21):
            await _started(intake_api, "steget", START | {"start_date": f"2025-03-{day:02d}"})
        rebuilding = asyncio.create_task(rebuild(settings, 60))
        for accepted, day in enumerate(itertools.cycle(range(1, 29))):
            if rebuilding.done() and accepted >= 10:
                break
            code = await _started(
                intake_api, "vidare", START | {"start_date": f"2025-04-{day:02d}"}
            )
            if accepted % 2:
                path = f"{API}/vidare/participants/{code}/stop"
                _ok(await intake_api.post(path, json=STOP | {"end_date": "2025-05-02"}))
            await asyncio.sleep(0.01)
        assert await rebuilding == 0
        await _caught_up(settings)

        assert await _cells(settings, reporting_tables.monthly) == await _oracle_cells(settings)


async def test_a_participant_erased_while_the_log_is_read_fails_the_rebuild_until_run_again(
    settings, redis, monkeypatch, capsys
) -> None:
    async with _system(settings) as (intake_api, _reporting_api):
        _ok(
            await intake_api.put(
                f"{API}/steget", json={"name": "Steget", "registration": "individ"}
            )
        )
        code = await _started(intake_api, "steget", START)
        await _caught_up(settings)
        reading = intake.insatser_events

        async def erased_once_read(*arguments):
            async for read in reading(*arguments):
                yield read
            _ok(await intake_api.delete(f"{API}/steget/participants/{code}"))

        monkeypatch.setattr(intake, "insatser_events", erased_once_read)
        assert await rebuild(settings, 0) == 1
        assert "erased meanwhile: run `stegvis rebuild` again" in capsys.readouterr().err
        monkeypatch.undo()

        assert await rebuild(settings, 0) == 0

        async def forgotten() -> bool:
            return await _rows_naming(settings, [code]) == []

        await _eventually(forgotten, 60)
