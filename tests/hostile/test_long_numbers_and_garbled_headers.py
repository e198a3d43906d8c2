"""The security review's findings about what a careless user types: a 5,000-digit number (more
digits than Python converts) in a form's or the API's integer field, and an en dash in the
Idempotency-Key header (headers arrive as Latin-1). Each is a 422 saying why, never a 500,
and nothing is stored. (The import's cells: tests/intake/test_import.py.)"""

from redis.asyncio import Redis

from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH
from tests.hostile.test_identity import NEW, PARTICIPANTS, START, _staff, stored_text
from tests.intake.conftest import RunningIntake
from tests.intake.forms_support import alerts
from tests.reporting.running import running_reporting
from tests.reporting.test_access_service import BROWSER, INSATSER

LONG_NUMBER = "9" * 5000


async def test_a_5000_digit_number_in_any_integer_form_field_is_refused_in_swedish(
    running_intake: RunningIntake,
) -> None:
    staff = await _staff(running_intake)
    client = running_intake.client
    await client.put("/api/v1/insatser/kurs", json={"name": "Kurs", "registration": "volym"})
    started = await client.post(PARTICIPANTS, json=START)
    participant = started.json()["participant_id"]
    check_in = f"/insatser/steget/deltagare/{participant}/uppfoljning"
    volume = "/insatser/kurs/volym"
    before = await stored_text(running_intake.settings)
    sent = {
        NEW: {**START, "years_in_support": LONG_NUMBER, "vas": LONG_NUMBER},
        check_in: {"date": "2025-03-03", "vas": LONG_NUMBER, "indicator_halsa": LONG_NUMBER},
        volume: {"date": "2025-03-03", "kvinna": LONG_NUMBER, "man": "0", "annan": "0"},
    }
    expected = {
        NEW: ["Ange ett helt antal år, 0–60.", "Ange ett heltal från 1 till 100."],
        check_in: ["Ange ett heltal från 1 till 100.", "Välj ett värde från 1 till 5."],
        volume: ["Ange antalet kvinnor som ett heltal, 0 om inga."],
    }
    for path, fields in sent.items():
        await staff.open(path)
        page = await staff.submit(path, fields)
        assert page.status_code == 422, (path, page.text)
        assert alerts(page) == expected[path]
    assert await stored_text(running_intake.settings) == before


async def test_a_5000_digit_number_in_the_apis_json_is_refused(
    running_intake: RunningIntake,
) -> None:
    before = await stored_text(running_intake.settings)
    body = f'{{"start_date": "2025-02-03", "gender": "kvinna", "birth_year": {LONG_NUMBER}}}'
    response = await running_intake.client.post(
        PARTICIPANTS, content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    [item] = response.json()["detail"]
    assert (item["field"], item["msg"]) == (
        "body",
        "a number in the body has more than 4300 digits",
    )
    assert await stored_text(running_intake.settings) == before


async def test_an_idempotency_key_with_an_en_dash_is_refused_with_a_reason(
    running_intake: RunningIntake,
) -> None:
    client = running_intake.client
    await client.put("/api/v1/insatser/steget", json={"name": "Steget", "registration": "individ"})
    before = await stored_text(running_intake.settings)
    for key in ("nyckel\u20131".encode(), "nyckel-å".encode("latin-1"), b"nyckel\x7f"):
        response = await client.post(PARTICIPANTS, json=START, headers={"Idempotency-Key": key})
        assert response.status_code == 422, response.text
        [item] = response.json()["detail"]
        assert item["field"] == "Idempotency-Key"
        assert item["msg"].startswith("must be printable ASCII characters only")
    assert await stored_text(running_intake.settings) == before
    accepted = await client.post(PARTICIPANTS, json=START, headers={"Idempotency-Key": "nyckel-1"})
    assert accepted.status_code == 201, accepted.text


async def test_a_5000_digit_year_in_the_reports_query_is_refused(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *INSATSER) as client:
        for query in ({"year": LONG_NUMBER, "period": "helar"}, {"year": "²", "period": "helar"}):
            response = await client.get("/api/v1/reports", params=query, headers=SERVICE_AUTH)
            assert response.status_code == 422, response.text
            assert [item["field"] for item in response.json()["detail"]] == ["year"]
            assert LONG_NUMBER not in response.text
        page = await client.get(
            "/rapport", params={"year": LONG_NUMBER}, headers=BROWSER | SERVICE_AUTH
        )
        assert page.status_code == 422, page.text  # the year field explains itself
