"""Participant codes are case-insensitive everywhere (contract v1.1): `k7m2-qx9d` is
`K7M2-QX9D`, and an unknown code is 404, never 422. Over HTTP, on the real app."""

from tests.intake.forms_support import ok, registered, start

INSATSER = "/api/v1/insatser"
STOP = {"end_date": "2025-06-30", "reason": "arbete"}


async def test_the_api_takes_a_code_in_any_case(intake, staff) -> None:
    client = intake.client
    code = (await ok(await client.post(f"{INSATSER}/a/participants", json=_START)))[
        "participant_id"
    ]
    lower = code.lower()
    events = await ok(await client.get(f"{INSATSER}/a/participants/{lower}/events"))
    assert [event["type"] for event in events["events"]] == ["ParticipantStarted"]
    mixed = lower[:4] + code[4:]
    stopped = await client.post(f"{INSATSER}/a/participants/{mixed}/stop", json=STOP)
    assert stopped.status_code == 201, stopped.text
    assert stopped.json()["participant_id"] == code
    assert [(e.type, e.participant_id) for e in await registered(intake)] == [
        ("ParticipantStarted", code),
        ("ParticipantStopped", code),
    ]
    audit = await ok(await client.get("/api/v1/audit", params={"limit": 1}))
    assert audit["entries"][0]["action"] == "stop"


async def test_an_unknown_code_is_404_in_any_form(intake, staff) -> None:
    client = intake.client
    for unknown in ("zzzz-zzzz", "ZZZZ-ZZZZ", "not a code", "k7m2_qx9d!", "x" * 200):
        stop = await client.post(f"{INSATSER}/a/participants/{unknown}/stop", json=STOP)
        assert stop.status_code == 404, (unknown, stop.text)
        events = await client.get(f"{INSATSER}/a/participants/{unknown}/events")
        assert events.status_code == 404, (unknown, events.text)
    assert await registered(intake) == []


async def test_the_forms_take_a_code_in_any_case(intake, staff) -> None:
    code = await start(staff)
    lower = code.lower()
    found = await staff.client.get("/insatser/a/deltagare", params={"kod": f" {lower} "})
    assert (found.status_code, found.headers["location"]) == (303, f"/insatser/a/deltagare/{code}")
    page = await staff.open(f"/insatser/a/deltagare/{lower}")
    assert code in page.text
    path = f"/insatser/a/deltagare/{lower}/avsluta"
    await staff.open(path)
    done = await staff.submit(path, {"end_date": "2025-06-30", "reason": "arbete"})
    assert done.status_code == 201, done.text
    assert "Deltagaren är avslutad" in done.text
    stopped = [e for e in await registered(intake) if e.type == "ParticipantStopped"]
    assert [e.participant_id for e in stopped] == [code]
    unknown = await staff.client.get("/insatser/a/deltagare/zzzz-zzzz/avsluta")
    assert unknown.status_code == 404


_START = {"start_date": "2025-02-03", "gender": "kvinna"}


async def test_a_retry_writing_the_code_in_another_case_gets_the_first_answer(
    intake, staff
) -> None:
    client = intake.client
    code = (await ok(await client.post(f"{INSATSER}/a/participants", json=_START)))[
        "participant_id"
    ]
    key = {"Idempotency-Key": "stop-once"}
    first = await client.post(f"{INSATSER}/a/participants/{code}/stop", json=STOP, headers=key)
    retry = await client.post(
        f"{INSATSER}/a/participants/{code.lower()}/stop", json=STOP, headers=key
    )
    assert (first.status_code, retry.status_code) == (201, 201), retry.text
    assert retry.json() == first.json()
    assert [e.type for e in await registered(intake)] == [
        "ParticipantStarted",
        "ParticipantStopped",
    ]
    other = await client.post(
        f"{INSATSER}/a/participants/{code.lower()}/stop",
        json=STOP | {"end_date": "2025-07-01"},
        headers=key,
    )
    assert other.status_code == 409, other.text
