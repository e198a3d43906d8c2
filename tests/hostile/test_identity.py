"""The security review's attacks, each through the entry that stored an identity number:
refused with 422 naming the field (never echoing the value), and nothing stored anywhere in
intake's tables (events, state, idempotency answers, users, audit, outboxes)."""

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy import select

from services.intake.adapters import tables
from services.intake.entrypoints.form_errors import IDENTITY_NUMBER, PERSONAL_NUMBER
from services.outcomes.entrypoints.subscriber import decode
from shared.contract.events import ProgressDetails
from shared.platform.consumer import StreamConsumer
from shared.platform.db import create_engine
from shared.platform.dead_letters import read_dead_letters
from shared.platform.settings import Settings
from shared.platform.streams import StreamEntry, ensure_group
from tests.intake.conftest import RunningIntake
from tests.intake.forms_support import PASSWORD, Staff
from tests.intake.import_files import define_insatser, run, write_csv
from tests.shared.test_identity import REVIEWED_SPELLINGS

NUMBER = "8501011236"
"""19850101-1236: a valid personnummer (and 850161-1233 a valid samordningsnummer)."""
START = {"start_date": "2025-02-03", "gender": "kvinna"}
PARTICIPANTS = "/api/v1/insatser/steget/participants"


def digits(text: str) -> str:
    return "".join(str(int(c)) for c in text if c.isdecimal())


async def stored_text(settings: Settings, *, outboxes: bool = False) -> str:
    """Every row of intake's tables, as one text (digits only, to find any spelling). The
    outboxes only when asked: the relay empties them meanwhile."""
    engine = create_engine(settings.service_database_url("intake"))
    try:
        async with engine.connect() as connection:
            rows = [
                str(tuple(row))
                for table in tables.metadata.sorted_tables
                if outboxes or not table.name.endswith("outbox")
                for row in await connection.execute(select(table))
            ]
    finally:
        await engine.dispose()
    return digits(" ".join(rows))


def refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [item["field"] for item in detail] == [field]
    assert NUMBER[-4:] not in digits(response.text)  # the value is never echoed


async def assert_nothing_stored(running_intake: RunningIntake, before: str, sent: str) -> None:
    assert await stored_text(running_intake.settings) == before
    assert digits(sent)[-10:] not in await stored_text(running_intake.settings, outboxes=True)


@pytest.mark.parametrize("spelling", REVIEWED_SPELLINGS)
async def test_kommun_in_any_spelling(running_intake: RunningIntake, spelling: str) -> None:
    before = await stored_text(running_intake.settings)
    response = await running_intake.client.post(
        PARTICIPANTS, json={**START, "municipality": spelling}
    )
    refused(response, "municipality")
    await assert_nothing_stored(running_intake, before, spelling)


async def test_insats_name_and_id(running_intake: RunningIntake) -> None:
    before = await stored_text(running_intake.settings)
    named = await running_intake.client.put(
        "/api/v1/insatser/ny", json={"name": "Anna 850101\u20131236", "registration": "individ"}
    )
    refused(named, "name")
    as_id = await running_intake.client.put(
        "/api/v1/insatser/850101-1236", json={"name": "Ny", "registration": "individ"}
    )
    refused(as_id, "insats_id")
    await assert_nothing_stored(running_intake, before, NUMBER)


async def test_indicator_name(running_intake: RunningIntake) -> None:
    started = await running_intake.client.post(PARTICIPANTS, json=START)
    participant = started.json()["participant_id"]
    before = await stored_text(running_intake.settings)
    response = await running_intake.client.post(
        f"{PARTICIPANTS}/{participant}/progress",
        json={"date": "2025-03-03", "indicators": {"850101_1236": 3}},
    )
    refused(response, "indicators.[key]")
    await assert_nothing_stored(running_intake, before, NUMBER)


async def test_idempotency_key(running_intake: RunningIntake) -> None:
    before = await stored_text(running_intake.settings)
    response = await running_intake.client.post(
        PARTICIPANTS, json=START, headers={"Idempotency-Key": "850101 1236"}
    )
    refused(response, "Idempotency-Key")
    await assert_nothing_stored(running_intake, before, NUMBER)


async def test_usernames(running_intake: RunningIntake) -> None:
    """A user's name is stored and travels on the access stream; a token names its user."""
    before = await stored_text(running_intake.settings)
    user = await running_intake.client.put(
        "/api/v1/users/850101-1236", json={"role": "lasare", "password": PASSWORD}
    )
    refused(user, "username")
    token = await running_intake.client.post("/api/v1/tokens", json={"username": "850101.1236"})
    refused(token, "username")
    await assert_nothing_stored(running_intake, before, NUMBER)


@pytest.mark.parametrize("name", ["admin", "cli"])
async def test_the_audit_s_names_for_non_users_are_reserved(
    running_intake: RunningIntake, name: str
) -> None:
    before = await stored_text(running_intake.settings)
    response = await running_intake.client.put(f"/api/v1/users/{name}", json={"role": "lasare"})
    assert response.status_code == 422, response.text
    [item] = response.json()["detail"]
    assert item["field"] == "username"
    assert "reserved" in item["msg"]
    assert await stored_text(running_intake.settings) == before


async def test_a_number_past_python_s_digit_limit_in_json(running_intake: RunningIntake) -> None:
    before = await stored_text(running_intake.settings)
    body = json.dumps(START)[:-1] + ', "birth_year": ' + "9" * 5000 + "}"
    response = await running_intake.client.post(
        PARTICIPANTS, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert [item["field"] for item in response.json()["detail"]] == ["body"]
    assert await stored_text(running_intake.settings) == before


async def _staff(running_intake: RunningIntake) -> Staff:
    client = running_intake.client
    saved = await client.put(
        "/api/v1/users/ivan", json={"role": "forbundsadmin", "password": PASSWORD}
    )
    assert saved.status_code == 201, saved.text
    staff = Staff(client)
    assert (await staff.log_in("ivan")).status_code == 303
    return staff


NEW = "/insatser/steget/ny-deltagare"


async def test_forms_refuse_in_swedish(running_intake: RunningIntake) -> None:
    staff = await _staff(running_intake)
    before = await stored_text(running_intake.settings)
    await staff.open(NEW)
    kommun = await staff.submit(
        NEW, {**START, "municipality": "\uff18\uff15\uff10\uff11\uff10\uff11-1236"}
    )
    assert kommun.status_code == 422
    assert PERSONAL_NUMBER in kommun.text
    huge = await staff.submit(NEW, {**START, "birth_year": "9" * 5000})
    assert huge.status_code == 422
    assert await stored_text(running_intake.settings) == before


async def test_a_form_s_indicator_name_is_refused_unechoed(running_intake: RunningIntake) -> None:
    staff = await _staff(running_intake)
    started = await running_intake.client.post(PARTICIPANTS, json=START)
    participant = started.json()["participant_id"]
    path = f"/insatser/steget/deltagare/{participant}/uppfoljning"
    page = await staff.open(path)
    before = await stored_text(running_intake.settings)
    sent = await staff.submit(path, {"date": "2025-03-03", "indicator_850101_1236": "3"})
    assert sent.status_code == 422, sent.text
    assert IDENTITY_NUMBER in sent.text
    assert not re.search(r"850101.?1236", sent.text)
    assert await stored_text(running_intake.settings) == before
    assert page.status_code == 200


async def test_the_import_s_file_name(settings: Settings, tmp_path: Path) -> None:
    await define_insatser(settings, steget="individ")
    before = await stored_text(settings)
    rows = [["insats", "startdatum", "kön"], ["steget", "2025-03-01", "kvinna"]]
    ran = await run(settings, write_csv(tmp_path / "Anna 850101\u20131236.csv", rows))
    assert ran.code == 1
    assert "personnummer" in ran.err
    assert await stored_text(settings) == before


async def test_a_poison_message_s_identity_number_stays_out_of_its_dead_letter(
    settings: Settings, redis: Redis, stream_prefix: str
) -> None:
    """An indicator key is named in pydantic's error (as its location): the dead letter's
    error withholds it; input values are hidden anyway."""
    body = json.dumps(
        {
            "type": "ParticipantProgressed",
            "insats_id": "steget",
            "participant_id": "P1",
            "date": "2025-03-03",
            "indicators": {"850101_1236": 3},
            "vas": "19850101-1236",
        }
    )
    with pytest.raises(ValidationError) as error:
        ProgressDetails.model_validate_json(body)
    assert "19850101" not in str(error.value)  # input values hidden (the key is named)
    stream, group = f"{stream_prefix}.poison", "outcomes"
    await ensure_group(redis, stream, group)
    await redis.xadd(
        stream, {"id": "m1", "type": "ParticipantProgressed", "position": "1", "body": body}
    )

    async def handle(_batch: object) -> None:
        raise AssertionError("a poison message is never handled")

    consumer = StreamConsumer(redis, stream, group, "c1", decode, handle, max_deliveries=1)
    claimed = await redis.xreadgroup(group, "c1", {stream: ">"})
    entries: list[StreamEntry] = [StreamEntry(i, f) for i, f in claimed[0][1]]
    await consumer.retry_pending(entries)
    total, [dead] = await read_dead_letters(redis, stream, group, 10)
    assert total == 1
    assert dead.error.startswith("PoisonMessage")
    assert "1236" not in dead.error
