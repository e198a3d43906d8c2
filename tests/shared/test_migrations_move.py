"""The move's migrations keep what was stored: intake's participants keyed by code and
insats, outcomes' events, records and summaries by registration (`<insats>/<code>`)."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from services.intake import bootstrap as intake
from services.outcomes import bootstrap as outcomes
from shared.platform.db import _alembic_config, create_engine, migrate
from shared.platform.settings import Settings

EVENT = '{"insats_id": "steget", "participant_id": "K7M2-QX9D", "type": "ParticipantStarted"}'


async def _at(url: str, service, revision: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.upgrade(
                    _alembic_config(service.SERVICE, service.REVISIONS_DIR, sync), revision
                )
            )
    finally:
        await engine.dispose()


async def test_stored_rows_are_kept_under_their_new_keys(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    intake_url = settings.service_database_url(intake.SERVICE)
    outcomes_url = settings.service_database_url(outcomes.SERVICE)
    await _at(intake_url, intake, "intake_0003")
    await _at(outcomes_url, outcomes, "outcomes_0002")
    for url, statements in (
        (
            intake_url,
            [
                "INSERT INTO intake_insatser VALUES ('steget', 'Steget', 'individ')",
                "INSERT INTO intake_participants (participant_id, insats_id, start_date, voided)"
                " VALUES ('K7M2-QX9D', 'steget', '2025-02-03', false)",
            ],
        ),
        (
            outcomes_url,
            [
                "INSERT INTO outcomes_participant_events VALUES ('e1', 'K7M2-QX9D', 1, :body)",
                "INSERT INTO outcomes_participants VALUES ('K7M2-QX9D', 'steget', '{}')",
                "INSERT INTO outcomes_participant_summaries VALUES ('K7M2-QX9D', NULL)",
            ],
        ),
    ):
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                for statement in statements:
                    await connection.execute(text(statement), {"body": EVENT})
        finally:
            await engine.dispose()
    # Outcomes to the revision before its summaries moved into the records' rows
    # (tests/outcomes/test_upgrade.py upgrades them from there).
    for url, service, to in (
        (intake_url, intake, "head"),
        (outcomes_url, outcomes, "outcomes_0005_room"),
    ):
        engine = create_engine(url)
        try:
            await migrate(engine, service.SERVICE, service.REVISIONS_DIR, to=to)
        finally:
            await engine.dispose()

    engine = create_engine(intake_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT * FROM intake_participants"))).all()
    finally:
        await engine.dispose()
    assert [(r.participant_id, r.insats_id, r.moved_from) for r in rows] == [
        ("K7M2-QX9D", "steget", None)
    ]
    engine = create_engine(outcomes_url)
    try:
        async with engine.connect() as connection:
            keys = [
                (await connection.execute(text(f"SELECT registration FROM {table}")))
                .scalars()
                .all()
                for table in (
                    "outcomes_participant_events",
                    "outcomes_participants",
                    "outcomes_participant_summaries",
                )
            ]
    finally:
        await engine.dispose()
    assert keys == [["steget/K7M2-QX9D"]] * 3
