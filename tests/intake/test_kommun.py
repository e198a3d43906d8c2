"""Kommun as SCB's code list (issue 16): the API takes a code, `okand` or a kommun's name
and stores the code; the start form offers the förbund's member kommuner first; free text
that names no kommun (a person's name) is refused and stored nowhere; and the upgrade turns
the names stored before into codes, unknown ones into `okand`, and logs which."""

import json
import logging
import uuid
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import insert, select

from services.intake.adapters import tables
from services.intake.adapters.tables import REVISIONS_DIR, SERVICE
from shared.contract.events import ParticipantStarted, parse_intake_event
from shared.platform.db import create_engine, migrate
from shared.platform.settings import Settings
from tests.intake.conftest import RunningIntake
from tests.intake.forms_support import Staff, alerts, ok, registered

PARTICIPANTS = "/api/v1/insatser/a/participants"
START = {"start_date": "2025-02-03", "gender": "kvinna"}


@pytest.fixture
def intake_settings() -> dict:
    return {"member_kommuner": "2480,2482"}  # Umeå and Skellefteå, as the variable is written


STORED_AS = {
    "2480": "2480",
    "0180": "0180",
    "180": "0180",  # a spreadsheet's number without its leading zero
    "okand": "okand",
    "Umeå": "2480",  # a name, as clients sent before codes
    " upplands  VÄSBY ": "0114",
}
NO_KOMMUN = ["Anna Andersson", "0000", "Umeåå", "12345"]


async def test_the_api_stores_the_kommuns_code(intake: RunningIntake, staff: Staff) -> None:
    for given in STORED_AS:
        await ok(await intake.client.post(PARTICIPANTS, json={**START, "municipality": given}))
    started = await registered(intake)
    assert [event.municipality for event in started] == list(STORED_AS.values())


async def test_what_names_no_kommun_is_refused_unechoed(intake: RunningIntake, staff) -> None:
    for given in NO_KOMMUN:
        response = await intake.client.post(PARTICIPANTS, json={**START, "municipality": given})
        assert response.status_code == 422, response.text
        [item] = response.json()["detail"]
        assert item["field"] == "municipality"
        assert "four-digit SCB code" in item["msg"] and given not in response.text
    assert await registered(intake) == []


async def test_the_form_offers_the_member_kommuner_first(intake: RunningIntake, staff) -> None:
    page = (await staff.open("/insatser/a/ny-deltagare")).text
    select_ = page.split('<select id="municipality"')[1].split("</select>")[0]
    members, others = select_.split('<optgroup label="Övriga kommuner">')
    assert '<optgroup label="Förbundets kommuner">' in members
    assert members.count('<option value="2') == 2
    assert members.index(">Umeå<") < members.index(">Skellefteå<")
    assert others.count("<option ") == 288 and ">Umeå<" not in others
    assert others.index(">Ale<") < others.index(">Åre<") < others.index(">Älmhult<")

    sent = await staff.submit("/insatser/a/ny-deltagare", {**START, "municipality": "2482"})
    assert sent.status_code == 201, sent.text
    [started] = await registered(intake)
    assert started.municipality == "2482"


async def test_the_form_refuses_a_name_sent_in_place_of_a_choice(intake, staff) -> None:
    await staff.open("/insatser/a/ny-deltagare")
    page = await staff.submit("/insatser/a/ny-deltagare", {**START, "municipality": "Anna"})
    assert page.status_code == 422
    assert alerts(page) == [
        "Välj kommunen i listan (i en fil: kommunkoden, fyra siffror, eller kommunens namn)."
    ]
    assert await registered(intake) == []


def _old_start(municipality: str) -> dict:
    """A start as stored before kommun was a code: its name as typed."""
    event = ParticipantStarted(
        insats_id="a",
        participant_id=f"P{uuid.uuid4().hex[:6].upper()}",
        start_date=date(2025, 2, 3),
        gender="kvinna",
        municipality="2480",
    )
    body = json.loads(event.model_dump_json()) | {"municipality": municipality}
    return {
        "event_id": str(event.event_id),
        "type": event.type,
        "insats_id": "a",
        "participant_id": event.participant_id,
        "occurred_at": datetime.now(UTC),
        "body": json.dumps(body, ensure_ascii=False),
    }


async def test_the_upgrade_turns_stored_names_into_codes_and_logs_the_unknown(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    names = ["Umeå", " umeå ", "LUND", "Anna Andersson", "Storstad", "Anna Andersson"]
    engine = create_engine(settings.service_database_url(SERVICE))
    try:
        await migrate(engine, SERVICE, REVISIONS_DIR, to="intake_0003")
        async with engine.begin() as connection:
            await connection.execute(insert(tables.events), [_old_start(n) for n in names])
        with caplog.at_level(logging.WARNING):
            await migrate(engine, SERVICE, REVISIONS_DIR)
        async with engine.connect() as connection:
            bodies = await connection.scalars(
                select(tables.events.c.body).order_by(tables.events.c.position)
            )
            stored = [parse_intake_event(body).municipality for body in bodies]
    finally:
        await engine.dispose()
    assert stored == ["2480", "2480", "1281", "okand", "okand", "okand"]
    [line] = [r.getMessage() for r in caplog.records if "became okand" in r.getMessage()]
    assert line == (
        "intake: 3 stored kommun values named no kommun and became okand: Anna Andersson; Storstad"
    )


def test_a_member_kommun_that_is_no_kommun_stops_the_settings() -> None:
    assert Settings(member_kommuner="0180, 0184").member_kommuner == ("0180", "0184")
    with pytest.raises(ValidationError, match="not SCB kommun codes: 9999"):
        Settings(member_kommuner="0180,9999")
