"""The upgrade that made kommun a code list, in outcomes and reporting (intake's:
tests/intake/test_kommun.py): names stored as typed become codes, in any case and spacing;
what names no kommun becomes `okand`; reporting's cells of one kommun add up under its code,
so the breakdown's totals stay as they were."""

import json
from datetime import date

from sqlalchemy import insert, select

from services.outcomes.adapters import tables as outcomes
from services.reporting.adapters import tables as reporting
from shared.contract.records import ParticipantRecord
from shared.platform.db import create_engine, migrate
from shared.platform.settings import Settings

FIGURE = "breakdown:municipality"


def _record(participant_id: str, municipality: str) -> dict:
    record = ParticipantRecord(
        participant_id=participant_id, insats_id="a", gender="man", start_date=date(2025, 3, 1)
    )
    body = json.loads(record.model_dump_json()) | {"municipality": municipality}
    return {"participant_id": participant_id, "insats_id": "a", "record": json.dumps(body)}


async def test_outcomes_records_hold_codes_after_the_upgrade(settings: Settings) -> None:
    engine = create_engine(settings.service_database_url("outcomes"))
    try:
        await migrate(engine, "outcomes", outcomes.REVISIONS_DIR, to="outcomes_0002")
        async with engine.begin() as connection:
            await connection.execute(
                insert(outcomes.participants),
                [_record("P1", "Vännäs"), _record("P2", "ANNA ek"), _record("P3", "2480")],
            )
        await migrate(engine, "outcomes", outcomes.REVISIONS_DIR)
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(outcomes.participants.c.record).order_by(
                    outcomes.participants.c.participant_id
                )
            )
            stored = [ParticipantRecord.model_validate_json(row.record) for row in rows]
    finally:
        await engine.dispose()
    assert [record.municipality for record in stored] == ["2460", "okand", "2480"]


def _cell(code: str, value: float, figure: str = FIGURE) -> dict:
    return {
        "insats_id": "a",
        "month": "2025-03",
        "gender": "kvinna",
        "figure": figure,
        "code": code,
        "known_by": "2025-03",
        "value": value,
    }


async def test_reporting_sums_one_kommuns_cells_under_its_code(settings: Settings) -> None:
    engine = create_engine(settings.service_database_url("reporting"))
    cells = reporting.monthly
    try:
        await migrate(engine, "reporting", reporting.REVISIONS_DIR, to="reporting_0005")
        async with engine.begin() as connection:
            await connection.execute(
                insert(cells),
                [
                    _cell("Umeå", 2),
                    _cell(" umeå", 1),
                    _cell("2482", 1),
                    _cell("Anna Ek", 1),
                    _cell("okand", 4),
                    _cell("", 9, figure="new"),  # another figure: as it was
                ],
            )
        await migrate(engine, "reporting", reporting.REVISIONS_DIR)
        async with engine.connect() as connection:
            rows = await connection.execute(select(cells.c.figure, cells.c.code, cells.c.value))
            stored = {(row.figure, row.code): row.value for row in rows}
    finally:
        await engine.dispose()
    assert stored == {
        (FIGURE, "2480"): 3,
        (FIGURE, "2482"): 1,
        (FIGURE, "okand"): 5,
        ("new", ""): 9,
    }
