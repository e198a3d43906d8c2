"""Moving on (`move`): the stop here and the start there as one command, the same code in
both insatser, through the app on a real database and Redis."""

import re

from shared.contract.events import ParticipantStarted, ParticipantStopped
from tests.intake.forms_support import PASSWORD, alerts, ok, registered

INSATSER = "/api/v1/insatser"
START = {
    "start_date": "2025-02-03",
    "gender": "kvinna",
    "birth_year": 1990,
    "education": "gymnasium",
    "support_at_start": ["forsorjningsstod"],
    "referrer": "kommun",
    "municipality": "2480",
    "vas": 30,
}


async def _define(client, insats_id: str, registration: str = "individ") -> None:
    await ok(
        await client.put(
            f"{INSATSER}/{insats_id}",
            json={"name": insats_id.title(), "registration": registration},
        )
    )


async def _started(client, insats_id: str = "steget") -> str:
    return (await ok(await client.post(f"{INSATSER}/{insats_id}/participants", json=START)))[
        "participant_id"
    ]


async def test_a_move_ends_here_and_starts_there_with_the_same_code_and_background(intake) -> None:
    client = intake.client
    for insats_id in ("steget", "mia"):
        await _define(client, insats_id)
    code = await _started(client)
    moved = await client.post(
        f"{INSATSER}/steget/participants/{code.lower()}/move",
        json={"date": "2025-06-02", "to_insats": "mia"},
    )
    assert moved.status_code == 201, moved.text
    answer = moved.json()
    assert (answer["participant_id"], answer["insats_id"]) == (code, "mia")

    _, stop, start = await registered(intake)
    assert isinstance(stop, ParticipantStopped) and isinstance(start, ParticipantStarted)
    assert (stop.insats_id, stop.participant_id, stop.end_date.isoformat()) == (
        "steget",
        code,
        "2025-06-02",
    )
    assert (stop.reason, stop.moved_to) == ("annan_insats", "mia")
    assert (start.insats_id, start.participant_id, start.moved_from) == ("mia", code, "steget")
    assert start.start_date.isoformat() == "2025-06-02"
    background = ("gender", "birth_year", "education", "support_at_start", "referrer")
    assert [getattr(start, name) for name in background] == [
        "kvinna",
        1990,
        "gymnasium",
        ["forsorjningsstod"],
        "kommun",
    ]
    assert (start.municipality, start.vas) == ("2480", None)  # VAS is measured anew

    # The same code, a registration in each: each has its own history, checks and fixes.
    here = (await ok(await client.get(f"{INSATSER}/steget/participants/{code}/events")))["events"]
    there = (await ok(await client.get(f"{INSATSER}/mia/participants/{code}/events")))["events"]
    assert [list(e)[2] for e in here] == ["start", "stop"]
    assert [list(e)[2] for e in there] == ["start"]
    checked = await client.post(
        f"{INSATSER}/mia/participants/{code}/progress", json={"date": "2025-07-01", "vas": 45}
    )
    assert checked.status_code == 201, checked.text
    again = await client.post(
        f"{INSATSER}/steget/participants/{code}/progress", json={"date": "2025-07-01"}
    )
    assert again.status_code == 409  # stopped here
    stop_event = here[1]["event_id"]
    voided = await client.post(f"{INSATSER}/steget/participants/{code}/events/{stop_event}/void")
    assert voided.status_code == 201, voided.text
    stopped = await client.post(
        f"{INSATSER}/mia/participants/{code}/stop",
        json={"end_date": "2025-09-30", "reason": "arbete"},
    )
    assert stopped.status_code == 201, stopped.text


async def test_a_refused_move_says_why_and_changes_nothing(intake) -> None:
    client = intake.client
    for insats_id, registration in (("steget", "individ"), ("mia", "individ"), ("kurs", "volym")):
        await _define(client, insats_id, registration)
    code = await _started(client)
    other = await _started(client, "mia")
    before = await intake.logged_events()
    path = f"{INSATSER}/steget/participants/{code}/move"
    for body, field in (
        ({"date": "2025-06-02", "to_insats": "finns-inte"}, "to_insats"),
        ({"date": "2025-06-02", "to_insats": "steget"}, "to_insats"),
        ({"date": "2025-06-02", "to_insats": "kurs"}, "to_insats"),
        ({"date": "2025-01-02", "to_insats": "mia"}, "date"),
        ({"date": "2025-06-02"}, "to_insats"),
        ({"date": "2 juni", "to_insats": "mia"}, "date"),
    ):
        refused = await client.post(path, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert [item["field"] for item in refused.json()["detail"]] == [field], body
    nobody = await client.post(
        f"{INSATSER}/steget/participants/ZZZZ-ZZZZ/move",
        json={"date": "2025-06-02", "to_insats": "mia"},
    )
    assert nobody.status_code == 404
    # Back to where the code already was: refused.
    await ok(await client.post(path, json={"date": "2025-06-02", "to_insats": "mia"}))
    after_move = await intake.logged_events()
    back = await client.post(
        f"{INSATSER}/mia/participants/{code}/move",
        json={"date": "2025-07-01", "to_insats": "steget"},
    )
    assert back.status_code == 409, back.text
    stopped_twice = await client.post(path, json={"date": "2025-06-03", "to_insats": "mia"})
    assert stopped_twice.status_code == 409
    assert await intake.logged_events() == after_move
    assert len(after_move) == len(before) + 2
    assert other != code


async def test_a_move_needs_a_grant_of_both_insatser(intake) -> None:
    client = intake.client
    for insats_id in ("steget", "mia", "annat"):
        await _define(client, insats_id)
    code = await _started(client)
    await ok(
        await client.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["steget", "mia"], "password": PASSWORD},
        )
    )
    token = (await ok(await client.post("/api/v1/tokens", json={"username": "ivan"})))["token"]
    as_ivan = {"Authorization": f"Bearer {token}"}
    path = f"{INSATSER}/steget/participants/{code}/move"
    before = await intake.logged_events()
    ungranted = await client.post(
        path, json={"date": "2025-06-02", "to_insats": "annat"}, headers=as_ivan
    )
    assert ungranted.status_code == 403
    assert await intake.logged_events() == before
    granted = await client.post(
        path, json={"date": "2025-06-02", "to_insats": "mia"}, headers=as_ivan
    )
    assert granted.status_code == 201, granted.text


async def test_the_stop_form_leads_to_a_move_that_ends_here_and_starts_there(intake, staff) -> None:
    client = intake.client
    code = (await ok(await client.post(f"{INSATSER}/a/participants", json=START)))["participant_id"]
    stop_form = await staff.open(f"/insatser/a/deltagare/{code}/avsluta")
    assert '<a href="ga-vidare">Gå vidare till annan insats</a>' in stop_form.text
    path = f"/insatser/a/deltagare/{code}/ga-vidare"
    form = await staff.open(path)
    # ivan registers in a and va: b is not his, va is a volume insats, a is where he is.
    assert re.findall(r'<option value="([a-z-]+)"', form.text) == []
    assert "Det finns ingen annan insats med individregistrering som du registrerar i." in form.text
    await ok(
        await client.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["a", "b", "va"]},  # still logged in
        )
    )
    form = await staff.open(path)
    assert re.findall(r'<option value="([a-z-]+)"', form.text) == ["b"]
    refused = await staff.submit(path, {"date": "2025-01-01", "to_insats": "b"})
    assert refused.status_code == 422
    assert "Datumet får inte vara före startdatum (2025-02-03)." in alerts(refused)
    moved = await staff.submit(path, {"date": "2025-05-05", "to_insats": "b"})
    assert moved.status_code == 201, moved.text
    assert "Deltagaren har gått vidare" in moved.text
    *_, stop, start = await registered(intake)
    assert (stop.insats_id, stop.reason, stop.moved_to) == ("a", "annan_insats", "b")
    assert (start.insats_id, start.participant_id, start.moved_from) == ("b", code, "a")
    assert code in (await staff.open("/insatser/b")).text
    assert code not in (await staff.open("/insatser/a")).text


async def test_either_half_of_a_move_is_corrected_or_voided_in_its_own_insats(intake) -> None:
    client = intake.client
    for insats_id in ("steget", "mia"):
        await _define(client, insats_id)
    code = await _started(client)
    await ok(
        await client.post(
            f"{INSATSER}/steget/participants/{code}/move",
            json={"date": "2025-06-02", "to_insats": "mia"},
        )
    )
    here, there = (f"{INSATSER}/{i}/participants/{code}" for i in ("steget", "mia"))
    [_, stop_here] = (await ok(await client.get(f"{here}/events")))["events"]
    [start_there] = (await ok(await client.get(f"{there}/events")))["events"]

    # The move's day and reason are both halves': a correction may not split them.
    moved_stop = stop_here["stop"] | {"end_date": "2025-06-09"}
    split = await client.post(
        f"{here}/events/{stop_here['event_id']}/correction", json={"stop": moved_stop}
    )
    assert split.status_code == 422 and split.json()["detail"][0]["field"] == "stop.end_date"
    other_reason = stop_here["stop"] | {"reason": "arbete"}
    split = await client.post(
        f"{here}/events/{stop_here['event_id']}/correction", json={"stop": other_reason}
    )
    assert split.status_code == 422 and split.json()["detail"][0]["field"] == "stop.reason"
    later = start_there["start"] | {"start_date": "2025-06-20"}
    split = await client.post(
        f"{there}/events/{start_there['event_id']}/correction", json={"start": later}
    )
    assert split.status_code == 422 and split.json()["detail"][0]["field"] == "start.start_date"

    # Anything else is the registration's own, corrected where it is.
    answers = stop_here["stop"] | {"health_better": True}
    fixed = await client.post(
        f"{here}/events/{stop_here['event_id']}/correction", json={"stop": answers}
    )
    assert fixed.status_code == 201, fixed.text
    schooled = start_there["start"] | {"education": "hogskola_upp_till_3"}
    fixed = await client.post(
        f"{there}/events/{start_there['event_id']}/correction", json={"start": schooled}
    )
    assert fixed.status_code == 201, fixed.text
    checked = await ok(await client.post(f"{there}/progress", json={"date": "2025-07-01"}))
    voided = await client.post(f"{there}/events/{checked['event_id']}/void")
    assert voided.status_code == 201, voided.text
    # A mistaken move: its start voided, the registration there counts no more.
    undone = await client.post(f"{there}/events/{start_there['event_id']}/void")
    assert undone.status_code == 201, undone.text
    assert (await client.get(f"{there}/events")).status_code == 404
    assert [e["type"] for e in (await ok(await client.get(f"{here}/events")))["events"]] == [
        "ParticipantStarted",
        "ParticipantStopped",
    ]
