"""Corrections and voids (felregistrering) through intake's HTTP API on a real database and
Redis: what they record, what the participant then is, and what they refuse."""

import httpx

from shared.contract.events import ParticipantEventCorrected, ParticipantEventVoided

INSATSER = "/api/v1/insatser"
START = {"start_date": "2025-02-03", "gender": "kvinna", "vas": 30}
STOP = {"end_date": "2025-06-30", "reason": "arbete", "health_better": True}


async def _created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


async def _registered(client: httpx.AsyncClient) -> tuple[str, str]:
    """A participant of `steget` started, checked in once and stopped: its code and path."""
    await client.put(f"{INSATSER}/steget", json={"name": "Steget", "registration": "individ"})
    started = await _created(await client.post(f"{INSATSER}/steget/participants", json=START))
    path = f"{INSATSER}/steget/participants/{started['participant_id']}"
    await _created(await client.post(f"{path}/progress", json={"date": "2025-04-01", "vas": 45}))
    await _created(await client.post(f"{path}/stop", json=STOP))
    return started["participant_id"], path


async def _events(client: httpx.AsyncClient, path: str) -> dict[str, dict]:
    """The participant's events as they count now, by type."""
    response = await client.get(f"{path}/events")
    assert response.status_code == 200, response.text
    return {event["type"]: event for event in response.json()["events"]}


async def _participant(client: httpx.AsyncClient, code: str) -> dict | None:
    listed = (await client.get(f"{INSATSER}/steget/participants")).json()["participants"]
    return next((p for p in listed if p["participant_id"] == code), None)


async def test_a_corrected_stop_counts_as_corrected_and_the_original_stays_logged(
    intake,
) -> None:
    code, path = await _registered(intake.client)
    stop_id = (await _events(intake.client, path))["ParticipantStopped"]["event_id"]
    corrected = {"end_date": "2025-07-15", "reason": "sjukdom"}
    await _created(
        await intake.client.post(f"{path}/events/{stop_id}/correction", json={"stop": corrected})
    )
    stop = (await _events(intake.client, path))["ParticipantStopped"]
    assert (stop["event_id"], stop["stop"]["end_date"], stop["stop"]["reason"]) == (
        stop_id,
        "2025-07-15",
        "sjukdom",
    )
    assert stop["stop"]["health_better"] is None  # every field anew
    assert (await _participant(intake.client, code))["end_date"] == "2025-07-15"
    logged = [event for _, event in await intake.logged_events()]
    assert [e.type for e in logged][-2:] == ["ParticipantStopped", "ParticipantEventCorrected"]
    assert isinstance(logged[-1], ParticipantEventCorrected) and logged[-1].corrects == stop_id


async def test_a_voided_stop_makes_the_participant_active_again(intake) -> None:
    code, path = await _registered(intake.client)
    stop_id = (await _events(intake.client, path))["ParticipantStopped"]["event_id"]
    await _created(await intake.client.post(f"{path}/events/{stop_id}/void"))
    assert (await _participant(intake.client, code))["end_date"] is None
    assert "ParticipantStopped" not in await _events(intake.client, path)
    await _created(await intake.client.post(f"{path}/progress", json={"date": "2025-08-01"}))
    again = await intake.client.post(f"{path}/events/{stop_id}/void")
    assert again.status_code == 409, again.text


async def test_a_voided_start_voids_the_whole_registration(intake) -> None:
    code, path = await _registered(intake.client)
    start_id = (await _events(intake.client, path))["ParticipantStarted"]["event_id"]
    await _created(await intake.client.post(f"{path}/events/{start_id}/void"))
    assert await _participant(intake.client, code) is None
    assert (await intake.client.get(f"{path}/events")).status_code == 404
    later = await intake.client.post(f"{path}/progress", json={"date": "2025-08-01"})
    assert later.status_code == 409, later.text
    logged = [event for _, event in await intake.logged_events()]
    assert isinstance(logged[-1], ParticipantEventVoided) and logged[-1].voids == start_id


async def test_a_correction_that_contradicts_the_history_is_refused_and_records_nothing(
    intake,
) -> None:
    _code, path = await _registered(intake.client)
    events = await _events(intake.client, path)
    before = await intake.logged_events()
    late_start = START | {"start_date": "2025-05-01"}  # after the check-in of 2025-04-01
    refusals = {
        "start after the check-in": await intake.client.post(
            f"{path}/events/{events['ParticipantStarted']['event_id']}/correction",
            json={"start": late_start},
        ),
        "stop before the start": await intake.client.post(
            f"{path}/events/{events['ParticipantStopped']['event_id']}/correction",
            json={"stop": STOP | {"end_date": "2025-01-01"}},
        ),
        "another kind": await intake.client.post(
            f"{path}/events/{events['ParticipantStopped']['event_id']}/correction",
            json={"start": START},
        ),
        "two kinds": await intake.client.post(
            f"{path}/events/{events['ParticipantStopped']['event_id']}/correction",
            json={"start": START, "stop": STOP},
        ),
    }
    fields = {
        what: [item["field"] for item in response.json()["detail"]]
        for what, response in refusals.items()
    }
    assert {what: r.status_code for what, r in refusals.items()} == dict.fromkeys(refusals, 422)
    assert fields == {
        "start after the check-in": ["start.start_date"],
        "stop before the start": ["stop.end_date"],
        "another kind": ["start"],
        "two kinds": ["body"],
    }
    unknown = await intake.client.post(f"{path}/events/{'0' * 36}/void")
    assert unknown.status_code == 404
    assert await intake.logged_events() == before


async def test_a_correction_is_the_insats_holders_and_answers_a_retry_once(intake) -> None:
    _code, path = await _registered(intake.client)
    stop_id = (await _events(intake.client, path))["ParticipantStopped"]["event_id"]
    await intake.client.put("/api/v1/users/olle", json={"role": "insatsansvarig", "insatser": []})
    token = (await intake.client.post("/api/v1/tokens", json={"username": "olle"})).json()
    others = await intake.client.post(
        f"{path}/events/{stop_id}/void", headers={"Authorization": f"Bearer {token['token']}"}
    )
    assert others.status_code == 403
    key = {"Idempotency-Key": "ratta-1"}
    body = {"stop": STOP | {"reason": "studier"}}
    first = await _created(
        await intake.client.post(f"{path}/events/{stop_id}/correction", json=body, headers=key)
    )
    retry = await _created(
        await intake.client.post(f"{path}/events/{stop_id}/correction", json=body, headers=key)
    )
    assert retry == first
    corrections = [
        e for _, e in await intake.logged_events() if e.type == "ParticipantEventCorrected"
    ]
    assert len(corrections) == 1
