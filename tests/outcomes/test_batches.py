"""Whole batches through the SQL unit of work, on SQLite and PostgreSQL: one statement per
step whatever the batch touches, and the same records as one participant at a time."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.outcomes import bootstrap
from services.outcomes.adapters import repositories, tables
from services.outcomes.adapters.unit_of_work import SqlUnitOfWork
from services.outcomes.domain.records import derive_record
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from services.outcomes.service_layer.unit_of_work import Known
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    InsatsDefined,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    VolumeRegistered,
)
from shared.contract.records import ParticipantRecord, parse_outcome_change
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings

POLICY = OutcomePolicy()


async def _sessions(database_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(settings, bootstrap.SERVICE, bootstrap.REVISIONS_DIR) as made:
        yield made


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    async for made in _sessions(database_url, tmp_path):
        yield made


@pytest.fixture
async def postgres_sessions(postgres_url: str, tmp_path: Path) -> AsyncIterator[async_sessionmaker]:
    """Replicas need PostgreSQL: SQLite has one writer at a time."""
    async for made in _sessions(postgres_url, tmp_path):
        yield made


def _uow(sessions: async_sessionmaker) -> SqlUnitOfWork:
    return SqlUnitOfWork(sessions, lambda: None)


def _start(participant: str, month: int = 1, vas: int | None = 30) -> ParticipantStarted:
    return ParticipantStarted(
        insats_id="a",
        participant_id=participant,
        start_date=date(2025, month, 1),
        gender="kvinna",
        vas=vas,
    )


def _progress(participant: str, day: int, vas: int) -> ParticipantProgressed:
    return ParticipantProgressed(
        insats_id="a",
        participant_id=participant,
        date=date(2025, 6, day),
        vas=vas,
        indicators={"halsa": 1 + day % 5},
    )


def _stop(participant: str, vas: int = 80) -> ParticipantStopped:
    return ParticipantStopped(
        insats_id="a",
        participant_id=participant,
        end_date=date(2025, 9, 1),
        reason="arbete",
        vas=vas,
    )


def _positioned(events, first: int = 1) -> list[PositionedEvent]:
    return [PositionedEvent(n, e) for n, e in enumerate(events, start=first)]


async def _state(sessions: async_sessionmaker) -> dict:
    """Everything outcomes keeps, comparable across batches."""
    async with sessions() as session:
        records = {
            row.registration: ParticipantRecord.model_validate_json(row.record)
            for row in await session.execute(select(tables.participants))
            if row.record is not None
        }
        events = sorted(
            (row.registration, row.position, row.event_id)
            for row in await session.execute(select(tables.participant_events))
        )
        processed = set(await session.scalars(select(tables.processed.c.event_id)))
        outbox = [
            (row.message_id, row.type, row.position, parse_outcome_change(row.body))
            for row in await session.execute(select(tables.outbox).order_by(tables.outbox.c.id))
        ]
    return {"records": records, "events": events, "processed": processed, "outbox": outbox}


def _participant_changes(state: dict, participant: str) -> list:
    return [
        change
        for _, kind, _, change in state["outbox"]
        if kind == "ParticipantRecordChanged" and change.participant_id == participant
    ]


async def test_a_participant_touched_several_times_in_one_batch_changes_event_by_event(
    sessions,
) -> None:
    events = [_start("P1"), _progress("P1", 2, 40), _progress("P1", 9, 55), _stop("P1", vas=70)]
    batch = _positioned(events)

    assert await apply_events(_uow(sessions), batch, POLICY) == 0

    state = await _state(sessions)
    changes = _participant_changes(state, "P1")
    # Each change carries its own event's id, position and time (reporting dates a change
    # by it), and the changes chain from nothing to the record of all four events: the
    # start and the stop (the check-ins between move only an open record's step movements).
    moved = [change.change_id for change in changes]
    assert moved == [events[0].event_id, events[-1].event_id]
    for change in changes:
        event = next(e for e in events if e.event_id == change.change_id)
        assert change.occurred_at == event.occurred_at
        assert change.position == events.index(event) + 1
    assert changes[0].before is None
    assert changes[0].after == derive_record(events[:1], POLICY)
    assert changes[1].before == derive_record(events[:3], POLICY)
    assert changes[-1].after == derive_record(events, POLICY)
    assert changes[-1].after.steps["vas"].change == 40
    assert state["records"] == {"a/P1": changes[-1].after}
    assert [row[2] for row in state["events"]] == [e.event_id for e in events]
    assert state["processed"] == {e.event_id for e in events}


async def test_a_batch_mixing_known_and_new_participants(sessions) -> None:
    first = [_start("P1"), _start("P2", month=2), _progress("P2", 3, 35)]
    await apply_events(_uow(sessions), _positioned(first), POLICY)
    before = await _state(sessions)

    second = [
        InsatsDefined(insats_id="a", name="Arbetsrehab", registration="individ"),
        _stop("P2"),  # known, with events before
        _start("P3", month=3),  # new
        _progress("P4", 5, 50),  # new, but no start yet: no record
        _progress("P1", 4, 60),  # known
        VolumeRegistered(insats_id="v", date=date(2025, 6, 1), kvinna=1, man=2, annan=0),
        _start("P3", month=4),  # a second start of P3: the first in the log counts
    ]
    await apply_events(_uow(sessions), _positioned(second, first=len(first) + 1), POLICY)

    state = await _state(sessions)
    published = [change for _, _, _, change in state["outbox"][len(before["outbox"]) :]]
    # P1's check-in and P3's second start move only an open record's step movements: no
    # change; the batch's newest event (10) is passed.
    assert [c.type for c in published] == [
        "InsatsRegistered",
        "ParticipantRecordChanged",
        "ParticipantRecordChanged",
        "VolumeCounted",
        "PositionPassed",
    ]
    assert [c.position for c in published] == [4, 5, 6, 9, 10]  # in log order
    by_participant: dict[str, list] = {}
    for change in published:
        if hasattr(change, "participant_id"):
            by_participant.setdefault(change.participant_id, []).append(change)
    assert set(by_participant) == {"P2", "P3"}
    assert by_participant["P2"][0].before == before["records"]["a/P2"]
    # P3's first start makes the record; the second adds only its VAS as a measurement.
    (p3_started,) = by_participant["P3"]
    assert p3_started.before is None and p3_started.change_id == second[2].event_id
    assert p3_started.after.start_date == date(2025, 3, 1)
    assert state["records"]["a/P3"].steps["vas"].latest == 30
    everything = first + second
    for participant in ("P1", "P2", "P3"):
        events = [e for e in everything if getattr(e, "participant_id", None) == participant]
        assert state["records"][f"a/{participant}"] == derive_record(events, POLICY)
    assert "a/P4" not in state["records"]
    assert ("a/P4", 7, second[3].event_id) in state["events"]


async def test_a_batch_whose_newest_event_changes_nothing_passes_its_position(sessions) -> None:
    measured = [_start("P1", vas=30), _progress("P1", 2, 30), _progress("P1", 7, 30)]
    await apply_events(_uow(sessions), _positioned(measured), POLICY)
    before = await _state(sessions)
    # The same scores again, and a check-in without a start: neither changes a record.
    again = [_progress("P1", 12, 30), _progress("P9", 5, 40)]

    await apply_events(_uow(sessions), _positioned(again, first=4), POLICY)

    state = await _state(sessions)
    assert state["records"] == before["records"]
    published = [change for _, _, _, change in state["outbox"][len(before["outbox"]) :]]
    assert [(c.type, c.change_id, c.position) for c in published] == [
        ("PositionPassed", again[1].event_id, 5)
    ]
    assert published[0].occurred_at == again[1].occurred_at


async def test_a_redelivered_batch_changes_nothing(sessions) -> None:
    events = [
        _start("P1"),
        _start("P2"),
        _progress("P1", 2, 50),
        _stop("P2"),
        VolumeRegistered(insats_id="v", date=date(2025, 6, 1), kvinna=1, man=0, annan=0),
    ]
    batch = _positioned(events)
    await apply_events(_uow(sessions), batch, POLICY)
    state = await _state(sessions)

    assert await apply_events(_uow(sessions), batch, POLICY) == len(batch)
    assert await apply_events(_uow(sessions), batch[::-1] + batch, POLICY) == 2 * len(batch)
    assert await _state(sessions) == state


async def test_events_in_any_order_and_batching_give_the_records_of_the_whole_log(
    sessions,
) -> None:
    log = _positioned(
        [
            _start("P1"),
            _progress("P1", 3, 40),
            _start("P2"),
            _progress("P2", 4, 45),
            _progress("P1", 2, 35),
            _stop("P1"),
            _progress("P2", 4, 20),
            _stop("P2", vas=55),
        ]
    )
    # Stops before starts, later check-ins before earlier ones, a duplicate in a batch.
    arrival = [log[5], log[7], log[1], log[6], log[6], log[3], log[0], log[2], log[4]]
    for batch in (arrival[:2], arrival[2:5], arrival[5:]):
        await apply_events(_uow(sessions), batch, POLICY)

    state = await _state(sessions)
    for participant in ("P1", "P2"):
        events = [item.event for item in log if item.event.participant_id == participant]
        assert state["records"][f"a/{participant}"] == derive_record(events, POLICY)
        chain = _participant_changes(state, participant)
        assert chain[0].before is None
        for earlier, later in itertools.pairwise(chain):
            assert later.before == earlier.after
        assert chain[-1].after == state["records"][f"a/{participant}"]


async def test_the_statements_of_a_batch_do_not_grow_with_its_participants(sessions) -> None:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    async def statements_for(batch: list[PositionedEvent]) -> list[str]:
        statements.clear()
        await apply_events(_uow(sessions), batch, POLICY)
        return list(statements)

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        small = await statements_for(_positioned([_start(f"S{n}") for n in range(3)]))
        large = await statements_for(_positioned([_start(f"L{n}") for n in range(60)], first=100))
        # The same participants again: all of them known now, with records and events.
        again = await statements_for(
            _positioned([_progress(f"L{n}", 2, 50) for n in range(60)], first=200)
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(large) == len(small) == len(again)
    # BEGIN, generation, claim, [lock,] participants' rows, store (events, participants'
    # rows and changes: one statement on PostgreSQL, one each on SQLite; the events are read
    # only for a participant derived in full).
    assert len(large) <= 8


async def test_known_reads_each_asked_participant_s_record_and_summary(sessions) -> None:
    started = [_start("R1"), _progress("R1", 2, 40)]
    await apply_events(_uow(sessions), _positioned([*started, _progress("S1", 3, 50)]), POLICY)
    async with sessions() as session, session.begin():
        # As a database from before the summaries left it: derive R2 in full.
        await session.execute(
            tables.participants.insert().values(registration="a/R2", record=None, summary=None)
        )

    async with _uow(sessions) as uow:
        known = await uow.participants.known(["a/R1", "a/S1", "a/R2", "a/NOBODY", "b/R1"])

    # Only participants with events; a record only once started; a NULL summary as None.
    assert sorted(known) == ["a/R1", "a/R2", "a/S1"]
    assert known["a/R1"].record == derive_record(started, POLICY)
    assert known["a/R1"].summary is not None and known["a/R1"].summary.position == 2
    assert known["a/S1"].record is None and known["a/S1"].summary is not None
    assert known["a/R2"] == Known(None, None)


async def test_known_looks_each_participant_up_by_its_key_in_large_tables(
    postgres_sessions,
) -> None:
    # Many participants stored, a few asked for: their rows are read through their keys,
    # never scanned whole (a hash join of the batch's keys did, every batch).
    many = [_start(f"M{n}") for n in range(2_000)]
    await apply_events(_uow(postgres_sessions), _positioned(many), POLICY)
    sql = str(repositories._STATEMENTS["postgresql"].known.compile(dialect=asyncpg_dialect()))
    async with postgres_sessions() as session:
        await session.execute(text("ANALYZE"))
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        assert driver is not None
        rows = await driver.fetch(f"EXPLAIN {sql}", [f"a/M{n}" for n in range(300)])
    plan = "\n".join(row[0] for row in rows)
    assert "Seq Scan" not in plan
    assert plan.count("Index Scan") == 1


async def test_the_migrated_tables_leave_the_declared_room_on_their_pages(
    postgres_sessions,
) -> None:
    declared = {
        table.name: sorted(
            f"{k}={v}" for k, v in table.dialect_options["postgresql"]["with"].items()
        )
        for table in tables.metadata.tables.values()
        if table.dialect_options["postgresql"]["with"]
    }
    async with postgres_sessions() as session:
        migrated = {
            name: sorted(options)
            for name, options in await session.execute(
                text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
                {"names": list(declared)},
            )
        }
    assert declared == {
        "outcomes_participants": ["fillfactor=60"],
    }
    assert migrated == declared


async def test_replicas_sharing_participants_both_commit_one_consistent_record(
    postgres_sessions,
) -> None:
    sessions = postgres_sessions
    participants = [f"P{n:02d}" for n in range(30)]
    starts = _positioned([_start(p) for p in participants])
    await apply_events(_uow(sessions), starts, POLICY)
    # Two batches over the same participants, in opposite orders, applied at once.
    one = _positioned([_progress(p, 2, 40) for p in participants], first=100)
    two = _positioned([_progress(p, 3, 60) for p in reversed(participants)], first=200)
    await asyncio.gather(
        apply_events(_uow(sessions), one, POLICY), apply_events(_uow(sessions), two, POLICY)
    )

    state = await _state(sessions)
    everything = starts + one + two
    for participant in participants:
        events = [
            item.event
            for item in sorted(everything, key=lambda i: i.position)
            if item.event.participant_id == participant
        ]
        assert state["records"][f"a/{participant}"] == derive_record(events, POLICY)
        # Each saw the other's commit: the record holds both check-ins' readings (each
        # moved only the open record's step movements, so the start is its one change).
        assert [c.change_id for c in _participant_changes(state, participant)] == [
            next(item.event.event_id for item in starts if item.event.participant_id == participant)
        ]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.processed)) == 90
