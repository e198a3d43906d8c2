"""Databases of outcomes from before upgraded. From before the summaries (`outcomes_0001`):
its participants are derived in full once, then taken incrementally, and their records stay
those of their whole log. From before a registration's record and summary shared a row
(`outcomes_0005_room`): each registration keeps its record and its summary."""

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import column, insert, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.outcomes import bootstrap
from services.outcomes.adapters import tables
from services.outcomes.adapters.unit_of_work import SqlUnitOfWork
from services.outcomes.domain.records import derive_record
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from shared.contract.codes import OutcomePolicy
from shared.contract.events import ParticipantProgressed, ParticipantStarted, ParticipantStopped
from shared.contract.records import ParticipantRecord
from shared.platform.db import _alembic_config, create_engine, migrate
from shared.platform.settings import Settings

POLICY = OutcomePolicy()
# The tables as outcomes_0001 made them, keyed by code (`move` keys them by registration).
_EVENTS_0001 = table(
    "outcomes_participant_events",
    column("event_id"),
    column("participant_id"),
    column("position"),
    column("body"),
)
_PARTICIPANTS_0001 = table(
    "outcomes_participants", column("participant_id"), column("insats_id"), column("record")
)
_RECORD_AND_SUMMARY = (tables.participants.c.record, tables.participants.c.summary)
_SUMMARIES = (tables.participants.c.registration, tables.participants.c.summary)


async def test_participants_stored_before_the_summaries_keep_the_records_of_their_log(
    database_url: str, tmp_path: Path
) -> None:
    start = ParticipantStarted(
        insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="man", vas=20
    )
    check_in = ParticipantProgressed(
        insats_id="a", participant_id="P1", date=date(2025, 2, 1), vas=40
    )
    stop = ParticipantStopped(
        insats_id="a", participant_id="P1", end_date=date(2025, 3, 1), reason="arbete", vas=70
    )
    url = Settings(database_url=database_url, data_dir=tmp_path).service_database_url(
        bootstrap.SERVICE
    )
    engine = create_engine(url)
    try:

        def to_0001(connection: Connection) -> None:
            config = _alembic_config(bootstrap.SERVICE, bootstrap.REVISIONS_DIR, connection)
            command.upgrade(config, "outcomes_0001")

        async with engine.begin() as connection:
            await connection.run_sync(to_0001)
            # What outcomes kept then: the events and the record, no summary.
            await connection.execute(
                insert(_EVENTS_0001),
                [
                    {
                        "event_id": event.event_id,
                        "participant_id": "P1",
                        "position": position,
                        "body": event.model_dump_json(),
                    }
                    for position, event in ((1, start), (2, check_in))
                ],
            )
            await connection.execute(
                insert(_PARTICIPANTS_0001).values(
                    participant_id="P1",
                    insats_id="a",
                    record=derive_record([start, check_in], POLICY).model_dump_json(),
                )
            )
        await migrate(engine, bootstrap.SERVICE, bootstrap.REVISIONS_DIR)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as session:
            summaries = (await session.execute(select(*_SUMMARIES))).all()
        assert [tuple(row) for row in summaries] == [("a/P1", None)]  # derive in full, once

        await apply_events(
            SqlUnitOfWork(sessions, lambda: None), [PositionedEvent(3, stop)], POLICY
        )
        async with sessions() as session:
            record, summary = (await session.execute(select(*_RECORD_AND_SUMMARY))).one()
        stored = ParticipantRecord.model_validate_json(record)
        assert stored == derive_record([start, check_in, stop], POLICY)
        assert summary is not None  # the next event is taken incrementally
    finally:
        await engine.dispose()


async def test_records_and_summaries_of_two_tables_share_a_row_after_the_upgrade(
    database_url: str, tmp_path: Path
) -> None:
    url = Settings(database_url=database_url, data_dir=tmp_path).service_database_url(
        bootstrap.SERVICE
    )
    engine = create_engine(url)
    try:
        await migrate(engine, bootstrap.SERVICE, bootstrap.REVISIONS_DIR, to="outcomes_0005_room")
        async with engine.begin() as connection:
            # Started with a summary; with events but not started; started, derived in full.
            await connection.execute(
                text(
                    "INSERT INTO outcomes_participants VALUES"
                    " ('a/R1', 'a', '{\"r\": 1}'), ('a/R2', 'a', '{\"r\": 2}')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO outcomes_participant_summaries VALUES"
                    " ('a/R1', '[1]'), ('a/S1', '[2]'), ('a/R2', NULL)"
                )
            )
        await migrate(engine, bootstrap.SERVICE, bootstrap.REVISIONS_DIR)
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(tables.participants).order_by(tables.participants.c.registration)
            )
            stored = [tuple(row) for row in rows]
    finally:
        await engine.dispose()
    assert stored == [
        ("a/R1", '{"r": 1}', "[1]"),
        ("a/R2", '{"r": 2}', None),
        ("a/S1", None, "[2]"),
    ]
